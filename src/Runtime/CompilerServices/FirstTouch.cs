using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoCurv.CompilerServices;

/// <summary>
/// Lazy clearing of a result span for generated code: instead of zeroing the whole span before accumulating into
/// it, a member keeps one bit per group of <see cref="Group"/> elements ("touched") and zeroes a group the first time
/// anything is added to it. A row that an axpy reaches first is then written once (z = a·x) instead of cleared,
/// read, added to and written; whatever no contribution reached is zeroed at the end (<see cref="ClearUntouched"/>).
/// An empty bitmap means the span was cleared already: every method is then a plain accumulation.
/// </summary>
/// <remarks>
/// Every result is the one the eager clear gives, bit for bit, except that a zero may keep its sign: where the eager
/// path computes 0 + (−0) = +0, the first store writes −0. Generated code uses this only for a span it reaches
/// through accumulations and axpy kernels alone. Not for direct use.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class FirstTouch
{
    /// <summary>Elements per touched bit (one 64-byte line of doubles when the span is aligned).</summary>
    public const int Group = 8;

    private const int GroupShift = 3;

    /// <summary>
    /// Spans shorter than this are cleared at once (<see cref="Begin"/> gives them an empty bitmap): they sit in L1,
    /// where a clear costs less than the bookkeeping.
    /// </summary>
    public const int LazyFrom = 4096;

    /// <summary>The number of words of the touched bitmap of a span of <paramref name="length"/> elements.</summary>
    public static int Words(int length) => (int)(((long)length + Group * 64 - 1) / (Group * 64));

    /// <summary>z[index] += value, zeroing the element's group first if nothing has touched it yet (with a non-empty bitmap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(Span<double> z, int index, double value, Span<ulong> touched)
    {
        // An index outside z throws IndexOutOfRangeException (from z or the bitmap) before anything is written.
        if (touched.IsEmpty)
        {
            z[index] += value;
            return;
        }
        int g = index >> GroupShift;
        ref ulong word = ref touched[g >> 6];
        ulong bit = 1UL << (g & 63);
        if ((word & bit) == 0)
        {
            word |= bit;
            int start = g << GroupShift;
            z.Slice(start, Math.Min(Group, z.Length - start)).Clear();
        }
        z[index] += value;
    }

    /// <summary>
    /// z[offset + i] += a·x[i] for i &lt; x.Length (the arithmetic of <see cref="Kernels.Axpy(double, ReadOnlySpan{double}, Span{double})"/>),
    /// where a group nothing has touched yet is written as 0 + a·x[i] = a·x[i] without reading z, and the elements of
    /// such a group outside the range are zeroed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range leaves <paramref name="z"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> z, int offset, Span<ulong> touched)
    {
        // An empty bitmap (a short span, cleared already): exactly the call the eager path makes, inlined, so that
        // small layers pay nothing for the lazy path they do not use.
        if (touched.IsEmpty) Kernels.Axpy(a, x, z.Slice(offset, x.Length));
        else Lazy(a, x, 0.0, default, twoTerms: false, z, offset, touched);
    }

    /// <summary>
    /// z[offset + i] += a·x[i] + b·y[i] for i &lt; x.Length (the arithmetic of
    /// <see cref="Kernels.Axpy2(double, ReadOnlySpan{double}, double, ReadOnlySpan{double}, Span{double})"/>), where a group
    /// nothing has touched yet is written as a·x[i] + b·y[i] without reading z, and the elements of such a group
    /// outside the range are zeroed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range leaves <paramref name="z"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy2(double a, ReadOnlySpan<double> x, double b, ReadOnlySpan<double> y, Span<double> z, int offset, Span<ulong> touched)
    {
        if (touched.IsEmpty) Kernels.Axpy2(a, x, b, y, z.Slice(offset, x.Length));
        else
        {
            if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
            Lazy(a, x, b, y, twoTerms: true, z, offset, touched);
        }
    }

    /// <summary>
    /// z[offset + i] += a·x[i] (+ b·y[i] with <paramref name="twoTerms"/>) run by run of touched and untouched groups:
    /// touched runs are added to, untouched runs are written without reading z, the rest of their groups zeroed, and
    /// their bits set.
    /// </summary>
    private static void Lazy(double a, ReadOnlySpan<double> x, double b, ReadOnlySpan<double> y, bool twoTerms, Span<double> z, int offset, Span<ulong> touched)
    {
        int n = x.Length;
        if (offset < 0 || offset > z.Length - n) throw new ArgumentOutOfRangeException(nameof(offset), $"The range [{offset}, {offset} + {n}) leaves a span of length {z.Length}.");
        if (touched.Length < Words(z.Length)) throw new ArgumentException($"Expected at least {Words(z.Length)} words, got {touched.Length}.", nameof(touched));
        if (n == 0) return;
        int g = offset >> GroupShift, last = (offset + n - 1) >> GroupShift;
        while (g <= last)
        {
            bool set = IsSet(touched, g);
            int end = RunEnd(touched, g, last + 1, set);
            int from = Math.Max(offset, g << GroupShift), to = Math.Min(offset + n, end << GroupShift);
            var xs = x.Slice(from - offset, to - from);
            var ys = twoTerms ? y.Slice(from - offset, to - from) : default;
            var zs = z.Slice(from, to - from);
            if (set)
            {
                if (twoTerms) Kernels.Axpy2(a, xs, b, ys, zs);
                else Kernels.Axpy(a, xs, zs);
            }
            else
            {
                // The groups' elements before and after the range (the first and last group may stick out).
                int groupStart = g << GroupShift, groupEnd = Math.Min(z.Length, end << GroupShift);
                z.Slice(groupStart, from - groupStart).Clear();
                z.Slice(to, groupEnd - to).Clear();
                if (twoTerms) Scale2(a, xs, b, ys, zs);
                else Scale(a, xs, zs);
                SetRange(touched, g, end);
            }
            g = end;
        }
    }

    /// <summary>
    /// The start of a lazily cleared member: a span shorter than <see cref="LazyFrom"/> is cleared at once and gets an
    /// empty bitmap; a longer one gets a zeroed bitmap of <see cref="Words"/> words rented from the pool (hand
    /// <paramref name="rented"/> to <see cref="Scratch.Return{T}"/> at the end).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<ulong> Begin(Span<double> z, ref ulong[]? rented)
    {
        if (z.Length < LazyFrom)
        {
            Scratch.Clear(z); // leaves the upper vector registers clean for what the member calls next (Scratch.Clear)
            return default;
        }
        return Scratch.Rent(Words(z.Length), ref rented);
    }

    /// <summary>Zeroes every group of <paramref name="z"/> that nothing touched (the end of a lazily cleared member); nothing for an empty bitmap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ClearUntouched(Span<double> z, ReadOnlySpan<ulong> touched)
    {
        if (!touched.IsEmpty) ClearUntouchedLazy(z, touched);
    }

    private static void ClearUntouchedLazy(Span<double> z, ReadOnlySpan<ulong> touched)
    {
        int groups = (int)(((long)z.Length + Group - 1) >> GroupShift);
        if (touched.Length < Words(z.Length)) throw new ArgumentException($"Expected at least {Words(z.Length)} words, got {touched.Length}.", nameof(touched));
        int g = 0;
        while (g < groups)
        {
            bool set = IsSet(touched, g);
            int end = RunEnd(touched, g, groups, set);
            if (!set)
            {
                int start = g << GroupShift;
                z.Slice(start, Math.Min(z.Length, end << GroupShift) - start).Clear();
            }
            g = end;
        }
    }

    /// <summary>z[i] = a·x[i].</summary>
    private static void Scale(double a, ReadOnlySpan<double> x, Span<double> z)
    {
        int n = x.Length, i = 0;
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double zr = ref MemoryMarshal.GetReference(z);
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var av = Vector256.Create(a);
            if (Sse.IsSupported && n >= Kernels.PrefetchFrom)
            {
                for (; i <= n - 8 - Kernels.WriteAhead; i += 8)
                {
                    Kernels.Prefetch(ref Unsafe.Add(ref zr, i + Kernels.WriteAhead));
                    (av * Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
                    (av * Vector256.LoadUnsafe(ref xr, (nuint)(i + 4))).StoreUnsafe(ref zr, (nuint)(i + 4));
                }
            }
            for (; i <= n - 8; i += 8)
            {
                (av * Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
                (av * Vector256.LoadUnsafe(ref xr, (nuint)(i + 4))).StoreUnsafe(ref zr, (nuint)(i + 4));
            }
        }
        for (; i < n; i++) Unsafe.Add(ref zr, i) = a * Unsafe.Add(ref xr, i);
    }

    /// <summary>z[i] = a·x[i] + b·y[i].</summary>
    private static void Scale2(double a, ReadOnlySpan<double> x, double b, ReadOnlySpan<double> y, Span<double> z)
    {
        int n = x.Length, i = 0;
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double yr = ref MemoryMarshal.GetReference(y);
        ref double zr = ref MemoryMarshal.GetReference(z);
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var av = Vector256.Create(a);
            var bv = Vector256.Create(b);
            if (Sse.IsSupported && n >= Kernels.PrefetchFrom)
            {
                for (; i <= n - 8 - Kernels.WriteAhead; i += 8)
                {
                    Kernels.Prefetch(ref Unsafe.Add(ref zr, i + Kernels.WriteAhead));
                    (av * Vector256.LoadUnsafe(ref xr, (nuint)i) + bv * Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
                    (av * Vector256.LoadUnsafe(ref xr, (nuint)(i + 4)) + bv * Vector256.LoadUnsafe(ref yr, (nuint)(i + 4))).StoreUnsafe(ref zr, (nuint)(i + 4));
                }
            }
            for (; i <= n - 8; i += 8)
            {
                (av * Vector256.LoadUnsafe(ref xr, (nuint)i) + bv * Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
                (av * Vector256.LoadUnsafe(ref xr, (nuint)(i + 4)) + bv * Vector256.LoadUnsafe(ref yr, (nuint)(i + 4))).StoreUnsafe(ref zr, (nuint)(i + 4));
            }
        }
        for (; i < n; i++) Unsafe.Add(ref zr, i) = a * Unsafe.Add(ref xr, i) + b * Unsafe.Add(ref yr, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSet(ReadOnlySpan<ulong> touched, int g) => (touched[g >> 6] & (1UL << (g & 63))) != 0;

    /// <summary>The first group at or after <paramref name="g"/> (and before <paramref name="limit"/>) whose bit differs from <paramref name="set"/>.</summary>
    private static int RunEnd(ReadOnlySpan<ulong> touched, int g, int limit, bool set)
    {
        while (g < limit)
        {
            ulong word = touched[g >> 6];
            if (set) word = ~word;
            word >>= g & 63; // the bits from g on, as "differs" = 1
            if (word != 0) return Math.Min(limit, g + BitOperations.TrailingZeroCount(word));
            g = (g | 63) + 1;
        }
        return limit;
    }

    private static void SetRange(Span<ulong> touched, int from, int to)
    {
        for (int g = from; g < to;)
        {
            int bit = g & 63, count = Math.Min(64 - bit, to - g);
            ulong mask = count == 64 ? ulong.MaxValue : ((1UL << count) - 1) << bit;
            touched[g >> 6] |= mask;
            g += count;
        }
    }
}
