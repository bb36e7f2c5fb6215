using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoCurv.CompilerServices;

/// <summary>
/// One scalar of the user's program for <see cref="Size"/> samples at once: lane b holds sample b's value. The
/// generator's batched members (<c>FLossGradientBatch</c>, ...) declare every value that depends on the sample as a
/// block, and keep values that depend on the parameters only (weights, lengths, indices) as plain scalars; a
/// scalar meets a block through the implicit conversion, which copies it into every lane. Each lane is computed
/// with the operations the scalar program performs, so lane b equals the per-sample member's value for sample b to
/// rounding: exactly, except where a kernel reassociates a sum (as <see cref="Kernels"/> does) and for
/// <see cref="Exp"/> and <see cref="Tanh"/>, which compute all lanes with vector arithmetic and are within 2 ulp of
/// <see cref="Math.Exp(double)"/> and <see cref="Math.Tanh(double)"/>. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct SampleBlock
{
    /// <summary>Samples per block.</summary>
    public const int Size = 16;

    // Four Vector256 fields: the JIT keeps a block in registers and every operator is four vector instructions.
    internal Vector256<double> V0, V1, V2, V3;

    internal SampleBlock(Vector256<double> v0, Vector256<double> v1, Vector256<double> v2, Vector256<double> v3)
    {
        V0 = v0; V1 = v1; V2 = v2; V3 = v3;
    }

    /// <summary>Lane <paramref name="lane"/> (0 ≤ lane &lt; <see cref="Size"/>).</summary>
    public double this[int lane]
    {
        readonly get
        {
            if ((uint)lane >= Size) throw new ArgumentOutOfRangeException(nameof(lane));
            return Unsafe.Add(ref Unsafe.As<Vector256<double>, double>(ref Unsafe.AsRef(in V0)), lane);
        }
        set
        {
            if ((uint)lane >= Size) throw new ArgumentOutOfRangeException(nameof(lane));
            Unsafe.Add(ref Unsafe.As<Vector256<double>, double>(ref V0), lane) = value;
        }
    }

    /// <summary>Every lane equal to <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static implicit operator SampleBlock(double value)
    {
        var v = Vector256.Create(value);
        return new SampleBlock(v, v, v, v);
    }

    /// <summary>The sum of the lanes, in lane order (0 + 1 + … + 15), as a per-sample loop would add them.</summary>
    /// <remarks>
    /// Straight-line code on the vector fields: in a large generated member the JIT had stopped inlining the lane
    /// indexer and compiled the loop to 16 calls, with the running sum kept in memory.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(SampleBlock a)
    {
        double s = 0;
        s = AddLanes(s, a.V0);
        s = AddLanes(s, a.V1);
        s = AddLanes(s, a.V2);
        return AddLanes(s, a.V3);
    }

    /// <summary>((((s + v_0) + v_1) + v_2) + v_3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double AddLanes(double s, Vector256<double> v)
    {
        Vector128<double> lower = v.GetLower(), upper = v.GetUpper();
        s += lower.ToScalar();
        s += lower.GetElement(1);
        s += upper.ToScalar();
        return s + upper.GetElement(1);
    }

    /// <summary>Lane-wise <c>a + b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator +(SampleBlock a, SampleBlock b) => new(a.V0 + b.V0, a.V1 + b.V1, a.V2 + b.V2, a.V3 + b.V3);

    /// <summary>Lane-wise <c>a - b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator -(SampleBlock a, SampleBlock b) => new(a.V0 - b.V0, a.V1 - b.V1, a.V2 - b.V2, a.V3 - b.V3);

    /// <summary>Lane-wise <c>a * b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator *(SampleBlock a, SampleBlock b) => new(a.V0 * b.V0, a.V1 * b.V1, a.V2 * b.V2, a.V3 * b.V3);

    /// <summary>Lane-wise <c>a / b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator /(SampleBlock a, SampleBlock b) => new(a.V0 / b.V0, a.V1 / b.V1, a.V2 / b.V2, a.V3 / b.V3);

    /// <summary>Lane-wise <c>-a</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator -(SampleBlock a) => new(-a.V0, -a.V1, -a.V2, -a.V3);

    /// <summary>
    /// Copies <see cref="Size"/> consecutive rows of a row-major matrix (row r at <c>rows[(first + r)·width ..]</c>)
    /// into block layout: <c>into[k]</c> lane r = row r, column k. <paramref name="into"/> has <paramref name="width"/>
    /// elements.
    /// </summary>
    public static void Load(ReadOnlySpan<double> rows, int width, int first, Span<SampleBlock> into)
    {
        if (width < 0 || into.Length != width) throw new ArgumentException("The block span must have one element per column.", nameof(into));
        if (first < 0 || ((long)first + Size) * width > rows.Length) throw new ArgumentOutOfRangeException(nameof(first));
        if (width == 0) return;
        ref double source = ref Unsafe.Add(ref MemoryMarshal.GetReference(rows), (nint)first * width);
        ref double target = ref Unsafe.As<SampleBlock, double>(ref MemoryMarshal.GetReference(into));
        int k = 0;
        if (Avx.IsSupported)
        {
            // 4 × 4 tiles: four rows' values of four columns in, the four columns' values of those rows out.
            for (; k <= width - 4; k += 4)
            {
                for (int r = 0; r < Size; r += 4)
                {
                    ref double row = ref Unsafe.Add(ref source, (nint)r * width + k);
                    var r0 = Vector256.LoadUnsafe(ref row);
                    var r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref row, width));
                    var r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref row, 2 * (nint)width));
                    var r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref row, 3 * (nint)width));
                    var t0 = Avx.UnpackLow(r0, r1);   // r0[0] r1[0] r0[2] r1[2]
                    var t1 = Avx.UnpackHigh(r0, r1);  // r0[1] r1[1] r0[3] r1[3]
                    var t2 = Avx.UnpackLow(r2, r3);
                    var t3 = Avx.UnpackHigh(r2, r3);
                    nuint at = (nuint)k * Size + (nuint)r;
                    Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref target, at);
                    Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref target, at + Size);
                    Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref target, at + 2 * Size);
                    Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref target, at + 3 * Size);
                }
            }
        }
        for (; k < width; k++)
            for (int r = 0; r < Size; r++)
                Unsafe.Add(ref target, (nint)k * Size + r) = Unsafe.Add(ref source, (nint)r * width + k);
    }

    // ---- Mixed operators: the scalar is broadcast once; every lane is the scalar operation exactly. ----

    /// <summary>Lane-wise <c>a + b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator +(SampleBlock a, double b)
    {
        var v = Vector256.Create(b);
        return new(a.V0 + v, a.V1 + v, a.V2 + v, a.V3 + v);
    }

    /// <summary>Lane-wise <c>a + b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator +(double a, SampleBlock b)
    {
        var v = Vector256.Create(a);
        return new(v + b.V0, v + b.V1, v + b.V2, v + b.V3);
    }

    /// <summary>Lane-wise <c>a - b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator -(SampleBlock a, double b)
    {
        var v = Vector256.Create(b);
        return new(a.V0 - v, a.V1 - v, a.V2 - v, a.V3 - v);
    }

    /// <summary>Lane-wise <c>a - b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator -(double a, SampleBlock b)
    {
        var v = Vector256.Create(a);
        return new(v - b.V0, v - b.V1, v - b.V2, v - b.V3);
    }

    /// <summary>Lane-wise <c>a * b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator *(SampleBlock a, double b)
    {
        var v = Vector256.Create(b);
        return new(a.V0 * v, a.V1 * v, a.V2 * v, a.V3 * v);
    }

    /// <summary>Lane-wise <c>a * b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator *(double a, SampleBlock b)
    {
        var v = Vector256.Create(a);
        return new(v * b.V0, v * b.V1, v * b.V2, v * b.V3);
    }

    /// <summary>Lane-wise <c>a / b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator /(SampleBlock a, double b)
    {
        var v = Vector256.Create(b);
        return new(a.V0 / v, a.V1 / v, a.V2 / v, a.V3 / v);
    }

    /// <summary>Lane-wise <c>a / b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator /(double a, SampleBlock b)
    {
        var v = Vector256.Create(a);
        return new(v / b.V0, v / b.V1, v / b.V2, v / b.V3);
    }

    // ---- Math: lane b is System.Math's result for lane b, bit for bit, except for Exp and Tanh (within 2 ulp of
    // System.Math, computed for all lanes with vector arithmetic; see the end of this file). Sqrt and Abs use the
    // vector instructions (a correctly rounded square root and a sign-bit clear, which is what Math.Sqrt and Math.Abs
    // compute); the others call System.Math once per lane. ----

    /// <summary>The first lane, by reference (lane b is <c>Unsafe.Add(ref First(ref s), b)</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref double First(ref SampleBlock s) => ref Unsafe.As<SampleBlock, double>(ref s);

    /// <summary>
    /// Lane-wise e^a, computed for all lanes at once with vector arithmetic (Vector512 or Vector256 with fused
    /// multiply-adds; per lane with the same operations where those are not accelerated), so the result does not
    /// depend on the hardware path. Within 2 ulp of <see cref="Math.Exp(double)"/> in every lane, but not
    /// bit-identical to it: within 0.51 ulp of the exact value for normal results (System.Math: 0.51 ulp) and under
    /// 1 ulp (two roundings) for subnormal ones. Overflows to +∞ above ln(double.MaxValue) ≈ 709.78, gives subnormals below about −708.4 and 0
    /// below about −745.13; e^±0 = 1, e^+∞ = +∞, e^−∞ = 0, and a NaN comes back as the same (quiet) NaN.
    /// </summary>
    // Not inlined: the algorithm is compiled into this one body rather than into a large caller, where the JIT's
    // inlining budget can run out halfway through it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static SampleBlock Exp(SampleBlock a)
    {
        // Loops, so that the algorithm is inlined once: inlined once per vector it exhausts the JIT's inlining budget.
        Unsafe.SkipInit(out SampleBlock r);
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
            for (int i = 0; i < 2; i++) Unsafe.Add(ref Unsafe.As<SampleBlock, Vector512<double>>(ref r), i) = Exp512(Load512(ref a, i));
        else if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
            for (int i = 0; i < 4; i++) Unsafe.Add(ref r.V0, i) = Exp256(Load256(ref a, i));
        else
            for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = ExpLane(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Log(double)"/>.</summary>
    public static SampleBlock Log(SampleBlock a) => Map<LogOp>(a);

    /// <summary>Lane-wise <see cref="Math.Sqrt(double)"/> (the correctly rounded square root).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock Sqrt(SampleBlock a) => new(Vector256.Sqrt(a.V0), Vector256.Sqrt(a.V1), Vector256.Sqrt(a.V2), Vector256.Sqrt(a.V3));

    /// <summary>Lane-wise <see cref="Math.Sin(double)"/>.</summary>
    public static SampleBlock Sin(SampleBlock a) => Map<SinOp>(a);

    /// <summary>Lane-wise <see cref="Math.Cos(double)"/>.</summary>
    public static SampleBlock Cos(SampleBlock a) => Map<CosOp>(a);

    /// <summary>Lane-wise <see cref="Math.Tan(double)"/>.</summary>
    public static SampleBlock Tan(SampleBlock a) => Map<TanOp>(a);

    /// <summary>
    /// Lane-wise tanh a, computed for all lanes at once with vector arithmetic (Vector512 or Vector256 with fused
    /// multiply-adds; per lane with the same operations where those are not accelerated), so the result does not
    /// depend on the hardware path. Within 2 ulp of <see cref="Math.Tanh(double)"/> in every lane, but not
    /// bit-identical to it: within 0.56 ulp of the exact value (System.Math: up to about 2.15 ulp). Odd, bit for bit
    /// (tanh −a = −tanh a, so ±0 keeps its sign); tanh a = a for tiny and subnormal a; exactly ±1 for |a| above
    /// atanh(1 − 2^−54) ≈ 19.06 and at ±∞; a NaN comes back as the same (quiet) NaN.
    /// </summary>
    // Not inlined: see Exp.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static SampleBlock Tanh(SampleBlock a)
    {
        // Loops, so that the algorithm is inlined once: inlined once per vector it exhausts the JIT's inlining budget.
        Unsafe.SkipInit(out SampleBlock r);
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
            for (int i = 0; i < 2; i++) Unsafe.Add(ref Unsafe.As<SampleBlock, Vector512<double>>(ref r), i) = Tanh512(Load512(ref a, i));
        else if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
            for (int i = 0; i < 4; i++) Unsafe.Add(ref r.V0, i) = Tanh256(Load256(ref a, i));
        else
            for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = TanhLane(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Sinh(double)"/>.</summary>
    public static SampleBlock Sinh(SampleBlock a) => Map<SinhOp>(a);

    /// <summary>Lane-wise <see cref="Math.Cosh(double)"/>.</summary>
    public static SampleBlock Cosh(SampleBlock a) => Map<CoshOp>(a);

    /// <summary>Lane-wise <see cref="Math.Atan(double)"/>.</summary>
    public static SampleBlock Atan(SampleBlock a) => Map<AtanOp>(a);

    /// <summary>Lane-wise <see cref="Math.Abs(double)"/> (the sign bit cleared).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock Abs(SampleBlock a) => new(Vector256.Abs(a.V0), Vector256.Abs(a.V1), Vector256.Abs(a.V2), Vector256.Abs(a.V3));

    /// <summary>Lane-wise <see cref="Math.Pow(double, double)"/>.</summary>
    public static SampleBlock Pow(SampleBlock x, SampleBlock y) => Map<PowOp>(x, y);

    /// <summary>Lane-wise <see cref="Math.Pow(double, double)"/>. The scalar is broadcast: every lane is the scalar call exactly.</summary>
    public static SampleBlock Pow(SampleBlock x, double y) => Map<PowOp>(x, (SampleBlock)y);

    /// <summary>Lane-wise <see cref="Math.Pow(double, double)"/>. The scalar is broadcast: every lane is the scalar call exactly.</summary>
    public static SampleBlock Pow(double x, SampleBlock y) => Map<PowOp>((SampleBlock)x, y);

    /// <summary>Lane-wise <see cref="Math.Max(double, double)"/>.</summary>
    public static SampleBlock Max(SampleBlock x, SampleBlock y) => Map<MaxOp>(x, y);

    /// <summary>Lane-wise <see cref="Math.Max(double, double)"/>. The scalar is broadcast: every lane is the scalar call exactly.</summary>
    public static SampleBlock Max(SampleBlock x, double y) => Map<MaxOp>(x, (SampleBlock)y);

    /// <summary>Lane-wise <see cref="Math.Max(double, double)"/>. The scalar is broadcast: every lane is the scalar call exactly.</summary>
    public static SampleBlock Max(double x, SampleBlock y) => Map<MaxOp>((SampleBlock)x, y);

    /// <summary>Lane-wise <see cref="Math.Min(double, double)"/>.</summary>
    public static SampleBlock Min(SampleBlock x, SampleBlock y) => Map<MinOp>(x, y);

    /// <summary>Lane-wise <see cref="Math.Min(double, double)"/>. The scalar is broadcast: every lane is the scalar call exactly.</summary>
    public static SampleBlock Min(SampleBlock x, double y) => Map<MinOp>(x, (SampleBlock)y);

    /// <summary>Lane-wise <see cref="Math.Min(double, double)"/>. The scalar is broadcast: every lane is the scalar call exactly.</summary>
    public static SampleBlock Min(double x, SampleBlock y) => Map<MinOp>((SampleBlock)x, y);

    // ---- The per-lane calls of System.Math: one loop, specialised by the JIT for each operation (a struct). ----

    private interface IUnary
    {
        static abstract double Apply(double x);
    }

    private interface IBinary
    {
        static abstract double Apply(double x, double y);
    }

    private static SampleBlock Map<TOp>(SampleBlock a) where TOp : struct, IUnary
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = TOp.Apply(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    private static SampleBlock Map<TOp>(SampleBlock x, SampleBlock y) where TOp : struct, IBinary
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = TOp.Apply(Unsafe.Add(ref First(ref x), b), Unsafe.Add(ref First(ref y), b));
        return r;
    }

    private struct LogOp : IUnary
    {
        public static double Apply(double x) => Math.Log(x);
    }

    private struct SinOp : IUnary
    {
        public static double Apply(double x) => Math.Sin(x);
    }

    private struct CosOp : IUnary
    {
        public static double Apply(double x) => Math.Cos(x);
    }

    private struct TanOp : IUnary
    {
        public static double Apply(double x) => Math.Tan(x);
    }

    private struct SinhOp : IUnary
    {
        public static double Apply(double x) => Math.Sinh(x);
    }

    private struct CoshOp : IUnary
    {
        public static double Apply(double x) => Math.Cosh(x);
    }

    private struct AtanOp : IUnary
    {
        public static double Apply(double x) => Math.Atan(x);
    }

    private struct PowOp : IBinary
    {
        public static double Apply(double x, double y) => Math.Pow(x, y);
    }

    private struct MaxOp : IBinary
    {
        public static double Apply(double x, double y) => Math.Max(x, y);
    }

    private struct MinOp : IBinary
    {
        public static double Apply(double x, double y) => Math.Min(x, y);
    }

    // ---- Exp and Tanh without a call per lane ----
    //
    // Both are written once, generically over ILanes<T>, and run with T = one double (the fallback), Vector256 or
    // Vector512. Every ILanes operation is one IEEE operation per lane with one rounding (a fused multiply-add rounds
    // once on every path, Math.FusedMultiplyAdd included), so the three forms give the same bits; the tests call
    // ExpLane/Exp256/Exp512 and TanhLane/Tanh256/Tanh512 by name to check that.
    //
    // Both reduce y = n·ln 2 + r with n = round(y / ln 2), |r| ≤ ln 2 / 2 (ln 2 in two parts, so r is exact to about
    // 2^−106 and its rounding error is carried along), and evaluate e^r − 1 as an unevaluated sum hi + lo, accurate
    // to about 2^−60 relative, from its Taylor series to degree 14 (truncation ≤ 3·10⁻¹⁹ relative). Then
    //   e^x    = 2^n · (1 + hi + lo), rounded once when 1 + hi + lo is formed and scaled by 2^n in two steps, the
    //            first exact (so n = 1024 overflows, and n < −1022 gives a subnormal with a second rounding);
    //   tanh a = (e^{2a} − 1) / (e^{2a} + 1) for a = |x|, numerator and denominator as double-doubles (2^n ± 1 held
    //            exactly in two parts), divided with one correction step of the quotient. There is no cancellation
    //            near 0: for n = 0 the numerator is e^r − 1 itself.
    // No table and no branch: special inputs go through the same operations (clamped), NaN lanes are selected at
    // the end.

    /// <summary>1.5·2^52: <c>y/ln 2 + Shifter</c> rounds to the nearest integer n, which is then the low bits of the result.</summary>
    private const double Shifter = 6755399441055744.0;
    private const long ShifterBits = 0x4338000000000000;
    private const double InvLn2 = 1.4426950408889634;
    private const double Ln2Hi = 0.6931471805599453;        // ln 2 rounded to double
    private const double Ln2Lo = 2.3190468138462996e-17;    // ln 2 − Ln2Hi rounded to double
    private const double ExpUpper = 710, ExpLower = -746;   // e^x is +∞ above, 0 below: clamping changes nothing
    private const double TanhUpper = 20;                    // tanh |x| rounds to 1 above 19.0615…

    // The block arrives by value, and the JIT copies such an argument in 16-byte pieces: a 32- or 64-byte load of the
    // copy cannot be forwarded from those stores and waits until they complete (≈ 15 ns per block measured), so the
    // vector paths load it in 16-byte pieces, which forward from any store that contains them.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Load512(ref SampleBlock a, int half)
    {
        ref Vector128<double> q = ref Unsafe.Add(ref Unsafe.As<SampleBlock, Vector128<double>>(ref a), 4 * half);
        return Vector512.Create(Vector256.Create(q, Unsafe.Add(ref q, 1)), Vector256.Create(Unsafe.Add(ref q, 2), Unsafe.Add(ref q, 3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Load256(ref SampleBlock a, int quarter)
    {
        ref Vector128<double> q = ref Unsafe.Add(ref Unsafe.As<SampleBlock, Vector128<double>>(ref a), 2 * quarter);
        return Vector256.Create(q, Unsafe.Add(ref q, 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Exp512(Vector512<double> x) => ExpCore(new Lanes8(x)).V;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Exp256(Vector256<double> x) => ExpCore(new Lanes4(x)).V;

    private static double ExpLane(double x) => ExpCore(new Lane1(x)).V;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Tanh512(Vector512<double> x) => TanhCore(new Lanes8(x)).V;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Tanh256(Vector256<double> x) => TanhCore(new Lanes4(x)).V;

    private static double TanhLane(double x) => TanhCore(new Lane1(x)).V;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ExpCore<T>(T x) where T : struct, ILanes<T>
    {
        T xc = T.Max(T.Min(x, T.Create(ExpUpper)), T.Create(ExpLower));         // NaN → 710, replaced at the end
        T t = T.MultiplyAdd(xc, T.Create(InvLn2), T.Create(Shifter));          // n = t − Shifter ∈ [−1076, 1024]
        ExpM1Reduced(xc, t, out T hi, out T lo);
        T one = T.Create(1);
        T s = one + hi;                                                          // |hi| < 0.42: a fast two-sum
        T p = s + (((one - s) + hi) + lo);                                       // e^r, one rounding of 1 + hi + lo
        // 2^n = 2^n1 · 2^n2 with n1 = ⌊n/2⌋, n2 = n − n1, both normal: p·2^n1 is exact, ·2^n2 rounds once.
        T u = T.AddBits(t, 2048 - ShifterBits);                                  // n + 2048 ≥ 972, as an integer
        T half = T.ShiftRightBits(u, 1);                                         // n1 + 1024
        T scale1 = T.ShiftLeftBits(T.AddBits(half, -1), 52);                     // exponent field n1 + 1023
        T scale2 = T.ShiftLeftBits(T.AddBits(T.SubtractBits(u, half), -1), 52);  // exponent field n2 + 1023
        T result = p * scale1 * scale2;
        return T.Select(T.IsNaN(x), x + x, result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T TanhCore<T>(T x) where T : struct, ILanes<T>
    {
        T a = T.Min(T.Abs(x), T.Create(TanhUpper));                              // NaN → 20, replaced at the end
        T y = a + a;                                                             // exact
        T t = T.MultiplyAdd(a, T.Create(2 * InvLn2), T.Create(Shifter));        // = y·InvLn2 + Shifter; n = t − Shifter ∈ [0, 58]
        ExpM1Reduced(y, t, out T sum, out T sumLo);
        T hi = sum + sumLo, lo = (sum - hi) + sumLo;                             // renormalised: |lo| ≤ ulp(hi)
        T scale = T.ShiftLeftBits(T.AddBits(t, 1023), 52);                       // 2^n; e^y = 2^n·(1 + hi + lo)
        T h = scale * hi, l = scale * lo;                                        // exact
        T one = T.Create(1);
        T minus = scale - one, minusLo = (scale - minus) - one;                  // 2^n − 1, exactly (also for n > 53)
        T plus = scale + one, plusLo = (scale - plus) + one;                     // 2^n + 1
        // e^y ∓ 1 = (2^n ∓ 1) + h + l, with |h| < 2^(n−1) ≤ 2^n ∓ 1 (or 2^n − 1 = 0): fast two-sums.
        T num = minus + h, numLo = (h - (num - minus)) + (minusLo + l);
        T den = plus + h, denLo = (h - (den - plus)) + (plusLo + l);
        T reciprocal = one / den;
        T q = num * reciprocal;
        T residual = T.NegatedMultiplyAdd(q, den, num) + T.NegatedMultiplyAdd(q, denLo, numLo); // (num + numLo) − q·(den + denLo)
        q = T.MultiplyAdd(residual, reciprocal, q);
        T signed = T.Select(T.Create(-0.0), x, q);                               // copy the sign of x (±0 too)
        return T.Select(T.IsNaN(x), x + x, signed);
    }

    /// <summary>
    /// e^r − 1 = hi + lo (|lo| up to about r³/6, not renormalised) for r = y − n·ln 2, n = t − Shifter the nearest
    /// integer to y/ln 2 (|y/ln 2| &lt; 2^51).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ExpM1Reduced<T>(T y, T t, out T hi, out T lo) where T : struct, ILanes<T>
    {
        T n = t - T.Create(Shifter);                                             // exact
        T rh = T.NegatedMultiplyAdd(n, T.Create(Ln2Hi), y);                      // y − n·Ln2Hi, exact
        T r = T.NegatedMultiplyAdd(n, T.Create(Ln2Lo), rh);
        T c = T.NegatedMultiplyAdd(n, T.Create(Ln2Lo), rh - r);                  // what r lost to rounding
        // e^(r + c) − 1 = r + r²/2 + r³·q(r) + c·(1 + r) + O(c·r², r^15/15!), q(r) = Σ_{k=3..14} r^(k−3)/k!,
        // q by Estrin's scheme (pairs of coefficients, then powers r², r⁴): a short dependency chain.
        T r2 = r * r, r4 = r2 * r2;
        T q01 = T.MultiplyAdd(T.Create(1.0 / 24), r, T.Create(1.0 / 6));
        T q23 = T.MultiplyAdd(T.Create(1.0 / 720), r, T.Create(1.0 / 120));
        T q45 = T.MultiplyAdd(T.Create(1.0 / 40320), r, T.Create(1.0 / 5040));
        T q67 = T.MultiplyAdd(T.Create(1.0 / 3628800), r, T.Create(1.0 / 362880));
        T q89 = T.MultiplyAdd(T.Create(1.0 / 479001600), r, T.Create(1.0 / 39916800));
        T q1011 = T.MultiplyAdd(T.Create(1.0 / 87178291200), r, T.Create(1.0 / 6227020800));
        T q03 = T.MultiplyAdd(q23, r2, q01);
        T q47 = T.MultiplyAdd(q67, r2, q45);
        T q811 = T.MultiplyAdd(q1011, r2, q89);
        T q = T.MultiplyAdd(T.MultiplyAdd(q811, r4, q47), r4, q03);
        T r2Lo = T.MultiplySubtract(r, r, r2);                                   // r² − r2, exact
        T half = r2 * T.Create(0.5);
        hi = r + half;                                                           // |r| ≥ r²/2: a fast two-sum
        T tail = T.MultiplyAdd(r2 * r, q, T.MultiplyAdd(c, r, c) + r2Lo * T.Create(0.5));
        lo = ((r - hi) + half) + tail;
    }

    /// <summary>
    /// The operations <see cref="ExpCore"/> and <see cref="TanhCore"/> are written in, on 1, 4 or 8 lanes: each is
    /// one IEEE operation per lane (the multiply-adds round once), so every width gives the same bits. Bit operations
    /// act on the 64-bit patterns; masks are all ones or all zeros per lane.
    /// </summary>
    private interface ILanes<T> where T : struct, ILanes<T>
    {
        static abstract T Create(double value);
        static abstract T operator +(T a, T b);
        static abstract T operator -(T a, T b);
        static abstract T operator *(T a, T b);
        static abstract T operator /(T a, T b);
        /// <summary>a·b + c, rounded once.</summary>
        static abstract T MultiplyAdd(T a, T b, T c);
        /// <summary>a·b − c, rounded once.</summary>
        static abstract T MultiplySubtract(T a, T b, T c);
        /// <summary>c − a·b, rounded once.</summary>
        static abstract T NegatedMultiplyAdd(T a, T b, T c);
        static abstract T Abs(T a);
        /// <summary>a &lt; b ? a : b (so b if either is NaN), the x86 minpd.</summary>
        static abstract T Min(T a, T b);
        /// <summary>a &gt; b ? a : b (so b if either is NaN), the x86 maxpd.</summary>
        static abstract T Max(T a, T b);
        static abstract T IsNaN(T a);
        /// <summary>Bitwise: the bits of <paramref name="ifOne"/> where <paramref name="mask"/> has ones, else <paramref name="ifZero"/>'s.</summary>
        static abstract T Select(T mask, T ifOne, T ifZero);
        static abstract T AddBits(T a, long b);
        static abstract T SubtractBits(T a, T b);
        static abstract T ShiftLeftBits(T a, int count);
        /// <summary>Logical shift.</summary>
        static abstract T ShiftRightBits(T a, int count);
    }

    private readonly struct Lane1 : ILanes<Lane1>
    {
        public readonly double V;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public Lane1(double v) => V = v;
        private static Lane1 Bits(long bits) => new(BitConverter.Int64BitsToDouble(bits));
        private long AsBits => BitConverter.DoubleToInt64Bits(V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Create(double value) => new(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 operator +(Lane1 a, Lane1 b) => new(a.V + b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 operator -(Lane1 a, Lane1 b) => new(a.V - b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 operator *(Lane1 a, Lane1 b) => new(a.V * b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 operator /(Lane1 a, Lane1 b) => new(a.V / b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 MultiplyAdd(Lane1 a, Lane1 b, Lane1 c) => new(Math.FusedMultiplyAdd(a.V, b.V, c.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 MultiplySubtract(Lane1 a, Lane1 b, Lane1 c) => new(Math.FusedMultiplyAdd(a.V, b.V, -c.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 NegatedMultiplyAdd(Lane1 a, Lane1 b, Lane1 c) => new(Math.FusedMultiplyAdd(-a.V, b.V, c.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Abs(Lane1 a) => new(Math.Abs(a.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Min(Lane1 a, Lane1 b) => a.V < b.V ? a : b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Max(Lane1 a, Lane1 b) => a.V > b.V ? a : b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 IsNaN(Lane1 a) => Bits(double.IsNaN(a.V) ? -1 : 0);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Select(Lane1 mask, Lane1 ifOne, Lane1 ifZero) => Bits((mask.AsBits & ifOne.AsBits) | (~mask.AsBits & ifZero.AsBits));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 AddBits(Lane1 a, long b) => Bits(unchecked(a.AsBits + b));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 SubtractBits(Lane1 a, Lane1 b) => Bits(unchecked(a.AsBits - b.AsBits));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 ShiftLeftBits(Lane1 a, int count) => Bits(a.AsBits << count);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 ShiftRightBits(Lane1 a, int count) => Bits((long)((ulong)a.AsBits >> count));
    }

    private readonly struct Lanes4 : ILanes<Lanes4>
    {
        public readonly Vector256<double> V;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public Lanes4(Vector256<double> v) => V = v;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Create(double value) => new(Vector256.Create(value));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 operator +(Lanes4 a, Lanes4 b) => new(a.V + b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 operator -(Lanes4 a, Lanes4 b) => new(a.V - b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 operator *(Lanes4 a, Lanes4 b) => new(a.V * b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 operator /(Lanes4 a, Lanes4 b) => new(a.V / b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 MultiplyAdd(Lanes4 a, Lanes4 b, Lanes4 c) => new(Fma.MultiplyAdd(a.V, b.V, c.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 MultiplySubtract(Lanes4 a, Lanes4 b, Lanes4 c) => new(Fma.MultiplySubtract(a.V, b.V, c.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 NegatedMultiplyAdd(Lanes4 a, Lanes4 b, Lanes4 c) => new(Fma.MultiplyAddNegated(a.V, b.V, c.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Abs(Lanes4 a) => new(Vector256.Abs(a.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Min(Lanes4 a, Lanes4 b) => new(Avx.Min(a.V, b.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Max(Lanes4 a, Lanes4 b) => new(Avx.Max(a.V, b.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 IsNaN(Lanes4 a) => new(~Vector256.Equals(a.V, a.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Select(Lanes4 mask, Lanes4 ifOne, Lanes4 ifZero) => new(Vector256.ConditionalSelect(mask.V, ifOne.V, ifZero.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 AddBits(Lanes4 a, long b) => new((a.V.AsInt64() + Vector256.Create(b)).AsDouble());
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 SubtractBits(Lanes4 a, Lanes4 b) => new((a.V.AsInt64() - b.V.AsInt64()).AsDouble());
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 ShiftLeftBits(Lanes4 a, int count) => new(Vector256.ShiftLeft(a.V.AsUInt64(), count).AsDouble());
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 ShiftRightBits(Lanes4 a, int count) => new(Vector256.ShiftRightLogical(a.V.AsUInt64(), count).AsDouble());
    }

    private readonly struct Lanes8 : ILanes<Lanes8>
    {
        public readonly Vector512<double> V;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public Lanes8(Vector512<double> v) => V = v;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Create(double value) => new(Vector512.Create(value));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 operator +(Lanes8 a, Lanes8 b) => new(a.V + b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 operator -(Lanes8 a, Lanes8 b) => new(a.V - b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 operator *(Lanes8 a, Lanes8 b) => new(a.V * b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 operator /(Lanes8 a, Lanes8 b) => new(a.V / b.V);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 MultiplyAdd(Lanes8 a, Lanes8 b, Lanes8 c) => new(Avx512F.FusedMultiplyAdd(a.V, b.V, c.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 MultiplySubtract(Lanes8 a, Lanes8 b, Lanes8 c) => new(Avx512F.FusedMultiplySubtract(a.V, b.V, c.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 NegatedMultiplyAdd(Lanes8 a, Lanes8 b, Lanes8 c) => new(Avx512F.FusedMultiplyAddNegated(a.V, b.V, c.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Abs(Lanes8 a) => new(Vector512.Abs(a.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Min(Lanes8 a, Lanes8 b) => new(Avx512F.Min(a.V, b.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Max(Lanes8 a, Lanes8 b) => new(Avx512F.Max(a.V, b.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 IsNaN(Lanes8 a) => new(~Vector512.Equals(a.V, a.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Select(Lanes8 mask, Lanes8 ifOne, Lanes8 ifZero) => new(Vector512.ConditionalSelect(mask.V, ifOne.V, ifZero.V));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 AddBits(Lanes8 a, long b) => new((a.V.AsInt64() + Vector512.Create(b)).AsDouble());
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 SubtractBits(Lanes8 a, Lanes8 b) => new((a.V.AsInt64() - b.V.AsInt64()).AsDouble());
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 ShiftLeftBits(Lanes8 a, int count) => new(Vector512.ShiftLeft(a.V.AsUInt64(), count).AsDouble());
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 ShiftRightBits(Lanes8 a, int count) => new(Vector512.ShiftRightLogical(a.V.AsUInt64(), count).AsDouble());
    }
}
