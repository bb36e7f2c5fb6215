using System;
using AutoCurv.CompilerServices;
using Xunit;
using static AutoCurv.Runtime.Tests.CompilerServices.BlockTestData;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>
/// The <see cref="SampleBlock"/> overloads of <see cref="Kernels"/> against plain per-lane loops (to rounding), and
/// against the documented summation order written out in scalar code (exactly, whichever hardware path ran).
/// </summary>
public class BlockKernelTests
{
    private const double Tolerance = 1e-13;

    // ---- References ----

    /// <summary>Σ_k u(k)·v(k) in the kernels' documented order: four fused partial sums by k mod 4, combined, then the tail.</summary>
    private static double OrderedDot(Func<int, double> u, Func<int, double> v, int n)
    {
        int n4 = n & ~3;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int k = 0; k < n4; k += 4)
        {
            s0 = Math.FusedMultiplyAdd(u(k), v(k), s0);
            s1 = Math.FusedMultiplyAdd(u(k + 1), v(k + 1), s1);
            s2 = Math.FusedMultiplyAdd(u(k + 2), v(k + 2), s2);
            s3 = Math.FusedMultiplyAdd(u(k + 3), v(k + 3), s3);
        }
        double sum = (s0 + s1) + (s2 + s3);
        for (int k = n4; k < n; k++) sum = Math.FusedMultiplyAdd(u(k), v(k), sum);
        return sum;
    }

    /// <summary>Σ_b u(b)·v(b) by halving: lanes b and b + 8 in one fused multiply-add, then (b, b + 4), (b, b + 2), (b, b + 1).</summary>
    private static double HalvingSum(Func<int, double> u, Func<int, double> v)
    {
        var s = new double[Size / 2];
        for (int b = 0; b < Size / 2; b++) s[b] = Math.FusedMultiplyAdd(u(b), v(b), u(b + Size / 2) * v(b + Size / 2));
        for (int width = Size / 4; width >= 1; width /= 2)
            for (int b = 0; b < width; b++) s[b] = s[b] + s[b + width];
        return s[0];
    }

    /// <summary>The 16 values summed by halving: (b, b + 8), then (b, b + 4), (b, b + 2), (b, b + 1).</summary>
    private static double HalvingSum(Func<int, double> lane)
    {
        var s = new double[Size];
        for (int b = 0; b < Size; b++) s[b] = lane(b);
        for (int width = Size / 2; width >= 1; width /= 2)
            for (int b = 0; b < width; b++) s[b] = s[b] + s[b + width];
        return s[0];
    }

    private static void CheckDot(SampleBlock actual, Func<int, int, double> u, Func<int, int, double> v, int n, string what)
    {
        for (int b = 0; b < Size; b++)
        {
            double naive = 0, scale = 0;
            for (int k = 0; k < n; k++) { naive += u(k, b) * v(k, b); scale += Math.Abs(u(k, b) * v(k, b)); }
            Close(naive, actual[b], scale, Tolerance, $"{what}, lane {b}");
            BitEqual(OrderedDot(k => u(k, b), k => v(k, b), n), actual[b], $"{what} in the documented order, lane {b}");
        }
    }

    // ---- Dot ----

    [Theory, MemberData(nameof(BlockTestData.LengthData), MemberType = typeof(BlockTestData))]
    public void DotOfDoublesAndBlocks(int n)
    {
        var random = new Random(100 + n);
        double[] w = Doubles(random, n);
        SampleBlock[] x = Blocks(random, n);
        CheckDot(Kernels.Dot(w, x), (k, b) => w[k], (k, b) => x[k][b], n, "Dot(double, block)");
        CheckDot(Kernels.Dot(x, w), (k, b) => x[k][b], (k, b) => w[k], n, "Dot(block, double)");
        // The mixed orders are the same computation.
        BitEqual(Kernels.Dot(w, x), Kernels.Dot(x, w), "Dot(double, block) = Dot(block, double)");
    }

    [Theory, MemberData(nameof(BlockTestData.LengthData), MemberType = typeof(BlockTestData))]
    public void DotOfBlocks(int n)
    {
        var random = new Random(200 + n);
        SampleBlock[] x = Blocks(random, n), y = Blocks(random, n);
        CheckDot(Kernels.Dot(x, y), (k, b) => x[k][b], (k, b) => y[k][b], n, "Dot(block, block)");
    }

    [Theory, MemberData(nameof(BlockTestData.LengthData), MemberType = typeof(BlockTestData))]
    public void DotOfSlicesAtEveryOffset(int n)
    {
        // Slices that start anywhere (the generator passes w.Slice(row · d, d)): no alignment is assumed.
        var random = new Random(300 + n);
        double[] w = Doubles(random, n + 3);
        SampleBlock[] x = Blocks(random, n + 3);
        for (int offset = 0; offset < 3; offset++)
        {
            var ws = w.AsSpan(offset, n).ToArray();
            var xs = x.AsSpan(offset, n).ToArray();
            BitEqual(Kernels.Dot(ws, xs), Kernels.Dot(w.AsSpan(offset, n), x.AsSpan(offset, n)), $"Dot of a slice at {offset}");
        }
    }

    // ---- Axpy into block spans: exact ----

    [Theory, MemberData(nameof(BlockTestData.LengthData), MemberType = typeof(BlockTestData))]
    public void AxpyIntoBlocksIsThePerLaneLoop(int n)
    {
        var random = new Random(400 + n);
        SampleBlock a = Block(random);
        double s = Value(random);
        double[] xd = Doubles(random, n);
        SampleBlock[] xb = Blocks(random, n), y0 = Blocks(random, n);

        var y = (SampleBlock[])y0.Clone();
        Kernels.Axpy(a, xd, y);
        for (int k = 0; k < n; k++)
            for (int b = 0; b < Size; b++) BitEqual(y0[k][b] + a[b] * xd[k], y[k][b], $"Axpy(block, double[], block[]) k={k} lane {b}");

        y = (SampleBlock[])y0.Clone();
        Kernels.Axpy(s, xb, y);
        for (int k = 0; k < n; k++)
            for (int b = 0; b < Size; b++) BitEqual(y0[k][b] + s * xb[k][b], y[k][b], $"Axpy(double, block[], block[]) k={k} lane {b}");

        y = (SampleBlock[])y0.Clone();
        Kernels.Axpy(a, xb, y);
        for (int k = 0; k < n; k++)
            for (int b = 0; b < Size; b++) BitEqual(y0[k][b] + a[b] * xb[k][b], y[k][b], $"Axpy(block, block[], block[]) k={k} lane {b}");
    }

    // ---- Axpy into parameter-sized spans: the sum over the lanes ----

    [Theory, MemberData(nameof(BlockTestData.LengthData), MemberType = typeof(BlockTestData))]
    public void AxpyOfBlocksIntoDoublesSumsTheLanes(int n)
    {
        var random = new Random(500 + n);
        SampleBlock a = Block(random);
        SampleBlock[] x = Blocks(random, n);
        double[] y0 = Doubles(random, n);
        var y = (double[])y0.Clone();
        Kernels.Axpy(a, x, y);
        for (int k = 0; k < n; k++)
        {
            double naive = y0[k], scale = Math.Abs(y0[k]);
            for (int b = 0; b < Size; b++) { naive += a[b] * x[k][b]; scale += Math.Abs(a[b] * x[k][b]); }
            Close(naive, y[k], scale, Tolerance, $"Axpy(block, block[], double[]) k={k}");
            BitEqual(y0[k] + HalvingSum(b => a[b], b => x[k][b]), y[k], $"Axpy(block, block[], double[]) in the documented order, k={k}");
        }
    }

    [Theory, MemberData(nameof(BlockTestData.LengthData), MemberType = typeof(BlockTestData))]
    public void AxpyOfAScalarAndBlocksIntoDoublesSumsTheLanes(int n)
    {
        var random = new Random(600 + n);
        double a = Value(random);
        SampleBlock[] x = Blocks(random, n);
        double[] y0 = Doubles(random, n);
        var y = (double[])y0.Clone();
        Kernels.Axpy(a, x, y);
        for (int k = 0; k < n; k++)
        {
            double naive = y0[k], scale = Math.Abs(y0[k]);
            for (int b = 0; b < Size; b++) { naive += a * x[k][b]; scale += Math.Abs(a * x[k][b]); }
            Close(naive, y[k], scale, Tolerance, $"Axpy(double, block[], double[]) k={k}");
            BitEqual(y0[k] + HalvingSum(b => a, b => x[k][b]), y[k], $"Axpy(double, block[], double[]) in the documented order, k={k}");
        }
    }

    [Theory, MemberData(nameof(BlockTestData.LengthData), MemberType = typeof(BlockTestData))]
    public void AxpyOfABlockAndDoublesIntoDoublesSumsTheLanes(int n)
    {
        var random = new Random(700 + n);
        SampleBlock a = Block(random);
        double[] x = Doubles(random, n), y0 = Doubles(random, n);
        var y = (double[])y0.Clone();
        Kernels.Axpy(a, x, y);
        double sumA = HalvingSum(b => a[b]);
        for (int k = 0; k < n; k++)
        {
            double naive = y0[k], scale = Math.Abs(y0[k]);
            for (int b = 0; b < Size; b++) { naive += a[b] * x[k]; scale += Math.Abs(a[b] * x[k]); }
            Close(naive, y[k], scale, Tolerance, $"Axpy(block, double[], double[]) k={k}");
            BitEqual(y0[k] + sumA * x[k], y[k], $"Axpy(block, double[], double[]) in the documented order, k={k}");
        }
    }

    [Fact]
    public void ReductionOfSlicesAtEveryOffset()
    {
        // The gradient row of the workload: gw.Slice(row · 784, 784) at any offset, 8 or 4 k at a time plus a tail.
        var random = new Random(800);
        const int n = 37;
        SampleBlock a = Block(random);
        SampleBlock[] x = Blocks(random, n + 5);
        double[] y0 = Doubles(random, n + 5);
        for (int offset = 0; offset < 5; offset++)
        {
            var y = (double[])y0.Clone();
            Kernels.Axpy(a, x.AsSpan(offset, n), y.AsSpan(offset, n));
            for (int k = 0; k < y.Length; k++)
            {
                double expected = k < offset || k >= offset + n ? y0[k] : y0[k] + HalvingSum(b => a[b], b => x[k][b]);
                BitEqual(expected, y[k], $"offset {offset}, k={k}");
            }
        }
    }

    // ---- Validation and overload resolution ----

    [Fact]
    public void LengthMismatchesThrowNamingY()
    {
        var d3 = new double[3];
        var d4 = new double[4];
        var b3 = new SampleBlock[3];
        var b4 = new SampleBlock[4];
        SampleBlock a = 1.0;
        Expect(() => Kernels.Dot(d3, b4));
        Expect(() => Kernels.Dot(b3, d4));
        Expect(() => Kernels.Dot(b3, b4));
        Expect(() => Kernels.Axpy(a, d3, b4));
        Expect(() => Kernels.Axpy(2.0, b3, b4));
        Expect(() => Kernels.Axpy(a, b3, b4));
        Expect(() => Kernels.Axpy(a, b3, d4));
        Expect(() => Kernels.Axpy(a, d3, d4));
        Expect(() => Kernels.Axpy(2.0, b3, d4));
        Expect(() => Kernels.Axpy(a, b4, d3));

        static void Expect(Action call) => Assert.Equal("y", Assert.Throws<ArgumentException>(call).ParamName);
    }

    [Fact]
    public void EveryCallShapeCompilesWithSpansAndPicksItsOverload()
    {
        // The generated members pass Span<> locals (and slices of them) where ReadOnlySpan<> is declared, and a
        // double where a block is expected only when no double overload exists. Each call below must bind to the
        // overload whose result it is compared with.
        var random = new Random(900);
        const int n = 19;
        Span<double> wd = Doubles(random, n);
        Span<SampleBlock> xb = Blocks(random, n);
        Span<SampleBlock> zb = Blocks(random, n);
        ReadOnlySpan<double> wr = wd;
        ReadOnlySpan<SampleBlock> xr = xb, zr = zb;
        SampleBlock a = Block(random);
        double s = Value(random);

        SampleBlock d1 = Kernels.Dot(wd, xb);
        BitEqual(Kernels.Dot(wr, xr), d1, "Dot(Span<double>, Span<SampleBlock>)");
        SampleBlock d2 = Kernels.Dot(xb, wd);
        BitEqual(Kernels.Dot(xr, wr), d2, "Dot(Span<SampleBlock>, Span<double>)");
        SampleBlock d3 = Kernels.Dot(xb, zb);
        BitEqual(Kernels.Dot(xr, zr), d3, "Dot(Span<SampleBlock>, Span<SampleBlock>)");
        SampleBlock d4 = Kernels.Dot(wd.Slice(2, 5), xb.Slice(1, 5));
        BitEqual(Kernels.Dot(wr.Slice(2, 5), xr.Slice(1, 5)), d4, "Dot of slices");
        double d5 = Kernels.Dot(wd, wd);
        Assert.Equal(Kernels.Dot(wr, wr), d5);

        // Into block spans.
        Span<SampleBlock> y = new SampleBlock[n], yExpected = new SampleBlock[n];
        Kernels.Axpy(a, wd, y);
        Kernels.Axpy(a, wr, yExpected);
        Kernels.Axpy(s, xb, y);
        Kernels.Axpy(s, xr, yExpected);
        Kernels.Axpy(a, xb, y);
        Kernels.Axpy(a, xr, yExpected);
        Kernels.Axpy(1.5, xb.Slice(0, 4), y.Slice(3, 4));                 // a double literal for a, block x and y
        Kernels.Axpy(1.5, xr.Slice(0, 4), yExpected.Slice(3, 4));
        for (int k = 0; k < n; k++) BitEqual(yExpected[k], y[k], $"Axpy into blocks, k={k}");

        // Into double spans: the reductions, and the existing double overload.
        Span<double> g = new double[n], gExpected = new double[n];
        Kernels.Axpy(a, xb, g);
        Kernels.Axpy(a, xr, gExpected);
        Kernels.Axpy(a, wd, g);
        Kernels.Axpy(a, wr, gExpected);
        Kernels.Axpy(s, xb, g);
        Kernels.Axpy(s, xr, gExpected);
        Kernels.Axpy(s, wd, g);                                            // (double, double[], double[]): the existing overload
        Kernels.Axpy(s, wr, gExpected);
        Kernels.Axpy(2, wd.Slice(0, 7), g.Slice(1, 7));                    // an int scalar still means double
        Kernels.Axpy(2.0, wr.Slice(0, 7), gExpected.Slice(1, 7));
        for (int k = 0; k < n; k++) BitEqual(gExpected[k], g[k], $"Axpy into doubles, k={k}");

        // The existing overload is the one bound: an exact y += s·x, not a lane sum of a broadcast block.
        Span<double> h = new double[n];
        Kernels.Axpy(s, wd, h);
        for (int k = 0; k < n; k++) BitEqual(s * wd[k], h[k], $"Axpy(double, Span<double>, Span<double>) k={k}");
    }
}
