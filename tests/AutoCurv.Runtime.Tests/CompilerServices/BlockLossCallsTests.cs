using System;
using AutoCurv.CompilerServices;
using Xunit;
using static AutoCurv.Runtime.Tests.CompilerServices.BlockTestData;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>
/// <see cref="BlockLossCalls"/> against the scalar <see cref="LossCalls"/> (and <see cref="ILoss"/>) called on each
/// lane separately: the batched members must reproduce the per-sample members exactly.
/// </summary>
public abstract class BlockLossCallsTests<TLoss> where TLoss : struct, ILoss
{
    /// <summary>Output counts: small, around the vector widths, and past the stack limit (rented scratch).</summary>
    public static TheoryData<int> Counts() => new() { 1, 3, 4, 7, 15, 16, 17, 100, 784 };

    /// <summary>A target of <paramref name="count"/> entries valid for the loss.</summary>
    protected abstract double[] Target(Random random, int count);

    private (SampleBlock[] Output, SampleBlock[] Target, double[][] OutputLanes, double[][] TargetLanes) Data(Random random, int c)
    {
        var outputLanes = new double[Size][];
        var targetLanes = new double[Size][];
        for (int b = 0; b < Size; b++)
        {
            outputLanes[b] = new double[c];
            for (int i = 0; i < c; i++) outputLanes[b][i] = 3 * (2 * random.NextDouble() - 1);
            targetLanes[b] = Target(random, c);
        }
        return (ToBlocks(outputLanes, c), ToBlocks(targetLanes, c), outputLanes, targetLanes);
    }

    private static SampleBlock[] ToBlocks(double[][] lanes, int c)
    {
        var blocks = new SampleBlock[c];
        for (int i = 0; i < c; i++)
            for (int b = 0; b < Size; b++) blocks[i][b] = lanes[b][i];
        return blocks;
    }

    private static double[] Lane(SampleBlock[] blocks, int b)
    {
        var lane = new double[blocks.Length];
        for (int i = 0; i < blocks.Length; i++) lane[i] = blocks[i][b];
        return lane;
    }

    [Theory, MemberData(nameof(Counts))]
    public void ValueIsTheScalarLossPerLane(int c)
    {
        var (output, target, f, y) = Data(new Random(c), c);
        SampleBlock value = BlockLossCalls.Value<TLoss>(output, target);
        for (int b = 0; b < Size; b++) BitEqual(TLoss.Value<double>(f[b], y[b]), value[b], $"lane {b}");
    }

    [Theory, MemberData(nameof(Counts))]
    public void AccumulateGradientIsTheScalarCallPerLane(int c)
    {
        var random = new Random(1000 + c);
        var (output, target, f, y) = Data(random, c);
        SampleBlock scale = Block(random);
        SampleBlock[] into0 = Blocks(random, c);
        var into = (SampleBlock[])into0.Clone();
        BlockLossCalls.AccumulateGradient<TLoss>(output, target, scale, into);
        for (int b = 0; b < Size; b++)
        {
            double[] expected = Lane(into0, b);
            LossCalls.AccumulateGradient<TLoss, double>(f[b], y[b], scale[b], expected);
            for (int i = 0; i < c; i++) BitEqual(expected[i], into[i][b], $"lane {b}, i={i}");
        }
    }

    [Theory, MemberData(nameof(Counts))]
    public void AccumulateHessianVectorProductIsTheScalarCallPerLane(int c)
    {
        var random = new Random(2000 + c);
        var (output, target, f, y) = Data(random, c);
        SampleBlock[] vector = Blocks(random, c);
        SampleBlock scale = Block(random);
        SampleBlock[] into0 = Blocks(random, c);
        var into = (SampleBlock[])into0.Clone();
        BlockLossCalls.AccumulateHessianVectorProduct<TLoss>(output, target, vector, scale, into);
        for (int b = 0; b < Size; b++)
        {
            double[] expected = Lane(into0, b);
            LossCalls.AccumulateHessianVectorProduct<TLoss, double>(f[b], y[b], Lane(vector, b), scale[b], expected);
            for (int i = 0; i < c; i++) BitEqual(expected[i], into[i][b], $"lane {b}, i={i}");
        }
    }

    [Theory, MemberData(nameof(Counts))]
    public void DirectionalDerivativeIsTheScalarCallPerLane(int c)
    {
        var random = new Random(3000 + c);
        var (output, target, f, y) = Data(random, c);
        SampleBlock[] tangent = Blocks(random, c);
        SampleBlock derivative = BlockLossCalls.DirectionalDerivative<TLoss>(output, target, tangent);
        for (int b = 0; b < Size; b++)
            BitEqual(LossCalls.DirectionalDerivative<TLoss, double>(f[b], y[b], Lane(tangent, b)), derivative[b], $"lane {b}");
    }

