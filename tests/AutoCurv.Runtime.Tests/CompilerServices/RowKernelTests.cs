using System;
using AutoCurv.CompilerServices;
using Xunit;
using static AutoCurv.Runtime.Tests.CompilerServices.BlockTestData;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>
/// <see cref="Kernels.DotRows"/> and <see cref="Kernels.AxpyRows"/> against plain loops and the single-row kernels (to
/// rounding), and against their documented operation order written out in scalar code (exactly, whichever hardware
/// path ran), for row counts and lengths around every register and cache block, strides that leave gaps, run
/// backwards or overlap, and rows that start at an offset.
/// </summary>
public class RowKernelTests
{
    private const double Tolerance = 1e-13;

    /// <summary>The chunk of i summed into one partial sum by DotRows (its documented order).</summary>
    private const int DotChunk = 128;

    /// <summary>The fewest rows AxpyRows sums in lane order (its documented order); fewer go through Axpy row by row.</summary>
    private const int MinBlockedRows = 8;

    private static readonly int[] RowCounts = { 0, 1, 3, 4, 5, 8, 13, 128 };
    private static readonly int[] RowLengths = { 0, 1, 7, 8, 9, 15, 16, 17, 100, 784 };

    public static TheoryData<int, int> RowsAndLengths()
    {
        var data = new TheoryData<int, int>();
        foreach (int rows in RowCounts)
            foreach (int n in RowLengths) data.Add(rows, n);
        return data;
    }

    /// <summary>Row lengths plus gaps, backwards, and overlapping forwards and backwards (0 when n &lt; 2).</summary>
    private static int[] Strides(int n) => new[] { n, n + 1, n + 5, -(n + 3), n / 2, -(n / 2) };

    /// <summary>Row r starts at offset + r·stride; offset leaves 3 elements before the lowest row and 4 after the highest.</summary>
    private static (int Offset, int Length) Layout(int rows, int n, int stride)
    {
        long span = rows == 0 ? 0 : (long)(rows - 1) * Math.Abs(stride);
        int offset = 3 + (stride < 0 ? (int)span : 0);
        return (offset, checked(3 + (int)span + n + 4));
    }

    // ---- References ----

    /// <summary>DotRows' documented order for one lane: fused partial sums over chunks of 128 i from zero, added in order.</summary>
    private static double OrderedDotRow(double[] w, int start, SampleBlock[] x, int lane)
    {
        double total = 0;
        for (int c = 0; c < x.Length; c += DotChunk)
        {
            double p = 0;
            for (int i = c; i < Math.Min(x.Length, c + DotChunk); i++) p = Math.FusedMultiplyAdd(w[start + i], x[i][lane], p);
            total = c == 0 ? p : total + p;
        }
        return total;
    }

    /// <summary>AxpyRows' documented lane sum: fused, in lane order, from zero.</summary>
    private static double OrderedLaneSum(SampleBlock scale, SampleBlock x)
    {
        double s = 0;
        for (int b = 0; b < Size; b++) s = Math.FusedMultiplyAdd(x[b], scale[b], s);
        return s;
    }

    // ---- DotRows ----

    [Theory, MemberData(nameof(RowsAndLengths))]
    public void DotRowsAgreesWithItsOrderPlainLoopsAndTheSingleRowDot(int rows, int n)
    {
        foreach (int stride in Strides(n))
        {
            var random = new Random(1000 * rows + 10 * n + stride + 7);
            var (offset, length) = Layout(rows, n, stride);
            double[] w = Doubles(random, length);
            SampleBlock[] x = Blocks(random, n);
            // into inside a larger array of sentinels: everything outside into must stay as it was.
            SampleBlock[] around = Blocks(random, rows + 3);
            SampleBlock[] before = (SampleBlock[])around.Clone();
            Kernels.DotRows(w, offset, stride, x, around.AsSpan(1, rows));

            string what = $"DotRows rows={rows} n={n} stride={stride}";
            BitEqual(before[0], around[0], $"{what}: the block before into");
            BitEqual(before[rows + 1], around[rows + 1], $"{what}: the first block after into");
            BitEqual(before[rows + 2], around[rows + 2], $"{what}: the second block after into");
            for (int r = 0; r < rows; r++)
            {
                int start = offset + r * stride;
                SampleBlock actual = around[1 + r];
                SampleBlock single = Kernels.Dot(w.AsSpan(start, n), x);
                for (int b = 0; b < Size; b++)
                {
                    double naive = 0, scale = 0;
                    for (int i = 0; i < n; i++) { naive += w[start + i] * x[i][b]; scale += Math.Abs(w[start + i] * x[i][b]); }
                    Close(naive, actual[b], scale, Tolerance, $"{what}, row {r}, lane {b} against the plain loop");
                    Close(single[b], actual[b], scale, Tolerance, $"{what}, row {r}, lane {b} against Dot of the row");
                    BitEqual(OrderedDotRow(w, start, x, b), actual[b], $"{what}, row {r}, lane {b} in the documented order");
                }
            }
        }
    }

