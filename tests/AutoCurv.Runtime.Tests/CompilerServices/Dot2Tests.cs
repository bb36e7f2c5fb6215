using System;
using AutoCurv.CompilerServices;
using Xunit;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>
/// <see cref="Kernels.Dot2"/> (two dot products over a shared operand, emitted for a tangent sweep's Σ w·x and Σ v·x)
/// must equal two <see cref="Kernels.Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/> calls bit for bit, in either
/// operand order, at every length around the vector width and the prefetch threshold (256).
/// </summary>
public class Dot2Tests
{
    [Fact]
    public void Dot2_equals_two_dots_bit_for_bit()
    {
        var r = new Random(5);
        int[] lengths = [.. System.Linq.Enumerable.Range(0, 50), 255, 256, 257, 271, 272, 273, 784, 785, 1031];
        foreach (int n in lengths)
        {
            var x = new double[n];
            var a = new double[n];
            var b = new double[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = Math.Sin(0.37 * i + n) * (1 + 1e3 * r.NextDouble());
                a[i] = r.NextDouble() - 0.5;
                b[i] = 1e-7 * (r.NextDouble() - 0.5) + (i % 3 == 0 ? 1e5 : 0);
            }
            var (sa, sb) = Kernels.Dot2(x, a, b);
            Assert.True(BitConverter.DoubleToInt64Bits(Kernels.Dot(a, x)) == BitConverter.DoubleToInt64Bits(sa), $"n = {n}: {sa} vs {Kernels.Dot(a, x)}");
            Assert.True(BitConverter.DoubleToInt64Bits(Kernels.Dot(x, b)) == BitConverter.DoubleToInt64Bits(sb), $"n = {n}: {sb} vs {Kernels.Dot(x, b)}");

            // And both against an exact-enough reference (the dot reassociates, so only to rounding).
            double ra = 0, rb = 0;
            for (int i = 0; i < n; i++) { ra += x[i] * a[i]; rb += x[i] * b[i]; }
            double scaleA = 1, scaleB = 1;
            for (int i = 0; i < n; i++) { scaleA += Math.Abs(x[i] * a[i]); scaleB += Math.Abs(x[i] * b[i]); }
            Assert.True(Math.Abs(sa - ra) <= 1e-14 * scaleA, $"n = {n}: {sa} vs loop {ra}");
            Assert.True(Math.Abs(sb - rb) <= 1e-14 * scaleB, $"n = {n}: {sb} vs loop {rb}");
        }
    }

    [Fact]
    public void Lengths_are_validated()
    {
        Assert.Throws<ArgumentException>("a", () => Kernels.Dot2(new double[3], new double[2], new double[3]));
        Assert.Throws<ArgumentException>("b", () => Kernels.Dot2(new double[3], new double[3], new double[4]));
        Assert.Equal((0.0, 0.0), Kernels.Dot2(ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty));
    }
}
