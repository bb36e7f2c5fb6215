using System;
using AutoCurv.CompilerServices;
using Xunit;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>Random blocks and the per-lane comparisons the block tests share.</summary>
internal static class BlockTestData
{
    public const int Size = SampleBlock.Size;

    /// <summary>The lengths every kernel is checked at: empty, below, at and above the vector widths and unrolls.</summary>
    public static readonly int[] Lengths = { 0, 1, 3, 4, 7, 15, 16, 17, 100, 784 };

    public static TheoryData<int> LengthData()
    {
        var data = new TheoryData<int>();
        foreach (int n in Lengths) data.Add(n);
        return data;
    }

    /// <summary>Uniform in [−1, 1) scaled by 10^u with u uniform in [−2, 2): values of mixed sign and magnitude.</summary>
    public static double Value(Random random) => (2 * random.NextDouble() - 1) * Math.Pow(10, 4 * random.NextDouble() - 2);

    public static double[] Doubles(Random random, int count)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = Value(random);
        return values;
    }

    public static SampleBlock Block(Random random)
    {
        SampleBlock block = default;
        for (int b = 0; b < Size; b++) block[b] = Value(random);
        return block;
    }

    public static SampleBlock[] Blocks(Random random, int count)
    {
        var blocks = new SampleBlock[count];
        for (int i = 0; i < count; i++) blocks[i] = Block(random);
        return blocks;
    }

    public static SampleBlock FromLanes(Func<int, double> lane)
    {
        SampleBlock block = default;
        for (int b = 0; b < Size; b++) block[b] = lane(b);
        return block;
    }

    /// <summary>Asserts equal bit patterns (so NaN payloads and the sign of zero count).</summary>
    public static void BitEqual(double expected, double actual, string what)
    {
        long e = BitConverter.DoubleToInt64Bits(expected), a = BitConverter.DoubleToInt64Bits(actual);
        if (e != a) Assert.Fail($"{what}: expected {expected:R} (0x{e:X16}), got {actual:R} (0x{a:X16}).");
    }

    public static void BitEqual(SampleBlock expected, SampleBlock actual, string what)
    {
        for (int b = 0; b < Size; b++) BitEqual(expected[b], actual[b], $"{what}, lane {b}");
    }

    /// <summary>|actual − expected| ≤ tolerance · scale, with scale the sum of the magnitudes the result is made of.</summary>
    public static void Close(double expected, double actual, double scale, double tolerance, string what)
    {
        double error = Math.Abs(actual - expected);
        if (!(error <= tolerance * scale))
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R}: error {error:E2} > {tolerance:E0} × {scale:E2}.");
    }
}