    [Fact]
    public void DotRowsOverwritesAndWritesZerosForAnEmptyX()
    {
        var random = new Random(11);
        SampleBlock[] into = Blocks(random, 5);
        Kernels.DotRows(Doubles(random, 4), 0, 0, ReadOnlySpan<SampleBlock>.Empty, into);
        foreach (SampleBlock block in into) BitEqual(default, block, "DotRows with an empty x");

        // With rows that need no w at all, offset and stride are not looked at.
        into = Blocks(random, 3);
        Kernels.DotRows(ReadOnlySpan<double>.Empty, -5, int.MaxValue, ReadOnlySpan<SampleBlock>.Empty, into);
        foreach (SampleBlock block in into) BitEqual(default, block, "DotRows with an empty x and an empty w");
        Kernels.DotRows(ReadOnlySpan<double>.Empty, -5, 3, Blocks(random, 4), Span<SampleBlock>.Empty);

        // Garbage (NaN) in into does not leak into the result.
        double[] w = Doubles(random, 40);
        SampleBlock[] x = Blocks(random, 10);
        var fresh = new SampleBlock[4];
        var dirty = new SampleBlock[4];
        for (int r = 0; r < 4; r++) dirty[r] = double.NaN;
        Kernels.DotRows(w, 0, 10, x, fresh);
        Kernels.DotRows(w, 0, 10, x, dirty);
        for (int r = 0; r < 4; r++) BitEqual(fresh[r], dirty[r], $"DotRows over NaN, row {r}");
    }

    // ---- AxpyRows ----

