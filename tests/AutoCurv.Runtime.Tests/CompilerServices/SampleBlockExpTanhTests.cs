using System;
using System.Collections.Generic;
using System.Numerics;
using System.Reflection;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using AutoCurv.CompilerServices;
using Xunit;
using Xunit.Abstractions;
using static AutoCurv.Runtime.Tests.CompilerServices.BlockTestData;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>
/// <see cref="SampleBlock.Exp"/> and <see cref="SampleBlock.Tanh"/>, which compute all lanes with vector arithmetic:
/// within 2 ulp of System.Math on ~10⁷ points, within 0.75 ulp of an exact reference (BigInteger fixed point) on
/// 20 000, the special values, and the same bits on every hardware path (the one-lane form of the operations,
/// Vector256, Vector512 and the public method).
/// </summary>
public class SampleBlockExpTanhTests
{
    private readonly ITestOutputHelper _output;

    public SampleBlockExpTanhTests(ITestOutputHelper output) => _output = output;

    // ---- The private per-width forms of the one algorithm ----

    private static T Private<T>(string name) where T : Delegate =>
        typeof(SampleBlock).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)?.CreateDelegate<T>()
        ?? throw new InvalidOperationException($"SampleBlock.{name} not found.");

    private sealed record Forms(
        Func<SampleBlock, SampleBlock> Block, Func<double, double> Lane, Func<Vector256<double>, Vector256<double>> Four,
        Func<Vector512<double>, Vector512<double>> Eight, Func<double, double> Math);

    private static Forms Function(string name) => new(
        name == "Exp" ? SampleBlock.Exp : SampleBlock.Tanh,
        Private<Func<double, double>>(name + "Lane"),
        Private<Func<Vector256<double>, Vector256<double>>>(name + "256"),
        Private<Func<Vector512<double>, Vector512<double>>>(name + "512"),
        name == "Exp" ? Math.Exp : Math.Tanh);

    public static TheoryData<string> Names() => new() { "Exp", "Tanh" };

    /// <summary>
    /// The distance in representable doubles (ulps) between two doubles of the same sign; 0 for two NaNs, long.MaxValue
    /// for a NaN and a number.
    /// </summary>
    internal static long UlpDistance(double expected, double actual)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual)) return double.IsNaN(expected) && double.IsNaN(actual) ? 0 : long.MaxValue;
        long e = BitConverter.DoubleToInt64Bits(expected), a = BitConverter.DoubleToInt64Bits(actual);
        // Map the sign-magnitude patterns onto one ordered integer line (−0 and +0 both to 0).
        if (e < 0) e = long.MinValue - e;
        if (a < 0) a = long.MinValue - a;
        return Math.Abs(e - a);
    }

    // ---- Against System.Math ----

    /// <summary>
    /// The random inputs: a fifth each uniform over the function's interesting range, uniform in [−1, 1], of
    /// log-uniform magnitude 2^−60 … 2^10 with a random sign, uniform in the region with the most rounding error
    /// (|x| ≤ 0.6 for tanh, where e^{2x} − 1 cancels; the subnormal results of e^x), and random bit patterns (every
    /// magnitude, infinities and NaNs).
    /// </summary>
    private static double RandomInput(Random random, string name, int kind) => kind switch
    {
        0 => name == "Exp" ? -746 + 1456 * random.NextDouble() : 44 * random.NextDouble() - 22,
        1 => 2 * random.NextDouble() - 1,
        2 => (random.Next(2) == 0 ? -1 : 1) * Math.Pow(2, 70 * random.NextDouble() - 60),
        3 => name == "Exp" ? -745.2 + 37 * random.NextDouble() : 1.2 * random.NextDouble() - 0.6,
        _ => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
    };

    [Theory, MemberData(nameof(Names))]
    public void IsWithinTwoUlpOfSystemMathOnTenMillionPoints(string name)
    {
        Forms f = Function(name);
        var random = new Random(name == "Exp" ? 11 : 12);
        const int Blocks = 10_000_000 / Size;
        var counts = new long[4];
        long worst = 0;
        double worstAt = 0;
        SampleBlock x = default;
        for (int i = 0; i < Blocks; i++)
        {
            for (int b = 0; b < Size; b++) x[b] = RandomInput(random, name, (i * Size + b) % 5);
            SampleBlock y = f.Block(x);
            for (int b = 0; b < Size; b++)
            {
                long d = UlpDistance(f.Math(x[b]), y[b]);
                counts[Math.Min(d, 3)]++;
                if (d > worst) { worst = d; worstAt = x[b]; }
            }
        }
        _output.WriteLine($"{name}: 0 / 1 / 2 / >2 ulp from System.Math: {counts[0]} / {counts[1]} / {counts[2]} / {counts[3]}; max {worst} at {worstAt:R}");
        Assert.True(worst <= 2, $"{name}({worstAt:R}) = {f.Block(worstAt)[0]:R} is {worst} ulp from System.Math's {f.Math(worstAt):R}.");
    }

    // ---- Special values (every path) ----

    /// <summary>Every form of <paramref name="f"/> at <paramref name="x"/>, which must all give the same bits.</summary>
    private static double Value(Forms f, double x)
    {
        double lane = f.Lane(x);
        BitEqual(lane, f.Block(x)[5], $"block path at {x:R}");
        if (Fma.IsSupported && Vector256.IsHardwareAccelerated) BitEqual(lane, f.Four(Vector256.Create(x))[3], $"Vector256 path at {x:R}");
        if (Avx512F.IsSupported) BitEqual(lane, f.Eight(Vector512.Create(x))[6], $"Vector512 path at {x:R}");
        return lane;
    }

    private static readonly double[] Nans =
    {
        double.NaN, -double.NaN, BitConverter.Int64BitsToDouble(0x7FF8000000000123), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000456)),
    };

    [Fact]
    public void TanhSpecialValues()
    {
        Forms f = Function("Tanh");
        // Odd with the sign of zero kept; tanh x = x (exactly) for subnormal and tiny x.
        foreach (double x in new[] { 0.0, double.Epsilon, 3 * double.Epsilon, 1e-310, 2.2250738585072014e-308, 1e-300, 1e-100, 1e-20, 1e-9 })
        {
            BitEqual(x, Value(f, x), $"Tanh({x:R})");
            BitEqual(-x, Value(f, -x), $"Tanh({-x:R})");
        }
        // Exactly ±1 beyond atanh(1 − 2^−54) = 19.0615474653984…, and at ±∞.
        var random = new Random(5);
        var large = new List<double> { 19.0615474653985, 19.07, 20, 20.5, 22, 100, 710, 1e10, 1e300, double.MaxValue, double.PositiveInfinity };
        for (int i = 0; i < 1000; i++) large.Add(19.0615474653985 + 2 * random.NextDouble());
        foreach (double x in large)
        {
            BitEqual(1.0, Value(f, x), $"Tanh({x:R})");
            BitEqual(-1.0, Value(f, -x), $"Tanh({-x:R})");
        }
        // Below the threshold the result is below 1 (tanh 19 = 1 − 0.57 ulp of 1, tanh 18 = 1 − 4.2 ulp).
        foreach (double x in new[] { 18.0, 19.0 }) Assert.True(Value(f, x) < 1, $"Tanh({x:R}) = 1");
        // Odd everywhere, bit for bit, and |tanh x| ≤ 1.
        for (int i = 0; i < 10000; i++)
        {
            double x = RandomInput(random, "Tanh", i % 4);
            double y = Value(f, x);
            BitEqual(-y, Value(f, -x), $"Tanh(−{x:R})");
            Assert.True(Math.Abs(y) <= 1, $"|Tanh({x:R})| = {Math.Abs(y):R} > 1");
        }
        // NaN in, the same (quiet) NaN out.
        foreach (double x in Nans) BitEqual(x, Value(f, x), "Tanh(NaN)");
    }

    [Fact]
    public void ExpSpecialValues()
    {
        Forms f = Function("Exp");
        foreach (double x in new[] { 0.0, -0.0, double.Epsilon, -double.Epsilon, 1e-310, -1e-300, 1e-20, -1e-17, 5e-17 })
            BitEqual(1.0, Value(f, x), $"Exp({x:R})");
        BitEqual(double.PositiveInfinity, Value(f, double.PositiveInfinity), "Exp(+∞)");
        BitEqual(0.0, Value(f, double.NegativeInfinity), "Exp(−∞)");
        // Overflow just above ln(MaxValue) = 709.782712893383996…; the largest results stay finite.
        foreach (double x in new[] { 709.7827128933841, 709.79, 710, 800, 1e300, double.MaxValue })
            BitEqual(double.PositiveInfinity, Value(f, x), $"Exp({x:R})");
        foreach (double x in new[] { 709.782712893384, 709.78, 709.5, 709.0 })
        {
            double y = Value(f, x);
            Assert.True(double.IsFinite(y) && UlpDistance(Math.Exp(x), y) <= 1, $"Exp({x:R}) = {y:R}, System.Math {Math.Exp(x):R}");
        }
        // Gradual underflow: subnormal results within 1 ulp (of the subnormal spacing) of System.Math, then 0.
        var random = new Random(6);
        for (int i = 0; i < 20000; i++)
        {
            double x = -745.2 + 37 * random.NextDouble();
            double y = Value(f, x);
            Assert.True(UlpDistance(Math.Exp(x), y) <= 1, $"Exp({x:R}) = {y:R}, System.Math {Math.Exp(x):R}");
        }
        BitEqual(double.Epsilon, Value(f, -745.1), "Exp(−745.1)");
        foreach (double x in new[] { -745.2, -746, -800, -1e300, double.MinValue })
            BitEqual(0.0, Value(f, x), $"Exp({x:R})");
        // Positive everywhere (or 0 / +∞).
        for (int i = 0; i < 10000; i++)
        {
            double x = RandomInput(random, "Exp", i % 4);
            Assert.True(Value(f, x) >= 0, $"Exp({x:R}) < 0");
        }
        foreach (double x in Nans) BitEqual(x, Value(f, x), "Exp(NaN)");
    }

    // ---- Bit identity of the hardware paths ----

    [Theory, MemberData(nameof(Names))]
    public void EveryPathGivesTheSameBits(string name)
    {
        Forms f = Function(name);
        bool four = Fma.IsSupported && Vector256.IsHardwareAccelerated, eight = Avx512F.IsSupported;
        _output.WriteLine($"Vector256 path tested: {four}, Vector512 path tested: {eight}.");
        var random = new Random(name == "Exp" ? 7 : 8);
        var values = new List<double> { 0.0, -0.0, double.Epsilon, double.MaxValue, double.PositiveInfinity, double.NegativeInfinity };
        values.AddRange(Nans);
        while (values.Count % Size != 0 || values.Count < 200_000) values.Add(RandomInput(random, name, values.Count % 5));
        for (int start = 0; start < values.Count; start += Size)
        {
            SampleBlock x = FromLanes(b => values[start + b]);
            SampleBlock block = f.Block(x);
            for (int b = 0; b < Size; b++) BitEqual(f.Lane(x[b]), block[b], $"{name}({x[b]:R}), block vs one lane");
            for (int q = 0; four && q < Size; q += 4)
            {
                Vector256<double> y = f.Four(Vector256.Create(x[q], x[q + 1], x[q + 2], x[q + 3]));
                for (int j = 0; j < 4; j++) BitEqual(block[q + j], y[j], $"{name}({x[q + j]:R}), Vector256 vs block");
            }
            for (int h = 0; eight && h < Size; h += 8)
            {
                Vector512<double> y = f.Eight(Vector512.Create(x[h], x[h + 1], x[h + 2], x[h + 3], x[h + 4], x[h + 5], x[h + 6], x[h + 7]));
                for (int j = 0; j < 8; j++) BitEqual(block[h + j], y[j], $"{name}({x[h + j]:R}), Vector512 vs block");
            }
        }
    }

    // ---- Against an exact reference ----

    [Fact]
    public void TanhIsWithinThreeQuartersOfAnUlpOfTheExactValue()
    {
        Forms f = Function("Tanh");
        var random = new Random(9);
        double worst = 0, worstAt = 0, worstMath = 0;
        for (int i = 0; i < 20000; i++)
        {
            double a = (i % 4) switch
            {
                0 => Math.Pow(2, 44.3 * random.NextDouble() - 40),   // 2^−40 … 20, log-uniform
                1 => random.NextDouble(),
                2 => 0.1 + 0.5 * random.NextDouble(),
                _ => 17 + 2.06 * random.NextDouble(),
            };
            double x = random.Next(2) == 0 ? a : -a;
            var (mantissa, exponent) = ExactReference.Tanh(a);
            double error = ExactReference.UlpError(Math.Abs(f.Block(x)[0]), mantissa, exponent);
            if (error > worst) { worst = error; worstAt = x; }
            worstMath = Math.Max(worstMath, ExactReference.UlpError(Math.Abs(Math.Tanh(x)), mantissa, exponent));
        }
        _output.WriteLine($"Tanh: max error {worst:F3} ulp (at {worstAt:R}); System.Math.Tanh on the same points: max {worstMath:F3} ulp.");
        Assert.True(worst <= 0.75, $"Tanh({worstAt:R}) is {worst:F3} ulp from the exact value.");
    }

    [Fact]
    public void ExpIsWithinThreeQuartersOfAnUlpOfTheExactValue()
    {
        Forms f = Function("Exp");
        var random = new Random(10);
        double worst = 0, worstAt = 0, worstMath = 0, worstSubnormal = 0;
        for (int i = 0; i < 20000; i++)
        {
            double x = (i % 4) switch
            {
                0 => -708 + 1417.7 * random.NextDouble(),                                       // normal results
                1 => 2 * random.NextDouble() - 1,
                2 => (random.Next(2) == 0 ? -1 : 1) * Math.Pow(2, 60 * random.NextDouble() - 60),
                _ => -745 + 37 * random.NextDouble(),                                           // subnormal results
            };
            var (mantissa, exponent) = ExactReference.Exp(x);
            double error = ExactReference.UlpError(f.Block(x)[0], mantissa, exponent);
            if (x < -708.3964185322641) worstSubnormal = Math.Max(worstSubnormal, error);   // e^x < 2^−1022
            else if (error > worst) { worst = error; worstAt = x; }
            worstMath = Math.Max(worstMath, ExactReference.UlpError(Math.Exp(x), mantissa, exponent));
        }
        _output.WriteLine($"Exp: max error {worst:F3} ulp for normal results (at {worstAt:R}), {worstSubnormal:F3} ulp for subnormal ones; System.Math.Exp on the same points: max {worstMath:F3} ulp.");
        Assert.True(worst <= 0.75, $"Exp({worstAt:R}) is {worst:F3} ulp from the exact value.");
        Assert.True(worstSubnormal <= 1, $"A subnormal Exp is {worstSubnormal:F3} ulp from the exact value.");
    }
}

