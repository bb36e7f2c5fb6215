using System;
using System.Linq;
using Xunit;

namespace AutoCurv.Tests.Extensibility;

/// <summary>
/// <see cref="PerSample{TModel, TLoss}"/> against one <c>TinyNetLossGradient</c> call per sample and a naive two-pass
/// variance; determinism over thread counts; the one-pass variance where E[g²] − ḡ² would cancel; argument checks.
/// </summary>
public class PerSampleTests
{
    private const int D = RuleTests.D, C = RuleTests.C;

    /// <summary>N samples for TinyNet with Huber targets, half of them outliers; N &gt; 64 spreads them over the 64 chunks unevenly.</summary>
    private static (double[] W, Dataset Data) Problem(int count, int seed)
    {
        var random = new Random(seed);
        double[] w = RuleTests.TinyNetWeights(seed);
        double[] inputs = Reference.Uniform(random, count * D, -1, 1);
        double[] targets = Reference.Uniform(random, count * C, -1, 1).Select((t, i) => i % 4 == 0 ? 4 * t : t).ToArray();
        return (w, new Dataset(inputs, targets, count));
    }

    /// <summary>One generated LossGradient call per sample: the reference per-sample gradients and the mean loss.</summary>
    private static (double[][] Gradients, double MeanLoss) Naive(double[] w, Dataset data)
    {
        var gradients = new double[data.Count][];
        double loss = 0;
        var output = new double[C];
        for (int i = 0; i < data.Count; i++)
        {
            gradients[i] = new double[w.Length];
            loss += RuleCorpus.TinyNetLossGradient<UserLosses.HuberLoss>(w, data.Input(i), output, data.Target(i), gradients[i]);
        }
        return (gradients, loss / data.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(150)]
    public void Per_sample_gradients_and_norms_match_one_call_per_sample(int count)
    {
        var (w, data) = Problem(count, count);
        int n = w.Length;
        var (expected, meanLoss) = Naive(w, data);

        var gradients = new double[count * n];
        double loss = PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.Gradients(w, data, gradients);
        Reference.Close(meanLoss, loss, 1e-13, "mean loss");
        Reference.Close(expected.SelectMany(g => g).ToArray(), gradients, 0, "per-sample gradients (same arithmetic)");

        var norms = new double[count];
        loss = PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.GradientNorms(w, data, norms);
        Reference.Close(meanLoss, loss, 1e-13, "mean loss (norms)");
        Reference.Close(expected.Select(g => g.Sum(v => v * v)).ToArray(), norms, 1e-13, "squared norms", floor: 1e-300);

        // The mean loss is summed exactly as the objective sums it.
        var objective = new Objective<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>(data);
        Assert.Equal(objective.Gradient(w, new double[n]), loss);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(150)]
    public void Gradient_variance_matches_a_naive_two_pass_variance(int count)
    {
        var (w, data) = Problem(count, count + 1);
        int n = w.Length;
        var (gradients, meanLoss) = Naive(w, data);
        double[] mean = Enumerable.Range(0, n).Select(j => gradients.Sum(g => g[j]) / count).ToArray();
        double[] variance = Enumerable.Range(0, n).Select(j => gradients.Sum(g => (g[j] - mean[j]) * (g[j] - mean[j])) / count).ToArray();

        var actual = new double[n];
        double loss = PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.GradientVariance(w, data, actual);
        Reference.Close(meanLoss, loss, 1e-13, "mean loss");
        Reference.Close(variance, actual, 1e-12, "population variance", floor: 1e-3 * variance.Max() + 1e-300);
        if (count == 1) Assert.All(actual, v => Assert.Equal(0.0, v));

        var actualMean = new double[n];
        PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.GradientVariance(w, data, actualMean, actual);
        Reference.Close(mean, actualMean, 1e-12, "mean gradient", floor: 1e-3);
        Reference.Close(variance, actual, 1e-12, "population variance (with mean)", floor: 1e-3 * variance.Max() + 1e-300);

        var objectiveGradient = new double[n];
        new Objective<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>(data).Gradient(w, objectiveGradient);
        Reference.Close(objectiveGradient, actualMean, 1e-12, "mean gradient vs objective", floor: 1e-3);
    }

    [Fact]
    public void Results_are_bit_identical_for_every_thread_count()
    {
        var (w, data) = Problem(203, 5);
        int n = w.Length;
        double[] Run(int degree, out double[] norms, out double[] variance, out double[] mean, out double[] losses)
        {
            var gradients = new double[data.Count * n];
            norms = new double[data.Count];
            variance = new double[n];
            mean = new double[n];
            losses = new[]
            {
                PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.Gradients(w, data, gradients, degree),
                PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.GradientNorms(w, data, norms, degree),
                PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.GradientVariance(w, data, mean, variance, degree),
            };
            return gradients;
        }
        double[] g1 = Run(1, out var n1, out var v1, out var m1, out var l1);
        foreach (int degree in new[] { 2, 3, -1 })
        {
            double[] g = Run(degree, out var norms, out var variance, out var mean, out var losses);
            Assert.Equal(g1, g);
            Assert.Equal(n1, norms);
            Assert.Equal(v1, variance);
            Assert.Equal(m1, mean);
            Assert.Equal(l1, losses);
        }
        Assert.Equal(l1[0], l1[1]);
        Assert.Equal(l1[0], l1[2]);
    }

    [Fact]
    public void One_pass_variance_survives_a_large_common_gradient()
    {
        // A linear model with squared error: ∂ℓ/∂b = f − y. Targets near −10⁷ give bias gradients ≈ 10⁷ + noise of
        // variance ≈ 1/3: E[g²] − ḡ² would lose every digit; Welford/Chan keeps about nine.
        const int count = 300, d = 2;
        var random = new Random(11);
        double[] inputs = Reference.Uniform(random, count * d, -1, 1);
        double[] targets = Reference.Uniform(random, count, -1e7 - 1, -1e7 + 1);
        var data = new Dataset(inputs, targets, count);
        double[] w = { 0.5, -0.25, 0.1 };
        var gradients = new double[count][];
        var output = new double[1];
        for (int i = 0; i < count; i++)
        {
            gradients[i] = new double[3];
            PerSampleCorpus.LinearLossGradient<MeanSquaredError>(w, data.Input(i), output, data.Target(i), gradients[i]);
        }
        double[] mean = Enumerable.Range(0, 3).Select(j => gradients.Sum(g => g[j]) / count).ToArray();
        double[] expected = Enumerable.Range(0, 3).Select(j => gradients.Sum(g => (g[j] - mean[j]) * (g[j] - mean[j])) / count).ToArray();
        double naiveOnePass = gradients.Sum(g => g[2] * g[2]) / count - mean[2] * mean[2];

        var variance = new double[3];
        PerSample<PerSampleCorpus.LinearModel, MeanSquaredError>.GradientVariance(w, data, variance);
        Reference.Close(expected, variance, 1e-6, "variance", floor: 1e-300);
        Assert.True(Math.Abs(naiveOnePass - expected[2]) > 1e-3 * expected[2], "the test case does not defeat the naive formula");
    }

    [Fact]
    public void Wrong_lengths_throw_naming_the_parameter()
    {
        var (w, data) = Problem(5, 1);
        int n = w.Length;
        void Throws(string parameter, Action action) => Assert.Equal(parameter, Assert.ThrowsAny<ArgumentException>(action).ParamName);

        Throws("gradients", () => PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.Gradients(w, data, new double[5 * n - 1]));
        Throws("norms", () => PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.GradientNorms(w, data, new double[4]));
        Throws("variance", () => PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.GradientVariance(w, data, new double[n + 1]));
        Throws("mean", () => PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.GradientVariance(w, data, new double[n - 1], new double[n]));
        Throws("w", () => PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.Gradients(ReadOnlySpan<double>.Empty, data, new double[0]));
        Throws("data", () => PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.GradientNorms(w, null!, new double[5]));
        Throws("maxDegreeOfParallelism", () => PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.GradientVariance(w, data, new double[n], 0));
        Assert.IsType<ArgumentNullException>(Record.Exception(() => PerSample<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>.Gradients(w, null!, new double[0])));
    }
}
