using System.Reflection;

namespace AutoCurv.Curvature.Tests;

/// <summary>
/// The data-set means divide every entry of a parameter-sized sum by the sample count through a corrected
/// reciprocal instead of the hardware divider; it must give the bits of IEEE division, x / d, for every x.
/// </summary>
public class DivideTests
{
    private delegate void DivideFunction(Span<double> y, ReadOnlySpan<double> x, double d);
    private delegate void AddDivideFunction(Span<double> y, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double d);

    // Internal to the runtime: reached through reflection (delegates, since spans cannot be boxed).
    private static readonly Type VectorMath = typeof(Objective<,>).Assembly.GetType("AutoCurv.VectorMath", throwOnError: true)!;
    private static readonly DivideFunction Divide = VectorMath.GetMethod("Divide", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!
        .CreateDelegate<DivideFunction>();
    private static readonly AddDivideFunction AddDivide = VectorMath.GetMethod("AddDivide", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!
        .CreateDelegate<AddDivideFunction>();

    [Fact]
    public void GivesTheBitsOfIeeeDivisionForRandomDividendsAndManyDivisors()
    {
        var random = new Random(5);
        var divisors = new List<double>();
        for (int d = 1; d <= 300; d++) divisors.Add(d);
        foreach (int k in new[] { 10, 20, 31, 40, 52, 53, 59 })
        {
            divisors.Add((1L << k) - 1);
            divisors.Add((1L << k) + 1);
        }
        for (int t = 0; t < 200; t++) divisors.Add(random.Next(1, int.MaxValue));
        for (int t = 0; t < 100; t++) divisors.Add(Math.ScaleB(1 + random.NextDouble(), random.Next(-60, 60)) * (random.Next(2) == 0 ? 1 : -1));
        divisors.Add(0.1);
        divisors.Add(-3);
        // Powers of two take a multiplication by the exact reciprocal: the extremes where it stays exact, and beyond.
        foreach (int k in new[] { -1074, -1023, -1022, -1021, -300, -1, 1, 6, 64, 300, 1022, 1023 })
        {
            divisors.Add(Math.ScaleB(1.0, k));
            divisors.Add(-Math.ScaleB(1.0, k));
        }

        const int n = 4099; // not a multiple of any vector width: the scalar tail too
        var x = new double[n];
        var y = new double[n];
        foreach (double d in divisors)
        {
            for (int i = 0; i < n; i++)
            {
                x[i] = (i % 3) switch
                {
                    // Any significand, moderate exponents (what a mean divides); integers; all-ones significands.
                    0 => Math.ScaleB(1 + random.NextDouble(), random.Next(-80, 80)) * (random.Next(2) == 0 ? 1 : -1),
                    1 => random.Next(-1_000_000, 1_000_000),
                    _ => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(Math.ScaleB(1.0, random.Next(-900, 900))) | 0x000F_FFFF_FFFF_FFFFL),
                };
            }
            Divide(y, x, d);
            for (int i = 0; i < n; i++)
                Assert.True(BitConverter.DoubleToInt64Bits(x[i] / d) == BitConverter.DoubleToInt64Bits(y[i]), $"{x[i]:R} / {d:R}: {y[i]:R} instead of {x[i] / d:R}");
        }
    }

    [Fact]
    public void GivesTheBitsOfIeeeDivisionForZerosTinyHugeAndNonFiniteDividends()
    {
        double[] special =
        {
            0.0, -0.0, double.Epsilon, -double.Epsilon, 1e-310, Math.ScaleB(1.0, -901), Math.ScaleB(1.0, -900),
            Math.ScaleB(1.0, 900), Math.ScaleB(1.0, 901), double.MaxValue, -double.MaxValue, double.PositiveInfinity,
            double.NegativeInfinity, double.NaN, 1.0, -7.5,
        };
        foreach (double d in new[] { 1.0, 3.0, 64.0, -0.5, Math.ScaleB(1.0, -1022), Math.ScaleB(1.0, 1023), double.Epsilon, 1e-300, 1e300, 0.0, -0.0, double.PositiveInfinity, double.NaN, 7e18 })
        {
            // Each special value alone among ordinary ones and all together, so every vector path meets them.
            for (int at = 0; at < special.Length; at++)
            {
                var x = new double[37];
                for (int i = 0; i < x.Length; i++) x[i] = (i + 1) * 0.37;
                for (int i = at; i < x.Length; i += special.Length) x[i] = special[(i + at) % special.Length];
                var y = new double[x.Length];
                Divide(y, x, d);
                for (int i = 0; i < x.Length; i++)
                    Assert.True(BitConverter.DoubleToInt64Bits(x[i] / d) == BitConverter.DoubleToInt64Bits(y[i]) || (double.IsNaN(x[i] / d) && double.IsNaN(y[i])),
                        $"{x[i]:R} / {d:R}: {y[i]:R} instead of {x[i] / d:R}");
            }
        }
    }

    [Fact]
    public void MayDivideInPlace()
    {
        var x = new double[21];
        for (int i = 0; i < x.Length; i++) x[i] = i * 1.1;
        var expected = x.Select(v => v / 7).ToArray();
        Divide(x, x, 7);
        Assert.Equal(expected, x);
    }

    [Fact]
    public void AddDivideGivesTheBitsOfAnAdditionThenAnIeeeDivision()
    {
        var random = new Random(8);
        const int n = 1027;
        var a = new double[n];
        var b = new double[n];
        var y = new double[n];
        foreach (double d in new[] { 1.0, 3.0, 7.0, 64.0, 100.0, 12345.0, 0.0, double.NaN })
        {
            for (int i = 0; i < n; i++)
            {
                a[i] = Math.ScaleB(random.NextDouble() - 0.5, random.Next(-40, 40));
                b[i] = i % 5 == 0 ? -a[i] : Math.ScaleB(random.NextDouble() - 0.5, random.Next(-40, 40));
            }
            AddDivide(y, a, b, d);
            for (int i = 0; i < n; i++)
                Assert.True(BitConverter.DoubleToInt64Bits((a[i] + b[i]) / d) == BitConverter.DoubleToInt64Bits(y[i]) || (double.IsNaN(y[i]) && double.IsNaN(d)),
                    $"({a[i]:R} + {b[i]:R}) / {d:R}: {y[i]:R} instead of {(a[i] + b[i]) / d:R}");
            // In place (y = a), as the reductions do not, but may.
            var expected = a.Zip(b, (p, q) => (p + q) / 3).ToArray();
            var copy = (double[])a.Clone();
            AddDivide(copy, copy, b, 3);
            Assert.Equal(expected, copy);
        }
    }
}
