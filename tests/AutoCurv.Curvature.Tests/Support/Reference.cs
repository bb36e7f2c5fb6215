using AutoCurv;

namespace AutoCurv.Curvature.Tests.Support;

/// <summary>
/// Per-sample dense curvature matrices built without the operators: the Jacobian by central differences of
/// <c>Forward</c>, H_ℓ from the loss's own products with unit vectors, the Hessian by central differences of the
/// gradient. Means over a data set are plain serial loops.
/// </summary>
public static class Reference<TModel, TLoss>
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    /// <summary>J (C × n, row-major) by central differences of Forward.</summary>
    public static double[] Jacobian(double[] w, ReadOnlySpan<double> x, int c, double h = 1e-6)
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

    /// <summary>H_ℓ (C × C) at output f, column by column from the loss's Hessian-vector product.</summary>
    public static double[] OutputHessian(ReadOnlySpan<double> f, ReadOnlySpan<double> y)
    {
        int c = f.Length;
        var h = new double[c * c];
        var e = new double[c];
        var col = new double[c];
        for (int j = 0; j < c; j++)
        {
            e[j] = 1.0;
            TLoss.HessianVectorProduct<double>(f, y, e, col);
            e[j] = 0.0;
            for (int i = 0; i < c; i++) h[i * c + j] = col[i];
        }
        return h;
    }

    public static double[] Output(double[] w, ReadOnlySpan<double> x, int c)
    {
        var f = new double[c];
        TModel.Forward(w, x, f);
        return f;
    }

    public static double[] Gradient(double[] w, ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var g = new double[w.Length];
        var f = new double[y.Length];
        TModel.LossGradient<TLoss>(w, x, f, y, g);
        return g;
    }

    /// <summary>Jᵀ H_ℓ J with J by finite differences.</summary>
    public static double[] Ggn(double[] w, ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = w.Length, c = y.Length;
        var j = Jacobian(w, x, c);
        var hl = OutputHessian(Output(w, x, c), y);
        var g = new double[n * n];
        var hj = new double[c * n]; // H_ℓ J
        for (int a = 0; a < c; a++)
            for (int p = 0; p < n; p++)
            {
                double s = 0.0;
                for (int b = 0; b < c; b++) s += hl[a * c + b] * j[b * n + p];
                hj[a * n + p] = s;
            }
        for (int p = 0; p < n; p++)
            for (int q = 0; q < n; q++)
            {
                double s = 0.0;
                for (int a = 0; a < c; a++) s += j[a * n + p] * hj[a * n + q];
                g[p * n + q] = s;
            }
        return g;
    }

    /// <summary>The Hessian of ℓ∘F by central differences of the (closed-form) gradient, symmetrised.</summary>
    public static double[] Hessian(double[] w, ReadOnlySpan<double> x, ReadOnlySpan<double> y, double h = 1e-5)
    {
        int n = w.Length;
        var hessian = new double[n * n];
        var wp = (double[])w.Clone();
        for (int p = 0; p < n; p++)
        {
            wp[p] = w[p] + h;
            var plus = Gradient(wp, x, y);
            wp[p] = w[p] - h;
            var minus = Gradient(wp, x, y);
            wp[p] = w[p];
            for (int q = 0; q < n; q++) hessian[q * n + p] = (plus[q] - minus[q]) / (2 * h);
        }
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
                hessian[p * n + q] = hessian[q * n + p] = 0.5 * (hessian[p * n + q] + hessian[q * n + p]);
        return hessian;
    }

    /// <summary>g gᵀ.</summary>
    public static double[] Outer(double[] g)
    {
        int n = g.Length;
        var m = new double[n * n];
        for (int p = 0; p < n; p++)
            for (int q = 0; q < n; q++) m[p * n + q] = g[p] * g[q];
        return m;
    }

    /// <summary>(1/N) Σ_i perSample(i).</summary>
    public static double[] Mean(Dataset data, Func<int, double[]> perSample)
    {
        double[]? sum = null;
        for (int i = 0; i < data.Count; i++)
        {
            var m = perSample(i);
            sum ??= new double[m.Length];
            for (int k = 0; k < m.Length; k++) sum[k] += m[k];
        }
        for (int k = 0; k < sum!.Length; k++) sum[k] /= data.Count;
        return sum;
    }

    public static double[] MeanHessian(double[] w, Dataset data) => Mean(data, i => Hessian(w, data.Input(i), data.Target(i)));
    public static double[] MeanGgn(double[] w, Dataset data) => Mean(data, i => Ggn(w, data.Input(i), data.Target(i)));
    public static double[] MeanEmpiricalFisher(double[] w, Dataset data) => Mean(data, i => Outer(Gradient(w, data.Input(i), data.Target(i))));

    public static double[] Diagonal(double[] dense, int n)
    {
        var d = new double[n];
        for (int i = 0; i < n; i++) d[i] = dense[i * n + i];
        return d;
    }
}
