using System;
using System.Numerics;

namespace AutoCurv;

/// <summary>
/// A per-sample loss ℓ(f, y) of a model output <c>f ∈ R^C</c> and a target <c>y</c>. Implemented by
/// <c>struct</c>s with static members, so generated code and the data-set operators call it with no
/// virtual dispatch (<c>TLoss.Gradient(...)</c>). Every member overwrites its result span.
/// </summary>
/// <remarks>
/// To add a loss, implement every member below on a struct; every generated loss-composed member
/// (<c>FLossGradient&lt;TLoss&gt;</c>, <c>FLossHvp</c>, <c>FGgnvp</c>, <c>FGgnDiagonal</c>, ...) and every
/// operator then works with it. <see cref="HessianFactor{T}"/> must satisfy <c>H_ℓ = S Sᵀ</c>, which
/// requires H_ℓ to be positive semidefinite.
/// </remarks>
public interface ILoss
{
    /// <summary>ℓ(f, y).</summary>
    static abstract T Value<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Writes ∂ℓ/∂f into <paramref name="gradient"/> (length C) and returns ℓ(f, y).</summary>
    static abstract T Gradient<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Writes H_ℓ·v into <paramref name="result"/>, H_ℓ = ∂²ℓ/∂f² (C × C).</summary>
    static abstract void HessianVectorProduct<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<T> vector, Span<T> result) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Writes a factor S (C × C, row-major: <c>factor[i * C + j] = S[i, j]</c>) with H_ℓ = S Sᵀ.
    /// Column j of S is the j-th "sqrt-curvature" direction pushed through the model for GGN diagonals.
    /// </summary>
    static abstract void HessianFactor<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, Span<T> factor) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Writes the signs σ_j (±1) of the factor's columns, so that H_ℓ = S diag(σ) Sᵀ for a loss whose Hessian
    /// is indefinite (a loss written in C# that is not convex). The default, for convex losses, is all +1;
    /// exact GGN diagonals weight each column's contribution by its sign.
    /// </summary>
    static virtual void HessianFactorSigns<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, Span<T> signs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (signs.Length != output.Length) throw new ArgumentException($"Expected length {output.Length}, got {signs.Length}.", nameof(signs));
        signs.Fill(T.One);
    }

    /// <summary>Draws a target y ~ p(y | f) from the likelihood the loss is the negative log of (Monte-Carlo Fisher).</summary>
    static abstract void Sample<T>(ReadOnlySpan<T> output, ref RandomSource random, Span<T> target) where T : unmanaged, IFloatingPointIeee754<T>;
}
