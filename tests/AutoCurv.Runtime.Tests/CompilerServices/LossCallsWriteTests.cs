using System;
using AutoCurv.CompilerServices;
using Xunit;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>
/// <see cref="LossCalls.WriteGradient{TLoss, T}"/> and <see cref="LossCalls.WriteHessianVectorProduct{TLoss, T}"/>
/// (emitted for the first contribution to an output adjoint that was not cleared) must leave what the accumulating
/// calls leave in a span of zeros, bit for bit up to the sign of a zero, whatever the span held before.
/// </summary>
public class LossCallsWriteTests
{
    public static TheoryData<double> Scales => new() { 1.0, 0.5, -2.0, 1.0 / 3.0 };

    private static (double[] Output, double[] Target, double[] Vector) Case(int c, int seed, bool classes)
    {
        var r = new Random(seed);
        var output = new double[c];
        var target = new double[c];
        var vector = new double[c];
        for (int i = 0; i < c; i++)
        {
            output[i] = 4 * r.NextDouble() - 2;
            target[i] = classes ? (i == seed % c ? 1.0 : 0.0) : r.NextDouble();
            vector[i] = r.NextDouble() - 0.5;
        }
        return (output, target, vector);
    }

    private static double[] Garbage(int c)
    {
        var span = new double[c];
        for (int i = 0; i < c; i++) span[i] = i % 2 == 0 ? double.NaN : 1e300;
        return span;
    }

    private static void AssertSameUpToZeroSign(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] == 0 && actual[i] == 0) continue;
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(actual[i]));
        }
    }

    private static void Check<TLoss>(double scale, bool classes) where TLoss : ILoss
    {
        foreach (int c in new[] { 1, 2, 3, 10, 257 })
        {
            var (output, target, vector) = Case(c, 7 + c, classes);
            var accumulated = new double[c];
            LossCalls.AccumulateGradient<TLoss, double>(output, target, scale, accumulated);
            var written = Garbage(c);
            LossCalls.WriteGradient<TLoss, double>(output, target, scale, written);
            AssertSameUpToZeroSign(accumulated, written);

            accumulated = new double[c];
            LossCalls.AccumulateHessianVectorProduct<TLoss, double>(output, target, vector, scale, accumulated);
            written = Garbage(c);
            LossCalls.WriteHessianVectorProduct<TLoss, double>(output, target, vector, scale, written);
            AssertSameUpToZeroSign(accumulated, written);
        }
    }

    [Theory]
    [MemberData(nameof(Scales))]
    public void Softmax_cross_entropy(double scale) => Check<SoftmaxCrossEntropy>(scale, classes: true);

    [Theory]
    [MemberData(nameof(Scales))]
    public void Mean_squared_error(double scale) => Check<MeanSquaredError>(scale, classes: false);

    [Theory]
    [MemberData(nameof(Scales))]
    public void Sigmoid_binary_cross_entropy(double scale) => Check<SigmoidBinaryCrossEntropy>(scale, classes: false);

    [Fact]
    public void A_span_of_another_length_is_refused()
    {
        var output = new double[3];
        var target = new double[3];
        Assert.Equal("into", Assert.Throws<ArgumentException>(() => LossCalls.WriteGradient<MeanSquaredError, double>(output, target, 1.0, new double[2])).ParamName);
        Assert.Equal("into", Assert.Throws<ArgumentException>(() => LossCalls.WriteHessianVectorProduct<MeanSquaredError, double>(output, target, target, 1.0, new double[4])).ParamName);
    }
}
