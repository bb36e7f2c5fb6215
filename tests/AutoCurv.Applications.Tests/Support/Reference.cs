using AutoCurv;
using MathNet.Numerics.LinearAlgebra;

namespace AutoCurv.Applications.Tests.Support;

/// <summary>Deterministic data and independent dense references (MathNet) for the application tests.</summary>
public static class Reference
{
    public static double[] RandomVector(int n, ulong seed, double scale = 1.0)
    {
        var random = new RandomSource(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * random.NextGaussian();
        return v;
    }

    /// <summary>
    /// The stacked design of <c>LinearModel</c> (w = [W (C × d), b (C)]): one row per scalar observation (i, k) with
    /// x_i in block k and a 1 at bias k. The model output is Φ w, row-major over (i, k).
    /// </summary>
    public static Matrix<double> Design(Dataset data)
    {
        int d = data.InputSize, c = data.TargetSize, n = c * (d + 1);
        var phi = Matrix<double>.Build.Dense(data.Count * c, n);
        for (int i = 0; i < data.Count; i++)
        {
            var x = data.Input(i);
            for (int k = 0; k < c; k++)
            {
                int row = i * c + k;
                for (int j = 0; j < d; j++) phi[row, k * d + j] = x[j];
                phi[row, c * d + k] = 1.0;
            }
        }
        return phi;
    }

    /// <summary>The stacked design row(s) of one input: C × n.</summary>
    public static Matrix<double> DesignRows(ReadOnlySpan<double> x, int c)
    {
        int d = x.Length, n = c * (d + 1);
        var rows = Matrix<double>.Build.Dense(c, n);
        for (int k = 0; k < c; k++)
        {
            for (int j = 0; j < d; j++) rows[k, k * d + j] = x[j];
            rows[k, c * d + k] = 1.0;
        }
        return rows;
    }

    public static Vector<double> Targets(Dataset data) => Vector<double>.Build.DenseOfArray(data.Targets.ToArray());

    /// <summary>The ridge / MAP solution (ΦᵀΦ + αI)⁻¹ Φᵀ y (α = 0: least squares).</summary>
    public static double[] Ridge(Dataset data, double alpha)
    {
        var phi = Design(data);
        var a = phi.TransposeThisAndMultiply(phi) + alpha * Matrix<double>.Build.DenseIdentity(phi.ColumnCount);
        return a.Cholesky().Solve(phi.TransposeThisAndMultiply(Targets(data))).ToArray();
    }

    /// <summary>
    /// The closed-form log evidence of Bayesian linear regression with unit noise (β = 1) and prior N(0, α⁻¹I)
    /// (Bishop, PRML 3.86): (M/2) ln α − E(m_N) − ½ ln|A| − (N/2) ln 2π, with A = αI + ΦᵀΦ,
    /// m_N = A⁻¹Φᵀy, E(m) = ½‖y − Φm‖² + (α/2)‖m‖², over all N·C scalar observations.
    /// </summary>
    public static double BayesianLinearRegressionEvidence(Dataset data, double alpha)
    {
        var phi = Design(data);
        var y = Targets(data);
        int m = phi.ColumnCount, observations = phi.RowCount;
        var a = phi.TransposeThisAndMultiply(phi) + alpha * Matrix<double>.Build.DenseIdentity(m);
        var chol = a.Cholesky();
        var mean = chol.Solve(phi.TransposeThisAndMultiply(y));
        var residual = y - phi * mean;
        double e = 0.5 * residual.DotProduct(residual) + 0.5 * alpha * mean.DotProduct(mean);
        return 0.5 * m * Math.Log(alpha) - e - 0.5 * chol.DeterminantLn - 0.5 * observations * Math.Log(2.0 * Math.PI);
    }

    /// <summary>The BLR posterior covariance A⁻¹ = (αI + ΦᵀΦ)⁻¹.</summary>
    public static Matrix<double> PosteriorCovariance(Dataset data, double alpha)
    {
        var phi = Design(data);
        var a = phi.TransposeThisAndMultiply(phi) + alpha * Matrix<double>.Build.DenseIdentity(phi.ColumnCount);
        return a.Inverse();
    }

    /// <summary>Σ_i ℓ_i of <typeparamref name="TModel"/> with squared error, by a plain serial loop.</summary>
    public static double SumLoss<TModel>(double[] w, Dataset data) where TModel : struct, IModel
    {
        double sum = 0.0;
        var output = new double[data.TargetSize];
        for (int i = 0; i < data.Count; i++) sum += TModel.Loss<MeanSquaredError>(w, data.Input(i), output, data.Target(i));
        return sum;
    }

    /// <summary>Σ_i ∇ℓ_i by a plain serial loop.</summary>
    public static double[] SumGradient<TModel, TLoss>(double[] w, Dataset data) where TModel : struct, IModel where TLoss : struct, ILoss
    {
        var sum = new double[w.Length];
        var g = new double[w.Length];
        var output = new double[data.TargetSize];
        for (int i = 0; i < data.Count; i++)
        {
            TModel.LossGradient<TLoss>(w, data.Input(i), output, data.Target(i), g);
            for (int p = 0; p < w.Length; p++) sum[p] += g[p];
        }
        return sum;
    }

    /// <summary>The dense Hessian of the mean loss by central differences of the summed per-sample gradients.</summary>
    public static double[] FiniteDifferenceHessian<TModel, TLoss>(double[] w, Dataset data, double h = 1e-5)
        where TModel : struct, IModel where TLoss : struct, ILoss
    {
        int n = w.Length;
        var hessian = new double[n * n];
        var wp = (double[])w.Clone();
        for (int q = 0; q < n; q++)
        {
            wp[q] = w[q] + h;
            var plus = SumGradient<TModel, TLoss>(wp, data);
            wp[q] = w[q] - h;
            var minus = SumGradient<TModel, TLoss>(wp, data);
            wp[q] = w[q];
            for (int p = 0; p < n; p++) hessian[p * n + q] = (plus[p] - minus[p]) / (2 * h * data.Count);
        }
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
            {
                double avg = 0.5 * (hessian[p * n + q] + hessian[q * n + p]);
                hessian[p * n + q] = hessian[q * n + p] = avg;
            }
        return hessian;
    }

    /// <summary>J (C × n) by central differences of Forward.</summary>
    public static double[] FiniteDifferenceJacobian<TModel>(double[] w, ReadOnlySpan<double> x, int c, double h = 1e-6) where TModel : struct, IModel
    {
        int n = w.Length;
        var jacobian = new double[c * n];
        var wp = (double[])w.Clone();
        var plus = new double[c];
        var minus = new double[c];
        for (int p = 0; p < n; p++)
        {
            wp[p] = w[p] + h;
            TModel.Forward(wp, x, plus);
            wp[p] = w[p] - h;
            TModel.Forward(wp, x, minus);
            wp[p] = w[p];
            for (int k = 0; k < c; k++) jacobian[k * n + p] = (plus[k] - minus[k]) / (2 * h);
        }
        return jacobian;
    }

    public static double MaxAbs(ReadOnlySpan<double> values)
    {
        double m = 0.0;
        foreach (double v in values) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    /// <summary>Asserts max |a − b| ≤ relative · max(1e-300, max |expected|).</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(MaxAbs(expected), 1e-300);
        double error = 0.0;
        for (int i = 0; i < expected.Length; i++) error = Math.Max(error, Math.Abs(expected[i] - actual[i]));
        Assert.True(error <= relative * scale, $"max abs error {error:E3} exceeds {relative:E1} × {scale:E3}");
    }

    public static void AssertRelative(double expected, double actual, double relative)
    {
        double error = Math.Abs(expected - actual);
        Assert.True(error <= relative * Math.Max(Math.Abs(expected), 1e-300), $"expected {expected:R}, got {actual:R} (relative error {error / Math.Abs(expected):E3})");
    }
}

/// <summary>Reports synchronously on the calling thread (unlike <see cref="Progress{T}"/>).</summary>
public sealed class ListProgress<T> : IProgress<T>
{
    public List<T> Items { get; } = new();
    public void Report(T value) => Items.Add(value);
}

/// <summary>An explicit row-major n × n matrix as an <see cref="ILinearOperator"/>.</summary>
public sealed class DenseOperator : ILinearOperator
{
    private readonly double[] _matrix;

    public DenseOperator(double[] matrix, int size)
    {
        _matrix = matrix;
        Size = size;
    }

    public int Size { get; }

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        var copy = v.ToArray();
        for (int i = 0; i < Size; i++)
        {
            double s = 0.0;
            for (int j = 0; j < Size; j++) s += _matrix[i * Size + j] * copy[j];
            result[i] = s;
        }
    }
}
