using System;
using AutoCurv.CompilerServices;
using Xunit;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>SampleMask, the per-lane condition of a batched member's <c>?:</c>, against C#'s scalar comparisons lane by lane.</summary>
public sealed class SampleMaskTests
{
    private const int B = SampleBlock.Size;

    private static readonly double[] s_values = { 0.0, -0.0, 1.0, -1.0, 2.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e-310, -3.0 };

    /// <summary>Blocks whose lanes run through every pair of the special values (and their mirror images).</summary>
    private static (SampleBlock A, SampleBlock B, double[] a, double[] b) Pairs(int shift)
    {
        var a = new double[B];
        var b = new double[B];
        SampleBlock x = default, y = default;
        for (int lane = 0; lane < B; lane++)
        {
            a[lane] = s_values[(lane + shift) % s_values.Length];
            b[lane] = s_values[(lane * 3 + shift / s_values.Length) % s_values.Length];
            x[lane] = a[lane];
            y[lane] = b[lane];
        }
        return (x, y, a, b);
    }

    [Fact]
    public void Comparisons_follow_the_scalar_operators_in_every_lane()
    {
        for (int shift = 0; shift < s_values.Length * s_values.Length; shift++)
        {
            var (x, y, a, b) = Pairs(shift);
            var eq = SampleMask.Equal(x, y);
            var ne = SampleMask.NotEqual(x, y);
            var lt = SampleMask.Less(x, y);
            var le = SampleMask.LessOrEqual(x, y);
            var gt = SampleMask.Greater(x, y);
            var ge = SampleMask.GreaterOrEqual(x, y);
            for (int lane = 0; lane < B; lane++)
            {
                string at = $"lane {lane}: {a[lane]} vs {b[lane]}";
                Assert.True(eq[lane] == (a[lane] == b[lane]), "== " + at);
                Assert.True(ne[lane] == (a[lane] != b[lane]), "!= " + at);
                Assert.True(lt[lane] == (a[lane] < b[lane]), "< " + at);
                Assert.True(le[lane] == (a[lane] <= b[lane]), "<= " + at);
                Assert.True(gt[lane] == (a[lane] > b[lane]), "> " + at);
                Assert.True(ge[lane] == (a[lane] >= b[lane]), ">= " + at);
            }
        }
    }

    [Fact]
    public void Logic_and_select_work_lane_by_lane()
    {
        var (x, y, a, b) = Pairs(7);
        var lt = SampleMask.Less(x, y);
        var ne = SampleMask.NotEqual(x, x);   // the NaN lanes
        var and = lt & !ne;
        var or = lt | ne;
        var withTrue = lt & true;
        var withFalse = lt | false;
        SampleBlock whenTrue = default, whenFalse = default;
        for (int lane = 0; lane < B; lane++)
        {
            whenTrue[lane] = 100 + lane;
            whenFalse[lane] = -100 - lane;
        }
        var selected = SampleMask.Select(or, whenTrue, whenFalse);
        for (int lane = 0; lane < B; lane++)
        {
            bool l = a[lane] < b[lane], n = double.IsNaN(a[lane]);
            Assert.Equal(l && !n, and[lane]);
            Assert.Equal(l || n, or[lane]);
            Assert.Equal(l, withTrue[lane]);
            Assert.Equal(l, withFalse[lane]);
            Assert.Equal(l || n ? 100 + lane : -100 - lane, selected[lane]);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => lt[B]);
    }

    [Fact]
    public void Select_keeps_the_bits_of_the_chosen_arm()
    {
        SampleBlock nan = double.NaN, negativeZero = -0.0;
        var mask = SampleMask.Greater(1.0, 0.0);   // true in every lane (doubles converted to blocks)
        var r = SampleMask.Select(mask, negativeZero, nan);
        for (int lane = 0; lane < B; lane++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(r[lane]));
        r = SampleMask.Select(!mask, negativeZero, nan);
        for (int lane = 0; lane < B; lane++) Assert.True(double.IsNaN(r[lane]));
    }
}