/// <summary>
/// e^x and tanh x to about 300 bits, in binary fixed point with <see cref="Bits"/> fractional bits: x = k·ln 2 + r,
/// e^r by its Taylor series, ln 2 by Σ 1/(k·2^k). Values come back as mantissa·2^exponent.
/// </summary>
internal static class ExactReference
{
    private const int Bits = 320;
    private static readonly BigInteger One = BigInteger.One << Bits;
    private static readonly BigInteger Ln2 = ComputeLn2();

    private static BigInteger ComputeLn2()
    {
        const int Guard = 32;
        BigInteger sum = 0;
        for (int k = 1; k <= Bits + Guard; k++) sum += (BigInteger.One << (Bits + Guard - k)) / k;
        return sum >> Guard;
    }

    /// <summary>x·2^Bits, rounded toward zero (exact for |x| ≥ 2^(52 − Bits)).</summary>
    private static BigInteger Fixed(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int biased = (int)((bits >> 52) & 0x7FF);
        long mantissa = (bits & 0xFFFFFFFFFFFFF) | (biased == 0 ? 0 : 1L << 52);
        int shift = Math.Max(biased, 1) - 1075 + Bits;
        BigInteger m = shift >= 0 ? (BigInteger)mantissa << shift : (BigInteger)mantissa >> -shift;
        return x < 0 ? -m : m;
    }