    [Theory, MemberData(nameof(RowsAndLengths))]
    public void AxpyRowsAgreesWithItsOrderPlainLoopsAndTheSingleRowAxpy(int rows, int n)
    {
        foreach (int stride in Strides(n))
        {
            var random = new Random(2000 * rows + 10 * n + stride + 3);
            var (offset, length) = Layout(rows, n, stride);
            SampleBlock[] scales = Blocks(random, rows);
            SampleBlock[] x = Blocks(random, n);
            double[] z0 = Doubles(random, length);
            var z = (double[])z0.Clone();
            Kernels.AxpyRows(scales, x, z, offset, stride);

            // The plain loop, row after row (rows that overlap see the previous rows' additions), with the error scale
            // of each element: the magnitudes summed into it.
            var naive = (double[])z0.Clone();
            var scale = new double[length];
            for (int k = 0; k < length; k++) scale[k] = Math.Abs(z0[k]);
            // Row after row by the single-row reduction.
            var single = (double[])z0.Clone();
            for (int r = 0; r < rows; r++)
            {
                int start = offset + r * stride;
                for (int i = 0; i < n; i++)
                    for (int b = 0; b < Size; b++)
                    {
                        naive[start + i] += scales[r][b] * x[i][b];
                        scale[start + i] += Math.Abs(scales[r][b] * x[i][b]);
                    }
                Kernels.Axpy(scales[r], x, single.AsSpan(start, n));
            }

            string what = $"AxpyRows rows={rows} n={n} stride={stride}";
            // Fewer than 8 rows, or rows that overlap, go row by row through the single-row reduction.
            bool rowByRow = rows < MinBlockedRows || Math.Abs(stride) < n;
            var touched = new bool[length];
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < n; i++) touched[offset + r * stride + i] = true;
            for (int k = 0; k < length; k++)
            {
                if (!touched[k])
                {
                    BitEqual(z0[k], z[k], $"{what}: untouched element {k}");
                    continue;
                }
                Close(naive[k], z[k], scale[k], Tolerance, $"{what}, element {k} against the plain loop");
                Close(single[k], z[k], scale[k], Tolerance, $"{what}, element {k} against Axpy row by row");
                if (rowByRow) BitEqual(single[k], z[k], $"{what}, element {k} as Axpy row by row");
            }
            if (!rowByRow)
            {
                for (int r = 0; r < rows; r++)
                    for (int i = 0; i < n; i++)
                    {
                        int k = offset + r * stride + i;
                        BitEqual(z0[k] + OrderedLaneSum(scales[r], x[i]), z[k], $"{what}, row {r}, i={i} in the documented order");
                    }
            }
        }
    }

    [Fact]
    public void AxpyRowsOfOneRowIgnoresTheStride()
    {
        // A single row touches nothing but itself: any stride is valid and gives the same result.
        var random = new Random(12);
        SampleBlock[] scales = Blocks(random, 1);
        SampleBlock[] x = Blocks(random, 37);
        double[] z0 = Doubles(random, 45);
        var expected = (double[])z0.Clone();
        Kernels.Axpy(scales[0], x, expected.AsSpan(4, 37));
        foreach (int stride in new[] { 0, 1, -1, 36, 37, int.MinValue, int.MaxValue })
        {
            var z = (double[])z0.Clone();
            Kernels.AxpyRows(scales, x, z, 4, stride);
            for (int k = 0; k < z.Length; k++) BitEqual(expected[k], z[k], $"stride {stride}, element {k}");
        }
    }

    [Fact]
    public void AxpyRowsWithNoRowsOrAnEmptyXIsANoOp()
    {
        var random = new Random(13);
        double[] z0 = Doubles(random, 6);
        var z = (double[])z0.Clone();
        // Nothing is touched, so offset and stride are not looked at.
        Kernels.AxpyRows(Blocks(random, 3), ReadOnlySpan<SampleBlock>.Empty, z, -4, int.MinValue);
        Kernels.AxpyRows(ReadOnlySpan<SampleBlock>.Empty, Blocks(random, 5), z, 100, 7);
        for (int k = 0; k < z.Length; k++) BitEqual(z0[k], z[k], $"element {k}");
    }

    // ---- Validation ----

    [Fact]
    public void RowsOutsideTheSpanThrowNamingTheParameter()
    {
        var random = new Random(14);
        double[] w = Doubles(random, 30);
        SampleBlock[] x = Blocks(random, 10);
        var into = new SampleBlock[3];
        SampleBlock[] scales = Blocks(random, 3);

        // Row 0 itself: a negative offset, or past the end.
        ExpectDot("offset", -1, 10);
        ExpectDot("offset", 21, 10);
        ExpectAxpy("offset", -1, 10);
        ExpectAxpy("offset", 21, 10);
        // A later row: past the end forwards, before the start backwards, and strides whose product overflows int.
        ExpectDot("stride", 0, 11);
        ExpectDot("stride", 10, -6);
        ExpectDot("stride", 0, int.MaxValue);
        ExpectDot("stride", 20, int.MinValue);
        ExpectAxpy("stride", 0, 11);
        ExpectAxpy("stride", 10, -6);
        ExpectAxpy("stride", 0, int.MaxValue);
        ExpectAxpy("stride", 20, int.MinValue);
        ExpectAxpy("stride", 15, 8);      // rows overlap (the row-by-row path) and the last one runs past the end

        // Exactly fitting rows do not throw, forwards and backwards.
        Kernels.DotRows(w, 0, 10, x, into);
        Kernels.DotRows(w, 20, -10, x, into);
        Kernels.AxpyRows(scales, x, w, 0, 10);
        Kernels.AxpyRows(scales, x, w, 20, -10);

        void ExpectDot(string name, int offset, int stride) =>
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.DotRows(w, offset, stride, x, into)).ParamName);

        void ExpectAxpy(string name, int offset, int stride) =>
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.AxpyRows(scales, x, w, offset, stride)).ParamName);
    }

    [Fact]
    public void TheGeneratedCallShapesCompileAndAgree()
    {
        // A dense layer as the generator hoists it: w and the gradient are Span locals, the rows are d weights plus a bias
        // (stride d + 1), x and the layer's blocks are Span<SampleBlock> locals and slices of them.
        var random = new Random(15);
        const int d = 19, hidden = 10;
        Span<double> w = Doubles(random, hidden * (d + 1));
        Span<double> g = new double[hidden * (d + 1)];
        Span<SampleBlock> x = Blocks(random, d + 2);
        Span<SampleBlock> h = new SampleBlock[hidden];
        Span<SampleBlock> delta = Blocks(random, hidden);

        Kernels.DotRows(w, 0, d + 1, x.Slice(1, d), h);
        Kernels.AxpyRows(delta, x.Slice(1, d), g, 0, d + 1);
        for (int j = 0; j < hidden; j++)
        {
            SampleBlock expected = Kernels.Dot(w.Slice(j * (d + 1), d), x.Slice(1, d));
            for (int b = 0; b < Size; b++)
            {
                double scale = 0;
                for (int i = 0; i < d; i++) scale += Math.Abs(w[j * (d + 1) + i] * x[1 + i][b]);
                Close(expected[b], h[j][b], scale, Tolerance, $"h[{j}] lane {b}");
            }
            for (int i = 0; i < d; i++) BitEqual(OrderedLaneSum(delta[j], x[1 + i]), g[j * (d + 1) + i], $"g row {j}, i={i}");
            Assert.Equal(0.0, g[j * (d + 1) + d]);   // the bias column is not a row element
        }
    }
}
