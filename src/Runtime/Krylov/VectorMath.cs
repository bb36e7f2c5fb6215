using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AutoCurv;

/// <summary>
/// The few dense vector kernels the Krylov tools and operators need. Plain loops in a fixed order, so a result
/// depends only on its inputs (never on thread count or alignment), which the determinism guarantees rely on.
/// </summary>
internal static class VectorMath
{
    /// <summary>aᵀb.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0.0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>‖a‖₂.</summary>
    public static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));

    /// <summary>y += x (element-wise, so the result does not depend on the vector width).</summary>
    public static void Add(Span<double> y, ReadOnlySpan<double> x)
    {
        if (x.Length < y.Length) throw new ArgumentException("x is shorter than y.", nameof(x));
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double ry = ref MemoryMarshal.GetReference(y);
            ref double rx = ref MemoryMarshal.GetReference(x);
            for (; i <= y.Length - Vector256<double>.Count; i += Vector256<double>.Count)
                (Vector256.LoadUnsafe(ref ry, (nuint)i) + Vector256.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < y.Length; i++) y[i] += x[i];
    }

    /// <summary>y = x / d element-wise (vectorised; IEEE division, so the same bits as the scalar loop). y may be x.</summary>
    public static void Divide(Span<double> y, ReadOnlySpan<double> x, double d)
    {
        if (x.Length != y.Length) throw new ArgumentException("x and y differ in length.", nameof(x));
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double ry = ref MemoryMarshal.GetReference(y);
            ref double rx = ref MemoryMarshal.GetReference(x);
            var vd = Vector256.Create(d);
            for (; i <= y.Length - Vector256<double>.Count; i += Vector256<double>.Count)
                (Vector256.LoadUnsafe(ref rx, (nuint)i) / vd).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < y.Length; i++) y[i] = x[i] / d;
    }

    /// <summary>y += a·x.</summary>
    public static void AddScaled(Span<double> y, double a, ReadOnlySpan<double> x)
    {
        for (int i = 0; i < y.Length; i++) y[i] += a * x[i];
    }

    /// <summary>y += x ⊙ x.</summary>
    public static void AddSquares(Span<double> y, ReadOnlySpan<double> x)
    {
        for (int i = 0; i < y.Length; i++) y[i] += x[i] * x[i];
    }

    /// <summary>y *= a.</summary>
    public static void Scale(Span<double> y, double a)
    {
        for (int i = 0; i < y.Length; i++) y[i] *= a;
    }

    /// <summary>Fills <paramref name="values"/> with independent ±1 entries (Rademacher), 64 entries per draw.</summary>
    public static void FillRademacher(Span<double> values, ref RandomSource random)
    {
        ulong bits = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if ((i & 63) == 0) bits = random.NextUInt64();
            values[i] = (bits & 1UL) == 0 ? 1.0 : -1.0;
            bits >>= 1;
        }
    }

    /// <summary>Fills <paramref name="values"/> with independent standard normal entries.</summary>
    public static void FillGaussian(Span<double> values, ref RandomSource random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = random.NextGaussian();
    }

    /// <summary>
    /// Removes from <paramref name="v"/> its components along the orthonormal <paramref name="basis"/> vectors,
    /// twice (one Gram–Schmidt pass loses orthogonality once v is nearly in their span; two passes restore it).
    /// </summary>
    public static void Orthogonalize(Span<double> v, System.Collections.Generic.IReadOnlyList<double[]> basis, int basisCount)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            for (int k = 0; k < basisCount; k++)
            {
                double[] q = basis[k];
                AddScaled(v, -Dot(q, v), q);
            }
        }
    }

    /// <summary>Maps a user seed to a generator; negative seeds are as valid as positive ones.</summary>
    public static RandomSource CreateRandom(int seed) => new RandomSource(unchecked((ulong)(long)seed));
}
