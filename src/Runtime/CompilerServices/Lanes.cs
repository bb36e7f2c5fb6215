using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoCurv.CompilerServices;

/// <summary>Lane helpers for vector-mode generated members (several directions per pass). Not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Lanes
{
    /// <summary>A vector with 1 in <paramref name="lane"/> and 0 elsewhere (all 0 when the lane is out of range).</summary>
    public static Vector256<T> Unit<T>(int lane) where T : unmanaged, INumberBase<T> =>
        (uint)lane < (uint)Vector256<T>.Count ? Window<T>(lane) : Vector256<T>.Zero;

    /// <summary>
    /// <see cref="Unit{T}"/> for −lanes ≤ <paramref name="lane"/> ≤ 2·lanes, the caller's guarantee: one load of the
    /// <see cref="UnitWindow{T}"/> array from its 1 back by <paramref name="lane"/>. Setting one element of a zero
    /// vector through memory (<c>WithElement</c> with a lane known only at run time) costs a store-forwarding stall
    /// instead; the drivers build 8 seeds per block of directions.
    /// </summary>
    private static Vector256<T> Window<T>(int lane) where T : unmanaged, INumberBase<T> =>
        Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(UnitWindow<T>.Values), (nuint)(2 * Vector256<T>.Count - lane));

    /// <summary>4 · lanes values, all 0 but a 1 at index 2 · lanes: the vectors <see cref="Window{T}"/> loads.</summary>
    private static class UnitWindow<T> where T : unmanaged, INumberBase<T>
    {
        internal static readonly T[] Values = Create();

        private static T[] Create()
        {
            var values = new T[4 * Vector256<T>.Count];
            values[2 * Vector256<T>.Count] = T.One;
            return values;
        }
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
        seeds.Clear();
        // The elements whose lane offset + i − block is 0 … lanes − 1, bounds exact in long (see Advance).
        int lo = (int)Math.Clamp((long)block - offset, 0, seeds.Length);
        int hi = (int)Math.Clamp((long)block + Vector256<T>.Count - offset, 0, seeds.Length);
        for (int i = lo; i < hi; i++) seeds[i] = Window<T>(offset + i - block);
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

    /// <summary>
    /// Moves the seeds of a driver's θ blocks on by one block: <see cref="Seed{T}"/> for <paramref name="block"/> = 0;
    /// otherwise <paramref name="seeds"/> must hold the seeds of the previous block (<paramref name="block"/> − lanes),
    /// and only the elements of the previous and the current block are rewritten (the others are 0 in both).
    /// </summary>
    public static void Advance<T>(Span<Vector256<T>> seeds, int offset, int block) where T : unmanaged, INumberBase<T>
    {
        if (block == 0)
        {
            Seed(seeds, offset, block);
            return;
        }
        // Exact bounds (long: no overflow for any offset and block), so every lane below is in −lanes … lanes − 1, the
        // window's range; offset + i − block may wrap on the way, but its value is exact.
        int lo = (int)Math.Clamp((long)block - Vector256<T>.Count - offset, 0, seeds.Length);
        int hi = (int)Math.Clamp((long)block + Vector256<T>.Count - offset, 0, seeds.Length);
        for (int i = lo; i < hi; i++) seeds[i] = Window<T>(offset + i - block);
    }

    /// <summary>
    /// Writes the lanes of <paramref name="lanes"/> as rows of a row-major matrix: for l &lt; <paramref name="rows"/>,
    /// <c>matrix[(firstRow + l) · stride + column + i] = lanes[i][l]</c>. A dense Hessian's driver stores the H·V of
    /// one block of directions with it (4 × 4 transposes for double where AVX is available).
    /// </summary>
    public static void StoreRows<T>(ReadOnlySpan<Vector256<T>> lanes, Span<T> matrix, int firstRow, int rows, int stride, int column)
        where T : unmanaged, INumberBase<T>
    {
        if ((uint)rows > (uint)Vector256<T>.Count) throw new ArgumentException($"rows must be between 0 and {Vector256<T>.Count}.", nameof(rows));
        if (firstRow < 0 || stride < 0 || column < 0) throw new ArgumentException("firstRow, stride and column must not be negative.", nameof(firstRow));
        if (rows == 0 || lanes.Length == 0) return;
        if ((long)(firstRow + rows - 1) * stride + column + lanes.Length > matrix.Length)
            throw new ArgumentException("The rows do not fit in the matrix.", nameof(matrix));
        int i = 0;
        if (typeof(T) == typeof(double) && rows == 4 && Avx.IsSupported)
        {
            var source = System.Runtime.InteropServices.MemoryMarshal.Cast<Vector256<T>, Vector256<double>>(lanes);
            var target = System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(matrix);
            ref double row0 = ref target[firstRow * stride + column];
            ref double row1 = ref Unsafe.Add(ref row0, stride);
            ref double row2 = ref Unsafe.Add(ref row1, stride);
            ref double row3 = ref Unsafe.Add(ref row2, stride);
            for (; i + 4 <= source.Length; i += 4)
            {
                var a = source[i];
                var b = source[i + 1];
                var c = source[i + 2];
                var d = source[i + 3];
                var ab0 = Avx.UnpackLow(a, b);   // a0 b0 a2 b2
                var ab1 = Avx.UnpackHigh(a, b);  // a1 b1 a3 b3
                var cd0 = Avx.UnpackLow(c, d);
                var cd1 = Avx.UnpackHigh(c, d);
                Vector256.StoreUnsafe(Avx.Permute2x128(ab0, cd0, 0x20), ref row0, (nuint)i);
                Vector256.StoreUnsafe(Avx.Permute2x128(ab1, cd1, 0x20), ref row1, (nuint)i);
                Vector256.StoreUnsafe(Avx.Permute2x128(ab0, cd0, 0x31), ref row2, (nuint)i);
                Vector256.StoreUnsafe(Avx.Permute2x128(ab1, cd1, 0x31), ref row3, (nuint)i);
            }
        }
        for (int l = 0; l < rows; l++)
        {
            var row = matrix.Slice((firstRow + l) * stride + column, lanes.Length);
            for (int k = i; k < lanes.Length; k++) row[k] = lanes[k].GetElement(l);
        }
    }
}
