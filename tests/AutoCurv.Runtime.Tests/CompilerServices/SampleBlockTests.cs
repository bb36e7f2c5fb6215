using System;
using System.Collections.Generic;
using AutoCurv.CompilerServices;
using Xunit;
using static AutoCurv.Runtime.Tests.CompilerServices.BlockTestData;

namespace AutoCurv.Runtime.Tests.CompilerServices;

public class SampleBlockTests
{
    [Theory, MemberData(nameof(BlockTestData.LengthData), MemberType = typeof(BlockTestData))]
    public void LoadIsTheTransposeOfSixteenRows(int width)
    {
        var random = new Random(10 + width);
        const int rowCount = Size + 5;
        double[] rows = Doubles(random, rowCount * width);
        foreach (int first in new[] { 0, 3, 5 })
        {
            var into = new SampleBlock[width];
            SampleBlock.Load(rows, width, first, into);
            for (int k = 0; k < width; k++)
                for (int r = 0; r < Size; r++)
                    Assert.Equal(rows[(first + r) * width + k], into[k][r]);
        }
    }

    [Fact]
    public void LoadValidatesItsArguments()
    {
        var rows = new double[Size * 3];
        var e = Assert.Throws<ArgumentException>(() => SampleBlock.Load(rows, 3, 0, new SampleBlock[2]));
        Assert.Equal("into", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleBlock.Load(rows, 3, 1, new SampleBlock[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleBlock.Load(rows, 3, -1, new SampleBlock[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleBlock.Load(rows, 3, int.MaxValue - 4, new SampleBlock[3]));
    }

    [Fact]
    public void SumAddsTheLanesInOrder()
    {
        var random = new Random(2);
        for (int trial = 0; trial < 50; trial++)
        {
            SampleBlock a = Block(random);
            double expected = 0;
            for (int b = 0; b < Size; b++) expected += a[b];
            BitEqual(expected, SampleBlock.Sum(a), "Sum");
        }

        // Sums whose rounding shows the order: 1e16 + 1 rounds back to 1e16, so each pair (1e16, 1, −1e16) leaves 0
        // in lane order and 1 in most others; and the sum starts at +0, so lanes of −0 give +0.
        SampleBlock ordered = default;
        for (int b = 0; b < Size; b++) ordered[b] = (b % 3) switch { 0 => 1e16, 1 => 1.0, _ => -1e16 };
        double inOrder = 0;
        for (int b = 0; b < Size; b++) inOrder += ordered[b];
        BitEqual(inOrder, SampleBlock.Sum(ordered), "Sum in lane order");
        BitEqual(0.0, SampleBlock.Sum(-0.0), "Sum of negative zeros");
    }

    [Fact]
    public void IndexerRejectsLanesOutsideTheBlock()
    {
        SampleBlock a = 1.0;
        Assert.Throws<ArgumentOutOfRangeException>(() => a[Size]);
        Assert.Throws<ArgumentOutOfRangeException>(() => a[-1]);
    }

    /// <summary>Random values of every magnitude plus the special ones: zeros, infinities, NaNs with payloads and signs, subnormals.</summary>
    private static List<double> Inputs()
    {
        var values = new List<double>
        {
            0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0, -3.0, Math.PI, 1e-300, -1e-300, double.Epsilon, -double.Epsilon,
            1e300, -1e300, 710.0, -745.5, 1e16, double.MaxValue, double.MinValue,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN,
            BitConverter.Int64BitsToDouble(0x7FF8000000000123), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000456)),
        };
        var random = new Random(3);
        for (int i = 0; i < 70; i++) values.Add(Value(random));
        for (int i = 0; i < 20; i++) values.Add((2 * random.NextDouble() - 1) * Math.Pow(10, 600 * random.NextDouble() - 300));
        return values;
    }

    /// <summary>The inputs in blocks of 16 lanes, the last block padded by wrapping around.</summary>
    private static IEnumerable<SampleBlock> InputBlocks(List<double> values, int shift = 0)
    {
        for (int start = 0; start < values.Count; start += Size)
            yield return FromLanes(b => values[(start + b + shift) % values.Count]);
    }

    /// <summary>The functions that are System.Math bit for bit (Exp and Tanh are within 2 ulp, below).</summary>
    public static TheoryData<string> UnaryNames() => new() { "Log", "Sqrt", "Sin", "Cos", "Tan", "Sinh", "Cosh", "Atan", "Abs" };

    public static TheoryData<string> VectorisedNames() => new() { "Exp", "Tanh" };

    private static (Func<SampleBlock, SampleBlock> Block, Func<double, double> Lane) Unary(string name) => name switch
    {
        "Exp" => (SampleBlock.Exp, Math.Exp),
        "Log" => (SampleBlock.Log, Math.Log),
        "Sqrt" => (SampleBlock.Sqrt, Math.Sqrt),
        "Sin" => (SampleBlock.Sin, Math.Sin),
        "Cos" => (SampleBlock.Cos, Math.Cos),
        "Tan" => (SampleBlock.Tan, Math.Tan),
        "Tanh" => (SampleBlock.Tanh, Math.Tanh),
        "Sinh" => (SampleBlock.Sinh, Math.Sinh),
        "Cosh" => (SampleBlock.Cosh, Math.Cosh),
        "Atan" => (SampleBlock.Atan, Math.Atan),
        "Abs" => (SampleBlock.Abs, Math.Abs),
        _ => throw new ArgumentException(name),
    };

    [Theory, MemberData(nameof(UnaryNames))]
    public void UnaryMathIsSystemMathPerLane(string name)
    {
        var (block, lane) = Unary(name);
        foreach (SampleBlock a in InputBlocks(Inputs()))
        {
            SampleBlock r = block(a);
            for (int b = 0; b < Size; b++) BitEqual(lane(a[b]), r[b], $"{name}({a[b]:R})");
        }
    }

    [Theory, MemberData(nameof(VectorisedNames))]
    public void VectorisedMathIsWithinTwoUlpOfSystemMathPerLane(string name)
    {
        var (block, lane) = Unary(name);
        foreach (SampleBlock a in InputBlocks(Inputs()))
        {
            SampleBlock r = block(a);
            for (int b = 0; b < Size; b++)
            {
                long ulps = SampleBlockExpTanhTests.UlpDistance(lane(a[b]), r[b]);
                Assert.True(ulps <= 2, $"{name}({a[b]:R}): System.Math {lane(a[b]):R}, block {r[b]:R} ({ulps} ulp apart).");
            }
        }
    }

    public static TheoryData<string> BinaryNames() => new() { "Pow", "Max", "Min" };

    private static (Func<SampleBlock, SampleBlock, SampleBlock> BB, Func<SampleBlock, double, SampleBlock> BD,
        Func<double, SampleBlock, SampleBlock> DB, Func<double, double, double> Lane) Binary(string name) => name switch
    {
        "Pow" => (SampleBlock.Pow, SampleBlock.Pow, SampleBlock.Pow, Math.Pow),
        "Max" => (SampleBlock.Max, SampleBlock.Max, SampleBlock.Max, Math.Max),
        "Min" => (SampleBlock.Min, SampleBlock.Min, SampleBlock.Min, Math.Min),
        _ => throw new ArgumentException(name),
    };

    [Theory, MemberData(nameof(BinaryNames))]
    public void BinaryMathIsSystemMathPerLane(string name)
    {
        var (bb, bd, db, lane0) = Binary(name);
        // Math.Max and Math.Min of two NaNs return one of them, and which one depends on how the JIT expanded the
        // call (it differs between a call through a delegate and an inlined call); IEEE 754 leaves it open. For
        // that case only, any NaN is accepted: the reference then returns the canonical NaN, compared bitwise.
        Func<double, double, double> lane = name == "Pow" ? lane0 : (x, y) => double.IsNaN(x) && double.IsNaN(y) ? double.NaN : lane0(x, y);
        Func<double, double> canonical = name == "Pow" ? v => v : v => double.IsNaN(v) ? double.NaN : v;
        List<double> values = Inputs();
        // Every pair of inputs meets once as (block, block), and every input as the scalar against every block.
        for (int shift = 0; shift < values.Count; shift++)
        {
            var xs = new List<SampleBlock>(InputBlocks(values));
            var ys = new List<SampleBlock>(InputBlocks(values, shift));
            for (int i = 0; i < xs.Count; i++)
            {
                SampleBlock x = xs[i], y = ys[i];
                SampleBlock r = bb(x, y);
                for (int b = 0; b < Size; b++) BitEqual(lane(x[b], y[b]), Canon(x[b], y[b], r[b]), $"{name}({x[b]:R}, {y[b]:R})");
                double s = values[shift];
                SampleBlock rs = bd(x, s), sr = db(s, x);
                for (int b = 0; b < Size; b++)
                {
                    BitEqual(lane(x[b], s), Canon(x[b], s, rs[b]), $"{name}({x[b]:R}, {s:R})");
                    BitEqual(lane(s, x[b]), Canon(s, x[b], sr[b]), $"{name}({s:R}, {x[b]:R})");
                }
            }
        }

        double Canon(double x, double y, double result) => double.IsNaN(x) && double.IsNaN(y) ? canonical(result) : result;
    }

    [Fact]
    public void OperatorsArePerLaneAndExact()
    {
        List<double> values = Inputs();
        var random = new Random(4);
        foreach (SampleBlock a in InputBlocks(values))
        {
            foreach (SampleBlock c in InputBlocks(values, 7))
            {
                double s = values[random.Next(values.Count)];
                Check(a + c, b => a[b] + c[b], "block + block");
                Check(a - c, b => a[b] - c[b], "block - block");
                Check(a * c, b => a[b] * c[b], "block * block");
                Check(a / c, b => a[b] / c[b], "block / block");
                Check(-a, b => -a[b], "-block");
                Check(a + s, b => a[b] + s, "block + double");
                Check(s + a, b => s + a[b], "double + block");
                Check(a - s, b => a[b] - s, "block - double");
                Check(s - a, b => s - a[b], "double - block");
                Check(a * s, b => a[b] * s, "block * double");
                Check(s * a, b => s * a[b], "double * block");
                Check(a / s, b => a[b] / s, "block / double");
                Check(s / a, b => s / a[b], "double / block");
            }
        }

        static void Check(SampleBlock actual, Func<int, double> expected, string what)
        {
            for (int b = 0; b < Size; b++) BitEqual(expected(b), actual[b], what);
        }
    }

    [Fact]
    public void ImplicitConversionFillsEveryLane()
    {
        SampleBlock a = -2.5;
        for (int b = 0; b < Size; b++) Assert.Equal(-2.5, a[b]);
        // An int meets a block through double, and picks the mixed operator.
        SampleBlock c = 3 - a;
        for (int b = 0; b < Size; b++) Assert.Equal(5.5, c[b]);
    }
}
