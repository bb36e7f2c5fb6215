using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.InteropServices;
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

    // ---- Squares of single contributions (the exact GGN diagonal without a lanes gradient buffer) ----

    /// <summary>Number of <see cref="ulong"/> words of a bitmap with one bit per element of an <paramref name="elements"/>-long span.</summary>
    public static int TouchedLength(int elements)
    {
        if (elements < 0) throw new ArgumentOutOfRangeException(nameof(elements), "An element count must not be negative.");
        return (int)(((long)elements + 63) >> 6);
    }

    /// <summary>
    /// One contribution <paramref name="value"/> to element <paramref name="index"/> of a parameter adjoint, squared:
    /// <c>squares[index] += Σ_l weights_l·value_l²</c>, and the element marked in <paramref name="touched"/> (one bit per
    /// element). Returns false when the element was marked already: it then has more than one contribution in this
    /// sweep, and the sum of their squares is not the square of their sum.
    /// </summary>
    public static bool AddSquare<T>(Vector256<T> value, Vector256<T> weights, Span<T> squares, int index, Span<ulong> touched)
        where T : unmanaged, INumberBase<T>
    {
        if ((uint)index >= (uint)squares.Length) throw new ArgumentOutOfRangeException(nameof(index), "The index is outside the squares span.");
        if (touched.Length < TouchedLength(squares.Length)) throw new ArgumentException("The bitmap is shorter than one bit per element.", nameof(touched));
        squares[index] += Vector256.Sum(weights * value * value);
        return Mark(touched, index, 1);
    }

    /// <summary>
    /// The squares of an axpy's contributions <c>a·x[k]</c> to elements <c>start + k</c> of a parameter adjoint:
    /// <c>squares[start + k] += s·x[k]·x[k]</c> with <c>s = Σ_l weights_l·a_l²</c> (equal to Σ_l weights_l·(a_l·x[k])²
    /// up to rounding), and those elements marked in <paramref name="touched"/>. Returns false when any of them was
    /// marked already (see <see cref="AddSquare{T}"/>).
    /// </summary>
    public static bool AddSquares<T>(Vector256<T> a, Vector256<T> weights, ReadOnlySpan<T> x, Span<T> squares, int start, Span<ulong> touched)
        where T : unmanaged, INumberBase<T>
    {
        if (start < 0 || start > squares.Length - x.Length) throw new ArgumentException("The range start + x.Length runs outside the squares span.", nameof(squares));
        if (touched.Length < TouchedLength(squares.Length)) throw new ArgumentException("The bitmap is shorter than one bit per element.", nameof(touched));
        T s = Vector256.Sum(weights * a * a);
        int n = x.Length, i = 0;
        if (n == 0) return true;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref squares[start];
        if (Vector256.IsHardwareAccelerated && n >= Vector256<T>.Count)
        {
            var sv = Vector256.Create(s);
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
                (Vector256.LoadUnsafe(ref yr, (nuint)i) + sv * xv * xv).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++) squares[start + i] += s * x[i] * x[i];
        return Mark(touched, start, n);
    }

    /// <summary>Sets the bits [start, start + count) of <paramref name="touched"/>; false when any was set already.</summary>
    private static bool Mark(Span<ulong> touched, int start, int count)
    {
        bool fresh = true;
        for (int i = start, end = start + count; i < end;)
        {
            int bit = i & 63;
            int take = Math.Min(64 - bit, end - i);
            ulong mask = (take == 64 ? ulong.MaxValue : (1UL << take) - 1) << bit;
            ref ulong word = ref touched[i >> 6];
            if ((word & mask) != 0) fresh = false;
            word |= mask;
            i += take;
        }
        return fresh;
    }
}
