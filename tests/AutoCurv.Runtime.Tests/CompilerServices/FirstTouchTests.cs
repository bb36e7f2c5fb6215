using System;
using AutoCurv.CompilerServices;
using Xunit;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>
/// <see cref="FirstTouch"/> (lazy clearing of a result span) against the eager path it replaces: clear the span, then
/// z[i] += v, z[o + i] += a·x[i] and z[o + i] += a·x[i] + b·y[i] as plain loops. Results must be equal as numbers (a zero may differ in sign only),
/// whatever garbage the span held before, for random sequences of updates that overlap, straddle groups and bitmap
/// words, and leave parts of the span untouched.
/// </summary>
public class FirstTouchTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 2)]
    [InlineData(8, 3)]
    [InlineData(9, 4)]
    [InlineData(130, 5)]
    [InlineData(513, 6)]
    [InlineData(1031, 7)]
    [InlineData(4100, 8)]
    public void Random_updates_equal_clear_then_accumulate(int length, int seed)
    {
        var r = new Random(seed);
        for (int trial = 0; trial < 20; trial++)
        {
            var expected = new double[length];
            var actual = new double[length];
            for (int i = 0; i < length; i++) actual[i] = double.NaN; // garbage the lazy path must never read
            var touched = new ulong[FirstTouch.Words(length) + trial % 2]; // a longer bitmap is allowed
            int updates = r.Next(0, 12);
            for (int u = 0; u < updates; u++)
            {
                if (r.Next(3) == 0)
                {
                    int index = r.Next(length);
                    double v = r.NextDouble() * 2 - 1;
                    expected[index] += v;
                    FirstTouch.Add(actual, index, v, touched);
                }
                else if (r.Next(2) == 0)
                {
                    int n = r.Next(0, Math.Min(length, 300) + 1);
                    int offset = r.Next(0, length - n + 1);
                    double a = r.NextDouble() * 4 - 2;
                    var x = new double[n];
                    for (int i = 0; i < n; i++) x[i] = r.NextDouble() * 2 - 1;
                    for (int i = 0; i < n; i++) expected[offset + i] += a * x[i];
                    FirstTouch.Axpy(a, x, actual, offset, touched);
                }
                else
                {
                    int n = r.Next(0, Math.Min(length, 300) + 1);
                    int offset = r.Next(0, length - n + 1);
                    double a = r.NextDouble() * 4 - 2, b = r.NextDouble() * 4 - 2;
                    var x = new double[n];
                    var y = new double[n];
                    for (int i = 0; i < n; i++) { x[i] = r.NextDouble() * 2 - 1; y[i] = r.NextDouble() * 2 - 1; }
                    for (int i = 0; i < n; i++) expected[offset + i] += a * x[i] + b * y[i];
                    FirstTouch.Axpy2(a, x, b, y, actual, offset, touched);
                }
            }
            FirstTouch.ClearUntouched(actual, touched);
            for (int i = 0; i < length; i++)
                Assert.True(expected[i] == actual[i], $"length {length}, trial {trial}, element {i}: {actual[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void Rows_of_a_dense_layer_are_written_without_being_read()
    {
        // 5 rows of 13 weights plus a bias, as the reverse sweep of a dense layer writes them: rows straddle groups.
        const int rows = 5, d = 13;
        var z = new double[rows * (d + 1)];
        Array.Fill(z, double.NaN);
        var touched = new ulong[FirstTouch.Words(z.Length)];
        var x = new double[d];
        for (int i = 0; i < d; i++) x[i] = i + 1;
        for (int j = rows - 1; j >= 0; j--)
        {
            FirstTouch.Axpy(j + 0.5, x, z, j * (d + 1), touched);
            FirstTouch.Add(z, j * (d + 1) + d, -j, touched);
        }
        FirstTouch.ClearUntouched(z, touched);
        for (int j = 0; j < rows; j++)
        {
            for (int i = 0; i < d; i++) Assert.Equal((j + 0.5) * (i + 1), z[j * (d + 1) + i]);
            Assert.Equal(-j, z[j * (d + 1) + d]);
        }
    }

    [Fact]
    public void An_empty_bitmap_means_plain_accumulation_into_a_cleared_span()
    {
        var z = new double[] { 1, 2, 3, 4, 5 };
        FirstTouch.Add(z, 1, 10, Span<ulong>.Empty);
        FirstTouch.Axpy(2, new double[] { 1, 1 }, z, 3, Span<ulong>.Empty);
        FirstTouch.Axpy2(2, new double[] { 1, 1 }, -1, new double[] { 3, 4 }, z, 2, Span<ulong>.Empty);
        FirstTouch.ClearUntouched(z, ReadOnlySpan<ulong>.Empty);
        Assert.Equal(new double[] { 1, 12, 2, 4, 7 }, z);
    }

    [Fact]
    public void Begin_clears_short_spans_and_rents_a_zeroed_bitmap_for_long_ones()
    {
        var shortSpan = new double[FirstTouch.LazyFrom - 1];
        Array.Fill(shortSpan, 3.0);
        ulong[]? rented = null;
        Assert.True(FirstTouch.Begin(shortSpan, ref rented).IsEmpty);
        Assert.Null(rented);
        Assert.All(shortSpan, v => Assert.Equal(0.0, v));

        var longSpan = new double[FirstTouch.LazyFrom];
        Array.Fill(longSpan, 3.0);
        var bitmap = FirstTouch.Begin(longSpan, ref rented);
        Assert.Equal(FirstTouch.Words(longSpan.Length), bitmap.Length);
        Assert.All(bitmap.ToArray(), w => Assert.Equal(0UL, w));
        Assert.All(longSpan, v => Assert.Equal(3.0, v)); // left for the first contributions
        AutoCurv.CompilerServices.Scratch.Return(rented);
    }

    [Fact]
    public void Lengths_are_validated()
    {
        var z = new double[20];
        var touched = new ulong[FirstTouch.Words(z.Length)];
        Assert.Throws<ArgumentOutOfRangeException>("offset", () => FirstTouch.Axpy(1, new double[5], z, 16, touched));
        Assert.Throws<ArgumentOutOfRangeException>("offset", () => FirstTouch.Axpy(1, new double[5], z, -1, touched));
        Assert.Throws<IndexOutOfRangeException>(() => FirstTouch.Add(z, 20, 1, touched));
        Assert.Throws<IndexOutOfRangeException>(() => FirstTouch.Add(z, -1, 1, touched));
        Assert.Throws<ArgumentOutOfRangeException>(() => FirstTouch.Axpy(1, new double[5], z, 16, Span<ulong>.Empty));
        Assert.Throws<IndexOutOfRangeException>(() => FirstTouch.Add(z, -1, 1, Span<ulong>.Empty));
        Assert.Throws<ArgumentException>("touched", () => FirstTouch.Axpy(1, new double[5], new double[600], 0, new ulong[1]));
        Assert.Throws<ArgumentException>("touched", () => FirstTouch.ClearUntouched(new double[600], new ulong[1]));
        Assert.Throws<ArgumentOutOfRangeException>("offset", () => FirstTouch.Axpy2(1, new double[5], 2, new double[5], z, 16, touched));
        Assert.Throws<ArgumentException>("y", () => FirstTouch.Axpy2(1, new double[5], 2, new double[4], z, 0, touched));
        Assert.Throws<ArgumentException>("y", () => FirstTouch.Axpy2(1, new double[5], 2, new double[4], z, 0, Span<ulong>.Empty));
        Assert.Throws<ArgumentException>("touched", () => FirstTouch.Axpy2(1, new double[5], 2, new double[5], new double[600], 0, new ulong[1]));
        Assert.Equal(0, FirstTouch.Words(0));
        Assert.Equal(1, FirstTouch.Words(512));
        Assert.Equal(2, FirstTouch.Words(513));
    }

    [Fact]
    public void Axpy2_is_the_loop_it_replaces_bit_for_bit()
    {
        // z[i] += a·x[i] + b·y[i] (and Axpy's z[i] += a·x[i]): every length around the vector widths and the lengths
        // around 256, Kernels.PrefetchFrom (the prefetching loop must do the same arithmetic), values whose sums round, and
        // special values.
        var r = new Random(11);
        int[] lengths = [.. System.Linq.Enumerable.Range(0, 41), 255, 256, 263, 1000, 1031];
        foreach (int n in lengths)
        {
            double a = r.NextDouble() * 6 - 3, b = -1e-3 * r.NextDouble();
            var x = new double[n];
            var y = new double[n];
            var z = new double[n];
            for (int i = 0; i < n; i++) { x[i] = Math.Sin(i + n) * 1e3; y[i] = Math.Cos(3 * i) / 7; z[i] = r.NextDouble() - 0.5; }
            if (n > 5) { x[3] = double.PositiveInfinity; y[4] = double.NaN; z[5] = -0.0; }
            var expected = (double[])z.Clone();
            var one = (double[])z.Clone();
            var expectedOne = (double[])z.Clone();
            for (int i = 0; i < n; i++) expected[i] += a * x[i] + b * y[i];
            for (int i = 0; i < n; i++) expectedOne[i] += a * x[i];
            Kernels.Axpy2(a, x, b, y, z);
            Kernels.Axpy(a, x, one);
            for (int i = 0; i < n; i++)
            {
                Assert.True(Same(expected[i], z[i]), $"Axpy2, n = {n}, element {i}: {z[i]} vs {expected[i]}");
                Assert.True(Same(expectedOne[i], one[i]), $"Axpy, n = {n}, element {i}: {one[i]} vs {expectedOne[i]}");
            }

            // The lazy writes (z = a·x + b·y into untouched groups) at the same lengths, into a long span.
            var lazy = new double[FirstTouch.LazyFrom + 2 * n + 16];
            Array.Fill(lazy, double.NaN);
            var touched = new ulong[FirstTouch.Words(lazy.Length)];
            FirstTouch.Axpy2(a, x, b, y, lazy, 3, touched);
            FirstTouch.Axpy(a, x, lazy, FirstTouch.LazyFrom - 5 + n / 2, touched);
            FirstTouch.ClearUntouched(lazy, touched);
            var reference = new double[lazy.Length];
            for (int i = 0; i < n; i++) reference[3 + i] += a * x[i] + b * y[i];
            for (int i = 0; i < n; i++) reference[FirstTouch.LazyFrom - 5 + n / 2 + i] += a * x[i];
            for (int i = 0; i < lazy.Length; i++)
                Assert.True(reference[i] == lazy[i] || double.IsNaN(reference[i]) && double.IsNaN(lazy[i]), $"lazy, n = {n}, element {i}: {lazy[i]} vs {reference[i]}");
        }
        Assert.Throws<ArgumentException>("y", () => Kernels.Axpy2(1, new double[3], 1, new double[2], new double[3]));
        Assert.Throws<ArgumentException>("z", () => Kernels.Axpy2(1, new double[3], 1, new double[3], new double[4]));
    }

    private static bool Same(double expected, double actual) =>
        BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual) || double.IsNaN(expected) && double.IsNaN(actual);
}
