using System;
using System.Numerics;

namespace AutoCurv;

/// <summary>
/// Binary cross-entropy on logits, one independent Bernoulli per output: ℓ(f, y) = Σ_c softplus(f_c) − y_c f_c,
/// which equals −Σ_c [y_c log σ(f_c) + (1 − y_c) log(1 − σ(f_c))] for y_c ∈ [0, 1].
/// ∂ℓ/∂f = σ(f) − y and H_ℓ = diag(σ(f)(1 − σ(f))).
/// </summary>
/// <remarks>
/// softplus is evaluated as max(f, 0) + log1p(exp(−|f|)) and σ(f)(1 − σ(f)) as e/(1 + e)² with e = exp(−|f|),
/// so logits of any finite magnitude give finite, accurate results.
/// </remarks>
public readonly struct SigmoidBinaryCrossEntropy : ILoss
{
    /// <summary>ℓ(f, y) = Σ_c softplus(f_c) − y_c f_c.</summary>
    /// <param name="output">The logits f (length C).</param>
    /// <param name="target">The targets y (length C), usually in [0, 1].</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> does not have length C.</exception>
    public static T Value<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        T loss = T.Zero;
        for (int c = 0; c < output.Length; c++)
            loss += Term(output[c], target[c]);
        return loss;
    }

    /// <summary>Writes ∂ℓ/∂f = σ(f) − y into <paramref name="gradient"/> and returns ℓ(f, y).</summary>
    /// <param name="output">The logits f (length C).</param>
    /// <param name="target">The targets y (length C).</param>
    /// <param name="gradient">Receives σ(f) − y (length C).</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> or <paramref name="gradient"/> does not have length C.</exception>
    public static T Gradient<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        LossValidation.RequireOutputLength(gradient.Length, output.Length, nameof(gradient));
        T loss = T.Zero;
        for (int c = 0; c < output.Length; c++)
        {
            T f = output[c];
            T y = target[c];
            loss += Term(f, y);
            gradient[c] = SigmoidMinus(f, y);
        }
        return loss;
    }

    /// <summary>Writes H_ℓ·v = σ(f)(1 − σ(f)) ⊙ v into <paramref name="result"/>.</summary>
    /// <param name="output">The logits f (length C).</param>
    /// <param name="target">The targets y (length C); checked, not used (H_ℓ does not depend on y).</param>
    /// <param name="vector">The vector v (length C).</param>
    /// <param name="result">Receives H_ℓ·v (length C); may be the same memory as <paramref name="vector"/>.</param>
    /// <exception cref="ArgumentException">A span does not have length C.</exception>
    public static void HessianVectorProduct<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<T> vector, Span<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        LossValidation.RequireOutputLength(vector.Length, output.Length, nameof(vector));
        LossValidation.RequireOutputLength(result.Length, output.Length, nameof(result));
        for (int c = 0; c < output.Length; c++)
            result[c] = Curvature(output[c]) * vector[c];
    }

    /// <summary>Writes S = diag(√(σ(f)(1 − σ(f)))) (C × C, row-major), so that S Sᵀ = H_ℓ.</summary>
    /// <param name="output">The logits f (length C).</param>
    /// <param name="target">The targets y (length C); checked, not used.</param>
    /// <param name="factor">Receives S (length C·C).</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> does not have length C or <paramref name="factor"/> length C·C.</exception>
    public static void HessianFactor<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, Span<T> factor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = output.Length;
        LossValidation.RequireOutputLength(target.Length, count, nameof(target));
        LossValidation.RequireSquareLength(factor.Length, count, nameof(factor));
        factor.Clear();
        for (int c = 0; c < count; c++)
        {
            // √(e/(1+e)²) = √e/(1+e), computed directly rather than as the square root of a product.
            T e = T.Exp(-T.Abs(output[c]));
            factor[c * count + c] = T.Sqrt(e) / (T.One + e);
        }
    }

    /// <summary>Draws y_c ~ Bernoulli(σ(f_c)) independently for every output, writing 0 or 1 into <paramref name="target"/>.</summary>
    /// <param name="output">The logits f (length C).</param>
    /// <param name="random">The generator to draw from; advanced by C uniform draws.</param>
    /// <param name="target">Receives the sampled labels (length C).</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> does not have length C.</exception>
    public static void Sample<T>(ReadOnlySpan<T> output, ref RandomSource random, Span<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        for (int c = 0; c < output.Length; c++)
        {
            // Compared in double so that float/Half logits do not round the uniform draw up to 1.
            double probability = double.CreateChecked(Sigmoid(output[c]));
            double draw = random.NextDouble();
            target[c] = T.IsNaN(output[c]) ? T.NaN : draw < probability ? T.One : T.Zero;
        }
    }

    /// <summary>softplus(f) − y f = max(f, 0) − y f + log1p(exp(−|f|)).</summary>
    private static T Term<T>(T f, T y)
        where T : unmanaged, IFloatingPointIeee754<T>
        => (T.Max(f, T.Zero) - y * f) + Log1P(T.Exp(-T.Abs(f)));

    /// <summary>σ(f) without overflow: exp is only ever taken of −|f|.</summary>
    private static T Sigmoid<T>(T f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T e = T.Exp(-T.Abs(f));
        return f >= T.Zero ? T.One / (T.One + e) : e / (T.One + e);
    }

    /// <summary>
    /// σ(f) − y. For f ≥ 0 it is formed as (1 − y) − σ(−f), so a confident correct prediction (f ≫ 0, y = 1)
    /// yields the tiny −σ(−f) rather than a rounded-away 0.
    /// </summary>
    private static T SigmoidMinus<T>(T f, T y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T e = T.Exp(-T.Abs(f));
        T tail = e / (T.One + e);
        return f >= T.Zero ? (T.One - y) - tail : tail - y;
    }

    /// <summary>σ(f)(1 − σ(f)) = e/(1 + e)² with e = exp(−|f|), free of the cancellation in 1 − σ.</summary>
    private static T Curvature<T>(T f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T e = T.Exp(-T.Abs(f));
        T d = T.One + e;
        return e / (d * d);
    }

    /// <summary>
    /// log(1 + x) accurate for small x. The generic-math <c>LogP1</c> is <c>Log(1 + x)</c> on .NET 8, which
    /// loses every digit once 1 + x rounds to 1; the correction factor x / ((1 + x) − 1) restores them.
    /// </summary>
    private static T Log1P<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T u = T.One + x;
        if (u == T.One) return x;
        return T.Log(u) * (x / (u - T.One));
    }
}
