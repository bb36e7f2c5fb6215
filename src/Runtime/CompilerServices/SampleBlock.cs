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
/// with exactly the operations the scalar program performs, so lane b equals the per-sample member's value for
/// sample b (kernels that reassociate a sum, as <see cref="Kernels"/> does, agree to rounding). Not for direct use.
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
    public static double Sum(SampleBlock a)
    {
        double s = 0;
        for (int b = 0; b < Size; b++) s += a[b];
        return s;
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

    // ---- Math: lane b is System.Math's result for lane b, bit for bit. Sqrt and Abs use the vector
    // instructions (a correctly rounded square root and a sign-bit clear, which is what Math.Sqrt and Math.Abs
    // compute); the others call System.Math once per lane. ----

    /// <summary>The first lane, by reference (lane b is <c>Unsafe.Add(ref First(ref s), b)</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref double First(ref SampleBlock s) => ref Unsafe.As<SampleBlock, double>(ref s);

    /// <summary>Lane-wise <see cref="Math.Exp(double)"/>.</summary>
    public static SampleBlock Exp(SampleBlock a)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Exp(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Log(double)"/>.</summary>
    public static SampleBlock Log(SampleBlock a)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Log(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Sqrt(double)"/> (the correctly rounded square root).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock Sqrt(SampleBlock a) => new(Vector256.Sqrt(a.V0), Vector256.Sqrt(a.V1), Vector256.Sqrt(a.V2), Vector256.Sqrt(a.V3));

    /// <summary>Lane-wise <see cref="Math.Sin(double)"/>.</summary>
    public static SampleBlock Sin(SampleBlock a)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Sin(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Cos(double)"/>.</summary>
    public static SampleBlock Cos(SampleBlock a)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Cos(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Tan(double)"/>.</summary>
    public static SampleBlock Tan(SampleBlock a)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Tan(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Tanh(double)"/>.</summary>
    public static SampleBlock Tanh(SampleBlock a)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Tanh(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Sinh(double)"/>.</summary>
    public static SampleBlock Sinh(SampleBlock a)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Sinh(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Cosh(double)"/>.</summary>
    public static SampleBlock Cosh(SampleBlock a)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Cosh(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Atan(double)"/>.</summary>
    public static SampleBlock Atan(SampleBlock a)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Atan(Unsafe.Add(ref First(ref a), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Abs(double)"/> (the sign bit cleared).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock Abs(SampleBlock a) => new(Vector256.Abs(a.V0), Vector256.Abs(a.V1), Vector256.Abs(a.V2), Vector256.Abs(a.V3));

    /// <summary>Lane-wise <see cref="Math.Pow(double, double)"/>.</summary>
    public static SampleBlock Pow(SampleBlock x, SampleBlock y)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Pow(Unsafe.Add(ref First(ref x), b), Unsafe.Add(ref First(ref y), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Pow(double, double)"/>.</summary>
    public static SampleBlock Pow(SampleBlock x, double y)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Pow(Unsafe.Add(ref First(ref x), b), y);
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Pow(double, double)"/>.</summary>
    public static SampleBlock Pow(double x, SampleBlock y)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Pow(x, Unsafe.Add(ref First(ref y), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Max(double, double)"/>.</summary>
    public static SampleBlock Max(SampleBlock x, SampleBlock y)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Max(Unsafe.Add(ref First(ref x), b), Unsafe.Add(ref First(ref y), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Max(double, double)"/>.</summary>
    public static SampleBlock Max(SampleBlock x, double y)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Max(Unsafe.Add(ref First(ref x), b), y);
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Max(double, double)"/>.</summary>
    public static SampleBlock Max(double x, SampleBlock y)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Max(x, Unsafe.Add(ref First(ref y), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Min(double, double)"/>.</summary>
    public static SampleBlock Min(SampleBlock x, SampleBlock y)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Min(Unsafe.Add(ref First(ref x), b), Unsafe.Add(ref First(ref y), b));
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Min(double, double)"/>.</summary>
    public static SampleBlock Min(SampleBlock x, double y)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Min(Unsafe.Add(ref First(ref x), b), y);
        return r;
    }

    /// <summary>Lane-wise <see cref="Math.Min(double, double)"/>.</summary>
    public static SampleBlock Min(double x, SampleBlock y)
    {
        SampleBlock r = default;
        for (int b = 0; b < Size; b++) Unsafe.Add(ref First(ref r), b) = Math.Min(x, Unsafe.Add(ref First(ref y), b));
        return r;
    }
}
