using System;
using System.Numerics;

namespace AutoCurv;

/// <summary>
/// Squared error ℓ(f, y) = ½ Σ_c (f_c − y_c)², the negative log-likelihood (up to a constant) of
/// y ~ N(f, I). Its Hessian with respect to f is the identity, so the GGN equals the Gauss–Newton
/// matrix Jᵀ J.
/// </summary>
public readonly struct MeanSquaredError : ILoss
{
    /// <summary>ℓ(f, y) = ½ Σ_c (f_c − y_c)².</summary>
    /// <param name="output">The model output f (length C).</param>
    /// <param name="target">The target y (length C).</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> does not have length C.</exception>
    public static T Value<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        T sum = T.Zero;
        for (int c = 0; c < output.Length; c++)
        {
            T r = output[c] - target[c];
            sum += r * r;
        }
        return sum / T.CreateChecked(2);
    }

    /// <summary>Writes ∂ℓ/∂f = f − y into <paramref name="gradient"/> and returns ℓ(f, y).</summary>
    /// <param name="output">The model output f (length C).</param>
    /// <param name="target">The target y (length C).</param>
    /// <param name="gradient">Receives f − y (length C).</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> or <paramref name="gradient"/> does not have length C.</exception>
    public static T Gradient<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        LossValidation.RequireOutputLength(gradient.Length, output.Length, nameof(gradient));
        T sum = T.Zero;
        for (int c = 0; c < output.Length; c++)
        {
            T r = output[c] - target[c];
            sum += r * r;
            gradient[c] = r;
        }
        return sum / T.CreateChecked(2);
    }

    /// <summary>Writes H_ℓ·v = v into <paramref name="result"/> (H_ℓ = I).</summary>
    /// <param name="output">The model output f (length C).</param>
    /// <param name="target">The target y (length C); checked, not used.</param>
    /// <param name="vector">The vector v (length C).</param>
    /// <param name="result">Receives v (length C).</param>
    /// <exception cref="ArgumentException">A span does not have length C.</exception>
    public static void HessianVectorProduct<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<T> vector, Span<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        LossValidation.RequireOutputLength(vector.Length, output.Length, nameof(vector));
        LossValidation.RequireOutputLength(result.Length, output.Length, nameof(result));
        vector.CopyTo(result);
    }

    /// <summary>Writes the factor S = I (C × C, row-major), so that S Sᵀ = H_ℓ = I.</summary>
    /// <param name="output">The model output f (length C).</param>
    /// <param name="target">The target y (length C); checked, not used.</param>
    /// <param name="factor">Receives the identity (length C·C).</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> does not have length C or <paramref name="factor"/> length C·C.</exception>
    public static void HessianFactor<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, Span<T> factor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = output.Length;
        LossValidation.RequireOutputLength(target.Length, count, nameof(target));
        LossValidation.RequireSquareLength(factor.Length, count, nameof(factor));
        factor.Clear();
        for (int c = 0; c < count; c++) factor[c * count + c] = T.One;
    }

    /// <summary>Draws y ~ N(f, I): <c>target[c] = output[c] + ε_c</c> with ε_c standard normal.</summary>
    /// <param name="output">The model output f (length C).</param>
    /// <param name="random">The generator to draw from; advanced by C Gaussian draws.</param>
    /// <param name="target">Receives the sampled y (length C).</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> does not have length C.</exception>
    public static void Sample<T>(ReadOnlySpan<T> output, ref RandomSource random, Span<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        for (int c = 0; c < output.Length; c++)
            target[c] = output[c] + T.CreateChecked(random.NextGaussian());
    }
}
