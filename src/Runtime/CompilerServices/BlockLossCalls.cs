using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AutoCurv.CompilerServices;

/// <summary>
/// The loss operations of the batched members: <see cref="LossCalls"/> for a block of samples, one lane at a time.
/// Each lane's output, target (and vector or tangent) are copied to scratch, the scalar loss runs on them, and the
/// result goes back to that lane with exactly the arithmetic of the scalar <see cref="LossCalls"/> method of the same
/// name, so lane b equals the per-sample result for sample b. Scratch is on the stack up to
/// <see cref="Scratch.StackLimit"/> outputs and rented above. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BlockLossCalls
{
    /// <summary>ℓ(output, target) per lane.</summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> does not have the length of <paramref name="output"/>.</exception>
    public static SampleBlock Value<TLoss>(ReadOnlySpan<SampleBlock> output, ReadOnlySpan<SampleBlock> target)
        where TLoss : ILoss
    {
        int c = output.Length;
        RequireLength(target.Length, c, nameof(target));
        double[]? rented = null;
        Span<double> buffer = c <= Scratch.StackLimit ? stackalloc double[2 * c] : Scratch.Rent(2 * c, ref rented);
        Span<double> f = buffer.Slice(0, c), y = buffer.Slice(c, c);
        SampleBlock result = default;
        ref double r = ref SampleBlock.First(ref result);
        for (int lane = 0; lane < SampleBlock.Size; lane++)
        {
            Gather(output, lane, f);
            Gather(target, lane, y);
            Unsafe.Add(ref r, lane) = TLoss.Value<double>(f, y);
        }
        Scratch.Return(rented);
        return result;
    }

    /// <summary><paramref name="into"/> += scale · ∇ℓ(output, target), per lane.</summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> or <paramref name="into"/> does not have the length of <paramref name="output"/>.</exception>
    public static void AccumulateGradient<TLoss>(ReadOnlySpan<SampleBlock> output, ReadOnlySpan<SampleBlock> target, SampleBlock scale, Span<SampleBlock> into)
        where TLoss : ILoss
    {
        int c = output.Length;
        RequireLength(target.Length, c, nameof(target));
        RequireLength(into.Length, c, nameof(into));
        double[]? rented = null;
        Span<double> buffer = c <= Scratch.StackLimit ? stackalloc double[3 * c] : Scratch.Rent(3 * c, ref rented);
        Span<double> f = buffer.Slice(0, c), y = buffer.Slice(c, c), gradient = buffer.Slice(2 * c, c);
        ref double intoLanes = ref Unsafe.As<SampleBlock, double>(ref MemoryMarshal.GetReference(into));
        for (int lane = 0; lane < SampleBlock.Size; lane++)
        {
            Gather(output, lane, f);
            Gather(target, lane, y);
            TLoss.Gradient<double>(f, y, gradient);
            double s = scale[lane];
            for (int i = 0; i < c; i++) Unsafe.Add(ref intoLanes, (nint)i * SampleBlock.Size + lane) += s * gradient[i];
        }
        Scratch.Return(rented);
    }

    /// <summary><paramref name="into"/> += scale · H_ℓ(output, target) · <paramref name="vector"/>, per lane.</summary>
    /// <exception cref="ArgumentException"><paramref name="target"/>, <paramref name="vector"/> or <paramref name="into"/> does not have the length of <paramref name="output"/>.</exception>
    public static void AccumulateHessianVectorProduct<TLoss>(ReadOnlySpan<SampleBlock> output, ReadOnlySpan<SampleBlock> target, ReadOnlySpan<SampleBlock> vector, SampleBlock scale, Span<SampleBlock> into)
        where TLoss : ILoss
    {
        int c = output.Length;
        RequireLength(target.Length, c, nameof(target));
        RequireLength(vector.Length, c, nameof(vector));
        RequireLength(into.Length, c, nameof(into));
        double[]? rented = null;
        Span<double> buffer = c <= Scratch.StackLimit ? stackalloc double[4 * c] : Scratch.Rent(4 * c, ref rented);
        Span<double> f = buffer.Slice(0, c), y = buffer.Slice(c, c), v = buffer.Slice(2 * c, c), product = buffer.Slice(3 * c, c);
        ref double intoLanes = ref Unsafe.As<SampleBlock, double>(ref MemoryMarshal.GetReference(into));
        for (int lane = 0; lane < SampleBlock.Size; lane++)
        {
            Gather(output, lane, f);
            Gather(target, lane, y);
            Gather(vector, lane, v);
            TLoss.HessianVectorProduct<double>(f, y, v, product);
            double s = scale[lane];
            for (int i = 0; i < c; i++) Unsafe.Add(ref intoLanes, (nint)i * SampleBlock.Size + lane) += s * product[i];
        }
        Scratch.Return(rented);
    }

    /// <summary>∇ℓ(output, target) · <paramref name="tangent"/>, per lane.</summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> or <paramref name="tangent"/> does not have the length of <paramref name="output"/>.</exception>
    public static SampleBlock DirectionalDerivative<TLoss>(ReadOnlySpan<SampleBlock> output, ReadOnlySpan<SampleBlock> target, ReadOnlySpan<SampleBlock> tangent)
        where TLoss : ILoss
    {
        int c = output.Length;
        RequireLength(target.Length, c, nameof(target));
        RequireLength(tangent.Length, c, nameof(tangent));
        double[]? rented = null;
        Span<double> buffer = c <= Scratch.StackLimit ? stackalloc double[3 * c] : Scratch.Rent(3 * c, ref rented);
        Span<double> f = buffer.Slice(0, c), y = buffer.Slice(c, c), gradient = buffer.Slice(2 * c, c);
        ref double tangentLanes = ref Unsafe.As<SampleBlock, double>(ref MemoryMarshal.GetReference(tangent));
        SampleBlock result = default;
        ref double r = ref SampleBlock.First(ref result);
        for (int lane = 0; lane < SampleBlock.Size; lane++)
        {
            Gather(output, lane, f);
            Gather(target, lane, y);
            TLoss.Gradient<double>(f, y, gradient);
            double sum = 0;
            for (int i = 0; i < c; i++) sum += gradient[i] * Unsafe.Add(ref tangentLanes, (nint)i * SampleBlock.Size + lane);
            Unsafe.Add(ref r, lane) = sum;
        }
        Scratch.Return(rented);
        return result;
    }

    /// <summary>into[i] = blocks[i] lane <paramref name="lane"/>; <paramref name="into"/> has the length of <paramref name="blocks"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gather(ReadOnlySpan<SampleBlock> blocks, int lane, Span<double> into)
    {
        ref double lanes = ref Unsafe.Add(ref Unsafe.As<SampleBlock, double>(ref MemoryMarshal.GetReference(blocks)), lane);
        for (int i = 0; i < into.Length; i++) into[i] = Unsafe.Add(ref lanes, (nint)i * SampleBlock.Size);
    }

    private static void RequireLength(int actual, int expected, string parameter)
    {
        if (actual != expected) Scratch.ThrowLength(parameter, actual, expected);
    }
}
