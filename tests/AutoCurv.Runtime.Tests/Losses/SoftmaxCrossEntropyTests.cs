using System;
using System.Linq;
using AutoCurv;
using Xunit;
using static AutoCurv.Runtime.Tests.Losses.LossTestMath;

namespace AutoCurv.Runtime.Tests.Losses;

public sealed class SoftmaxCrossEntropyTests : LossContractTests<SoftmaxCrossEntropy>
{
    /// <summary>The textbook softmax, without max subtraction (the test logits are moderate).</summary>
    private static double[] Softmax(double[] f)
    {
        double[] e = Array.ConvertAll(f, Math.Exp);
        double z = e.Sum();
        return Array.ConvertAll(e, v => v / z);
    }

    protected override double ReferenceValue(double[] output, double[] target)
    {
        double[] p = Softmax(output);
        double sum = 0;
        for (int c = 0; c < p.Length; c++) sum -= target[c] * Math.Log(p[c]);
        return sum;
    }

    protected override double[] ReferenceGradient(double[] output, double[] target)
    {
        double[] p = Softmax(output);
        double mass = target.Sum();
        var g = new double[p.Length];
        for (int c = 0; c < g.Length; c++) g[c] = mass * p[c] - target[c];
        return g;
    }

    protected override double[] ReferenceHessian(double[] output, double[] target)
    {
        double[] p = Softmax(output);
        double mass = target.Sum();
        int count = p.Length;
        var h = new double[count * count];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < count; j++)
                h[i * count + j] = mass * ((i == j ? p[i] : 0) - p[i] * p[j]);
        return h;
    }

    protected override double[] ReferenceMean(double[] output) => Softmax(output);

    protected override double[] ReferenceVariance(double[] output) => Array.ConvertAll(Softmax(output), p => p * (1 - p));

    /// <summary>One-hot, a normalised probability vector, and an unnormalised non-negative vector (Σy ≠ 1), in turn.</summary>
    protected override double[] RandomTarget(Random random, int count, int index)
    {
        var y = new double[count];
        switch (index % 3)
        {
            case 0:
                y[random.Next(count)] = 1;
                break;
            case 1:
                for (int c = 0; c < count; c++) y[c] = random.NextDouble();
                double total = y.Sum();
                for (int c = 0; c < count; c++) y[c] /= total;
                break;
            default:
                for (int c = 0; c < count; c++) y[c] = 1.5 * random.NextDouble();
                break;
        }
        return y;
    }

    [Fact]
    public void HugeLogitsGiveFiniteExactResults()
    {
        // logsumexp = 1000 exactly in double (the other terms are below its half-ulp), so ℓ = Σ y_c (1000 − f_c).
        double[] f = { 1000, -1000, 0 };
        double[] y = { 0.2, 0.5, 0.3 };
        var g = new double[3];
        Assert.Equal(1300.0, SoftmaxCrossEntropy.Gradient<double>(f, y, g), 12);
        Assert.Equal(1300.0, SoftmaxCrossEntropy.Value<double>(f, y), 12);
        AssertClose(new[] { 0.8, -0.5, -0.3 }, g, 1e-15, "gradient at ±1000");

        double[] h = AssembleHessian<SoftmaxCrossEntropy>(f, y);
        AssertAllFinite(h, "H");
        Assert.True(h.All(v => Math.Abs(v) < 1e-300), "p = e₀ has zero curvature");
        var s = new double[9];
        SoftmaxCrossEntropy.HessianFactor<double>(f, y, s);
        AssertAllFinite(s, "S");
        Assert.True(s.All(v => Math.Abs(v) < 1e-300), "p = e₀ has a zero factor");

        float[] ff = ToFloat(f), yf = ToFloat(y);
        var gf = new float[3];
        AssertClose(1300.0, SoftmaxCrossEntropy.Gradient<float>(ff, yf, gf), 1e-6, "float loss at ±1000");
        AssertClose(new[] { 0.8, -0.5, -0.3 }, ToDouble(gf), 1e-6, "float gradient at ±1000");
    }

    [Fact]
    public void EqualHugeLogitsGiveTheUniformDistribution()
    {
        // exp(−1000) underflows and exp(1000) overflows: only max subtraction gets p = 1/3 here.
        foreach (double level in new[] { -1000.0, 1000.0 })
        {
            double[] f = { level, level, level };
            double[] y = { 0, 1, 0 };
            var g = new double[3];
            AssertClose(Math.Log(3), SoftmaxCrossEntropy.Gradient<double>(f, y, g), 1e-15, "ℓ = log 3");
            AssertClose(new[] { 1 / 3.0, -2 / 3.0, 1 / 3.0 }, g, 1e-15, "p − y");
            double[] h = AssembleHessian<SoftmaxCrossEntropy>(f, y);
            double[] expected = { 2 / 9.0, -1 / 9.0, -1 / 9.0, -1 / 9.0, 2 / 9.0, -1 / 9.0, -1 / 9.0, -1 / 9.0, 2 / 9.0 };
            AssertClose(expected, h, 1e-14, "diag(p) − p pᵀ");
            var s = new double[9];
            SoftmaxCrossEntropy.HessianFactor<double>(f, y, s);
            AssertClose(expected, TimesOwnTranspose(s, 3), 1e-14, "S Sᵀ");
        }
    }

    [Fact]
    public void SampleOfAHugeLogitAlwaysPicksItsClass()
    {
        double[] f = { -1000, 1000, 0 };
        var random = new RandomSource(8);
        var y = new double[3];
        for (int draw = 0; draw < 1000; draw++)
        {
            SoftmaxCrossEntropy.Sample<double>(f, ref random, y);
            Assert.Equal(new double[] { 0, 1, 0 }, y);
        }
    }

    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void SamplesAreOneHot(int count)
    {
        double[] f = GaussianVector(new Random(count), count, 2);
        var random = new RandomSource(1);
        var y = new double[count];
        for (int draw = 0; draw < 1000; draw++)
        {
            SoftmaxCrossEntropy.Sample<double>(f, ref random, y);
            Assert.Equal(count - 1, y.Count(v => v == 0));
            Assert.Equal(1, y.Count(v => v == 1));
        }
    }

    /// <summary>
    /// The Monte-Carlo Fisher: for one-hot y ~ Cat(p), g = p − y and E[g gᵀ] = diag p − p pᵀ = H_ℓ. The standard error of
    /// entry (i, j) is derived exactly: Var[g_i g_j] = Σ_k p_k (δ_ki − p_i)² (δ_kj − p_j)² − H_ij².
    /// </summary>
    [Theory, InlineData(3), InlineData(7)]
    public void EmpiricalFisherOfSampledLabelsMatchesHessianWithinDerivedBound(int count)
    {
        double[] f = GaussianVector(new Random(200 + count), count, 1.5);
        double[] p = Softmax(f);
        double[] oneHot = new double[count];
        oneHot[0] = 1;
        double[] hessian = ReferenceHessian(f, oneHot);

        var random = new RandomSource(12345);
        var y = new double[count];
        var g = new double[count];
        var sum = new double[count * count];
        for (int draw = 0; draw < Draws; draw++)
        {
            SoftmaxCrossEntropy.Sample<double>(f, ref random, y);
            SoftmaxCrossEntropy.Gradient<double>(f, y, g);
            for (int i = 0; i < count; i++)
                for (int j = 0; j < count; j++) sum[i * count + j] += g[i] * g[j];
        }
        for (int i = 0; i < count; i++)
            for (int j = 0; j < count; j++)
            {
                double secondMoment = 0;
                for (int k = 0; k < count; k++)
                {
                    double a = (k == i ? 1 : 0) - p[i], b = (k == j ? 1 : 0) - p[j];
                    secondMoment += p[k] * a * a * b * b;
                }
                double h = hessian[i * count + j];
                double bound = StandardErrors * Math.Sqrt((secondMoment - h * h) / Draws);
                double mean = sum[i * count + j] / Draws;
                Assert.True(Math.Abs(mean - h) <= bound, $"({i},{j}): E[g gᵀ] ≈ {mean} vs H {h}, bound {bound:E3}");
            }
    }

    [Fact]
    public void EmptyOutputNamesOutput()
    {
        var none = Array.Empty<double>();
        AssertThrowsFor("output", () => SoftmaxCrossEntropy.Value<double>(none, none));
        AssertThrowsFor("output", () => SoftmaxCrossEntropy.Gradient<double>(none, none, none));
        AssertThrowsFor("output", () => SoftmaxCrossEntropy.HessianVectorProduct<double>(none, none, none, none));
        AssertThrowsFor("output", () => SoftmaxCrossEntropy.HessianFactor<double>(none, none, none));
        AssertThrowsFor("output", () =>
        {
            var random = new RandomSource(1);
            SoftmaxCrossEntropy.Sample<double>(none, ref random, none);
        });
    }

    [Fact]
    public void FactorOfANegativeTargetMassNamesTarget()
    {
        var s = new double[4];
        AssertThrowsFor("target", () => SoftmaxCrossEntropy.HessianFactor<double>(new double[] { 0.1, 0.2 }, new double[] { -1, 0.5 }, s));
    }
}
