using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator +(SampleBlock a, SampleBlock b) => new(a.V0 + b.V0, a.V1 + b.V1, a.V2 + b.V2, a.V3 + b.V3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator -(SampleBlock a, SampleBlock b) => new(a.V0 - b.V0, a.V1 - b.V1, a.V2 - b.V2, a.V3 - b.V3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator *(SampleBlock a, SampleBlock b) => new(a.V0 * b.V0, a.V1 * b.V1, a.V2 * b.V2, a.V3 * b.V3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SampleBlock operator /(SampleBlock a, SampleBlock b) => new(a.V0 / b.V0, a.V1 / b.V1, a.V2 / b.V2, a.V3 / b.V3);

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
        if (first < 0 || (long)(first + Size) * width > rows.Length) throw new ArgumentOutOfRangeException(nameof(first));
        for (int r = 0; r < Size; r++)
        {
            var row = rows.Slice((first + r) * width, width);
            for (int k = 0; k < width; k++) into[k][r] = row[k];
        }
    }
}
