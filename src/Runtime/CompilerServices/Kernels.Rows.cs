using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoCurv.CompilerServices;

// Row kernels: the whole row loop of a dense layer in one call, so that each x[i] loaded serves several rows
// (register blocking over rows) and x stays in L1 while the rows stream past (cache blocking over i).
public static partial class Kernels
{
    /// <summary>The number of consecutive i summed into one partial sum by <see cref="DotRows"/>.</summary>
    private const int DotRowsChunk = 128;

    /// <summary>
    /// The number of consecutive i that <see cref="AxpyRows"/> transposes at once into a stack tile (8 KB): a multiple
    /// of 16. Only the speed depends on it, not the result.
    /// </summary>
    private const int AxpyRowsTile = 64;

    /// <summary>Below this many columns <see cref="AxpyRows"/> vectorizes over rows instead of over a transposed tile of x.</summary>
    private const int AxpyRowsAcrossBelow = 16;

    /// <summary>
    /// The fewest rows <see cref="AxpyRows"/> runs through its blocked path. Transposing x costs about 6 cycles a
    /// column, more than the blocked path saves over the single-row reduction on fewer rows (measured: 3 × 784 took
    /// 2.2 against 1.0 ns per weight per block, 8 × 784 0.45 against 1.3).
    /// </summary>
    private const int AxpyRowsMinRows = 8;

