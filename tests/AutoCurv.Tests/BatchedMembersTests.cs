using System;
using AutoCurv.CompilerServices;
using AutoCurv.Models;
using AutoCurv.Tests.GeneratedModels;
using Xunit;

// A namespace of its own: FirstOrderTests.Every_corpus_method_has_a_case enumerates exactly the methods of
// AutoCurv.Tests.Corpus, and these models are exercised here only.
namespace AutoCurv.Tests.BatchedModels;

/// <summary>Models in the model shape whose batched members (FLossBatch, FLossGradientBatch, ...) are checked below.</summary>
public static partial class BatchNets
{
    /// <summary>
    /// Every intrinsic on sample values, a branch on a weight (shared by the lanes), a recurrence that overwrites a
    /// sample value in a loop (saved on the stack of blocks), and Abs/Max/Min/Pow whose derivative rules are
    /// conditionals on sample values (per-lane masks). x has 3 elements, output 2, w 6.
    /// </summary>
    [Differentiable]
    public static void Smooth([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        double s = 0.0;
        for (int i = 0; i < x.Length; i++) s += w[i] * x[i];
        double e = Math.Exp(0.3 * s) + Math.Log(1.0 + x[0] * x[0]) * w[3];
        double p = Math.Pow(1.5 + Math.Sin(x[1]), w[4]) + Math.Sqrt(2.0 + Math.Cos(w[5] * x[2]));
        double q = w[0] > 0 ? Math.Atan(e) : Math.Sinh(0.1 * e);
        double t = 0.0;
        for (int k = 0; k < 3; k++) t = Math.Tanh(t * w[k] + x[k]);
        double r = 1.0 + x[2] * x[2];
        if (w.Length > 5) r += Math.Tanh(q) * Math.Cosh(0.2 * x[1]);
        double m = Math.Max(s, 0.25 * x[0]) + Math.Min(w[1] * x[1], x[2]) + Math.Abs(x[0] - w[2]);
        output[0] = q * t / r + m * w[4];
        output[1] = e - p * w[5] + Math.Sinh(0.5 * t) / Math.Tan(1.0 + 0.1 * x[0] * x[0]) + Math.Pow(1.2 + x[1] * x[1], 1.5);
    }

    /// <summary>A ReLU layer 3 → 4 → 2: Math.Max(0, a) on sample values.</summary>
    [Differentiable]
    public static void Relu([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        Span<double> h = stackalloc double[4];
        for (int j = 0; j < 4; j++)
        {
            double a = w[j * 4 + 3];
            for (int i = 0; i < 3; i++) a += w[j * 4 + i] * x[i];
            h[j] = Math.Max(0.0, a);
        }
        for (int k = 0; k < 2; k++)
        {
            double a = w[16 + k * 5 + 4];
            for (int j = 0; j < 4; j++) a += w[16 + k * 5 + j] * h[j];
            output[k] = a;
        }
    }

    /// <summary>
    /// Overlapping weight rows (row k starts at w[k], stride 1 &lt; row length 4): the row kernels' accumulation into the
    /// gradient must add overlapping rows correctly. x has 4 elements, output 2, w 5.
    /// </summary>
    [Differentiable]
    public static void Sliding([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        for (int k = 0; k < output.Length; k++)
        {
            double a = 0.1 * k;
            for (int i = 0; i < x.Length; i++) a += w[k + i] * x[i];
            output[k] = Math.Tanh(a);
        }
    }

    /// <summary>
    /// A dot whose sample-block operand is rewritten inside the row loop: its rows cannot be computed before the loop.
    /// x has 3 elements, output 2, w 10.
    /// </summary>
    [Differentiable]
    public static void InPlace([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        Span<double> s = stackalloc double[3];
        for (int i = 0; i < 3; i++) s[i] = x[i];
        for (int j = 0; j < 3; j++)
        {
            double a = 0.0;
            for (int i = 0; i < 3; i++) a += w[j * 3 + i] * s[i];
            s[j] = Math.Tanh(a);
        }
        output[0] = s[0] + s[1];
        output[1] = s[2] * w[9];
    }

    /// <summary>A branch on a sample value: no batched members (the operators run it per sample).</summary>
    [Differentiable]
    public static void SampleBranch([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        double a = w[0] * x[0] + w[1] * x[1];
        if (x[0] > 0.0) a = Math.Tanh(a);
        output[0] = a * w[2];
        output[1] = a + w[3];
    }
}

/// <summary>
/// The batched members against two independent references: central differences of the batched loss (gradient) and
/// of the batched gradient (H·v), and the per-sample members summed over the block's samples (every member). Random
/// start values in the result spans check that the batched members add into them.
/// </summary>
public sealed class BatchedMembersTests
{
    private const int B = SampleBlock.Size;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in new[] { "mlp", "mlp-no-inputs", "smooth", "relu", "sliding", "inplace" })
            foreach (var loss in new[] { "mse", "softmax", "sigmoid" }) data.Add(model, loss);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Batched_members_match_differences_and_per_sample_sums(string model, string loss)
    {
        switch (model)
        {
            // The two-layer tanh network of OperatorsWithGeneratedModelsTests (its dense layers become row kernels).
            case "mlp": DispatchLoss<Mlp.ForwardModel>(loss, TinyNet.Inputs, TinyNet.Outputs, TinyNet.ParameterCount, 11); break;
            // No inputs: the first layer's dots are empty (its row kernel is skipped, its rows are zeros), hidden = 3.
            case "mlp-no-inputs": DispatchLoss<Mlp.ForwardModel>(loss, 0, 2, 3 * 1 + 2 * 4, 16); break;
            case "smooth": DispatchLoss<BatchNets.SmoothModel>(loss, 3, 2, 6, 12); break;
            // Central differences are meaningless across a kink: keep every pre-activation 0.05 away from it.
            case "relu": DispatchLoss<BatchNets.ReluModel>(loss, 3, 2, 26, 13, ReluAwayFromKinks); break;
            case "sliding": DispatchLoss<BatchNets.SlidingModel>(loss, 4, 2, 5, 14); break;
            case "inplace": DispatchLoss<BatchNets.InPlaceModel>(loss, 3, 2, 10, 15); break;
            default: throw new ArgumentOutOfRangeException(nameof(model));
        }
    }

    [Fact]
    public void Only_models_uniform_across_samples_get_batched_members()
    {
        Assert.True(Has<Mlp.ForwardModel>());
        Assert.True(Has<BatchNets.SmoothModel>());
        Assert.True(Has<BatchNets.ReluModel>());
        Assert.True(Has<BatchNets.SlidingModel>());
        Assert.True(Has<BatchNets.InPlaceModel>());
        Assert.False(Has<BatchNets.SampleBranchModel>());
        var w = new double[4];
        Assert.Throws<NotSupportedException>(() => LossBatch<BatchNets.SampleBranchModel, MeanSquaredError>(w));
    }

    /// <summary>IModel.LossBatch through a generic, as the operators call it.</summary>
    private static double LossBatch<TModel, TLoss>(double[] w) where TModel : IModel where TLoss : ILoss =>
        TModel.LossBatch<TLoss>(w, new SampleBlock[2], new SampleBlock[2], new SampleBlock[2]);

    private static bool ReluAwayFromKinks(double[] w, ReadOnlySpan<double> x)
    {
        for (int j = 0; j < 4; j++)
        {
            double a = w[j * 4 + 3];
            for (int i = 0; i < 3; i++) a += w[j * 4 + i] * x[i];
            if (Math.Abs(a) < 0.05) return false;
        }
        return true;
    }

    private delegate bool SampleFilter(double[] w, ReadOnlySpan<double> x);

    private static bool Has<TModel>() where TModel : IModel => TModel.HasBatchedMembers;

    private static void DispatchLoss<TModel>(string loss, int d, int c, int n, int seed, SampleFilter? accept = null) where TModel : IModel
    {
        switch (loss)
        {
            case "mse": Check<TModel, MeanSquaredError>(d, c, n, seed, accept); break;
            case "softmax": Check<TModel, SoftmaxCrossEntropy>(d, c, n, seed, accept); break;
            case "sigmoid": Check<TModel, SigmoidBinaryCrossEntropy>(d, c, n, seed, accept); break;
            default: throw new ArgumentOutOfRangeException(nameof(loss));
        }
    }

    private static void Check<TModel, TLoss>(int d, int c, int n, int seed, SampleFilter? accept) where TModel : IModel where TLoss : ILoss
    {
        var random = new Random(seed);
        double[] w = Normal(random, n, 0.7);
        double[] v = Normal(random, n, 1.0);
        double[] xs = Normal(random, B * d, 1.0);
        for (int b = 0; b < B; b++)
        {
            while (accept is not null && !accept(w, xs.AsSpan(b * d, d)))
                for (int i = 0; i < d; i++) xs[b * d + i] = random.NextDouble() * 2 - 1;
        }
        double[] ys = Targets<TLoss>(random, c);
        var x = new SampleBlock[d];
        var y = new SampleBlock[c];
        SampleBlock.Load(xs, d, 0, x);
        SampleBlock.Load(ys, c, 0, y);
        var output = new SampleBlock[c];
        string context = $"{typeof(TModel).Name}/{typeof(TLoss).Name}";

        // Per-sample references: outputs, summed losses and summed results of the accumulating members.
        var sampleOutput = new double[c];
        double lossSum = 0;
        var outputs = new double[B * c];
        var gradientSum = new double[n];
        var hvpGradient = new double[n];
        var hvpSum = new double[n];
        var ggnvpSum = new double[n];
        for (int b = 0; b < B; b++)
        {
            var xb = xs.AsSpan(b * d, d);
            var yb = ys.AsSpan(b * c, c);
            lossSum += TModel.Loss<TLoss>(w, xb, sampleOutput, yb);
            sampleOutput.CopyTo(outputs, b * c);
            TModel.LossGradientAccumulate<TLoss>(w, xb, sampleOutput, yb, gradientSum);
            TModel.LossHvpAccumulate<TLoss>(w, xb, sampleOutput, yb, v, hvpGradient, hvpSum);
            TModel.GgnvpAccumulate<TLoss>(w, xb, sampleOutput, yb, v, ggnvpSum);
        }

        // Loss and outputs.
        double batchedLoss = TModel.LossBatch<TLoss>(w, x, output, y);
        FiniteDifferences.AssertClose(lossSum, batchedLoss, 1e-13, context + " loss");
        var lanes = new double[B * c];
        for (int b = 0; b < B; b++)
            for (int k = 0; k < c; k++) lanes[b * c + k] = output[k][b];
        FiniteDifferences.AssertClose(outputs, lanes, 1e-13, context + " outputs");

        // Gradient: adds into a random start; equals the per-sample sum and the differenced batched loss.
        double[] start = Normal(random, n, 1.0);
        var gradient = (double[])start.Clone();
        double gradientLoss = TModel.LossGradientBatch<TLoss>(w, x, output, y, gradient);
        FiniteDifferences.AssertClose(lossSum, gradientLoss, 1e-13, context + " loss of the gradient member");
        FiniteDifferences.AssertClose(Add(start, gradientSum), gradient, 1e-12, context + " gradient vs per-sample sum");
        double[] differenced = FiniteDifferences.Gradient(p => TModel.LossBatch<TLoss>(p, x, new SampleBlock[c], y), w);
        FiniteDifferences.AssertClose(differenced, Subtract(gradient, start), 1e-6, context + " gradient vs differences");

        // H·v (no gradient): adds; equals the per-sample sum and the differenced batched gradient.
        double[] hvStart = Normal(random, n, 1.0);
        var hv = (double[])hvStart.Clone();
        double hvLoss = TModel.LossHvpBatch<TLoss>(w, x, output, y, v, hv);
        FiniteDifferences.AssertClose(lossSum, hvLoss, 1e-13, context + " loss of the H·v member");
        FiniteDifferences.AssertClose(Add(hvStart, hvpSum), hv, 1e-12, context + " H·v vs per-sample sum");
        double[] hvDifferenced = FiniteDifferences.Directional((p, into) =>
        {
            Array.Clear(into);
            TModel.LossGradientBatch<TLoss>(p, x, new SampleBlock[c], y, into);
        }, n, w, v);
        FiniteDifferences.AssertClose(hvDifferenced, Subtract(hv, hvStart), 1e-6, context + " H·v vs differenced gradient");

        // G·v against the per-sample sum (the per-sample GGN members are checked against Jacobians elsewhere).
        var ggnv = (double[])hvStart.Clone();
        double ggnLoss = TModel.GgnvpBatch<TLoss>(w, x, output, y, v, ggnv);
        FiniteDifferences.AssertClose(lossSum, ggnLoss, 1e-13, context + " loss of the G·v member");
        FiniteDifferences.AssertClose(Add(hvStart, ggnvpSum), ggnv, 1e-12, context + " G·v vs per-sample sum");
    }

    private static double[] Targets<TLoss>(Random random, int c)
    {
        var y = new double[B * c];
        for (int b = 0; b < B; b++)
        {
            if (typeof(TLoss) == typeof(SoftmaxCrossEntropy)) y[b * c + random.Next(c)] = 1.0;
            else if (typeof(TLoss) == typeof(SigmoidBinaryCrossEntropy)) for (int k = 0; k < c; k++) y[b * c + k] = random.Next(2);
            else for (int k = 0; k < c; k++) y[b * c + k] = random.NextDouble() * 2 - 1;
        }
        return y;
    }

    private static double[] Normal(Random random, int n, double scale)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * (random.NextDouble() * 2 - 1);
        return v;
    }

    private static double[] Add(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] + b[i];
        return r;
    }

    private static double[] Subtract(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] - b[i];
        return r;
    }
}
