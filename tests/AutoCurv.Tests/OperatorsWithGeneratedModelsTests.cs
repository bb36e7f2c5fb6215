using System;
using System.Linq;
using AutoCurv.Models;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using Xunit;

namespace AutoCurv.Tests.GeneratedModels;

/// <summary>
/// The sizes at which the tests below run the shared two-layer tanh network <see cref="Mlp.Forward"/>
/// (shared/Models/Mlp.cs): the generator emits <c>Mlp.ForwardModel : IModel</c> for it, which they pass to the
/// data-set operators as their TModel. w = [Hidden rows of (d inputs + bias), C rows of (Hidden + bias)].
/// </summary>
public static class TinyNet
{
    public const int Inputs = 2, Hidden = 3, Outputs = 2;
    public const int ParameterCount = Hidden * (Inputs + 1) + Outputs * (Hidden + 1);
}

/// <summary>
/// The data-set operators (Hessian, GGN, empirical Fisher), Lanczos and the objective driven by a GENERATED model
/// struct, checked against dense matrices assembled independently of the operators: per-sample Hessians from
/// central differences of the generated per-sample gradient, per-sample Jacobians from central differences of the
/// primal with H_ℓ from the loss's own H_ℓ·v, and per-sample gradients, each averaged over the data set.
/// </summary>
public sealed class OperatorsWithGeneratedModelsTests
{
    private const int Count = 7;
    private const int N = TinyNet.ParameterCount;
    private const int C = TinyNet.Outputs;

    /// <summary>Relative tolerance against central-difference references (their error is about 1e-10 here).</summary>
    private const double DifferenceTolerance = 1e-6;

    /// <summary>Relative tolerance against references that are exact up to rounding.</summary>
    private const double ExactTolerance = 1e-10;

    public static TheoryData<string> Losses => new() { "mse", "softmax", "sigmoid" };

    // ------------------------------------------------------------------------------------------------
    // Hessian
    // ------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Losses))]
    public void Hessian_operator_matches_mean_of_differenced_per_sample_gradients(string loss) =>
        Dispatch(loss, new HessianCheck());

