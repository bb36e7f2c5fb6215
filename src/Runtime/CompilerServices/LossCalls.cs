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

    /// <summary>
    /// <paramref name="into"/> = scale · ∇ℓ(output, target), without reading <paramref name="into"/>: what
    /// <see cref="AccumulateGradient{TLoss, T}"/> leaves in a span of zeros (bit for bit, except that a product of −0
    /// stays −0 where 0 + (−0) gives +0). A generated member calls it for the first contribution to its output adjoint.
    /// </summary>
    public static void WriteGradient<TLoss, T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, T scale, Span<T> into)
        where TLoss : ILoss where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (into.Length != output.Length) Scratch.ThrowLength(nameof(into), into.Length, output.Length);
        TLoss.Gradient(output, target, into);
        if (scale != T.One) Scale(scale, into);
    }

    /// <summary>
    /// <paramref name="into"/> = scale · H_ℓ(output, target) · <paramref name="vector"/>, without reading
    /// <paramref name="into"/> (see <see cref="WriteGradient{TLoss, T}"/>).
    /// </summary>
    public static void WriteHessianVectorProduct<TLoss, T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<T> vector, T scale, Span<T> into)
        where TLoss : ILoss where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (into.Length != output.Length) Scratch.ThrowLength(nameof(into), into.Length, output.Length);
        TLoss.HessianVectorProduct(output, target, vector, into);
        if (scale != T.One) Scale(scale, into);
    }

    private static void Scale<T>(T scale, Span<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++) values[i] = scale * values[i];
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

    /// <summary>
    /// Appends H_ℓ(output, target) (C × C) to <paramref name="tape"/>, column by column (column j = H_ℓ e_j): the
    /// recording primal sweep of a dense Hessian or exact diagonal, so that its passes apply H_ℓ to their lanes with
    /// <see cref="AccumulateRecordedHessianProduct{T}"/> instead of evaluating the loss again.
    /// </summary>
    public static void RecordHessian<TLoss, T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, ref ValueStack<T> tape)
        where TLoss : ILoss where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = output.Length;
        T[]? rented = null;
        Span<T> buffer = 2 * c <= StackLimit ? stackalloc T[2 * c] : Scratch.Rent(2 * c, ref rented);
        var unit = buffer.Slice(0, c);
        var column = buffer.Slice(c, c);
        unit.Clear();
        for (int j = 0; j < c; j++)
        {
            unit[j] = T.One;
            TLoss.HessianVectorProduct(output, target, unit, column);
            unit[j] = T.Zero;
            for (int i = 0; i < c; i++) tape.Push(column[i]);
        }
        Scratch.Return(rented);
    }

    /// <summary>
    /// <paramref name="into"/>[i] += scale · Σ_j H[i, j] · <paramref name="vectors"/>[j] (lane-wise) for the C × C matrix H
    /// stored column by column at the start of <paramref name="hessian"/> (what <see cref="RecordHessian{TLoss, T}"/> wrote).
    /// </summary>
    public static void AccumulateRecordedHessianProduct<T>(ReadOnlySpan<T> hessian, ReadOnlySpan<Vector256<T>> vectors, T scale, Span<Vector256<T>> into)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = vectors.Length;
        if (into.Length != c) throw new ArgumentException("into must have the length of vectors.", nameof(into));
        if (hessian.Length < c * c) throw new ArgumentException("hessian must hold C × C values.", nameof(hessian));
        for (int i = 0; i < c; i++)
        {
            var sum = Vector256<T>.Zero;
            for (int j = 0; j < c; j++) sum += vectors[j] * hessian[j * c + i];
            into[i] += sum * scale;
        }
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
