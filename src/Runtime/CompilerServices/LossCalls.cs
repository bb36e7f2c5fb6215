using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace AutoCurv.CompilerServices;

/// <summary>
/// The loss operations generated loss-composed members call: gradients and H_ℓ·v accumulated into an
/// adjoint span, with lane (Vector256) variants for vector-mode members. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LossCalls
{
    private const int StackLimit = 256;

    /// <summary><paramref name="into"/> += scale · ∇ℓ(output, target).</summary>
    public static void AccumulateGradient<TLoss, T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, T scale, Span<T> into)
        where TLoss : ILoss where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = output.Length;
        T[]? rented = null;
        Span<T> gradient = c <= StackLimit ? stackalloc T[c] : Scratch.Rent(c, ref rented);
        TLoss.Gradient(output, target, gradient);
        for (int i = 0; i < c; i++) into[i] += scale * gradient[i];
        Scratch.Return(rented);
    }

    /// <summary><paramref name="into"/> += scale · H_ℓ(output, target) · <paramref name="vector"/>.</summary>
    public static void AccumulateHessianVectorProduct<TLoss, T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<T> vector, T scale, Span<T> into)
        where TLoss : ILoss where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = output.Length;
        T[]? rented = null;
        Span<T> product = c <= StackLimit ? stackalloc T[c] : Scratch.Rent(c, ref rented);
        TLoss.HessianVectorProduct(output, target, vector, product);
        for (int i = 0; i < c; i++) into[i] += scale * product[i];
        Scratch.Return(rented);
    }

    /// <summary>Lane-wise <see cref="AccumulateHessianVectorProduct{TLoss, T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, T, Span{T})"/>.</summary>
    public static void AccumulateHessianVectorProduct<TLoss, T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<Vector256<T>> vectors, T scale, Span<Vector256<T>> into)
        where TLoss : ILoss where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = output.Length;
        T[]? rented = null;
        Span<T> buffer = 2 * c <= StackLimit ? stackalloc T[2 * c] : Scratch.Rent(2 * c, ref rented);
        var v = buffer.Slice(0, c);
        var product = buffer.Slice(c, c);
        for (int lane = 0; lane < Vector256<T>.Count; lane++)
        {
            for (int i = 0; i < c; i++) v[i] = vectors[i].GetElement(lane);
            TLoss.HessianVectorProduct<T>(output, target, v, product);
            for (int i = 0; i < c; i++) into[i] = into[i].WithElement(lane, into[i].GetElement(lane) + scale * product[i]);
        }
        Scratch.Return(rented);
    }

    /// <summary>∇ℓ(output, target) · <paramref name="tangent"/>.</summary>
    public static T DirectionalDerivative<TLoss, T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<T> tangent)
        where TLoss : ILoss where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = output.Length;
        T[]? rented = null;
        Span<T> gradient = c <= StackLimit ? stackalloc T[c] : Scratch.Rent(c, ref rented);
        TLoss.Gradient(output, target, gradient);
        T sum = T.Zero;
        for (int i = 0; i < c; i++) sum += gradient[i] * tangent[i];
        Scratch.Return(rented);
        return sum;
    }

    /// <summary>Lane-wise <see cref="DirectionalDerivative{TLoss, T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T})"/>.</summary>
    public static Vector256<T> DirectionalDerivative<TLoss, T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<Vector256<T>> tangents)
        where TLoss : ILoss where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = output.Length;
        T[]? rented = null;
        Span<T> gradient = c <= StackLimit ? stackalloc T[c] : Scratch.Rent(c, ref rented);
        TLoss.Gradient(output, target, gradient);
        var sum = Vector256<T>.Zero;
        for (int i = 0; i < c; i++) sum += tangents[i] * gradient[i];
        Scratch.Return(rented);
        return sum;
    }
}