    private readonly struct HessianCheck : ILossAction
    {
        public void Run<TLoss>() where TLoss : struct, ILoss
        {
            var (w, data) = Problem<TLoss>(seed: 1);
            double[] reference = ReferenceHessian<TLoss>(w, data);
            var op = new HessianOperator<Mlp.ForwardModel, TLoss>(w, data);
            CheckOperator(op, reference, DifferenceTolerance, "Hessian");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // GGN
    // ------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Losses))]
    public void Ggn_operator_matches_mean_of_differenced_Jacobians_and_loss_Hessian(string loss) =>
        Dispatch(loss, new GgnCheck());

    private readonly struct GgnCheck : ILossAction
    {
        public void Run<TLoss>() where TLoss : struct, ILoss
        {
            var (w, data) = Problem<TLoss>(seed: 2);
            double[] reference = ReferenceGgn<TLoss>(w, data);
            var op = new GgnOperator<Mlp.ForwardModel, TLoss>(w, data);
            CheckOperator(op, reference, DifferenceTolerance, "GGN");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Empirical Fisher
    // ------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Losses))]
    public void Empirical_Fisher_operator_matches_mean_of_per_sample_gradient_outer_products(string loss) =>
        Dispatch(loss, new FisherCheck());

    private readonly struct FisherCheck : ILossAction
    {
        public void Run<TLoss>() where TLoss : struct, ILoss
        {
            var (w, data) = Problem<TLoss>(seed: 3);
            var reference = new double[N * N];
            var output = new double[C];
            var g = new double[N];
            for (int s = 0; s < data.Count; s++)
            {
                Mlp.ForwardLossGradient<TLoss>(w, data.Input(s), output, data.Target(s), g);
                for (int p = 0; p < N; p++)
                    for (int q = 0; q < N; q++) reference[p * N + q] += g[p] * g[q] / data.Count;
            }
            var op = new EmpiricalFisherOperator<Mlp.ForwardModel, TLoss>(w, data);
            CheckOperator(op, reference, ExactTolerance, "empirical Fisher");
        }
    }

    [Fact]
    public void Empirical_Fisher_gradients_match_differenced_per_sample_losses()
    {
        // The per-sample gradients above come from the generated member; tie them to the primal as well.
        var (w, data) = Problem<SoftmaxCrossEntropy>(seed: 4);
        var output = new double[C];
        var g = new double[N];
        for (int s = 0; s < data.Count; s++)
        {
            int sample = s;
            Mlp.ForwardLossGradient<SoftmaxCrossEntropy>(w, data.Input(s), output, data.Target(s), g);
            double[] differenced = Gradient(t =>
            {
                var f = new double[C];
                Mlp.Forward(t, data.Input(sample), f);
                return SoftmaxCrossEntropy.Value<double>(f, data.Target(sample));
            }, w);
            AssertClose(differenced, g, DifferenceTolerance, $"gradient of sample {s}");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Lanczos and the objective
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Lanczos_top_eigenvalue_of_the_Hessian_operator_matches_a_dense_eigensolver()
    {
        var (w, data) = Problem<SoftmaxCrossEntropy>(seed: 5);
        double[] reference = ReferenceHessian<SoftmaxCrossEntropy>(w, data);
        double[] eigenvalues = SymmetricEigenvalues(reference);   // descending
        var op = new HessianOperator<Mlp.ForwardModel, SoftmaxCrossEntropy>(w, data);

        double[] top = Lanczos.TopEigenvalues(op, count: 3, seed: 0);

        Assert.NotEmpty(top);
        double scale = Math.Max(1.0, eigenvalues.Max(Math.Abs));
        Assert.True(Math.Abs(top[0] - eigenvalues[0]) <= DifferenceTolerance * scale,
            $"Lanczos λ1 = {top[0]:R}, MathNet λ1 = {eigenvalues[0]:R}");
        for (int k = 1; k < top.Length; k++) Assert.True(top[k] <= top[k - 1], "largest first");
        // Every value Lanczos reports is an eigenvalue of the reference matrix.
        foreach (double value in top)
            Assert.Contains(eigenvalues, e => Math.Abs(e - value) <= DifferenceTolerance * scale);
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Objective_gradient_matches_central_differences_of_objective_loss(string loss) =>
        Dispatch(loss, new ObjectiveCheck());

    private readonly struct ObjectiveCheck : ILossAction
    {
        public void Run<TLoss>() where TLoss : struct, ILoss
        {
            var (w, data) = Problem<TLoss>(seed: 6);
            var objective = new Objective<Mlp.ForwardModel, TLoss>(data);
            var gradient = new double[N];
            double loss = objective.Gradient(w, gradient);

            double meanLoss = 0.0;
            var output = new double[C];
            for (int s = 0; s < data.Count; s++) meanLoss += Mlp.ForwardLoss<TLoss>(w, data.Input(s), output, data.Target(s)) / data.Count;
            AssertClose(new[] { meanLoss }, new[] { loss }, ExactTolerance, "mean loss");
            AssertClose(new[] { objective.Loss(w) }, new[] { loss }, ExactTolerance, "Loss vs Gradient's return value");

            double[] differenced = Gradient(t => objective.Loss(t), w);
            AssertClose(differenced, gradient, DifferenceTolerance, "Objective.Gradient");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // References
    // ------------------------------------------------------------------------------------------------

    /// <summary>(1/N) Σ_i H_i, H_i the central-difference Jacobian of the generated per-sample gradient, symmetrised.</summary>
    private static double[] ReferenceHessian<TLoss>(double[] w, Dataset data) where TLoss : struct, ILoss
    {
        var mean = new double[N * N];
        for (int s = 0; s < data.Count; s++)
        {
            int sample = s;
            double[] h = Jacobian((t, g) =>
            {
                var output = new double[C];
                Mlp.ForwardLossGradient<TLoss>(t, data.Input(sample), output, data.Target(sample), g);
            }, N, w);
            for (int p = 0; p < N; p++)
                for (int q = 0; q < N; q++) mean[p * N + q] += 0.5 * (h[p * N + q] + h[q * N + p]) / data.Count;
        }
        return mean;
    }

    /// <summary>(1/N) Σ_i J_iᵀ H_ℓ,i J_i, J_i from central differences of the primal, H_ℓ,i column by column from the loss's H_ℓ·v.</summary>
    private static double[] ReferenceGgn<TLoss>(double[] w, Dataset data) where TLoss : struct, ILoss
    {
        var mean = new double[N * N];
        var output = new double[C];
        var unit = new double[C];
        var column = new double[C];
        var hl = new double[C * C];
        for (int s = 0; s < data.Count; s++)
        {
            int sample = s;
            double[] j = Jacobian((t, f) => Mlp.Forward(t, data.Input(sample), f), C, w);   // C × n
            Mlp.Forward(w, data.Input(s), output);
            for (int b = 0; b < C; b++)
            {
                unit[b] = 1.0;
                TLoss.HessianVectorProduct<double>(output, data.Target(s), unit, column);
                unit[b] = 0.0;
                for (int a = 0; a < C; a++) hl[a * C + b] = column[a];
            }
            for (int p = 0; p < N; p++)
                for (int q = 0; q < N; q++)
                {
                    double sum = 0.0;
                    for (int a = 0; a < C; a++)
                        for (int b = 0; b < C; b++) sum += j[a * N + p] * hl[a * C + b] * j[b * N + q];
                    mean[p * N + q] += sum / data.Count;
                }
        }
        return mean;
    }

    /// <summary>Apply on random vectors, Diagonal and ToDense of <paramref name="op"/> against <paramref name="reference"/>.</summary>
    private static void CheckOperator(ICurvatureOperator op, double[] reference, double tolerance, string name)
    {
        Assert.Equal(N, op.Size);

        var dense = op.ToDense();
        AssertClose(reference, dense, tolerance, $"{name} ToDense");

        var diagonal = new double[N];
        op.Diagonal(diagonal);
        var expectedDiagonal = new double[N];
        for (int q = 0; q < N; q++) expectedDiagonal[q] = reference[q * N + q];
        AssertClose(expectedDiagonal, diagonal, tolerance, $"{name} Diagonal");

        var random = new Random(17);
        for (int trial = 0; trial < 3; trial++)
        {
            var v = new double[N];
            for (int q = 0; q < N; q++) v[q] = 2.0 * random.NextDouble() - 1.0;
            var result = new double[N];
            op.Apply(v, result);
            var expected = new double[N];
            for (int p = 0; p < N; p++)
                for (int q = 0; q < N; q++) expected[p] += reference[p * N + q] * v[q];
            AssertClose(expected, result, tolerance, $"{name} Apply (trial {trial})");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Accumulating members (what the operators sum with)
    // ------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Losses))]
    public void Accumulating_members_add_exactly_what_the_overwriting_members_write(string loss) =>
        Dispatch(loss, new AccumulateCheck());

    private readonly struct AccumulateCheck : ILossAction
    {
        public void Run<TLoss>() where TLoss : struct, ILoss
        {
            Assert.True(Mlp.ForwardModel.HasAccumulatingMembers);
            var (w, data) = Problem<TLoss>(seed: 11);
            var random = new Random(12);
            double[] v = Enumerable.Range(0, N).Select(_ => random.NextDouble() - 0.5).ToArray();
            var output = new double[C];
            for (int s = 0; s < data.Count; s++)
            {
                double[] x = data.Input(s).ToArray();
                double[] y = data.Target(s).ToArray();
                // Each pair: (overwriting member into a fresh span, accumulating member into the given span).
                var members = new (string Name, Func<double[], double> Overwrite, Func<double[], double> Accumulate)[]
                {
                    ("LossGradient", r => Mlp.ForwardLossGradient<TLoss>(w, x, output, y, r),
                        r => Mlp.ForwardLossGradientAccumulate<TLoss>(w, x, output, y, r)),
                    ("LossHvp", r => Mlp.ForwardLossHvp<TLoss>(w, x, output, y, v, new double[N], r),
                        r => Mlp.ForwardLossHvpAccumulate<TLoss>(w, x, output, y, v, new double[N], r)),
                    ("Ggnvp", r => Mlp.ForwardGgnvp<TLoss>(w, x, output, y, v, r),
                        r => Mlp.ForwardGgnvpAccumulate<TLoss>(w, x, output, y, v, r)),
                    ("GgnDiagonal", r => Mlp.ForwardGgnDiagonal<TLoss>(w, x, output, y, r),
                        r => Mlp.ForwardGgnDiagonalAccumulate<TLoss>(w, x, output, y, r)),
                    ("LossHessianDiagonal", r => Mlp.ForwardLossHessianDiagonal<TLoss>(w, x, output, y, r),
                        r => Mlp.ForwardLossHessianDiagonalAccumulate<TLoss>(w, x, output, y, r)),
                };
                foreach (var (name, overwrite, accumulate) in members)
                {
                    // Garbage in the result span: the overwriting member must ignore it.
                    var written = Enumerable.Repeat(double.NaN, N).ToArray();
                    double expectedLoss = overwrite(written);
                    Assert.True(written.All(double.IsFinite), $"{name}: the overwriting member left a non-finite entry");

                    var fromZero = new double[N];
                    Assert.Equal(expectedLoss, accumulate(fromZero));
                    Assert.Equal(written, fromZero); // same arithmetic from zero: bit-identical

                    var start = Enumerable.Range(0, N).Select(_ => 10.0 * (random.NextDouble() - 0.5)).ToArray();
                    var sum = (double[])start.Clone();
                    Assert.Equal(expectedLoss, accumulate(sum));
                    AssertClose(start.Zip(written, (a, b) => a + b).ToArray(), sum, 1e-14, $"{name}: start + contribution (sample {s})");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Operators_give_the_same_means_with_and_without_accumulating_members(string loss) =>
        Dispatch(loss, new FallbackCheck());

    private readonly struct FallbackCheck : ILossAction
    {
        public void Run<TLoss>() where TLoss : struct, ILoss
        {
            Assert.False(Accumulates<OverwritingOnly>()); // the interface's default
            Assert.Throws<NotSupportedException>(() => AccumulateGradient<OverwritingOnly, TLoss>(new double[N], new double[TinyNet.Inputs], new double[C], new double[N]));
            var (w, data) = Problem<TLoss>(seed: 13);
            var random = new Random(14);
            double[] v = Enumerable.Range(0, N).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] Apply(ICurvatureOperator op) { var r = new double[N]; op.Apply(v, r); return r; }
            double[] Diagonal(ICurvatureOperator op) { var r = new double[N]; op.Diagonal(r); return r; }

            var h = new HessianOperator<Mlp.ForwardModel, TLoss>(w, data);
            var hFallback = new HessianOperator<OverwritingOnly, TLoss>(w, data);
            AssertClose(Apply(hFallback), Apply(h), 1e-13, "H·v");
            AssertClose(Diagonal(hFallback), Diagonal(h), 1e-13, "diag H");
            var g = new GgnOperator<Mlp.ForwardModel, TLoss>(w, data);
            var gFallback = new GgnOperator<OverwritingOnly, TLoss>(w, data);
            AssertClose(Apply(gFallback), Apply(g), 1e-13, "G·v");
            AssertClose(Diagonal(gFallback), Diagonal(g), 1e-13, "diag G");
            var gradient = new double[N];
            var fallbackGradient = new double[N];
            double l = new Objective<Mlp.ForwardModel, TLoss>(data).Gradient(w, gradient);
            double lFallback = new Objective<OverwritingOnly, TLoss>(data).Gradient(w, fallbackGradient);
            Assert.Equal(lFallback, l);
            AssertClose(fallbackGradient, gradient, 1e-13, "mean gradient");
        }
    }

    private static bool Accumulates<TModel>() where TModel : IModel => TModel.HasAccumulatingMembers;

    private static double AccumulateGradient<TModel, TLoss>(double[] w, double[] x, double[] y, double[] sum) where TModel : IModel where TLoss : ILoss =>
        TModel.LossGradientAccumulate<TLoss>(w, x, new double[y.Length], y, sum);

    /// <summary>TinyNet's model with only the overwriting members: the operators take the pooled-temporary path.</summary>
    private readonly struct OverwritingOnly : IModel
    {
        public static void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output) => Mlp.ForwardModel.Forward(w, x, output);
        public static void Jvp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> tangent, Span<double> outputTangent) =>
            Mlp.ForwardModel.Jvp(w, x, output, tangent, outputTangent);
        public static void Vjp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> outputCotangent, Span<double> gradient) =>
            Mlp.ForwardModel.Vjp(w, x, output, outputCotangent, gradient);
        public static double Loss<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target) where TLoss : ILoss =>
            Mlp.ForwardModel.Loss<TLoss>(w, x, output, target);
        public static double LossGradient<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss =>
            Mlp.ForwardModel.LossGradient<TLoss>(w, x, output, target, gradient);
        public static double LossHvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss =>
            Mlp.ForwardModel.LossHvp<TLoss>(w, x, output, target, tangent, gradient, hessianVector);
        public static double Ggnvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss =>
            Mlp.ForwardModel.Ggnvp<TLoss>(w, x, output, target, tangent, result);
        public static double GgnDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
            Mlp.ForwardModel.GgnDiagonal<TLoss>(w, x, output, target, diagonal);
        public static double LossHessianDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
            Mlp.ForwardModel.LossHessianDiagonal<TLoss>(w, x, output, target, diagonal);
    }

    // ------------------------------------------------------------------------------------------------
    // Problems, differences, comparisons
    // ------------------------------------------------------------------------------------------------

    /// <summary>Random weights and a small data set with targets suited to <typeparamref name="TLoss"/>.</summary>
    private static (double[] W, Dataset Data) Problem<TLoss>(int seed) where TLoss : struct, ILoss
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
        var w = new double[N];
        for (int q = 0; q < N; q++) w[q] = 0.8 * Normal();
        var inputs = new double[Count * TinyNet.Inputs];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = Normal();
        var targets = new double[Count * C];
        for (int s = 0; s < Count; s++)
        {
            if (typeof(TLoss) == typeof(SoftmaxCrossEntropy))
                targets[s * C + random.Next(C)] = 1.0;                             // one-hot
            else if (typeof(TLoss) == typeof(SigmoidBinaryCrossEntropy))
                for (int c = 0; c < C; c++) targets[s * C + c] = random.Next(2);  // independent bits
            else
                for (int c = 0; c < C; c++) targets[s * C + c] = Normal();
        }
        return (w, new Dataset(inputs, targets, Count));
    }

    /// <summary>Richardson-extrapolated central difference (8(f(h) − f(−h)) − (f(2h) − f(−2h))) / 12h, h = 1e-3.</summary>
    private const double Step = 1e-3;

    /// <summary>∇f(θ) by four-point central differences, one coordinate at a time.</summary>
    private static double[] Gradient(Func<double[], double> f, double[] theta)
    {
        var gradient = new double[theta.Length];
        var point = (double[])theta.Clone();
        for (int i = 0; i < theta.Length; i++)
        {
            double At(double offset)
            {
                point[i] = theta[i] + offset;
                double value = f(point);
                point[i] = theta[i];
                return value;
            }
            gradient[i] = (8.0 * (At(Step) - At(-Step)) - (At(2 * Step) - At(-2 * Step))) / (12.0 * Step);
        }
        return gradient;
    }

    /// <summary>The Jacobian (m × n, row-major) of a vector function by four-point central differences.</summary>
    private static double[] Jacobian(Action<double[], double[]> f, int m, double[] theta)
    {
        int n = theta.Length;
        var jacobian = new double[m * n];
        var point = (double[])theta.Clone();
        var plus1 = new double[m];
        var minus1 = new double[m];
        var plus2 = new double[m];
        var minus2 = new double[m];
        for (int j = 0; j < n; j++)
        {
            point[j] = theta[j] + Step; f(point, plus1);
            point[j] = theta[j] - Step; f(point, minus1);
            point[j] = theta[j] + 2 * Step; f(point, plus2);
            point[j] = theta[j] - 2 * Step; f(point, minus2);
            point[j] = theta[j];
            for (int i = 0; i < m; i++)
                jacobian[i * n + j] = (8.0 * (plus1[i] - minus1[i]) - (plus2[i] - minus2[i])) / (12.0 * Step);
        }
        return jacobian;
    }

    /// <summary>The eigenvalues of a symmetric row-major n × n matrix, descending, from MathNet.</summary>
    private static double[] SymmetricEigenvalues(double[] matrix)
    {
        var m = Matrix<double>.Build.Dense(N, N, (r, c) => matrix[r * N + c]);
        return m.Evd(Symmetricity.Symmetric).EigenValues.Select(z => z.Real).OrderByDescending(x => x).ToArray();
    }

    /// <summary>Entry-wise |expected − actual| ≤ tolerance · max(1, max |expected|).</summary>
    private static void AssertClose(double[] expected, double[] actual, double tolerance, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1.0, expected.Max(Math.Abs));
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            Assert.True(error <= tolerance * scale,
                $"{context}: entry {i}: expected {expected[i]:R}, actual {actual[i]:R} (error {error:E2}, allowed {tolerance * scale:E2})");
        }
    }

    /// <summary>A test body generic in the loss, so one [Theory] covers the three built-in losses.</summary>
    private interface ILossAction
    {
        void Run<TLoss>() where TLoss : struct, ILoss;
    }

    private static void Dispatch<TAction>(string loss, TAction action) where TAction : ILossAction
    {
        switch (loss)
        {
            case "mse": action.Run<MeanSquaredError>(); break;
            case "softmax": action.Run<SoftmaxCrossEntropy>(); break;
            case "sigmoid": action.Run<SigmoidBinaryCrossEntropy>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss");
        }
    }
}
