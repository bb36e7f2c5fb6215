using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoCurv.CompilerServices;

/// <summary>
/// SIMD kernels the generator emits for recognised loops (dot-product reductions, axpy updates) in every
/// mode. Axpy is elementwise with a separate multiply and add (no FMA), so it gives exactly the result of
/// the loop it replaces; Dot reassociates the sum (four Vector256 accumulators). Not for direct use.
/// </summary>
/// <remarks>
/// The <see cref="SampleBlock"/> overloads serve the batched members (one lane per sample). Their results do not
/// depend on the hardware path (Vector512, Vector256 or scalar): every path performs the same operations in the same
/// order.
/// <list type="bullet">
/// <item>Dot with a block result: per lane, four partial sums over k ≡ 0, 1, 2, 3 (mod 4) up to the last multiple
/// of 4, each term added with a fused multiply-add (s = x·y + s, one rounding), combined as (s0 + s1) + (s2 + s3),
/// then the remaining terms fused-added in order.</item>
/// <item>Axpy into a block span: y[k] = y[k] + a·x[k] per lane, one multiply and one add, exactly the per-lane loop.</item>
/// <item>Axpy into a parameter-sized span (the sum over the lanes): per k, the 16 lane products are summed by
/// halving: p_j = a_j·x_j + (a_{j+8}·x_{j+8}) with a fused multiply-add (j &lt; 8), h_j = p_j + p_{j+4} (j &lt; 4),
/// g_j = h_j + h_{j+2} (j &lt; 2), and y[k] += g_0 + g_1.</item>
/// <item><see cref="DotRows"/> and <see cref="AxpyRows"/> (all the rows of a dense layer in one call): their own orders,
/// given in their remarks.</item>
/// </list>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Kernels
{
    /// <summary>
    /// Spans of at least this many doubles are streamed from L2 or beyond (a 784-wide layer's rows, one after another),
    /// and the kernels over them prefetch ahead: the hardware prefetcher stops at every 4 KB page. A prefetch is a hint:
    /// the arithmetic, and so every result, is the same with or without it. Each kernel writes its loop twice, with the
    /// prefetch and without: one loop that tests where to prefetch, or prefetches on every step, was 3–8% slower on W2
    /// (docs/benchmarks.md, "Tried and dropped").
    /// </summary>
    internal const int PrefetchFrom = 256;

    /// <summary>How far ahead a read stream is prefetched (doubles; 2 KB). Measured on W2: G·v −6%, forward unchanged.</summary>
    internal const int ReadAhead = 256;

    /// <summary>How far ahead a written stream is prefetched (doubles; 512 B). Measured on W2: gradient −10%, G·v −12%.</summary>
    internal const int WriteAhead = 64;

    /// <summary>Asks for the cache line holding <paramref name="at"/> (callers check <see cref="Sse.IsSupported"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Prefetch(ref double at) => Sse.Prefetch0(Unsafe.AsPointer(ref at));

    /// <summary>Σ x[i]·y[i].</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        int n = x.Length, i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && n >= 16)
        {
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double yr = ref MemoryMarshal.GetReference(y);
            var a0 = Vector256<double>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            if (Sse.IsSupported && n >= PrefetchFrom)
            {
                // The same steps as the loop below, with both operands prefetched ReadAhead elements ahead.
                for (; i <= n - 16 - ReadAhead; i += 16)
                {
                    Prefetch(ref Unsafe.Add(ref xr, i + ReadAhead)); Prefetch(ref Unsafe.Add(ref xr, i + ReadAhead + 8));
                    Prefetch(ref Unsafe.Add(ref yr, i + ReadAhead)); Prefetch(ref Unsafe.Add(ref yr, i + ReadAhead + 8));
                    a0 += Vector256.LoadUnsafe(ref xr, (nuint)i) * Vector256.LoadUnsafe(ref yr, (nuint)i);
                    a1 += Vector256.LoadUnsafe(ref xr, (nuint)(i + 4)) * Vector256.LoadUnsafe(ref yr, (nuint)(i + 4));
                    a2 += Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)) * Vector256.LoadUnsafe(ref yr, (nuint)(i + 8));
                    a3 += Vector256.LoadUnsafe(ref xr, (nuint)(i + 12)) * Vector256.LoadUnsafe(ref yr, (nuint)(i + 12));
                }
            }
            for (; i <= n - 16; i += 16)
            {
                a0 += Vector256.LoadUnsafe(ref xr, (nuint)i) * Vector256.LoadUnsafe(ref yr, (nuint)i);
                a1 += Vector256.LoadUnsafe(ref xr, (nuint)(i + 4)) * Vector256.LoadUnsafe(ref yr, (nuint)(i + 4));
                a2 += Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)) * Vector256.LoadUnsafe(ref yr, (nuint)(i + 8));
                a3 += Vector256.LoadUnsafe(ref xr, (nuint)(i + 12)) * Vector256.LoadUnsafe(ref yr, (nuint)(i + 12));
            }
            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) sum += x[i] * y[i];
        return sum;
    }

    /// <summary>
    /// (Σ x[i]·a[i], Σ x[i]·b[i]) in one pass over the three spans: each sum is formed exactly as
    /// <see cref="Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/> forms it, so the pair equals two Dot calls bit for bit.
    /// </summary>
    public static (double, double) Dot2(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(a));
        if (b.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(b));
        int n = x.Length, i = 0;
        double sa = 0, sb = 0;
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double ar = ref MemoryMarshal.GetReference(a);
        ref double br = ref MemoryMarshal.GetReference(b);
        if (Vector256.IsHardwareAccelerated && n >= 16)
        {
            var a0 = Vector256<double>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0;
            if (Sse.IsSupported && n >= PrefetchFrom)
            {
                for (; i <= n - 16 - ReadAhead; i += 16)
                {
                    Prefetch(ref Unsafe.Add(ref ar, i + ReadAhead)); Prefetch(ref Unsafe.Add(ref ar, i + ReadAhead + 8));
                    Prefetch(ref Unsafe.Add(ref br, i + ReadAhead)); Prefetch(ref Unsafe.Add(ref br, i + ReadAhead + 8));
                    Prefetch(ref Unsafe.Add(ref xr, i + ReadAhead)); Prefetch(ref Unsafe.Add(ref xr, i + ReadAhead + 8));
                    var x0 = Vector256.LoadUnsafe(ref xr, (nuint)i); var x1 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 4));
                    var x2 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)); var x3 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 12));
                    a0 += x0 * Vector256.LoadUnsafe(ref ar, (nuint)i); b0 += x0 * Vector256.LoadUnsafe(ref br, (nuint)i);
                    a1 += x1 * Vector256.LoadUnsafe(ref ar, (nuint)(i + 4)); b1 += x1 * Vector256.LoadUnsafe(ref br, (nuint)(i + 4));
                    a2 += x2 * Vector256.LoadUnsafe(ref ar, (nuint)(i + 8)); b2 += x2 * Vector256.LoadUnsafe(ref br, (nuint)(i + 8));
                    a3 += x3 * Vector256.LoadUnsafe(ref ar, (nuint)(i + 12)); b3 += x3 * Vector256.LoadUnsafe(ref br, (nuint)(i + 12));
                }
            }
            for (; i <= n - 16; i += 16)
            {
                var x0 = Vector256.LoadUnsafe(ref xr, (nuint)i); var x1 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 4));
                var x2 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)); var x3 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 12));
                a0 += x0 * Vector256.LoadUnsafe(ref ar, (nuint)i); b0 += x0 * Vector256.LoadUnsafe(ref br, (nuint)i);
                a1 += x1 * Vector256.LoadUnsafe(ref ar, (nuint)(i + 4)); b1 += x1 * Vector256.LoadUnsafe(ref br, (nuint)(i + 4));
                a2 += x2 * Vector256.LoadUnsafe(ref ar, (nuint)(i + 8)); b2 += x2 * Vector256.LoadUnsafe(ref br, (nuint)(i + 8));
                a3 += x3 * Vector256.LoadUnsafe(ref ar, (nuint)(i + 12)); b3 += x3 * Vector256.LoadUnsafe(ref br, (nuint)(i + 12));
            }
            sa = Vector256.Sum((a0 + a1) + (a2 + a3));
            sb = Vector256.Sum((b0 + b1) + (b2 + b3));
        }
        for (; i < n; i++)
        {
            double xi = Unsafe.Add(ref xr, i);
            sa += xi * Unsafe.Add(ref ar, i);
            sb += xi * Unsafe.Add(ref br, i);
        }
        return (sa, sb);
    }

    /// <summary>Σ x[i]·y[i].</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        int n = x.Length, i = 0;
        float sum = 0;
        if (Vector256.IsHardwareAccelerated && n >= 32)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            for (; i <= n - 32; i += 32)
            {
                a0 += Vector256.LoadUnsafe(ref xr, (nuint)i) * Vector256.LoadUnsafe(ref yr, (nuint)i);
                a1 += Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)) * Vector256.LoadUnsafe(ref yr, (nuint)(i + 8));
                a2 += Vector256.LoadUnsafe(ref xr, (nuint)(i + 16)) * Vector256.LoadUnsafe(ref yr, (nuint)(i + 16));
                a3 += Vector256.LoadUnsafe(ref xr, (nuint)(i + 24)) * Vector256.LoadUnsafe(ref yr, (nuint)(i + 24));
            }
            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) sum += x[i] * y[i];
        return sum;
    }

    /// <summary>Σ x[i]·y[i] with vector-valued x (several directions at once).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Dot<T>(ReadOnlySpan<Vector256<T>> x, ReadOnlySpan<T> y) where T : unmanaged
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        var sum = Vector256<T>.Zero;
        for (int i = 0; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }

    /// <summary>y[i] += a·x[i].</summary>
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double yr = ref MemoryMarshal.GetReference(y);
            var av = Vector256.Create(a);
            if (Sse.IsSupported && n >= PrefetchFrom)
            {
                for (; i <= n - 8 - WriteAhead; i += 8)
                {
                    Prefetch(ref Unsafe.Add(ref yr, i + WriteAhead));
                    (Vector256.LoadUnsafe(ref yr, (nuint)i) + av * Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                    (Vector256.LoadUnsafe(ref yr, (nuint)(i + 4)) + av * Vector256.LoadUnsafe(ref xr, (nuint)(i + 4))).StoreUnsafe(ref yr, (nuint)(i + 4));
                }
            }
            for (; i <= n - 8; i += 8)
            {
                (Vector256.LoadUnsafe(ref yr, (nuint)i) + av * Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                (Vector256.LoadUnsafe(ref yr, (nuint)(i + 4)) + av * Vector256.LoadUnsafe(ref xr, (nuint)(i + 4))).StoreUnsafe(ref yr, (nuint)(i + 4));
            }
        }
        for (; i < n; i++) y[i] += a * x[i];
    }

    /// <summary>
    /// z[i] += a·x[i] + b·y[i]: the two products, their sum, then the sum added to z[i] (no FMA), exactly the loop
    /// <c>z[i] += a * x[i] + b * y[i]</c>; one pass over z where two axpys would make two.
    /// </summary>
    public static void Axpy2(double a, ReadOnlySpan<double> x, double b, ReadOnlySpan<double> y, Span<double> z)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        if (z.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(z));
        int n = x.Length, i = 0;
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double yr = ref MemoryMarshal.GetReference(y);
        ref double zr = ref MemoryMarshal.GetReference(z);
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var av = Vector256.Create(a);
            var bv = Vector256.Create(b);
            if (Sse.IsSupported && n >= PrefetchFrom)
            {
                for (; i <= n - 8 - WriteAhead; i += 8)
                {
                    Prefetch(ref Unsafe.Add(ref zr, i + WriteAhead));
                    (Vector256.LoadUnsafe(ref zr, (nuint)i) + (av * Vector256.LoadUnsafe(ref xr, (nuint)i) + bv * Vector256.LoadUnsafe(ref yr, (nuint)i))).StoreUnsafe(ref zr, (nuint)i);
                    (Vector256.LoadUnsafe(ref zr, (nuint)(i + 4)) + (av * Vector256.LoadUnsafe(ref xr, (nuint)(i + 4)) + bv * Vector256.LoadUnsafe(ref yr, (nuint)(i + 4)))).StoreUnsafe(ref zr, (nuint)(i + 4));
                }
            }
            for (; i <= n - 8; i += 8)
            {
                (Vector256.LoadUnsafe(ref zr, (nuint)i) + (av * Vector256.LoadUnsafe(ref xr, (nuint)i) + bv * Vector256.LoadUnsafe(ref yr, (nuint)i))).StoreUnsafe(ref zr, (nuint)i);
                (Vector256.LoadUnsafe(ref zr, (nuint)(i + 4)) + (av * Vector256.LoadUnsafe(ref xr, (nuint)(i + 4)) + bv * Vector256.LoadUnsafe(ref yr, (nuint)(i + 4)))).StoreUnsafe(ref zr, (nuint)(i + 4));
            }
        }
        for (; i < n; i++) Unsafe.Add(ref zr, i) += a * Unsafe.Add(ref xr, i) + b * Unsafe.Add(ref yr, i);
    }

    /// <summary>y[i] += a·x[i].</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            var av = Vector256.Create(a);
            for (; i <= n - 8; i += 8)
            {
                (Vector256.LoadUnsafe(ref yr, (nuint)i) + av * Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++) y[i] += a * x[i];
    }

    /// <summary>y[i] += a·x[i] with a vector-valued a (several directions at once).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy<T>(Vector256<T> a, ReadOnlySpan<T> x, Span<Vector256<T>> y) where T : unmanaged
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }

    /// <summary>y[i] += a·x[i] with vector-valued x and y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy<T>(T a, ReadOnlySpan<Vector256<T>> x, Span<Vector256<T>> y) where T : unmanaged
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        for (int i = 0; i < x.Length; i++) y[i] += x[i] * a;
    }

    // ---- Sample blocks (batched members). Lane b of element k of a block span is the double at 16·k + b. ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref double LanesOf(ReadOnlySpan<SampleBlock> s) =>
        ref Unsafe.As<SampleBlock, double>(ref MemoryMarshal.GetReference(s));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref double LanesOf(Span<SampleBlock> s) =>
        ref Unsafe.As<SampleBlock, double>(ref MemoryMarshal.GetReference(s));

    /// <summary>Σ_k x[k]·y[k], per lane.</summary>
    public static SampleBlock Dot(ReadOnlySpan<double> x, ReadOnlySpan<SampleBlock> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        return DotScalarBlock(ref MemoryMarshal.GetReference(x), ref LanesOf(y), x.Length);
    }

    /// <summary>Σ_k x[k]·y[k], per lane.</summary>
    public static SampleBlock Dot(ReadOnlySpan<SampleBlock> x, ReadOnlySpan<double> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        // x[k]·y[k] = y[k]·x[k] exactly: one kernel serves both argument orders.
        return DotScalarBlock(ref MemoryMarshal.GetReference(y), ref LanesOf(x), x.Length);
    }

    /// <summary>Σ_k x[k]·y[k], per lane.</summary>
    public static SampleBlock Dot(ReadOnlySpan<SampleBlock> x, ReadOnlySpan<SampleBlock> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        return DotBlockBlock(ref LanesOf(x), ref LanesOf(y), x.Length);
    }

    /// <summary>y[k] += a·x[k], per lane.</summary>
    public static void Axpy(SampleBlock a, ReadOnlySpan<double> x, Span<SampleBlock> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        int n = x.Length;
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double yr = ref LanesOf(y);
        if (Vector512.IsHardwareAccelerated)
        {
            ref double ar = ref SampleBlock.First(ref a);
            var a0 = Vector512.LoadUnsafe(ref ar);
            var a1 = Vector512.LoadUnsafe(ref ar, 8);
            for (int k = 0; k < n; k++)
            {
                nuint o = (nuint)k * SampleBlock.Size;
                var xk = Vector512.Create(Unsafe.Add(ref xr, k));
                (Vector512.LoadUnsafe(ref yr, o) + a0 * xk).StoreUnsafe(ref yr, o);
                (Vector512.LoadUnsafe(ref yr, o + 8) + a1 * xk).StoreUnsafe(ref yr, o + 8);
            }
        }
        else
        {
            for (int k = 0; k < n; k++) y[k] = y[k] + a * Unsafe.Add(ref xr, k);
        }
    }

    /// <summary>y[k] += a·x[k], per lane.</summary>
    public static void Axpy(double a, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        int n = x.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            ref double xr = ref LanesOf(x);
            ref double yr = ref LanesOf(y);
            var av = Vector512.Create(a);
            for (int k = 0; k < n; k++)
            {
                nuint o = (nuint)k * SampleBlock.Size;
                (Vector512.LoadUnsafe(ref yr, o) + av * Vector512.LoadUnsafe(ref xr, o)).StoreUnsafe(ref yr, o);
                (Vector512.LoadUnsafe(ref yr, o + 8) + av * Vector512.LoadUnsafe(ref xr, o + 8)).StoreUnsafe(ref yr, o + 8);
            }
        }
        else
        {
            for (int k = 0; k < n; k++) y[k] = y[k] + a * x[k];
        }
    }

    /// <summary>y[k] += a·x[k], per lane.</summary>
    public static void Axpy(SampleBlock a, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        int n = x.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            ref double xr = ref LanesOf(x);
            ref double yr = ref LanesOf(y);
            ref double ar = ref SampleBlock.First(ref a);
            var a0 = Vector512.LoadUnsafe(ref ar);
            var a1 = Vector512.LoadUnsafe(ref ar, 8);
            for (int k = 0; k < n; k++)
            {
                nuint o = (nuint)k * SampleBlock.Size;
                (Vector512.LoadUnsafe(ref yr, o) + a0 * Vector512.LoadUnsafe(ref xr, o)).StoreUnsafe(ref yr, o);
                (Vector512.LoadUnsafe(ref yr, o + 8) + a1 * Vector512.LoadUnsafe(ref xr, o + 8)).StoreUnsafe(ref yr, o + 8);
            }
        }
        else
        {
            for (int k = 0; k < n; k++) y[k] = y[k] + a * x[k];
        }
    }

    /// <summary>y[k] += Σ_b a[b]·x[k][b]: a per-sample contribution summed over the block's samples.</summary>
    public static void Axpy(SampleBlock a, ReadOnlySpan<SampleBlock> x, Span<double> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        SumOfProducts(ref SampleBlock.First(ref a), ref LanesOf(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    /// <summary>y[k] += Σ_b a[b]·x[k], computed as y[k] += (Σ_b a[b])·x[k] (the lane sum by halving).</summary>
    public static void Axpy(SampleBlock a, ReadOnlySpan<double> x, Span<double> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        Axpy(HalvingSum(ref SampleBlock.First(ref a)), x, y);
    }

    /// <summary>y[k] += Σ_b a·x[k][b].</summary>
    public static void Axpy(double a, ReadOnlySpan<SampleBlock> x, Span<double> y)
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        SampleBlock av = a;
        SumOfProducts(ref SampleBlock.First(ref av), ref LanesOf(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    /// <summary>The lanes of <paramref name="p"/> (16 consecutive doubles) summed by halving: 8 pairs (b, b + 8), 4, 2, 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double HalvingSum(ref double p)
    {
        double p0 = Unsafe.Add(ref p, 0) + Unsafe.Add(ref p, 8), p1 = Unsafe.Add(ref p, 1) + Unsafe.Add(ref p, 9);
        double p2 = Unsafe.Add(ref p, 2) + Unsafe.Add(ref p, 10), p3 = Unsafe.Add(ref p, 3) + Unsafe.Add(ref p, 11);
        double p4 = Unsafe.Add(ref p, 4) + Unsafe.Add(ref p, 12), p5 = Unsafe.Add(ref p, 5) + Unsafe.Add(ref p, 13);
        double p6 = Unsafe.Add(ref p, 6) + Unsafe.Add(ref p, 14), p7 = Unsafe.Add(ref p, 7) + Unsafe.Add(ref p, 15);
        double h0 = p0 + p4, h1 = p1 + p5, h2 = p2 + p6, h3 = p3 + p7;
        double g0 = h0 + h2, g1 = h1 + h3;
        return g0 + g1;
    }

    /// <summary>
    /// y[k] += Σ_b a[b]·x[k][b] for k &lt; n, the lane sum by halving. The vector paths sum 8 (4) consecutive k at
    /// once: each level of the halving tree is one add of two shuffles that pair the right lanes of two vectors,
    /// so the last level leaves the 8 (4) sums in order, ready to add to y.
    /// </summary>
    private static void SumOfProducts(ref double a, ref double x, ref double y, int n)
    {
        int k = 0;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            var a0 = Vector512.LoadUnsafe(ref a);
            var a1 = Vector512.LoadUnsafe(ref a, 8);
            for (; k <= n - 8; k += 8)
            {
                ref double xk = ref Unsafe.Add(ref x, (nint)k * SampleBlock.Size);
                // p_i for block k + i: lane j = a_j·x_j + (a_{j+8}·x_{j+8}), j < 8, fused.
                var p0 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 0), a0, Vector512.LoadUnsafe(ref xk, 8) * a1);
                var p1 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 16), a0, Vector512.LoadUnsafe(ref xk, 24) * a1);
                var p2 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 32), a0, Vector512.LoadUnsafe(ref xk, 40) * a1);
                var p3 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 48), a0, Vector512.LoadUnsafe(ref xk, 56) * a1);
                var p4 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 64), a0, Vector512.LoadUnsafe(ref xk, 72) * a1);
                var p5 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 80), a0, Vector512.LoadUnsafe(ref xk, 88) * a1);
                var p6 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 96), a0, Vector512.LoadUnsafe(ref xk, 104) * a1);
                var p7 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 112), a0, Vector512.LoadUnsafe(ref xk, 120) * a1);
                // h_i (lane j = p_j + p_{j+4}, j < 4) of two blocks per vector: t02 = [h_0 | h_2], t13 = [h_1 | h_3], ...
                var t02 = Avx512F.Shuffle4x128(p0, p2, 0x44) + Avx512F.Shuffle4x128(p0, p2, 0xEE);
                var t13 = Avx512F.Shuffle4x128(p1, p3, 0x44) + Avx512F.Shuffle4x128(p1, p3, 0xEE);
                var t46 = Avx512F.Shuffle4x128(p4, p6, 0x44) + Avx512F.Shuffle4x128(p4, p6, 0xEE);
                var t57 = Avx512F.Shuffle4x128(p5, p7, 0x44) + Avx512F.Shuffle4x128(p5, p7, 0xEE);
                // g_i (lane j = h_j + h_{j+2}, j < 2) of four blocks per vector: u = [g_0 | g_2 | g_4 | g_6], v = [g_1 | g_3 | g_5 | g_7].
                var u = Avx512F.Shuffle4x128(t02, t46, 0x88) + Avx512F.Shuffle4x128(t02, t46, 0xDD);
                var v = Avx512F.Shuffle4x128(t13, t57, 0x88) + Avx512F.Shuffle4x128(t13, t57, 0xDD);
                // g_0 + g_1 of each block, interleaved back into k order.
                var s = Avx512F.UnpackLow(u, v) + Avx512F.UnpackHigh(u, v);
                (Vector512.LoadUnsafe(ref y, (nuint)k) + s).StoreUnsafe(ref y, (nuint)k);
            }
        }
        if (Fma.IsSupported)
        {
            var a0 = Vector256.LoadUnsafe(ref a, 0);
            var a1 = Vector256.LoadUnsafe(ref a, 4);
            var a2 = Vector256.LoadUnsafe(ref a, 8);
            var a3 = Vector256.LoadUnsafe(ref a, 12);
            for (; k <= n - 4; k += 4)
            {
                ref double xk = ref Unsafe.Add(ref x, (nint)k * SampleBlock.Size);
                // h_i for block k + i: lane j = p_j + p_{j+4}, j < 4, with p_j = a_j·x_j + (a_{j+8}·x_{j+8}) fused.
                var h0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 0), a0, Vector256.LoadUnsafe(ref xk, 8) * a2)
                       + Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 4), a1, Vector256.LoadUnsafe(ref xk, 12) * a3);
                var h1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 16), a0, Vector256.LoadUnsafe(ref xk, 24) * a2)
                       + Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 20), a1, Vector256.LoadUnsafe(ref xk, 28) * a3);
                var h2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 32), a0, Vector256.LoadUnsafe(ref xk, 40) * a2)
                       + Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 36), a1, Vector256.LoadUnsafe(ref xk, 44) * a3);
                var h3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 48), a0, Vector256.LoadUnsafe(ref xk, 56) * a2)
                       + Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 52), a1, Vector256.LoadUnsafe(ref xk, 60) * a3);
                // g_i (lane j = h_j + h_{j+2}) of two blocks per vector, [g_0 | g_2] and [g_1 | g_3]; then g_0 + g_1 in k order.
                var t02 = Avx.Permute2x128(h0, h2, 0x20) + Avx.Permute2x128(h0, h2, 0x31);
                var t13 = Avx.Permute2x128(h1, h3, 0x20) + Avx.Permute2x128(h1, h3, 0x31);
                var s = Avx.UnpackLow(t02, t13) + Avx.UnpackHigh(t02, t13);
                (Vector256.LoadUnsafe(ref y, (nuint)k) + s).StoreUnsafe(ref y, (nuint)k);
            }
        }
        for (; k < n; k++)
        {
            ref double xk = ref Unsafe.Add(ref x, (nint)k * SampleBlock.Size);
            double p0 = Math.FusedMultiplyAdd(Unsafe.Add(ref xk, 0), Unsafe.Add(ref a, 0), Unsafe.Add(ref xk, 8) * Unsafe.Add(ref a, 8));
            double p1 = Math.FusedMultiplyAdd(Unsafe.Add(ref xk, 1), Unsafe.Add(ref a, 1), Unsafe.Add(ref xk, 9) * Unsafe.Add(ref a, 9));
            double p2 = Math.FusedMultiplyAdd(Unsafe.Add(ref xk, 2), Unsafe.Add(ref a, 2), Unsafe.Add(ref xk, 10) * Unsafe.Add(ref a, 10));
            double p3 = Math.FusedMultiplyAdd(Unsafe.Add(ref xk, 3), Unsafe.Add(ref a, 3), Unsafe.Add(ref xk, 11) * Unsafe.Add(ref a, 11));
            double p4 = Math.FusedMultiplyAdd(Unsafe.Add(ref xk, 4), Unsafe.Add(ref a, 4), Unsafe.Add(ref xk, 12) * Unsafe.Add(ref a, 12));
            double p5 = Math.FusedMultiplyAdd(Unsafe.Add(ref xk, 5), Unsafe.Add(ref a, 5), Unsafe.Add(ref xk, 13) * Unsafe.Add(ref a, 13));
            double p6 = Math.FusedMultiplyAdd(Unsafe.Add(ref xk, 6), Unsafe.Add(ref a, 6), Unsafe.Add(ref xk, 14) * Unsafe.Add(ref a, 14));
            double p7 = Math.FusedMultiplyAdd(Unsafe.Add(ref xk, 7), Unsafe.Add(ref a, 7), Unsafe.Add(ref xk, 15) * Unsafe.Add(ref a, 15));
            double h0 = p0 + p4, h1 = p1 + p5, h2 = p2 + p6, h3 = p3 + p7;
            double g0 = h0 + h2, g1 = h1 + h3;
            Unsafe.Add(ref y, k) += g0 + g1;
        }
    }

    /// <summary>Σ_k w[k]·x[k] per lane, for a scalar w and a block x (see the class remarks for the order).</summary>
    private static SampleBlock DotScalarBlock(ref double w, ref double x, int n)
    {
        SampleBlock result = default;
        ref double r = ref SampleBlock.First(ref result);
        int n4 = n & ~3;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            var s0 = Vector512<double>.Zero; var t0 = s0; var s1 = s0; var t1 = s0; var s2 = s0; var t2 = s0; var s3 = s0; var t3 = s0;
            for (int k = 0; k < n4; k += 4)
            {
                ref double xk = ref Unsafe.Add(ref x, (nint)k * SampleBlock.Size);
                var w0 = Vector512.Create(Unsafe.Add(ref w, k));
                s0 = Avx512F.FusedMultiplyAdd(w0, Vector512.LoadUnsafe(ref xk, 0), s0); t0 = Avx512F.FusedMultiplyAdd(w0, Vector512.LoadUnsafe(ref xk, 8), t0);
                var w1 = Vector512.Create(Unsafe.Add(ref w, k + 1));
                s1 = Avx512F.FusedMultiplyAdd(w1, Vector512.LoadUnsafe(ref xk, 16), s1); t1 = Avx512F.FusedMultiplyAdd(w1, Vector512.LoadUnsafe(ref xk, 24), t1);
                var w2 = Vector512.Create(Unsafe.Add(ref w, k + 2));
                s2 = Avx512F.FusedMultiplyAdd(w2, Vector512.LoadUnsafe(ref xk, 32), s2); t2 = Avx512F.FusedMultiplyAdd(w2, Vector512.LoadUnsafe(ref xk, 40), t2);
                var w3 = Vector512.Create(Unsafe.Add(ref w, k + 3));
                s3 = Avx512F.FusedMultiplyAdd(w3, Vector512.LoadUnsafe(ref xk, 48), s3); t3 = Avx512F.FusedMultiplyAdd(w3, Vector512.LoadUnsafe(ref xk, 56), t3);
            }
            var lo = (s0 + s1) + (s2 + s3);
            var hi = (t0 + t1) + (t2 + t3);
            for (int k = n4; k < n; k++)
            {
                ref double xk = ref Unsafe.Add(ref x, (nint)k * SampleBlock.Size);
                var wk = Vector512.Create(Unsafe.Add(ref w, k));
                lo = Avx512F.FusedMultiplyAdd(wk, Vector512.LoadUnsafe(ref xk, 0), lo);
                hi = Avx512F.FusedMultiplyAdd(wk, Vector512.LoadUnsafe(ref xk, 8), hi);
            }
            lo.StoreUnsafe(ref r);
            hi.StoreUnsafe(ref r, 8);
        }
        else if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
        {
            // One half of the lanes at a time keeps the 8 accumulators in the 16 AVX2 registers.
            for (int half = 0; half < SampleBlock.Size; half += 8)
            {
                ref double xh = ref Unsafe.Add(ref x, half);
                var s0 = Vector256<double>.Zero; var t0 = s0; var s1 = s0; var t1 = s0; var s2 = s0; var t2 = s0; var s3 = s0; var t3 = s0;
                for (int k = 0; k < n4; k += 4)
                {
                    ref double xk = ref Unsafe.Add(ref xh, (nint)k * SampleBlock.Size);
                    var w0 = Vector256.Create(Unsafe.Add(ref w, k));
                    s0 = Fma.MultiplyAdd(w0, Vector256.LoadUnsafe(ref xk, 0), s0); t0 = Fma.MultiplyAdd(w0, Vector256.LoadUnsafe(ref xk, 4), t0);
                    var w1 = Vector256.Create(Unsafe.Add(ref w, k + 1));
                    s1 = Fma.MultiplyAdd(w1, Vector256.LoadUnsafe(ref xk, 16), s1); t1 = Fma.MultiplyAdd(w1, Vector256.LoadUnsafe(ref xk, 20), t1);
                    var w2 = Vector256.Create(Unsafe.Add(ref w, k + 2));
                    s2 = Fma.MultiplyAdd(w2, Vector256.LoadUnsafe(ref xk, 32), s2); t2 = Fma.MultiplyAdd(w2, Vector256.LoadUnsafe(ref xk, 36), t2);
                    var w3 = Vector256.Create(Unsafe.Add(ref w, k + 3));
                    s3 = Fma.MultiplyAdd(w3, Vector256.LoadUnsafe(ref xk, 48), s3); t3 = Fma.MultiplyAdd(w3, Vector256.LoadUnsafe(ref xk, 52), t3);
                }
                var lo = (s0 + s1) + (s2 + s3);
                var hi = (t0 + t1) + (t2 + t3);
                for (int k = n4; k < n; k++)
                {
                    ref double xk = ref Unsafe.Add(ref xh, (nint)k * SampleBlock.Size);
                    var wk = Vector256.Create(Unsafe.Add(ref w, k));
                    lo = Fma.MultiplyAdd(wk, Vector256.LoadUnsafe(ref xk, 0), lo);
                    hi = Fma.MultiplyAdd(wk, Vector256.LoadUnsafe(ref xk, 4), hi);
                }
                lo.StoreUnsafe(ref r, (nuint)half);
                hi.StoreUnsafe(ref r, (nuint)half + 4);
            }
        }
        else
        {
            for (int b = 0; b < SampleBlock.Size; b++)
            {
                ref double xb = ref Unsafe.Add(ref x, b);
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int k = 0; k < n4; k += 4)
                {
                    s0 = Math.FusedMultiplyAdd(Unsafe.Add(ref w, k), Unsafe.Add(ref xb, (nint)k * SampleBlock.Size), s0);
                    s1 = Math.FusedMultiplyAdd(Unsafe.Add(ref w, k + 1), Unsafe.Add(ref xb, (nint)(k + 1) * SampleBlock.Size), s1);
                    s2 = Math.FusedMultiplyAdd(Unsafe.Add(ref w, k + 2), Unsafe.Add(ref xb, (nint)(k + 2) * SampleBlock.Size), s2);
                    s3 = Math.FusedMultiplyAdd(Unsafe.Add(ref w, k + 3), Unsafe.Add(ref xb, (nint)(k + 3) * SampleBlock.Size), s3);
                }
                double sum = (s0 + s1) + (s2 + s3);
                for (int k = n4; k < n; k++) sum = Math.FusedMultiplyAdd(Unsafe.Add(ref w, k), Unsafe.Add(ref xb, (nint)k * SampleBlock.Size), sum);
                Unsafe.Add(ref r, b) = sum;
            }
        }
        return result;
    }

    /// <summary>Σ_k x[k]·y[k] per lane for two blocks (the same order as <see cref="DotScalarBlock"/>).</summary>
    private static SampleBlock DotBlockBlock(ref double x, ref double y, int n)
    {
        SampleBlock result = default;
        ref double r = ref SampleBlock.First(ref result);
        int n4 = n & ~3;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            var s0 = Vector512<double>.Zero; var t0 = s0; var s1 = s0; var t1 = s0; var s2 = s0; var t2 = s0; var s3 = s0; var t3 = s0;
            for (int k = 0; k < n4; k += 4)
            {
                ref double xk = ref Unsafe.Add(ref x, (nint)k * SampleBlock.Size);
                ref double yk = ref Unsafe.Add(ref y, (nint)k * SampleBlock.Size);
                s0 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 0), Vector512.LoadUnsafe(ref yk, 0), s0);
                t0 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 8), Vector512.LoadUnsafe(ref yk, 8), t0);
                s1 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 16), Vector512.LoadUnsafe(ref yk, 16), s1);
                t1 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 24), Vector512.LoadUnsafe(ref yk, 24), t1);
                s2 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 32), Vector512.LoadUnsafe(ref yk, 32), s2);
                t2 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 40), Vector512.LoadUnsafe(ref yk, 40), t2);
                s3 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 48), Vector512.LoadUnsafe(ref yk, 48), s3);
                t3 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 56), Vector512.LoadUnsafe(ref yk, 56), t3);
            }
            var lo = (s0 + s1) + (s2 + s3);
            var hi = (t0 + t1) + (t2 + t3);
            for (int k = n4; k < n; k++)
            {
                ref double xk = ref Unsafe.Add(ref x, (nint)k * SampleBlock.Size);
                ref double yk = ref Unsafe.Add(ref y, (nint)k * SampleBlock.Size);
                lo = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 0), Vector512.LoadUnsafe(ref yk, 0), lo);
                hi = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xk, 8), Vector512.LoadUnsafe(ref yk, 8), hi);
            }
            lo.StoreUnsafe(ref r);
            hi.StoreUnsafe(ref r, 8);
        }
        else if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
        {
            for (int half = 0; half < SampleBlock.Size; half += 8)
            {
                ref double xh = ref Unsafe.Add(ref x, half);
                ref double yh = ref Unsafe.Add(ref y, half);
                var s0 = Vector256<double>.Zero; var t0 = s0; var s1 = s0; var t1 = s0; var s2 = s0; var t2 = s0; var s3 = s0; var t3 = s0;
                for (int k = 0; k < n4; k += 4)
                {
                    ref double xk = ref Unsafe.Add(ref xh, (nint)k * SampleBlock.Size);
                    ref double yk = ref Unsafe.Add(ref yh, (nint)k * SampleBlock.Size);
                    s0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 0), Vector256.LoadUnsafe(ref yk, 0), s0);
                    t0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 4), Vector256.LoadUnsafe(ref yk, 4), t0);
                    s1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 16), Vector256.LoadUnsafe(ref yk, 16), s1);
                    t1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 20), Vector256.LoadUnsafe(ref yk, 20), t1);
                    s2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 32), Vector256.LoadUnsafe(ref yk, 32), s2);
                    t2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 36), Vector256.LoadUnsafe(ref yk, 36), t2);
                    s3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 48), Vector256.LoadUnsafe(ref yk, 48), s3);
                    t3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 52), Vector256.LoadUnsafe(ref yk, 52), t3);
                }
                var lo = (s0 + s1) + (s2 + s3);
                var hi = (t0 + t1) + (t2 + t3);
                for (int k = n4; k < n; k++)
                {
                    ref double xk = ref Unsafe.Add(ref xh, (nint)k * SampleBlock.Size);
                    ref double yk = ref Unsafe.Add(ref yh, (nint)k * SampleBlock.Size);
                    lo = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 0), Vector256.LoadUnsafe(ref yk, 0), lo);
                    hi = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref xk, 4), Vector256.LoadUnsafe(ref yk, 4), hi);
                }
                lo.StoreUnsafe(ref r, (nuint)half);
                hi.StoreUnsafe(ref r, (nuint)half + 4);
            }
        }
        else
        {
            for (int b = 0; b < SampleBlock.Size; b++)
            {
                ref double xb = ref Unsafe.Add(ref x, b);
                ref double yb = ref Unsafe.Add(ref y, b);
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int k = 0; k < n4; k += 4)
                {
                    nint o = (nint)k * SampleBlock.Size;
                    s0 = Math.FusedMultiplyAdd(Unsafe.Add(ref xb, o), Unsafe.Add(ref yb, o), s0);
                    s1 = Math.FusedMultiplyAdd(Unsafe.Add(ref xb, o + 16), Unsafe.Add(ref yb, o + 16), s1);
                    s2 = Math.FusedMultiplyAdd(Unsafe.Add(ref xb, o + 32), Unsafe.Add(ref yb, o + 32), s2);
                    s3 = Math.FusedMultiplyAdd(Unsafe.Add(ref xb, o + 48), Unsafe.Add(ref yb, o + 48), s3);
                }
                double sum = (s0 + s1) + (s2 + s3);
                for (int k = n4; k < n; k++) sum = Math.FusedMultiplyAdd(Unsafe.Add(ref xb, (nint)k * SampleBlock.Size), Unsafe.Add(ref yb, (nint)k * SampleBlock.Size), sum);
                Unsafe.Add(ref r, b) = sum;
            }
        }
        return result;
    }
}
