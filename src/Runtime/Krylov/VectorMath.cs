using System;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>
    /// y = x / d element-wise: the same bits as the scalar loop of IEEE divisions, at a fraction of the cost of the
    /// hardware divider (a 512-bit division issues about once every 16 cycles; a data-set mean divides every entry
    /// of a parameter-sized vector). y may be x.
    /// </summary>
    /// <remarks>
    /// With r = 1/d correctly rounded and FMA hardware, each vector gets q₀ = x·r and two corrections
    /// qₖ₊₁ = qₖ + (x − qₖ·d)·r, the remainder exact in one fused multiply-add. q₁ is within one ulp of x/d, and from
    /// such a q one correction with the correctly rounded reciprocal gives the correctly rounded quotient (Markstein's
    /// theorem, the last step of IA-64's division), so q₂ = x / d bit for bit. The theorem needs the remainder not to
    /// underflow and nothing to overflow: vectors with an |x| outside [2⁻⁹⁰⁰, 2⁹⁰⁰] (other than ±0, which take
    /// x·r = ±0) or a d outside [2⁻⁶⁰, 2⁶⁰] are divided. A d = ±2ᵏ whose reciprocal is exact (normal, up to 2¹⁰²³) needs
    /// no correction: x·r is then the correctly rounded x/d itself.
    /// </remarks>
    public static void Divide(Span<double> y, ReadOnlySpan<double> x, double d)
    {
        if (x.Length != y.Length) throw new ArgumentException("x and y differ in length.", nameof(x));
        Quotients(y, x, ReadOnlySpan<double>.Empty, d);
    }

    /// <summary>
    /// y = (a + b) / d element-wise, one rounded addition and one division as <see cref="Add"/> followed by
    /// <see cref="Divide"/> (the same bits) in one pass. y may be a or b.
    /// </summary>
    public static void AddDivide(Span<double> y, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double d)
    {
        if (a.Length != y.Length) throw new ArgumentException("a and y differ in length.", nameof(a));
        if (b.Length != y.Length) throw new ArgumentException("b and y differ in length.", nameof(b));
        Quotients(y, a, b, d);
    }

    /// <summary>y = x / d, or (x + b) / d when <paramref name="b"/> is not empty.</summary>
    private static void Quotients(Span<double> y, ReadOnlySpan<double> x, ReadOnlySpan<double> b, double d)
    {
        int i = 0;
        bool add = !b.IsEmpty;
        ref double ry = ref MemoryMarshal.GetReference(y);
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double rb = ref add ? ref MemoryMarshal.GetReference(b) : ref rx;
        double ad = Math.Abs(d);
        // d = ±2^k with 1/d exact: x·(1/d) and x/d are both the correctly rounded x·2^-k, the same bits for every x
        // (subnormal, infinite and NaN included), so a mean over 32, 64, 128… samples is one multiplication.
        bool exact = double.IsPow2(ad) && double.IsNormal(ad) && ad <= Math.ScaleB(1.0, 1023);
        if (Vector256.IsHardwareAccelerated && (exact || Fma.IsSupported && ad >= DivisorMin && ad <= 1.0 / DivisorMin))
        {
            double r = 1.0 / d;
            if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
            {
                for (; i <= y.Length - Vector512<double>.Count; i += Vector512<double>.Count)
                {
                    var v = Vector512.LoadUnsafe(ref rx, (nuint)i);
                    if (add) v += Vector512.LoadUnsafe(ref rb, (nuint)i);
                    Quotient(v, d, r, exact).StoreUnsafe(ref ry, (nuint)i);
                }
            }
            for (; i <= y.Length - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                var v = Vector256.LoadUnsafe(ref rx, (nuint)i);
                if (add) v += Vector256.LoadUnsafe(ref rb, (nuint)i);
                Quotient(v, d, r, exact).StoreUnsafe(ref ry, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vd = Vector256.Create(d);
            for (; i <= y.Length - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                var v = Vector256.LoadUnsafe(ref rx, (nuint)i);
                if (add) v += Vector256.LoadUnsafe(ref rb, (nuint)i);
                (v / vd).StoreUnsafe(ref ry, (nuint)i);
            }
        }
        for (; i < y.Length; i++) y[i] = (add ? x[i] + b[i] : x[i]) / d;
    }

    // 2⁻⁶⁰ (divisors from 2⁻⁶⁰ to 2⁶⁰ take the corrected reciprocal), 2⁻⁹⁰⁰ and 2⁹⁰⁰ (the dividends that do).
    private const double DivisorMin = 1.0 / (1L << 60);
    private static readonly double QuotientMin = Math.ScaleB(1.0, -900);
    private static readonly double QuotientMax = Math.ScaleB(1.0, 900);

    /// <summary>x / d through the reciprocal r = 1/d: x·r itself when r is exact, else two exact-remainder corrections (see <see cref="Divide"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Quotient(Vector512<double> x, double d, double r, bool exact)
    {
        var vr = Vector512.Create(r);
        if (exact) return x * vr;
        var vd = Vector512.Create(d);
        var ax = Vector512.Abs(x);
        var zero = Vector512.Equals(x, Vector512<double>.Zero);
        var safe = (Vector512.GreaterThanOrEqual(ax, Vector512.Create(QuotientMin)) & Vector512.LessThanOrEqual(ax, Vector512.Create(QuotientMax))) | zero;
        if (Vector512.ExtractMostSignificantBits(safe) != 0xFF) return x / vd;
        var q = x * vr;
        var q0 = q;
        q = Avx512F.FusedMultiplyAdd(Avx512F.FusedMultiplyAddNegated(q, vd, x), vr, q);
        q = Avx512F.FusedMultiplyAdd(Avx512F.FusedMultiplyAddNegated(q, vd, x), vr, q);
        return Vector512.ConditionalSelect(zero, q0, q);
    }

    /// <inheritdoc cref="Quotient(Vector512{double}, double, double, bool)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Quotient(Vector256<double> x, double d, double r, bool exact)
    {
        var vr = Vector256.Create(r);
        if (exact) return x * vr;
        var vd = Vector256.Create(d);
        var ax = Vector256.Abs(x);
        var zero = Vector256.Equals(x, Vector256<double>.Zero);
        var safe = (Vector256.GreaterThanOrEqual(ax, Vector256.Create(QuotientMin)) & Vector256.LessThanOrEqual(ax, Vector256.Create(QuotientMax))) | zero;
        if (Vector256.ExtractMostSignificantBits(safe) != 0xF) return x / vd;
        var q = x * vr;
        var q0 = q;
        q = Fma.MultiplyAdd(Fma.MultiplyAddNegated(q, vd, x), vr, q);
        q = Fma.MultiplyAdd(Fma.MultiplyAddNegated(q, vd, x), vr, q);
        return Vector256.ConditionalSelect(zero, q0, q);
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