    [Fact]
    public void LengthMismatchesThrowNamingTheParameter()
    {
        var (output, target, _, _) = Data(new Random(4), 3);
        var short2 = new SampleBlock[2];
        var into = new SampleBlock[3];
        SampleBlock scale = 1.0;
        Expect("target", () => BlockLossCalls.Value<TLoss>(output, short2));
        Expect("target", () => BlockLossCalls.AccumulateGradient<TLoss>(output, short2, scale, into));
        Expect("into", () => BlockLossCalls.AccumulateGradient<TLoss>(output, target, scale, short2));
        Expect("target", () => BlockLossCalls.AccumulateHessianVectorProduct<TLoss>(output, short2, into, scale, into));
        Expect("vector", () => BlockLossCalls.AccumulateHessianVectorProduct<TLoss>(output, target, short2, scale, into));
        Expect("into", () => BlockLossCalls.AccumulateHessianVectorProduct<TLoss>(output, target, into, scale, short2));
        Expect("target", () => BlockLossCalls.DirectionalDerivative<TLoss>(output, short2, into));
        Expect("tangent", () => BlockLossCalls.DirectionalDerivative<TLoss>(output, target, short2));

        static void Expect(string parameter, Action call) => Assert.Equal(parameter, Assert.Throws<ArgumentException>(call).ParamName);
    }

    [Fact]
    public void TheGeneratedCallShapesCompileWithSpanLocalsAndADoubleScale()
    {
        // Generated members pass Span<SampleBlock> locals and may pass a constant scale (a double, converted to a block).
        var (outputArray, targetArray, _, _) = Data(new Random(5), 4);
        Span<SampleBlock> output = outputArray, target = targetArray;
        Span<SampleBlock> vector = Blocks(new Random(6), 4);
        Span<SampleBlock> into = new SampleBlock[4], expected = new SampleBlock[4];
        SampleBlock one = 1.0;

        BitEqual(BlockLossCalls.Value<TLoss>((ReadOnlySpan<SampleBlock>)output, target), BlockLossCalls.Value<TLoss>(output, target), "Value");
        BlockLossCalls.AccumulateGradient<TLoss>(output, target, 1.0, into);
        BlockLossCalls.AccumulateGradient<TLoss>(outputArray, targetArray, one, expected);
        BlockLossCalls.AccumulateHessianVectorProduct<TLoss>(output, target, vector, 1.0, into);
        BlockLossCalls.AccumulateHessianVectorProduct<TLoss>(outputArray, targetArray, vector, one, expected);
        for (int i = 0; i < 4; i++) BitEqual(expected[i], into[i], $"i={i}");
        SampleBlock d = BlockLossCalls.DirectionalDerivative<TLoss>(output, target, vector);
        BitEqual(BlockLossCalls.DirectionalDerivative<TLoss>(outputArray, targetArray, vector), d, "DirectionalDerivative");
    }

    [Fact]
    public void AnEmptyOutputBehavesAsTheScalarLoss()
    {
        // Softmax rejects C = 0 and the block call must too; a loss that accepts it gives its value in every lane.
        double scalar;
        try { scalar = TLoss.Value<double>(ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty); }
        catch (ArgumentException)
        {
            Assert.Throws<ArgumentException>(() => BlockLossCalls.Value<TLoss>(ReadOnlySpan<SampleBlock>.Empty, ReadOnlySpan<SampleBlock>.Empty));
            return;
        }
        SampleBlock value = BlockLossCalls.Value<TLoss>(ReadOnlySpan<SampleBlock>.Empty, ReadOnlySpan<SampleBlock>.Empty);
        for (int b = 0; b < Size; b++) BitEqual(scalar, value[b], $"lane {b}");
    }
}

public sealed class BlockLossCallsMeanSquaredErrorTests : BlockLossCallsTests<MeanSquaredError>
{
    protected override double[] Target(Random random, int count) => Doubles(random, count);
}

public sealed class BlockLossCallsSoftmaxCrossEntropyTests : BlockLossCallsTests<SoftmaxCrossEntropy>
{
    // A probability vector: one-hot or a soft distribution, at random.
    protected override double[] Target(Random random, int count)
    {
        var y = new double[count];
        if (random.Next(2) == 0) { y[random.Next(count)] = 1; return y; }
        double sum = 0;
        for (int i = 0; i < count; i++) sum += y[i] = random.NextDouble();
        for (int i = 0; i < count; i++) y[i] /= sum;
        return y;
    }
}

public sealed class BlockLossCallsSigmoidBinaryCrossEntropyTests : BlockLossCallsTests<SigmoidBinaryCrossEntropy>
{
    protected override double[] Target(Random random, int count)
    {
        var y = new double[count];
        for (int i = 0; i < count; i++) y[i] = random.Next(3) == 0 ? random.NextDouble() : random.Next(2);
        return y;
    }
}