    /// <summary>
    /// into[r] = Σ_i w[offset + r·stride + i]·x[i] per lane, for r &lt; into.Length and i &lt; x.Length: the row loop
    /// of a dense layer in one call. <paramref name="into"/> is overwritten (zero blocks when x is empty).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Per lane and row, the sum runs over chunks of 128 consecutive i (from i = 0): each chunk's terms are added in
    /// increasing i with a fused multiply-add into a partial sum that starts at zero (p = w·x + p, one rounding), and
    /// into[r] = ((p_0 + p_1) + p_2) + …. Every hardware path (Vector512, Vector256, scalar) performs exactly these
    /// operations, so the result does not depend on the machine; it differs from the single-row
    /// <see cref="Dot(ReadOnlySpan{double}, ReadOnlySpan{SampleBlock})"/> (four partial sums by i mod 4) by rounding only.
    /// </para>
    /// <para>
    /// Any <paramref name="stride"/> is allowed: rows may overlap or run backwards (negative stride). Every index of
    /// <paramref name="w"/> the rows touch must lie inside it. <paramref name="into"/> must not overlap
    /// <paramref name="w"/> or <paramref name="x"/>.
    /// </para>
    /// </remarks>
    /// <param name="w">The weights; row r is w[offset + r·stride .. + x.Length).</param>
    /// <param name="offset">The index in <paramref name="w"/> of row 0.</param>
    /// <param name="stride">The distance in <paramref name="w"/> from one row to the next.</param>
    /// <param name="x">The blocks the rows are dotted with.</param>
    /// <param name="into">One block per row: the results.</param>
    /// <exception cref="ArgumentOutOfRangeException">A row touches an index outside <paramref name="w"/>.</exception>
    public static void DotRows(ReadOnlySpan<double> w, int offset, int stride, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> into)
    {
        int rows = into.Length, n = x.Length;
        if (rows == 0) return;
        if (n == 0)
        {
            into.Clear();
            return;
        }
        CheckRows(w.Length, offset, stride, rows, n, nameof(w));
        ref double w0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(w), offset);
        ref double x0 = ref LanesOf(x);
        ref double o = ref LanesOf(into);
        nint st = stride;
        SampleBlock discard = default;
        ref double discarded = ref SampleBlock.First(ref discard);
        // Chunk by chunk over i (16 KB of x, kept in L1 while all the rows pass), groups of rows inside.
        for (int i0 = 0; i0 < n; i0 += DotRowsChunk)
        {
            int len = Math.Min(DotRowsChunk, n - i0);
            bool first = i0 == 0;
            ref double wc = ref Unsafe.Add(ref w0, i0);
            ref double xc = ref Unsafe.Add(ref x0, (nint)i0 * SampleBlock.Size);
            int r = 0;
            if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
            {
                for (; r <= rows - 8; r += 8) DotRows8(ref Unsafe.Add(ref wc, r * st), st, ref xc, len, ref Unsafe.Add(ref o, (nint)r * SampleBlock.Size), first);
                // The last 1 to 7 rows four at a time; missing rows repeat the last row into a discarded block (four
                // rows take the time of one: the four-row kernel is bound by the latency of its fused adds).
                for (; r < rows; r += 4)
                {
                    int last = rows - 1;
                    ref double w0r = ref Unsafe.Add(ref wc, r * st);
                    ref double w1r = ref Unsafe.Add(ref wc, Math.Min(r + 1, last) * st);
                    ref double w2r = ref Unsafe.Add(ref wc, Math.Min(r + 2, last) * st);
                    ref double w3r = ref Unsafe.Add(ref wc, Math.Min(r + 3, last) * st);
                    ref double o0 = ref Unsafe.Add(ref o, (nint)r * SampleBlock.Size);
                    ref double o1 = ref r + 1 <= last ? ref Unsafe.Add(ref o0, SampleBlock.Size) : ref discarded;
                    ref double o2 = ref r + 2 <= last ? ref Unsafe.Add(ref o0, 2 * SampleBlock.Size) : ref discarded;
                    ref double o3 = ref r + 3 <= last ? ref Unsafe.Add(ref o0, 3 * SampleBlock.Size) : ref discarded;
                    DotRows4(ref w0r, ref w1r, ref w2r, ref w3r, ref xc, len, ref o0, ref o1, ref o2, ref o3, first);
                }
            }
            else if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
            {
                for (; r <= rows - 2; r += 2) DotRows2V256(ref Unsafe.Add(ref wc, r * st), st, ref xc, len, ref Unsafe.Add(ref o, (nint)r * SampleBlock.Size), first);
                for (; r < rows; r++) DotRows1V256(ref Unsafe.Add(ref wc, r * st), ref xc, len, ref Unsafe.Add(ref o, (nint)r * SampleBlock.Size), first);
            }
            else
            {
                for (; r < rows; r++) DotRows1Scalar(ref Unsafe.Add(ref wc, r * st), ref xc, len, ref Unsafe.Add(ref o, (nint)r * SampleBlock.Size), first);
            }
        }
    }

    /// <summary>
    /// z[offset + r·stride + i] += Σ_b scales[r][b]·x[i][b], for r &lt; scales.Length and i &lt; x.Length: the
    /// gradient reduction of a dense layer's rows in one call (per-sample contributions summed over the block's
    /// samples).
    /// </summary>
    /// <remarks>
    /// <para>
    /// With at least 8 rows that cannot overlap (stride ≥ x.Length or stride ≤ −x.Length), the rows go through the
    /// blocked path: each z[offset + r·stride + i] gets one sum over the lanes, in lane order with a fused
    /// multiply-add into a sum that starts at zero (s = x[i][b]·scales[r][b] + s for b = 0, 1, …, 15), and then
    /// z += s. It differs from the single-row <see cref="Axpy(SampleBlock, ReadOnlySpan{SampleBlock}, Span{double})"/>
    /// (the halving tree) by rounding only.
    /// </para>
    /// <para>
    /// Otherwise (fewer than 8 rows, which cannot pay for transposing x, or rows that overlap) the rows are added one
    /// after another in increasing r by that single-row reduction, exactly as the loop this call replaces; an element
    /// shared by overlapping rows receives their contributions in row order. Which of the two applies depends only on
    /// the row count, x.Length and the stride, and every hardware path (Vector512, Vector256, scalar) performs the
    /// same operations, so the result does not depend on the machine.
    /// </para>
    /// <para>
    /// Negative strides are allowed. Every index of <paramref name="z"/> the rows touch must lie inside it, and
    /// <paramref name="z"/> must not overlap <paramref name="scales"/> or <paramref name="x"/>.
    /// </para>
    /// </remarks>
    /// <param name="scales">One block per row: the per-sample factors of row r.</param>
    /// <param name="x">The blocks every row is scaled from.</param>
    /// <param name="z">The parameter-sized result; row r is z[offset + r·stride .. + x.Length).</param>
    /// <param name="offset">The index in <paramref name="z"/> of row 0.</param>
    /// <param name="stride">The distance in <paramref name="z"/> from one row to the next.</param>
    /// <exception cref="ArgumentOutOfRangeException">A row touches an index outside <paramref name="z"/>.</exception>
    public static void AxpyRows(ReadOnlySpan<SampleBlock> scales, ReadOnlySpan<SampleBlock> x, Span<double> z, int offset, int stride)
    {
        int rows = scales.Length, n = x.Length;
        if (rows == 0 || n == 0) return;
        CheckRows(z.Length, offset, stride, rows, n, nameof(z));
        nint st = stride;
        if (rows < AxpyRowsMinRows || (stride < n && stride > -n))
        {
            // Row after row: overlapping rows see the previous rows' additions (the sequential loop's semantics).
            for (int r = 0; r < rows; r++) Axpy(scales[r], x, z.Slice((int)(offset + r * st), n));
            return;
        }

        ref double s0 = ref LanesOf(scales);
        ref double x0 = ref LanesOf(x);
        ref double z0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(z), offset);
        if (!(Vector256.IsHardwareAccelerated && Fma.IsSupported) && !(Vector512.IsHardwareAccelerated && Avx512F.IsSupported))
        {
            for (int r = 0; r < rows; r++)
                AxpyRowScalar(ref Unsafe.Add(ref s0, (nint)r * SampleBlock.Size), ref x0, n, ref Unsafe.Add(ref z0, r * st));
            return;
        }

        bool avx512 = Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
        if (n < AxpyRowsAcrossBelow)
        {
            AxpyRowsAcross(ref s0, ref x0, rows, n, ref z0, st, avx512);
            return;
        }

        // x transposed a tile at a time (lane b of 8 consecutive i in one vector), zero-padded to a multiple of 16 i;
        // the padding's sums are computed and dropped. Spill: the sums of a row group's last, partial 16 i.
        int tile = n >= AxpyRowsTile ? AxpyRowsTile : (n + 15) & ~15;
        Span<double> buffer = stackalloc double[tile * SampleBlock.Size + 8];
        Span<double> spill = stackalloc double[8 * 16];
        ref double t = ref Align64(buffer);
        ref double sp = ref MemoryMarshal.GetReference(spill);
        for (int i0 = 0; i0 < n; i0 += tile)
        {
            int len = Math.Min(tile, n - i0);
            int width = (len + 15) & ~15;
            ref double xc = ref Unsafe.Add(ref x0, (nint)i0 * SampleBlock.Size);
            ref double zc = ref Unsafe.Add(ref z0, i0);
            int filled = 0;
            if (avx512)
            {
                for (; filled + 8 <= len; filled += 8)
                    Transpose8(ref Unsafe.Add(ref xc, (nint)filled * SampleBlock.Size), ref Unsafe.Add(ref t, (nint)filled * SampleBlock.Size));
            }
            FillTile(ref xc, filled, len, width, ref t);

            int r = 0;
            if (avx512)
            {
                for (; r <= rows - 8; r += 8) AxpyRows8(ref t, width, len, ref Unsafe.Add(ref s0, (nint)r * SampleBlock.Size), ref Unsafe.Add(ref zc, r * st), st, ref sp, r + 16 <= rows);
                for (; r <= rows - 4; r += 4) AxpyRows4(ref t, width, len, ref Unsafe.Add(ref s0, (nint)r * SampleBlock.Size), ref Unsafe.Add(ref zc, r * st), st, ref sp);
                // Single rows: each 16-column step starts new sums, so the steps overlap in the out-of-order core.
                for (; r < rows; r++) AxpyRows1(ref t, width, len, ref Unsafe.Add(ref s0, (nint)r * SampleBlock.Size), ref Unsafe.Add(ref zc, r * st), ref sp);
            }
            else
            {
                for (; r <= rows - 2; r += 2) AxpyRows2V256(ref t, width, len, ref Unsafe.Add(ref s0, (nint)r * SampleBlock.Size), ref Unsafe.Add(ref zc, r * st), st, ref sp);
                for (; r < rows; r++) AxpyRows1V256(ref t, width, len, ref Unsafe.Add(ref s0, (nint)r * SampleBlock.Size), ref Unsafe.Add(ref zc, r * st), ref sp);
            }
        }
    }

    /// <summary>
    /// Fewer columns than a 16-column step of the tile (which would mostly compute padding): vectors over rows
    /// instead, the scales of 8 (4) rows transposed so that lane j of vector b is row j's lane b, and one fused sum
    /// per i in lane order, the same operations as the tile path.
    /// </summary>
    private static void AxpyRowsAcross(ref double s, ref double x, int rows, int n, ref double z, nint stride, bool avx512)
    {
        Span<double> buffer = stackalloc double[8 * SampleBlock.Size + 8 + 8];
        ref double sT = ref Align64(buffer);
        ref double sums = ref Unsafe.Add(ref sT, 8 * SampleBlock.Size);
        int group = avx512 ? 8 : 4;
        for (int r0 = 0; r0 < rows; r0 += group)
        {
            int count = Math.Min(group, rows - r0);
            ref double sr = ref Unsafe.Add(ref s, (nint)r0 * SampleBlock.Size);
            if (avx512 && count == 8)
            {
                Transpose8(ref sr, ref sT);
            }
            else
            {
                for (int b = 0; b < SampleBlock.Size; b++)
                    for (int j = 0; j < group; j++)
                        Unsafe.Add(ref sT, b * group + j) = j < count ? Unsafe.Add(ref sr, j * SampleBlock.Size + b) : 0;
            }
            ref double zr = ref Unsafe.Add(ref z, r0 * stride);
            if (avx512) AxpyAcross8(ref sT, ref x, n, ref zr, stride, count, ref sums);
            else AxpyAcross4V256(ref sT, ref x, n, ref zr, stride, count, ref sums);
        }
    }

    /// <summary>Up to 8 rows (count) against n blocks of x, a vector over the rows, the transposed scales in registers.</summary>
    private static void AxpyAcross8(ref double sT, ref double x, int n, ref double z, nint stride, int count, ref double sums)
    {
        var t0 = Vector512.LoadUnsafe(ref sT, 0); var t1 = Vector512.LoadUnsafe(ref sT, 8);
        var t2 = Vector512.LoadUnsafe(ref sT, 16); var t3 = Vector512.LoadUnsafe(ref sT, 24);
        var t4 = Vector512.LoadUnsafe(ref sT, 32); var t5 = Vector512.LoadUnsafe(ref sT, 40);
        var t6 = Vector512.LoadUnsafe(ref sT, 48); var t7 = Vector512.LoadUnsafe(ref sT, 56);
        var t8 = Vector512.LoadUnsafe(ref sT, 64); var t9 = Vector512.LoadUnsafe(ref sT, 72);
        var t10 = Vector512.LoadUnsafe(ref sT, 80); var t11 = Vector512.LoadUnsafe(ref sT, 88);
        var t12 = Vector512.LoadUnsafe(ref sT, 96); var t13 = Vector512.LoadUnsafe(ref sT, 104);
        var t14 = Vector512.LoadUnsafe(ref sT, 112); var t15 = Vector512.LoadUnsafe(ref sT, 120);
        for (int i = 0; i < n; i++)
        {
            ref double xi = ref Unsafe.Add(ref x, (nint)i * SampleBlock.Size);
            var a = Avx512F.FusedMultiplyAdd(Vector512.Create(xi), t0, Vector512<double>.Zero);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 1)), t1, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 2)), t2, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 3)), t3, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 4)), t4, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 5)), t5, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 6)), t6, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 7)), t7, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 8)), t8, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 9)), t9, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 10)), t10, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 11)), t11, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 12)), t12, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 13)), t13, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 14)), t14, a);
            a = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xi, 15)), t15, a);
            a.StoreUnsafe(ref sums);
            ref double zi = ref Unsafe.Add(ref z, i);
            for (int j = 0; j < count; j++)
            {
                ref double zj = ref Unsafe.Add(ref zi, j * stride);
                zj = zj + Unsafe.Add(ref sums, j);
            }
        }
    }

    /// <summary>Up to 4 rows (count) against n blocks of x, a Vector256 over the rows.</summary>
    private static void AxpyAcross4V256(ref double sT, ref double x, int n, ref double z, nint stride, int count, ref double sums)
    {
        for (int i = 0; i < n; i++)
        {
            ref double xi = ref Unsafe.Add(ref x, (nint)i * SampleBlock.Size);
            var a = Vector256<double>.Zero;
            for (int b = 0; b < SampleBlock.Size; b++)
                a = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref xi, b)), Vector256.LoadUnsafe(ref sT, (nuint)(4 * b)), a);
            a.StoreUnsafe(ref sums);
            ref double zi = ref Unsafe.Add(ref z, i);
            for (int j = 0; j < count; j++)
            {
                ref double zj = ref Unsafe.Add(ref zi, j * stride);
                zj = zj + Unsafe.Add(ref sums, j);
            }
        }
    }

    /// <summary>Throws unless rows·n doubles at offset + r·stride (r &lt; rows, rows ≥ 1, n ≥ 1) lie in a span of <paramref name="length"/>.</summary>
    private static void CheckRows(int length, int offset, int stride, int rows, int n, string span)
    {
        if (offset < 0 || (long)offset + n > length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"Row 0 ({n} elements from offset {offset}) does not fit in {span} (length {length}).");
        long last = offset + (long)(rows - 1) * stride;
        if (last < 0 || last + n > length)
            throw new ArgumentOutOfRangeException(nameof(stride), stride,
                $"Row {rows - 1} ({n} elements from {last} = offset {offset} + {rows - 1}·stride) does not fit in {span} (length {length}).");
    }

    /// <summary>The first 64-byte aligned double of a stack buffer with at least 7 doubles to spare (stack memory does not move).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref double Align64(Span<double> buffer)
    {
        ref double first = ref MemoryMarshal.GetReference(buffer);
        nint misalignment = Unsafe.ByteOffset(ref Unsafe.NullRef<double>(), ref first) & 63;
        return ref Unsafe.Add(ref first, ((64 - misalignment) & 63) / sizeof(double));
    }

    // ---- DotRows: Vector512 ----

    /// <summary>The Vector512 and Vector256 paths' end of a chunk: into = p (first chunk) or into + p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double into, Vector512<double> p, bool first)
    {
        if (!first) p = Vector512.LoadUnsafe(ref into) + p;
        p.StoreUnsafe(ref into);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double into, Vector256<double> p, bool first)
    {
        if (!first) p = Vector256.LoadUnsafe(ref into) + p;
        p.StoreUnsafe(ref into);
    }

    /// <summary>Eight rows (w, w + stride, …) over n blocks of x: 16 accumulators, each x[i] loaded once.</summary>
    private static void DotRows8(ref double w, nint stride, ref double x, int n, ref double into, bool first)
    {
        nint s2 = 2 * stride, s3 = 3 * stride;
        ref double w4 = ref Unsafe.Add(ref w, 4 * stride);
        var a0 = Vector512<double>.Zero; var a1 = a0; var b0 = a0; var b1 = a0; var c0 = a0; var c1 = a0; var d0 = a0; var d1 = a0;
        var e0 = a0; var e1 = a0; var f0 = a0; var f1 = a0; var g0 = a0; var g1 = a0; var h0 = a0; var h1 = a0;
        ref double xk = ref x;
        ref double wk = ref w;
        ref double wk4 = ref w4;
        for (int k = 0; k < n; k++)
        {
            var lo = Vector512.LoadUnsafe(ref xk);
            var hi = Vector512.LoadUnsafe(ref xk, 8);
            var v = Vector512.Create(wk);
            a0 = Avx512F.FusedMultiplyAdd(v, lo, a0); a1 = Avx512F.FusedMultiplyAdd(v, hi, a1);
            v = Vector512.Create(Unsafe.Add(ref wk, stride));
            b0 = Avx512F.FusedMultiplyAdd(v, lo, b0); b1 = Avx512F.FusedMultiplyAdd(v, hi, b1);
            v = Vector512.Create(Unsafe.Add(ref wk, s2));
            c0 = Avx512F.FusedMultiplyAdd(v, lo, c0); c1 = Avx512F.FusedMultiplyAdd(v, hi, c1);
            v = Vector512.Create(Unsafe.Add(ref wk, s3));
            d0 = Avx512F.FusedMultiplyAdd(v, lo, d0); d1 = Avx512F.FusedMultiplyAdd(v, hi, d1);
            v = Vector512.Create(wk4);
            e0 = Avx512F.FusedMultiplyAdd(v, lo, e0); e1 = Avx512F.FusedMultiplyAdd(v, hi, e1);
            v = Vector512.Create(Unsafe.Add(ref wk4, stride));
            f0 = Avx512F.FusedMultiplyAdd(v, lo, f0); f1 = Avx512F.FusedMultiplyAdd(v, hi, f1);
            v = Vector512.Create(Unsafe.Add(ref wk4, s2));
            g0 = Avx512F.FusedMultiplyAdd(v, lo, g0); g1 = Avx512F.FusedMultiplyAdd(v, hi, g1);
            v = Vector512.Create(Unsafe.Add(ref wk4, s3));
            h0 = Avx512F.FusedMultiplyAdd(v, lo, h0); h1 = Avx512F.FusedMultiplyAdd(v, hi, h1);
            xk = ref Unsafe.Add(ref xk, SampleBlock.Size);
            wk = ref Unsafe.Add(ref wk, 1);
            wk4 = ref Unsafe.Add(ref wk4, 1);
        }
        Store(ref into, a0, first); Store(ref Unsafe.Add(ref into, 8), a1, first);
        Store(ref Unsafe.Add(ref into, 16), b0, first); Store(ref Unsafe.Add(ref into, 24), b1, first);
        Store(ref Unsafe.Add(ref into, 32), c0, first); Store(ref Unsafe.Add(ref into, 40), c1, first);
        Store(ref Unsafe.Add(ref into, 48), d0, first); Store(ref Unsafe.Add(ref into, 56), d1, first);
        Store(ref Unsafe.Add(ref into, 64), e0, first); Store(ref Unsafe.Add(ref into, 72), e1, first);
        Store(ref Unsafe.Add(ref into, 80), f0, first); Store(ref Unsafe.Add(ref into, 88), f1, first);
        Store(ref Unsafe.Add(ref into, 96), g0, first); Store(ref Unsafe.Add(ref into, 104), g1, first);
        Store(ref Unsafe.Add(ref into, 112), h0, first); Store(ref Unsafe.Add(ref into, 120), h1, first);
    }

    /// <summary>Four rows (any four, by reference) over n blocks of x (the order of <see cref="DotRows8"/>).</summary>
    private static void DotRows4(ref double w0, ref double w1, ref double w2, ref double w3, ref double x, int n,
        ref double into0, ref double into1, ref double into2, ref double into3, bool first)
    {
        var a0 = Vector512<double>.Zero; var a1 = a0; var b0 = a0; var b1 = a0; var c0 = a0; var c1 = a0; var d0 = a0; var d1 = a0;
        for (int k = 0; k < n; k++)
        {
            ref double xk = ref Unsafe.Add(ref x, (nint)k * SampleBlock.Size);
            var lo = Vector512.LoadUnsafe(ref xk);
            var hi = Vector512.LoadUnsafe(ref xk, 8);
            var v = Vector512.Create(Unsafe.Add(ref w0, k));
            a0 = Avx512F.FusedMultiplyAdd(v, lo, a0); a1 = Avx512F.FusedMultiplyAdd(v, hi, a1);
            v = Vector512.Create(Unsafe.Add(ref w1, k));
            b0 = Avx512F.FusedMultiplyAdd(v, lo, b0); b1 = Avx512F.FusedMultiplyAdd(v, hi, b1);
            v = Vector512.Create(Unsafe.Add(ref w2, k));
            c0 = Avx512F.FusedMultiplyAdd(v, lo, c0); c1 = Avx512F.FusedMultiplyAdd(v, hi, c1);
            v = Vector512.Create(Unsafe.Add(ref w3, k));
            d0 = Avx512F.FusedMultiplyAdd(v, lo, d0); d1 = Avx512F.FusedMultiplyAdd(v, hi, d1);
        }
        Store(ref into0, a0, first); Store(ref Unsafe.Add(ref into0, 8), a1, first);
        Store(ref into1, b0, first); Store(ref Unsafe.Add(ref into1, 8), b1, first);
        Store(ref into2, c0, first); Store(ref Unsafe.Add(ref into2, 8), c1, first);
        Store(ref into3, d0, first); Store(ref Unsafe.Add(ref into3, 8), d1, first);
    }

    // ---- DotRows: Vector256 and scalar (the same operations per lane) ----

    /// <summary>Two rows over n blocks of x, a block as four Vector256: 8 accumulators.</summary>
    private static void DotRows2V256(ref double w, nint stride, ref double x, int n, ref double into, bool first)
    {
        var a0 = Vector256<double>.Zero; var a1 = a0; var a2 = a0; var a3 = a0; var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0;
        for (int k = 0; k < n; k++)
        {
            ref double xk = ref Unsafe.Add(ref x, (nint)k * SampleBlock.Size);
            var x0 = Vector256.LoadUnsafe(ref xk); var x1 = Vector256.LoadUnsafe(ref xk, 4);
            var x2 = Vector256.LoadUnsafe(ref xk, 8); var x3 = Vector256.LoadUnsafe(ref xk, 12);
            ref double wk = ref Unsafe.Add(ref w, k);
            var v = Vector256.Create(wk);
            a0 = Fma.MultiplyAdd(v, x0, a0); a1 = Fma.MultiplyAdd(v, x1, a1); a2 = Fma.MultiplyAdd(v, x2, a2); a3 = Fma.MultiplyAdd(v, x3, a3);
            v = Vector256.Create(Unsafe.Add(ref wk, stride));
            b0 = Fma.MultiplyAdd(v, x0, b0); b1 = Fma.MultiplyAdd(v, x1, b1); b2 = Fma.MultiplyAdd(v, x2, b2); b3 = Fma.MultiplyAdd(v, x3, b3);
        }
        Store(ref into, a0, first); Store(ref Unsafe.Add(ref into, 4), a1, first);
        Store(ref Unsafe.Add(ref into, 8), a2, first); Store(ref Unsafe.Add(ref into, 12), a3, first);
        Store(ref Unsafe.Add(ref into, 16), b0, first); Store(ref Unsafe.Add(ref into, 20), b1, first);
        Store(ref Unsafe.Add(ref into, 24), b2, first); Store(ref Unsafe.Add(ref into, 28), b3, first);
    }

    /// <summary>One row over n blocks of x, a block as four Vector256.</summary>
    private static void DotRows1V256(ref double w, ref double x, int n, ref double into, bool first)
    {
        var a0 = Vector256<double>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
        for (int k = 0; k < n; k++)
        {
            ref double xk = ref Unsafe.Add(ref x, (nint)k * SampleBlock.Size);
            var v = Vector256.Create(Unsafe.Add(ref w, k));
            a0 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref xk), a0);
            a1 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref xk, 4), a1);
            a2 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref xk, 8), a2);
            a3 = Fma.MultiplyAdd(v, Vector256.LoadUnsafe(ref xk, 12), a3);
        }
        Store(ref into, a0, first); Store(ref Unsafe.Add(ref into, 4), a1, first);
        Store(ref Unsafe.Add(ref into, 8), a2, first); Store(ref Unsafe.Add(ref into, 12), a3, first);
    }

    /// <summary>One row over n blocks of x, lane by lane.</summary>
    private static void DotRows1Scalar(ref double w, ref double x, int n, ref double into, bool first)
    {
        for (int b = 0; b < SampleBlock.Size; b++)
        {
            ref double xb = ref Unsafe.Add(ref x, b);
            double p = 0;
            for (int k = 0; k < n; k++) p = Math.FusedMultiplyAdd(Unsafe.Add(ref w, k), Unsafe.Add(ref xb, (nint)k * SampleBlock.Size), p);
            ref double o = ref Unsafe.Add(ref into, b);
            o = first ? p : o + p;
        }
    }

    // ---- AxpyRows: the transposed tile ----
    // Tile layout: the 8 consecutive i from column c (a multiple of 8) occupy 128 doubles at 16·c, lane b of them the
    // 8 doubles at 16·c + 8·b. A 16-column step reads lane b of its two 8-column halves at 8·b and 128 + 8·b.

    /// <summary>Transposes 8 blocks (x[0..8), 16 lanes each) into one 8-column slice of the tile: t[8·b + j] = x[j][b].</summary>
    private static void Transpose8(ref double x, ref double t)
    {
        for (int half = 0; half < SampleBlock.Size; half += 8)
        {
            // Rows j = 0..7 of an 8 × 8 matrix (block j, lanes half .. half + 7), transposed in three levels.
            var r0 = Vector512.LoadUnsafe(ref x, (nuint)(0 * SampleBlock.Size + half));
            var r1 = Vector512.LoadUnsafe(ref x, (nuint)(1 * SampleBlock.Size + half));
            var r2 = Vector512.LoadUnsafe(ref x, (nuint)(2 * SampleBlock.Size + half));
            var r3 = Vector512.LoadUnsafe(ref x, (nuint)(3 * SampleBlock.Size + half));
            var r4 = Vector512.LoadUnsafe(ref x, (nuint)(4 * SampleBlock.Size + half));
            var r5 = Vector512.LoadUnsafe(ref x, (nuint)(5 * SampleBlock.Size + half));
            var r6 = Vector512.LoadUnsafe(ref x, (nuint)(6 * SampleBlock.Size + half));
            var r7 = Vector512.LoadUnsafe(ref x, (nuint)(7 * SampleBlock.Size + half));
            // Pairs of rows, even and odd elements: a0 = [r0_0 r1_0 | r0_2 r1_2 | r0_4 r1_4 | r0_6 r1_6], a1 the odd ones.
            var a0 = Avx512F.UnpackLow(r0, r1); var a1 = Avx512F.UnpackHigh(r0, r1);
            var a2 = Avx512F.UnpackLow(r2, r3); var a3 = Avx512F.UnpackHigh(r2, r3);
            var a4 = Avx512F.UnpackLow(r4, r5); var a5 = Avx512F.UnpackHigh(r4, r5);
            var a6 = Avx512F.UnpackLow(r6, r7); var a7 = Avx512F.UnpackHigh(r6, r7);
            // Quads of rows: q0 = [r0_0 r1_0 | r0_4 r1_4 | r2_0 r3_0 | r2_4 r3_4], q1 elements 2 and 6, q2 1 and 5, q3 3 and 7.
            var q0 = Avx512F.Shuffle4x128(a0, a2, 0x88); var q1 = Avx512F.Shuffle4x128(a0, a2, 0xDD);
            var q2 = Avx512F.Shuffle4x128(a1, a3, 0x88); var q3 = Avx512F.Shuffle4x128(a1, a3, 0xDD);
            var q4 = Avx512F.Shuffle4x128(a4, a6, 0x88); var q5 = Avx512F.Shuffle4x128(a4, a6, 0xDD);
            var q6 = Avx512F.Shuffle4x128(a5, a7, 0x88); var q7 = Avx512F.Shuffle4x128(a5, a7, 0xDD);
            // All eight rows: element e of rows 0..7.
            ref double th = ref Unsafe.Add(ref t, half * 8);
            Avx512F.Shuffle4x128(q0, q4, 0x88).StoreUnsafe(ref th, 0 * 8);
            Avx512F.Shuffle4x128(q2, q6, 0x88).StoreUnsafe(ref th, 1 * 8);
            Avx512F.Shuffle4x128(q1, q5, 0x88).StoreUnsafe(ref th, 2 * 8);
            Avx512F.Shuffle4x128(q3, q7, 0x88).StoreUnsafe(ref th, 3 * 8);
            Avx512F.Shuffle4x128(q0, q4, 0xDD).StoreUnsafe(ref th, 4 * 8);
            Avx512F.Shuffle4x128(q2, q6, 0xDD).StoreUnsafe(ref th, 5 * 8);
            Avx512F.Shuffle4x128(q1, q5, 0xDD).StoreUnsafe(ref th, 6 * 8);
            Avx512F.Shuffle4x128(q3, q7, 0xDD).StoreUnsafe(ref th, 7 * 8);
        }
    }

    /// <summary>Columns [from, len) of the tile from x (element by element), and zeros in [len, width).</summary>
    private static void FillTile(ref double x, int from, int len, int width, ref double t)
    {
        for (int c = from; c < width; c++)
        {
            ref double tc = ref Unsafe.Add(ref t, (nint)(c & ~7) * SampleBlock.Size + (c & 7));
            if (c < len)
            {
                ref double xc = ref Unsafe.Add(ref x, (nint)c * SampleBlock.Size);
                for (int b = 0; b < SampleBlock.Size; b++) Unsafe.Add(ref tc, 8 * b) = Unsafe.Add(ref xc, b);
            }
            else
            {
                for (int b = 0; b < SampleBlock.Size; b++) Unsafe.Add(ref tc, 8 * b) = 0;
            }
        }
    }

    /// <summary>
    /// z[j·stride + c] += sums[16·j + c] for rows j &lt; <paramref name="rows"/> and c &lt; <paramref name="valid"/>:
    /// the last, partial 16 columns of a row group, through the spill buffer.
    /// </summary>
    private static void AddSpilled(ref double z, nint stride, ref double sums, int rows, int valid)
    {
        for (int j = 0; j < rows; j++)
        {
            ref double zj = ref Unsafe.Add(ref z, j * stride);
            for (int c = 0; c < valid; c++) Unsafe.Add(ref zj, c) = Unsafe.Add(ref zj, c) + Unsafe.Add(ref sums, 16 * j + c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(ref double z, Vector512<double> lo, Vector512<double> hi)
    {
        (Vector512.LoadUnsafe(ref z) + lo).StoreUnsafe(ref z);
        (Vector512.LoadUnsafe(ref z, 8) + hi).StoreUnsafe(ref z, 8);
    }

    // ---- AxpyRows: Vector512 ----

    /// <summary>
    /// Eight rows (scales s, s + 16, …; z, z + stride, …) over the tile's <paramref name="width"/> columns, 16 at a
    /// time: 16 accumulators, each tile vector loaded once for the eight rows.
    /// </summary>
    private static unsafe void AxpyRows8(ref double t, int width, int len, ref double s, ref double z, nint stride, ref double spill, bool prefetch)
    {
        double* pz = (double*)Unsafe.AsPointer(ref z);
        for (int c = 0; c < width; c += 16)
        {
            // The next row group's 16 columns (when there is one), prefetched one group's time ahead of their
            // read-modify-write: z (the gradient sum, 800 KB for 784 × 128) does not stay in L2 between blocks, and
            // the hardware prefetcher does not follow 128 rows of short runs. Only an address: a prefetch never
            // faults, and if the GC moved z meanwhile, one of the old address would merely be wasted.
            double* pn = pz + 8 * stride + c;
            if (prefetch)
            {
                Sse.Prefetch0(pn); Sse.Prefetch0(pn + 15);
                Sse.Prefetch0(pn + stride); Sse.Prefetch0(pn + stride + 15);
                Sse.Prefetch0(pn + 2 * stride); Sse.Prefetch0(pn + 2 * stride + 15);
                Sse.Prefetch0(pn + 3 * stride); Sse.Prefetch0(pn + 3 * stride + 15);
                Sse.Prefetch0(pn + 4 * stride); Sse.Prefetch0(pn + 4 * stride + 15);
                Sse.Prefetch0(pn + 5 * stride); Sse.Prefetch0(pn + 5 * stride + 15);
                Sse.Prefetch0(pn + 6 * stride); Sse.Prefetch0(pn + 6 * stride + 15);
                Sse.Prefetch0(pn + 7 * stride); Sse.Prefetch0(pn + 7 * stride + 15);
            }
            ref double tc = ref Unsafe.Add(ref t, (nint)c * SampleBlock.Size);
            var a0 = Vector512<double>.Zero; var a1 = a0; var b0 = a0; var b1 = a0; var c0 = a0; var c1 = a0; var d0 = a0; var d1 = a0;
            var e0 = a0; var e1 = a0; var f0 = a0; var f1 = a0; var g0 = a0; var g1 = a0; var h0 = a0; var h1 = a0;
            ref double tb = ref tc;
            ref double sb = ref s;
            for (int b = 0; b < SampleBlock.Size; b++)
            {
                var lo = Vector512.LoadUnsafe(ref tb);
                var hi = Vector512.LoadUnsafe(ref tb, 128);
                var v = Vector512.Create(sb);
                a0 = Avx512F.FusedMultiplyAdd(lo, v, a0); a1 = Avx512F.FusedMultiplyAdd(hi, v, a1);
                v = Vector512.Create(Unsafe.Add(ref sb, 16));
                b0 = Avx512F.FusedMultiplyAdd(lo, v, b0); b1 = Avx512F.FusedMultiplyAdd(hi, v, b1);
                v = Vector512.Create(Unsafe.Add(ref sb, 32));
                c0 = Avx512F.FusedMultiplyAdd(lo, v, c0); c1 = Avx512F.FusedMultiplyAdd(hi, v, c1);
                v = Vector512.Create(Unsafe.Add(ref sb, 48));
                d0 = Avx512F.FusedMultiplyAdd(lo, v, d0); d1 = Avx512F.FusedMultiplyAdd(hi, v, d1);
                v = Vector512.Create(Unsafe.Add(ref sb, 64));
                e0 = Avx512F.FusedMultiplyAdd(lo, v, e0); e1 = Avx512F.FusedMultiplyAdd(hi, v, e1);
                v = Vector512.Create(Unsafe.Add(ref sb, 80));
                f0 = Avx512F.FusedMultiplyAdd(lo, v, f0); f1 = Avx512F.FusedMultiplyAdd(hi, v, f1);
                v = Vector512.Create(Unsafe.Add(ref sb, 96));
                g0 = Avx512F.FusedMultiplyAdd(lo, v, g0); g1 = Avx512F.FusedMultiplyAdd(hi, v, g1);
                v = Vector512.Create(Unsafe.Add(ref sb, 112));
                h0 = Avx512F.FusedMultiplyAdd(lo, v, h0); h1 = Avx512F.FusedMultiplyAdd(hi, v, h1);
                tb = ref Unsafe.Add(ref tb, 8);
                sb = ref Unsafe.Add(ref sb, 1);
            }
            ref double zc = ref Unsafe.Add(ref z, c);
            if (len - c >= 16)
            {
                AddTo(ref zc, a0, a1);
                AddTo(ref Unsafe.Add(ref zc, stride), b0, b1);
                AddTo(ref Unsafe.Add(ref zc, 2 * stride), c0, c1);
                AddTo(ref Unsafe.Add(ref zc, 3 * stride), d0, d1);
                AddTo(ref Unsafe.Add(ref zc, 4 * stride), e0, e1);
                AddTo(ref Unsafe.Add(ref zc, 5 * stride), f0, f1);
                AddTo(ref Unsafe.Add(ref zc, 6 * stride), g0, g1);
                AddTo(ref Unsafe.Add(ref zc, 7 * stride), h0, h1);
            }
            else
            {
                a0.StoreUnsafe(ref spill, 0); a1.StoreUnsafe(ref spill, 8); b0.StoreUnsafe(ref spill, 16); b1.StoreUnsafe(ref spill, 24);
                c0.StoreUnsafe(ref spill, 32); c1.StoreUnsafe(ref spill, 40); d0.StoreUnsafe(ref spill, 48); d1.StoreUnsafe(ref spill, 56);
                e0.StoreUnsafe(ref spill, 64); e1.StoreUnsafe(ref spill, 72); f0.StoreUnsafe(ref spill, 80); f1.StoreUnsafe(ref spill, 88);
                g0.StoreUnsafe(ref spill, 96); g1.StoreUnsafe(ref spill, 104); h0.StoreUnsafe(ref spill, 112); h1.StoreUnsafe(ref spill, 120);
                AddSpilled(ref zc, stride, ref spill, 8, len - c);
            }
        }
    }

    /// <summary>Four rows over the tile (the order of <see cref="AxpyRows8"/>).</summary>
    private static void AxpyRows4(ref double t, int width, int len, ref double s, ref double z, nint stride, ref double spill)
    {
        for (int c = 0; c < width; c += 16)
        {
            ref double tc = ref Unsafe.Add(ref t, (nint)c * SampleBlock.Size);
            var a0 = Vector512<double>.Zero; var a1 = a0; var b0 = a0; var b1 = a0; var c0 = a0; var c1 = a0; var d0 = a0; var d1 = a0;
            for (int b = 0; b < SampleBlock.Size; b++)
            {
                var lo = Vector512.LoadUnsafe(ref tc, (nuint)(8 * b));
                var hi = Vector512.LoadUnsafe(ref tc, (nuint)(128 + 8 * b));
                ref double sb = ref Unsafe.Add(ref s, b);
                var v = Vector512.Create(sb);
                a0 = Avx512F.FusedMultiplyAdd(lo, v, a0); a1 = Avx512F.FusedMultiplyAdd(hi, v, a1);
                v = Vector512.Create(Unsafe.Add(ref sb, 16));
                b0 = Avx512F.FusedMultiplyAdd(lo, v, b0); b1 = Avx512F.FusedMultiplyAdd(hi, v, b1);
                v = Vector512.Create(Unsafe.Add(ref sb, 32));
                c0 = Avx512F.FusedMultiplyAdd(lo, v, c0); c1 = Avx512F.FusedMultiplyAdd(hi, v, c1);
                v = Vector512.Create(Unsafe.Add(ref sb, 48));
                d0 = Avx512F.FusedMultiplyAdd(lo, v, d0); d1 = Avx512F.FusedMultiplyAdd(hi, v, d1);
            }
            ref double zc = ref Unsafe.Add(ref z, c);
            if (len - c >= 16)
            {
                AddTo(ref zc, a0, a1);
                AddTo(ref Unsafe.Add(ref zc, stride), b0, b1);
                AddTo(ref Unsafe.Add(ref zc, 2 * stride), c0, c1);
                AddTo(ref Unsafe.Add(ref zc, 3 * stride), d0, d1);
            }
            else
            {
                a0.StoreUnsafe(ref spill, 0); a1.StoreUnsafe(ref spill, 8); b0.StoreUnsafe(ref spill, 16); b1.StoreUnsafe(ref spill, 24);
                c0.StoreUnsafe(ref spill, 32); c1.StoreUnsafe(ref spill, 40); d0.StoreUnsafe(ref spill, 48); d1.StoreUnsafe(ref spill, 56);
                AddSpilled(ref zc, stride, ref spill, 4, len - c);
            }
        }
    }

    /// <summary>One row over the tile (the order of <see cref="AxpyRows8"/>).</summary>
    private static void AxpyRows1(ref double t, int width, int len, ref double s, ref double z, ref double spill)
    {
        for (int c = 0; c < width; c += 16)
        {
            ref double tc = ref Unsafe.Add(ref t, (nint)c * SampleBlock.Size);
            var a0 = Vector512<double>.Zero; var a1 = a0;
            for (int b = 0; b < SampleBlock.Size; b++)
            {
                var v = Vector512.Create(Unsafe.Add(ref s, b));
                a0 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref tc, (nuint)(8 * b)), v, a0);
                a1 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref tc, (nuint)(128 + 8 * b)), v, a1);
            }
            ref double zc = ref Unsafe.Add(ref z, c);
            if (len - c >= 16)
            {
                AddTo(ref zc, a0, a1);
            }
            else
            {
                a0.StoreUnsafe(ref spill, 0); a1.StoreUnsafe(ref spill, 8);
                AddSpilled(ref zc, 0, ref spill, 1, len - c);
            }
        }
    }

    // ---- AxpyRows: Vector256 and scalar (the same operations per element) ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(ref double z, Vector256<double> v0, Vector256<double> v1, Vector256<double> v2, Vector256<double> v3)
    {
        (Vector256.LoadUnsafe(ref z) + v0).StoreUnsafe(ref z);
        (Vector256.LoadUnsafe(ref z, 4) + v1).StoreUnsafe(ref z, 4);
        (Vector256.LoadUnsafe(ref z, 8) + v2).StoreUnsafe(ref z, 8);
        (Vector256.LoadUnsafe(ref z, 12) + v3).StoreUnsafe(ref z, 12);
    }

    /// <summary>Two rows over the tile, 16 columns as four Vector256: 8 accumulators.</summary>
    private static void AxpyRows2V256(ref double t, int width, int len, ref double s, ref double z, nint stride, ref double spill)
    {
        for (int c = 0; c < width; c += 16)
        {
            ref double tc = ref Unsafe.Add(ref t, (nint)c * SampleBlock.Size);
            var a0 = Vector256<double>.Zero; var a1 = a0; var a2 = a0; var a3 = a0; var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0;
            for (int b = 0; b < SampleBlock.Size; b++)
            {
                var x0 = Vector256.LoadUnsafe(ref tc, (nuint)(8 * b)); var x1 = Vector256.LoadUnsafe(ref tc, (nuint)(8 * b + 4));
                var x2 = Vector256.LoadUnsafe(ref tc, (nuint)(128 + 8 * b)); var x3 = Vector256.LoadUnsafe(ref tc, (nuint)(128 + 8 * b + 4));
                var v = Vector256.Create(Unsafe.Add(ref s, b));
                a0 = Fma.MultiplyAdd(x0, v, a0); a1 = Fma.MultiplyAdd(x1, v, a1); a2 = Fma.MultiplyAdd(x2, v, a2); a3 = Fma.MultiplyAdd(x3, v, a3);
                v = Vector256.Create(Unsafe.Add(ref s, 16 + b));
                b0 = Fma.MultiplyAdd(x0, v, b0); b1 = Fma.MultiplyAdd(x1, v, b1); b2 = Fma.MultiplyAdd(x2, v, b2); b3 = Fma.MultiplyAdd(x3, v, b3);
            }
            ref double zc = ref Unsafe.Add(ref z, c);
            if (len - c >= 16)
            {
                AddTo(ref zc, a0, a1, a2, a3);
                AddTo(ref Unsafe.Add(ref zc, stride), b0, b1, b2, b3);
            }
            else
            {
                a0.StoreUnsafe(ref spill, 0); a1.StoreUnsafe(ref spill, 4); a2.StoreUnsafe(ref spill, 8); a3.StoreUnsafe(ref spill, 12);
                b0.StoreUnsafe(ref spill, 16); b1.StoreUnsafe(ref spill, 20); b2.StoreUnsafe(ref spill, 24); b3.StoreUnsafe(ref spill, 28);
                AddSpilled(ref zc, stride, ref spill, 2, len - c);
            }
        }
    }

    /// <summary>One row over the tile, 16 columns as four Vector256.</summary>
    private static void AxpyRows1V256(ref double t, int width, int len, ref double s, ref double z, ref double spill)
    {
        for (int c = 0; c < width; c += 16)
        {
            ref double tc = ref Unsafe.Add(ref t, (nint)c * SampleBlock.Size);
            var a0 = Vector256<double>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            for (int b = 0; b < SampleBlock.Size; b++)
            {
                var v = Vector256.Create(Unsafe.Add(ref s, b));
                a0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref tc, (nuint)(8 * b)), v, a0);
                a1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref tc, (nuint)(8 * b + 4)), v, a1);
                a2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref tc, (nuint)(128 + 8 * b)), v, a2);
                a3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref tc, (nuint)(128 + 8 * b + 4)), v, a3);
            }
            ref double zc = ref Unsafe.Add(ref z, c);
            if (len - c >= 16)
            {
                AddTo(ref zc, a0, a1, a2, a3);
            }
            else
            {
                a0.StoreUnsafe(ref spill, 0); a1.StoreUnsafe(ref spill, 4); a2.StoreUnsafe(ref spill, 8); a3.StoreUnsafe(ref spill, 12);
                AddSpilled(ref zc, 0, ref spill, 1, len - c);
            }
        }
    }

    /// <summary>One row, element by element, straight from the blocks (no tile).</summary>
    private static void AxpyRowScalar(ref double s, ref double x, int n, ref double z)
    {
        for (int i = 0; i < n; i++)
        {
            ref double xi = ref Unsafe.Add(ref x, (nint)i * SampleBlock.Size);
            double sum = 0;
            for (int b = 0; b < SampleBlock.Size; b++) sum = Math.FusedMultiplyAdd(Unsafe.Add(ref xi, b), Unsafe.Add(ref s, b), sum);
            ref double zi = ref Unsafe.Add(ref z, i);
            zi = zi + sum;
        }
    }
}
