using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AutoCurv.CompilerServices;

/// <summary>
/// SIMD kernels the generator emits for recognised loops (dot-product reductions, axpy updates) in every
/// mode. Axpy is elementwise with a separate multiply and add (no FMA), so it gives exactly the result of
/// the loop it replaces; Dot reassociates the sum (four Vector256 accumulators). Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Kernels
{
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
            for (; i <= n - 8; i += 8)
            {
                (Vector256.LoadUnsafe(ref yr, (nuint)i) + av * Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                (Vector256.LoadUnsafe(ref yr, (nuint)(i + 4)) + av * Vector256.LoadUnsafe(ref xr, (nuint)(i + 4))).StoreUnsafe(ref yr, (nuint)(i + 4));
            }
        }
        for (; i < n; i++) y[i] += a * x[i];
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
    public static void Axpy<T>(Vector256<T> a, ReadOnlySpan<T> x, Span<Vector256<T>> y) where T : unmanaged
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }

    /// <summary>y[i] += a·x[i] with vector-valued x and y.</summary>
    public static void Axpy<T>(T a, ReadOnlySpan<Vector256<T>> x, Span<Vector256<T>> y) where T : unmanaged
    {
        if (y.Length != x.Length) throw new ArgumentException("Lengths differ.", nameof(y));
        for (int i = 0; i < x.Length; i++) y[i] += x[i] * a;
    }
}