    /// <summary>e^x = mantissa·2^exponent.</summary>
    public static (BigInteger Mantissa, int Exponent) Exp(double x)
    {
        int k = (int)Math.Round(x / Math.Log(2));
        BigInteger r = Fixed(x) - k * Ln2, term = One, sum = One;
        for (int i = 1; !term.IsZero; i++)
        {
            term = term * r / (One * i);
            sum += term;
        }
        return (sum, k - Bits);
    }

    /// <summary>tanh a = mantissa·2^exponent for a &gt; 0.</summary>
    public static (BigInteger Mantissa, int Exponent) Tanh(double a)
    {
        var (m, e) = Exp(2 * a);             // e^{2a} = m·2^e, e + Bits = k ≥ 0
        BigInteger scaled = m << (e + Bits);  // e^{2a}·2^Bits
        return (((scaled - One) << Bits) / (scaled + One), -Bits);
    }

    /// <summary>|value − mantissa·2^exponent| in ulps of the exact value (the spacing of doubles at its magnitude).</summary>
    public static double UlpError(double value, BigInteger mantissa, int exponent)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)((bits >> 52) & 0x7FF);
        if (biased == 0x7FF) return double.PositiveInfinity;
        BigInteger d = (bits & 0xFFFFFFFFFFFFF) | (biased == 0 ? 0 : 1L << 52);
        int dExponent = Math.Max(biased, 1) - 1075;
        if (value < 0) d = -d;
        int ulp = Math.Max((int)mantissa.GetBitLength() - 1 + exponent - 52, -1074);
        int common = Math.Min(dExponent, exponent);
        BigInteger diff = BigInteger.Abs((d << (dExponent - common)) - (mantissa << (exponent - common)));
        // diff·2^(common − ulp), without overflowing the double conversion.
        int excess = Math.Max(0, (int)diff.GetBitLength() - 900);
        return Math.ScaleB((double)(diff >> excess), common - ulp + excess);
    }
}
