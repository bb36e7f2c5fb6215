using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoCurv.CompilerServices;

/// <summary>
/// A per-lane truth value of a <see cref="SampleBlock"/> comparison: what a batched member computes for the condition
/// of a <c>?:</c> on sample values (the derivative rules of Math.Abs, Max, Min and Pow are such conditionals), then
/// <see cref="Select"/> keeps one arm per lane. Comparisons follow C#'s rules for doubles lane by lane (any comparison
/// with NaN is false, except <c>!=</c>). Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct SampleMask
{
    // All bits set in a lane that is true, clear in one that is false; Size lanes in the layout of SampleBlock.
    private Vector256<double> _m0, _m1, _m2, _m3;

    /// <summary>Lane <paramref name="lane"/>.</summary>
    public readonly bool this[int lane]
    {
        get
        {
            if ((uint)lane >= SampleBlock.Size) throw new ArgumentOutOfRangeException(nameof(lane));
            var v = (lane >> 2) switch { 0 => _m0, 1 => _m1, 2 => _m2, _ => _m3 };
            return v.AsUInt64().GetElement(lane & 3) != 0;
        }
    }

    /// <summary>Every lane equal to <paramref name="value"/> (a condition on shared values inside one on sample values).</summary>
    public static implicit operator SampleMask(bool value)
    {
        var v = value ? Vector256<double>.AllBitsSet : Vector256<double>.Zero;
        return new SampleMask { _m0 = v, _m1 = v, _m2 = v, _m3 = v };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref Vector256<double> Part(ref SampleBlock block, int k) =>
        ref Unsafe.Add(ref Unsafe.As<SampleBlock, Vector256<double>>(ref block), k);

    /// <summary>One comparison of four lanes; a struct type argument, so the JIT inlines it into <see cref="Compare{TOp}"/>.</summary>
    private interface IComparison
    {
        static abstract Vector256<double> Apply(Vector256<double> x, Vector256<double> y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static SampleMask Compare<TOp>(SampleBlock a, SampleBlock b) where TOp : struct, IComparison => new()
    {
        _m0 = TOp.Apply(Part(ref a, 0), Part(ref b, 0)),
        _m1 = TOp.Apply(Part(ref a, 1), Part(ref b, 1)),
        _m2 = TOp.Apply(Part(ref a, 2), Part(ref b, 2)),
        _m3 = TOp.Apply(Part(ref a, 3), Part(ref b, 3)),
    };

    private struct EqualOp : IComparison
    {
        public static Vector256<double> Apply(Vector256<double> x, Vector256<double> y) => Vector256.Equals(x, y);
    }

    /// <summary>a == b per lane.</summary>
    public static SampleMask Equal(SampleBlock a, SampleBlock b) => Compare<EqualOp>(a, b);

    private struct NotEqualOp : IComparison
    {
        public static Vector256<double> Apply(Vector256<double> x, Vector256<double> y) => ~Vector256.Equals(x, y);
    }

    /// <summary>a != b per lane (true where either is NaN).</summary>
    public static SampleMask NotEqual(SampleBlock a, SampleBlock b) => Compare<NotEqualOp>(a, b);

    private struct LessOp : IComparison
    {
        public static Vector256<double> Apply(Vector256<double> x, Vector256<double> y) => Vector256.LessThan(x, y);
    }

    /// <summary>a &lt; b per lane.</summary>
    public static SampleMask Less(SampleBlock a, SampleBlock b) => Compare<LessOp>(a, b);

    private struct LessOrEqualOp : IComparison
    {
        public static Vector256<double> Apply(Vector256<double> x, Vector256<double> y) => Vector256.LessThanOrEqual(x, y);
    }

    /// <summary>a &lt;= b per lane.</summary>
    public static SampleMask LessOrEqual(SampleBlock a, SampleBlock b) => Compare<LessOrEqualOp>(a, b);

    private struct GreaterOp : IComparison
    {
        public static Vector256<double> Apply(Vector256<double> x, Vector256<double> y) => Vector256.GreaterThan(x, y);
    }

    /// <summary>a &gt; b per lane.</summary>
    public static SampleMask Greater(SampleBlock a, SampleBlock b) => Compare<GreaterOp>(a, b);

    private struct GreaterOrEqualOp : IComparison
    {
        public static Vector256<double> Apply(Vector256<double> x, Vector256<double> y) => Vector256.GreaterThanOrEqual(x, y);
    }

    /// <summary>a &gt;= b per lane.</summary>
    public static SampleMask GreaterOrEqual(SampleBlock a, SampleBlock b) => Compare<GreaterOrEqualOp>(a, b);

    /// <summary>Lanes true in both.</summary>
    public static SampleMask operator &(SampleMask a, SampleMask b) => new() { _m0 = a._m0 & b._m0, _m1 = a._m1 & b._m1, _m2 = a._m2 & b._m2, _m3 = a._m3 & b._m3 };

    /// <summary>Lanes true in either.</summary>
    public static SampleMask operator |(SampleMask a, SampleMask b) => new() { _m0 = a._m0 | b._m0, _m1 = a._m1 | b._m1, _m2 = a._m2 | b._m2, _m3 = a._m3 | b._m3 };

    /// <summary>Lanes false in <paramref name="a"/>.</summary>
    public static SampleMask operator !(SampleMask a) => new() { _m0 = ~a._m0, _m1 = ~a._m1, _m2 = ~a._m2, _m3 = ~a._m3 };

    /// <summary>Per lane: <paramref name="whenTrue"/> where <paramref name="mask"/> is true, else <paramref name="whenFalse"/>.</summary>
    public static SampleBlock Select(SampleMask mask, SampleBlock whenTrue, SampleBlock whenFalse)
    {
        SampleBlock result = default;
        Part(ref result, 0) = Vector256.ConditionalSelect(mask._m0, Part(ref whenTrue, 0), Part(ref whenFalse, 0));
        Part(ref result, 1) = Vector256.ConditionalSelect(mask._m1, Part(ref whenTrue, 1), Part(ref whenFalse, 1));
        Part(ref result, 2) = Vector256.ConditionalSelect(mask._m2, Part(ref whenTrue, 2), Part(ref whenFalse, 2));
        Part(ref result, 3) = Vector256.ConditionalSelect(mask._m3, Part(ref whenTrue, 3), Part(ref whenFalse, 3));
        return result;
    }
}
