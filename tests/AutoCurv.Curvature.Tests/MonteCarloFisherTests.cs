using AutoCurv;
using AutoCurv.Curvature.Tests.Models;
using AutoCurv.Curvature.Tests.Support;

namespace AutoCurv.Curvature.Tests;

public class MonteCarloFisherTests
{
    private static double[] Softmax(double[] f)
    {
        double max = f.Max();
        var p = f.Select(v => Math.Exp(v - max)).ToArray();
        double s = p.Sum();
        return p.Select(v => v / s).ToArray();
    }

    [Fact]
    public void ConvergesToTheGgnForSoftmaxWithinTheStatisticalBound()
    {
        var data = Problem.Classification(10);
        var w = Problem.TanhParameters(data);
        int n = w.Length, c = data.TargetSize, count = data.Count;

        // The exact Fisher by enumerating the labels: F_i = Σ_y p_y g_iy g_iyᵀ, plus the fourth moments that give
        // the Monte-Carlo estimator's expected squared error E‖F_S − F‖_F² = (1/(N² S)) Σ_i (E‖g‖⁴ − ‖F_i‖_F²).
        var fisher = new double[n * n];
        double varianceNumerator = 0.0;
        for (int i = 0; i < count; i++)
        {
            var p = Softmax(Reference<TanhModel, SoftmaxCrossEntropy>.Output(w, data.Input(i), c));
            var fi = new double[n * n];
            double fourth = 0.0;
            for (int y = 0; y < c; y++)
            {
                var label = new double[c];
                label[y] = 1.0;
                var g = Reference<TanhModel, SoftmaxCrossEntropy>.Gradient(w, data.Input(i), label);
                double g2 = g.Sum(v => v * v);
                fourth += p[y] * g2 * g2;
                var outer = Reference<TanhModel, SoftmaxCrossEntropy>.Outer(g);
                for (int k = 0; k < n * n; k++) fi[k] += p[y] * outer[k];
            }
            varianceNumerator += fourth - Dense.FrobeniusSquared(fi);
            for (int k = 0; k < n * n; k++) fisher[k] += fi[k] / count;
        }

        // Fisher = GGN for softmax cross-entropy (targets are probability vectors, Σ_c y_c = 1).
        Dense.AssertClose(Reference<TanhModel, SoftmaxCrossEntropy>.MeanGgn(w, data), fisher, 1e-6);
        Dense.AssertClose(new GgnOperator<TanhModel, SoftmaxCrossEntropy>(w, data).ToDense(), fisher, 1e-12);

        var errors = new List<double>();
        foreach (int samples in new[] { 1, 4, 16, 64, 256, 1024 })
        {
            var mc = new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data, samples, seed: 3);
            var dense = mc.ToDense();
            double error = Math.Sqrt(dense.Zip(fisher, (a, b) => (a - b) * (a - b)).Sum());
            double sigma = Math.Sqrt(varianceNumerator / ((double)count * count * samples));
            Assert.True(error <= 4 * sigma, $"S = {samples}: ‖F_S − F‖ = {error:E3} > 4σ = {4 * sigma:E3}");
            errors.Add(error);
        }
        Assert.True(errors[^1] < 0.25 * errors[0], $"error did not shrink: {string.Join(", ", errors)}");
        Assert.True(errors[^1] < 0.05 * Math.Sqrt(Dense.FrobeniusSquared(fisher)));
    }

    [Fact]
    public void ApplyIsTheMeanOverSampledLabels()
    {
        var data = Problem.Regression(9);
        var w = Problem.TanhParameters(data);
        const int samples = 4;
        var mc = new MonteCarloFisherOperator<TanhModel, MeanSquaredError>(w, data, samples, seed: 5);
        Assert.Equal(samples, mc.Samples);
        Assert.Equal(5, mc.Seed);
        int n = w.Length, c = data.TargetSize;
        var labels = mc.SampledLabels.ToArray();
        Assert.Equal(data.Count * samples * c, labels.Length);

        var expected = new double[n * n];
        for (int i = 0; i < data.Count; i++)
            for (int k = 0; k < samples; k++)
            {
                var g = Reference<TanhModel, MeanSquaredError>.Gradient(w, data.Input(i), labels.AsSpan((i * samples + k) * c, c));
                var outer = Reference<TanhModel, MeanSquaredError>.Outer(g);
                for (int q = 0; q < n * n; q++) expected[q] += outer[q] / (data.Count * samples);
            }
        Dense.AssertClose(expected, mc.ToDense(), 1e-12);
        var v = Dense.RandomVector(n, 8);
        var result = new double[n];
        mc.Apply(v, result);
        Dense.AssertClose(Dense.Multiply(expected, n, v), result, 1e-12);
        var diagonal = new double[n];
        mc.Diagonal(diagonal);
        Dense.AssertClose(Reference<TanhModel, MeanSquaredError>.Diagonal(expected, n), diagonal, 1e-12);
    }

    [Fact]
    public void LabelsAreDrawnFromTheModelAndDependOnlyOnSeedAndIndex()
    {
        var data = Problem.Classification(80);
        var w = Problem.TanhParameters(data);
        int c = data.TargetSize;
        var a = new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data, samples: 2, seed: 1).SampledLabels.ToArray();
        var b = new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data, samples: 2, seed: 1).SampledLabels.ToArray();
        var other = new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data, samples: 2, seed: 2).SampledLabels.ToArray();
        Dense.AssertBitIdentical(a, b);
        Assert.NotEqual(a, other);
        for (int r = 0; r < a.Length / c; r++)
        {
            var row = a.AsSpan(r * c, c).ToArray();
            Assert.Equal(1.0, row.Sum());
            Assert.All(row, v => Assert.True(v == 0.0 || v == 1.0));
        }

        // A data set holding only the first 10 points draws the same labels for them: the chunking does not matter.
        var prefix = new Dataset(data.Inputs.Slice(0, 10 * data.InputSize).ToArray(), data.Targets.Slice(0, 10 * c).ToArray(), 10);
        var small = new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, prefix, samples: 2, seed: 1).SampledLabels.ToArray();
        Dense.AssertBitIdentical(a.AsSpan(0, small.Length), small);
    }

    [Fact]
    public void SquaredErrorFisherApproachesTheGaussNewtonMatrix()
    {
        var data = Problem.Regression(8);
        var w = Problem.TanhParameters(data);
        var ggn = new GgnOperator<TanhModel, MeanSquaredError>(w, data).ToDense();
        double Error(int samples)
        {
            var dense = new MonteCarloFisherOperator<TanhModel, MeanSquaredError>(w, data, samples, seed: 9).ToDense();
            return Math.Sqrt(dense.Zip(ggn, (a, b) => (a - b) * (a - b)).Sum() / Dense.FrobeniusSquared(ggn));
        }
        double coarse = Error(2), fine = Error(2000);
        Assert.True(fine < 0.1, $"relative error {fine}");
        Assert.True(fine < 0.2 * coarse, $"{coarse} → {fine}");
    }
}
