using System;
using AutoCurv;
using Xunit;
using static AutoCurv.Runtime.Tests.Losses.LossTestMath;

namespace AutoCurv.Runtime.Tests.Losses;

public sealed class MeanSquaredErrorTests : LossContractTests<MeanSquaredError>
{
    protected override double ReferenceValue(double[] output, double[] target)
    {
        double sum = 0;
        for (int c = 0; c < output.Length; c++) sum += 0.5 * (output[c] - target[c]) * (output[c] - target[c]);
        return sum;
    }

    protected override double[] ReferenceGradient(double[] output, double[] target)
    {
        var g = new double[output.Length];
        for (int c = 0; c < g.Length; c++) g[c] = output[c] - target[c];
        return g;
    }

    protected override double[] ReferenceHessian(double[] output, double[] target)
    {
        int count = output.Length;
        var h = new double[count * count];
        for (int c = 0; c < count; c++) h[c * count + c] = 1;
        return h;
    }

    protected override double[] ReferenceMean(double[] output) => (double[])output.Clone();

    protected override double[] ReferenceVariance(double[] output)
    {
        var v = new double[output.Length];
        Array.Fill(v, 1.0);
        return v;
    }

    protected override double[] RandomTarget(Random random, int count, int index) => GaussianVector(random, count, 1.5);

    [Fact]
    public void HugeOutputsStayFiniteAndExact()
    {
        double[] f = { 1000, -1000, 1000 };
        double[] y = { 0, 0, 1000 };
        var g = new double[3];
        Assert.Equal(1e6, MeanSquaredError.Gradient<double>(f, y, g));
        Assert.Equal(new double[] { 1000, -1000, 0 }, g);
        Assert.Equal(1e6, MeanSquaredError.Value<double>(f, y));
    }

    [Fact]
    public void FactorIsTheIdentity()
    {
        var s = new double[9];
        MeanSquaredError.HessianFactor<double>(new double[] { 1, 2, 3 }, new double[3], s);
        Assert.Equal(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, s);
    }

    [Fact]
    public void SampleAddsOneStandardNormalPerOutput()
    {
        double[] f = { 0.5, -2, 7 };
        var random = new RandomSource(42);
        var reference = new RandomSource(42);
        var y = new double[3];
        for (int draw = 0; draw < 50; draw++)
        {
            MeanSquaredError.Sample<double>(f, ref random, y);
            for (int c = 0; c < 3; c++) Assert.Equal(f[c] + reference.NextGaussian(), y[c]);
        }
    }

    [Fact]
    public void EmptyOutputIsAZeroLoss()
    {
        Assert.Equal(0.0, MeanSquaredError.Value<double>(ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty));
    }
}
