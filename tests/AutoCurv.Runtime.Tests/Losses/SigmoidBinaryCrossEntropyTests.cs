using System;
using AutoCurv;
using Xunit;
using static AutoCurv.Runtime.Tests.Losses.LossTestMath;

namespace AutoCurv.Runtime.Tests.Losses;

public sealed class SigmoidBinaryCrossEntropyTests : LossContractTests<SigmoidBinaryCrossEntropy>
{
    /// <summary>log(1 + x) for x ≥ 0: a Taylor series where 1 + x would round, the plain log elsewhere.</summary>
    private static double ReferenceLog1P(double x)
    {
        if (x >= 0.01) return Math.Log(1 + x);
        double sum = 0, power = x;
        for (int k = 1; k <= 14; k++, power *= x) sum += (k % 2 == 1 ? 1 : -1) * power / k;
        return sum;
    }

    private static double Sigma(double f) => 1 / (1 + Math.Exp(-f));

    protected override double ReferenceValue(double[] output, double[] target)
    {
        // −y log σ(f) − (1 − y) log(1 − σ(f)), with −log σ(f) = log(1 + e^−f) and −log(1 − σ(f)) = log(1 + e^f).
        double sum = 0;
        for (int c = 0; c < output.Length; c++)
            sum += target[c] * ReferenceLog1P(Math.Exp(-output[c])) + (1 - target[c]) * ReferenceLog1P(Math.Exp(output[c]));
        return sum;
    }

    protected override double[] ReferenceGradient(double[] output, double[] target)
    {
        var g = new double[output.Length];
        for (int c = 0; c < g.Length; c++) g[c] = Sigma(output[c]) - target[c];
        return g;
    }

    protected override double[] ReferenceHessian(double[] output, double[] target)
    {
        int count = output.Length;
        var h = new double[count * count];
        for (int c = 0; c < count; c++) h[c * count + c] = Sigma(output[c]) * Sigma(-output[c]);
        return h;
    }

    protected override double[] ReferenceMean(double[] output) => Array.ConvertAll(output, Sigma);

    protected override double[] ReferenceVariance(double[] output) => Array.ConvertAll(output, f => Sigma(f) * Sigma(-f));

    protected override double[] RandomTarget(Random random, int count, int index)
    {
        var y = new double[count];
        for (int c = 0; c < count; c++) y[c] = index % 2 == 0 ? random.NextDouble() : random.Next(2);
        return y;
    }

    [Fact]
    public void HugeLogitsGiveFiniteExactResults()
    {
        double[] f = { 1000, -1000, 1000, -1000 };
        double[] y = { 1, 0, 0, 1 };
        var g = new double[4];
        Assert.Equal(2000.0, SigmoidBinaryCrossEntropy.Gradient<double>(f, y, g));
        Assert.Equal(2000.0, SigmoidBinaryCrossEntropy.Value<double>(f, y));
        Assert.Equal(new double[] { 0, 0, 1, -1 }, g);

        var hv = new double[4];
        SigmoidBinaryCrossEntropy.HessianVectorProduct<double>(f, y, new double[] { 1, 1, 1, 1 }, hv);
        Assert.Equal(new double[4], hv);
        var s = new double[16];
        SigmoidBinaryCrossEntropy.HessianFactor<double>(f, y, s);
        Assert.Equal(new double[16], s);

        float[] ff = ToFloat(f), yf = ToFloat(y);
        var gf = new float[4];
        Assert.Equal(2000f, SigmoidBinaryCrossEntropy.Gradient<float>(ff, yf, gf));
        Assert.Equal(new float[] { 0, 0, 1, -1 }, gf);
    }

    [Theory, InlineData(40.0), InlineData(400.0)]
    public void ConfidentCorrectPredictionsKeepTheirTinyLossAndGradient(double magnitude)
    {
        // ℓ = log(1 + e^−m) and |∂ℓ/∂f| = e^−m/(1 + e^−m): far below double epsilon, still representable.
        double tail = Math.Exp(-magnitude);
        double expectedLoss = tail - tail * tail / 2;
        double expectedGradient = tail / (1 + tail);
        double[] f = { magnitude, -magnitude };
        double[] y = { 1, 0 };
        var g = new double[2];
        double loss = SigmoidBinaryCrossEntropy.Gradient<double>(f, y, g);
        AssertClose(2 * expectedLoss, loss, 1e-14, "loss");
        AssertClose(-expectedGradient, g[0], 1e-14, "gradient for y = 1");
        AssertClose(expectedGradient, g[1], 1e-14, "gradient for y = 0");

        var hv = new double[2];
        SigmoidBinaryCrossEntropy.HessianVectorProduct<double>(f, y, new double[] { 1, 1 }, hv);
        double curvature = tail / ((1 + tail) * (1 + tail));
        AssertClose(new[] { curvature, curvature }, hv, 1e-14, "curvature");
    }

    [Fact]
    public void SampleOfHugeLogitsIsDeterministicInOutcome()
    {
        double[] f = { 1000, -1000 };
        var random = new RandomSource(3);
        var y = new double[2];
        for (int draw = 0; draw < 1000; draw++)
        {
            SigmoidBinaryCrossEntropy.Sample<double>(f, ref random, y);
            Assert.Equal(new double[] { 1, 0 }, y);
        }
    }
}
