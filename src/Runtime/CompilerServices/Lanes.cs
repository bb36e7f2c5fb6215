using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace AutoCurv.CompilerServices;

/// <summary>Lane helpers for vector-mode generated members (several directions per pass). Not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Lanes
{
    /// <summary>A vector with 1 in <paramref name="lane"/> and 0 elsewhere (all 0 when the lane is out of range).</summary>
    public static Vector256<T> Unit<T>(int lane) where T : unmanaged, INumberBase<T>
    {
        var v = Vector256<T>.Zero;
        return (uint)lane < (uint)Vector256<T>.Count ? v.WithElement(lane, T.One) : v;
    }

    /// <summary>Lanes l = 0.. of <c>source[start + l]</c> for <c>start + l &lt; end</c>; 0 beyond.</summary>
    public static Vector256<T> Load<T>(ReadOnlySpan<T> source, int start, int end) where T : unmanaged, INumberBase<T>
    {
        var v = Vector256<T>.Zero;
        for (int l = 0; l < Vector256<T>.Count && start + l < end; l++) v = v.WithElement(l, source[start + l]);
        return v;
    }

    /// <summary>Σ over lanes of v².</summary>
    public static T SumOfSquares<T>(Vector256<T> v) where T : unmanaged, INumberBase<T> => Vector256.Sum(v * v);

    /// <summary>Σ over lanes of w·v² (signed columns of an indefinite loss factor).</summary>
    public static T WeightedSumOfSquares<T>(Vector256<T> v, Vector256<T> weights) where T : unmanaged, INumberBase<T> => Vector256.Sum(weights * v * v);

    /// <summary>Fills <paramref name="seeds"/> for the θ block starting at <paramref name="block"/>: element i gets lane (offset + i − block).</summary>
    public static void Seed<T>(Span<Vector256<T>> seeds, int offset, int block) where T : unmanaged, INumberBase<T>
    {
        for (int i = 0; i < seeds.Length; i++) seeds[i] = Unit<T>(offset + i - block);
    }
}
