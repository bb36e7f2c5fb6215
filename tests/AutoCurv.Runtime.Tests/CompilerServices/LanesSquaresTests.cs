using System;
using System.Runtime.Intrinsics;
using AutoCurv.CompilerServices;
using Xunit;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>
/// <see cref="Lanes.AddSquare{T}"/> and <see cref="Lanes.AddSquares{T}"/> (the GGN diagonal's squares of single
/// contributions) against plain loops over the lanes, and their bitmap: every element marked once, a second mark of
/// any element reported, ranges across and inside 64-bit words.
/// </summary>
public class LanesSquaresTests
{
    private static Vector256<double> V(double a, double b, double c, double d) => Vector256.Create(a, b, c, d);

    private static double[] Values(int n, int seed)
    {
        var r = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 2 * r.NextDouble() - 1;
        return v;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(3, 5)]
    [InlineData(4, 60)]
    [InlineData(9, 63)]
    [InlineData(64, 0)]
    [InlineData(64, 1)]
    [InlineData(200, 7)]
    public void AddSquares_matches_the_lane_loop_and_marks_its_range(int n, int start)
    {
        var a = V(0.5, -1.25, 2.0, 0.75);
        var weights = V(1.0, -1.0, 1.0, 0.0);
        double[] x = Values(n, n + start);
        int length = start + n + 70;
        double[] squares = Values(length, 1), expected = (double[])squares.Clone();
        for (int k = 0; k < n; k++)
        {
            for (int l = 0; l < 4; l++) expected[start + k] += weights[l] * (a[l] * x[k]) * (a[l] * x[k]);
        }
        var touched = new ulong[Lanes.TouchedLength(length)];
        Assert.True(Lanes.AddSquares(a, weights, x, squares, start, touched));
        for (int i = 0; i < length; i++)
        {
            Assert.True(Math.Abs(expected[i] - squares[i]) <= 1e-14 * Math.Max(1, Math.Abs(expected[i])), $"element {i}: {squares[i]:R} vs {expected[i]:R}");
            bool marked = (touched[i >> 6] & (1UL << (i & 63))) != 0;
            Assert.Equal(i >= start && i < start + n, marked);
        }
        // The same range again, and any single element of it, is a second contribution.
        if (n > 0)
        {
            Assert.False(Lanes.AddSquares(a, weights, x, squares, start, touched));
            Assert.False(Lanes.AddSquare(a, weights, squares, start + n - 1, touched));
        }
        // Disjoint elements next to it are not.
        Assert.True(Lanes.AddSquare(a, weights, squares, start + n, touched));
        Assert.True(Lanes.AddSquares(a, weights, x.AsSpan(0, Math.Min(n, 3)), squares, start + n + 1, touched));
    }

    [Fact]
    public void AddSquare_adds_the_weighted_sum_of_squares_once_per_element()
    {
        var value = V(1.5, -2.0, 0.5, 3.0);
        var weights = V(1.0, 1.0, -1.0, 0.0);
        double[] squares = { 10, 20, 30 };
        var touched = new ulong[1];
        Assert.True(Lanes.AddSquare(value, weights, squares, 1, touched));
        Assert.Equal(20 + 2.25 + 4.0 - 0.25, squares[1]);
        Assert.Equal(new double[] { 10, 30 }, new[] { squares[0], squares[2] });
        Assert.Equal(2UL, touched[0]);
        Assert.False(Lanes.AddSquare(value, weights, squares, 1, touched));
        Assert.True(Lanes.AddSquare(value, weights, squares, 0, touched));
    }

    [Fact]
    public void Float_lanes_sum_all_eight()
    {
        var a = Vector256.Create(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f);
        var weights = Vector256.Create(1f);
        float[] x = { 1f, 0.5f, -2f, 1f, 1f, 1f, 1f, 1f, 3f };
        float[] squares = new float[x.Length];
        var touched = new ulong[1];
        Assert.True(Lanes.AddSquares(a, weights, x, squares, 0, touched));
        for (int k = 0; k < x.Length; k++) Assert.Equal(204f * x[k] * x[k], squares[k]);
    }

    [Fact]
    public void Lengths_are_validated()
    {
        var v = Vector256<double>.Zero;
        double[] squares = new double[70];
        Assert.Equal(2, Lanes.TouchedLength(70));
        Assert.Equal(0, Lanes.TouchedLength(0));
        Assert.Equal("elements", Assert.Throws<ArgumentOutOfRangeException>(() => Lanes.TouchedLength(-1)).ParamName);
        Assert.Equal("touched", Assert.Throws<ArgumentException>(() => Lanes.AddSquare(v, v, squares, 0, new ulong[1])).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => Lanes.AddSquare(v, v, squares, 70, new ulong[2])).ParamName);
        Assert.Equal("touched", Assert.Throws<ArgumentException>(() => Lanes.AddSquares(v, v, new double[3], squares, 0, new ulong[1])).ParamName);
        Assert.Equal("squares", Assert.Throws<ArgumentException>(() => Lanes.AddSquares(v, v, new double[3], squares, 68, new ulong[2])).ParamName);
        Assert.Equal("squares", Assert.Throws<ArgumentException>(() => Lanes.AddSquares(v, v, new double[3], squares, -1, new ulong[2])).ParamName);
        Assert.True(Lanes.AddSquares(v, v, ReadOnlySpan<double>.Empty, squares, 70, new ulong[2]));
    }
}
