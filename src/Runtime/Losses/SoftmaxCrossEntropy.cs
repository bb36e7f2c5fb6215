using System;
using System.Numerics;

namespace AutoCurv;

/// <summary>
/// Softmax cross-entropy ℓ(f, y) = −Σ_c y_c log softmax(f)_c for logits f ∈ R^C and a target y that is a
/// probability vector (one-hot for a hard label). y need not sum to 1: with s = Σ_c y_c and p = softmax(f),
/// ∂ℓ/∂f = s p − y and H_ℓ = s (diag p − p pᵀ).
/// </summary>
/// <remarks>
/// Everything is computed from <c>f − max f</c> (log-sum-exp with max subtraction), so logits of any
/// finite magnitude give finite results. No member allocates: the probabilities are recomputed from f
/// where they are needed instead of being stored.
/// </remarks>
public readonly struct SoftmaxCrossEntropy : ILoss
{
    /// <summary>ℓ(f, y) = −Σ_c y_c log softmax(f)_c = Σ_c y_c (logsumexp(f) − f_c).</summary>
    /// <param name="output">The logits f (length C ≥ 1).</param>
    /// <param name="target">The target probabilities y (length C).</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is empty or <paramref name="target"/> does not have length C.</exception>
    public static T Value<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireNonEmpty(output.Length, nameof(output));
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        (T max, T sum) = Normalizer(output);
        T logSum = T.Log(sum);
        T loss = T.Zero;
        for (int c = 0; c < output.Length; c++)
            loss += target[c] * ((max - output[c]) + logSum);
        return loss;
    }

    /// <summary>Writes ∂ℓ/∂f = (Σ_c y_c) p − y into <paramref name="gradient"/> (p = softmax(f)) and returns ℓ(f, y).</summary>
    /// <param name="output">The logits f (length C ≥ 1).</param>
    /// <param name="target">The target probabilities y (length C).</param>
    /// <param name="gradient">Receives ∂ℓ/∂f (length C).</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is empty, or <paramref name="target"/> or <paramref name="gradient"/> does not have length C.</exception>
    public static T Gradient<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireNonEmpty(output.Length, nameof(output));
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        LossValidation.RequireOutputLength(gradient.Length, output.Length, nameof(gradient));
        (T max, T sum) = Normalizer(output);
        T logSum = T.Log(sum);
        T mass = Sum(target);
        T loss = T.Zero;
        for (int c = 0; c < output.Length; c++)
        {
            T f = output[c];
            T y = target[c];
            loss += y * ((max - f) + logSum);
            gradient[c] = mass * (T.Exp(f - max) / sum) - y;
        }
        return loss;
    }

    /// <summary>Writes H_ℓ·v = s (p ⊙ v − p (pᵀv)) into <paramref name="result"/>, with p = softmax(f) and s = Σ_c y_c.</summary>
    /// <param name="output">The logits f (length C ≥ 1).</param>
    /// <param name="target">The target probabilities y (length C); only their sum enters H_ℓ.</param>
    /// <param name="vector">The vector v (length C).</param>
    /// <param name="result">Receives H_ℓ·v (length C); may be the same memory as <paramref name="vector"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is empty or another span does not have length C.</exception>
    public static void HessianVectorProduct<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, ReadOnlySpan<T> vector, Span<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireNonEmpty(output.Length, nameof(output));
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        LossValidation.RequireOutputLength(vector.Length, output.Length, nameof(vector));
        LossValidation.RequireOutputLength(result.Length, output.Length, nameof(result));
        (T max, T sum) = Normalizer(output);
        T mass = Sum(target);
        T pv = T.Zero;
        for (int c = 0; c < output.Length; c++)
            pv += T.Exp(output[c] - max) / sum * vector[c];
        // Reads vector[c] before writing result[c], so result may alias vector.
        for (int c = 0; c < output.Length; c++)
            result[c] = mass * (T.Exp(output[c] - max) / sum) * (vector[c] - pv);
    }

    /// <summary>
    /// Writes S = √s (diag(√p) − p √pᵀ) (C × C, row-major) with p = softmax(f) and s = Σ_c y_c.
    /// Because Σ_c p_c = 1, S Sᵀ = s (diag p − p pᵀ) = H_ℓ.
    /// </summary>
    /// <param name="output">The logits f (length C ≥ 1).</param>
    /// <param name="target">The target probabilities y (length C); Σ_c y_c must not be negative.</param>
    /// <param name="factor">Receives S (length C·C).</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="output"/> is empty, <paramref name="target"/> does not have length C or has a negative sum
    /// (H_ℓ is then negative semidefinite and has no real factor), or <paramref name="factor"/> does not have length C·C.
    /// </exception>
    public static void HessianFactor<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, Span<T> factor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = output.Length;
        LossValidation.RequireNonEmpty(count, nameof(output));
        LossValidation.RequireOutputLength(target.Length, count, nameof(target));
        LossValidation.RequireSquareLength(factor.Length, count, nameof(factor));
        T mass = Sum(target);
        if (mass < T.Zero)
            throw new ArgumentException($"'{nameof(target)}' sums to {mass}; the softmax cross-entropy Hessian has a real factor only for targets with a non-negative sum (probabilities).", nameof(target));
        T scale = T.Sqrt(mass);
        (T max, T sum) = Normalizer(output);

        // The last row holds √p while the other rows are written, so no scratch buffer is needed.
        int last = count - 1;
        Span<T> roots = factor.Slice(last * count, count);
        for (int j = 0; j < count; j++)
            roots[j] = T.Sqrt(T.Exp(output[j] - max) / sum);
        for (int i = 0; i < last; i++)
        {
            T p = T.Exp(output[i] - max) / sum;
            Span<T> row = factor.Slice(i * count, count);
            for (int j = 0; j < count; j++)
                row[j] = scale * (-p * roots[j]);
            row[i] += scale * roots[i];
        }
        T pLast = T.Exp(output[last] - max) / sum;
        T rootLast = roots[last];
        for (int j = 0; j < count; j++)
            roots[j] = scale * (-pLast * roots[j]);
        roots[last] += scale * rootLast;
    }

    /// <summary>Draws a class k ~ Categorical(softmax(f)) and writes the one-hot vector e_k into <paramref name="target"/>.</summary>
    /// <param name="output">The logits f (length C ≥ 1).</param>
    /// <param name="random">The generator to draw from; advanced by one uniform draw.</param>
    /// <param name="target">Receives the one-hot sample (length C).</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is empty or <paramref name="target"/> does not have length C.</exception>
    public static void Sample<T>(ReadOnlySpan<T> output, ref RandomSource random, Span<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LossValidation.RequireNonEmpty(output.Length, nameof(output));
        LossValidation.RequireOutputLength(target.Length, output.Length, nameof(target));
        foreach (var f in output)
        {
            if (T.IsNaN(f))
            {
                target.Fill(T.NaN); // NaN logits give a NaN label, never a plausible one
                return;
            }
        }
        (T max, T sum) = Normalizer(output);
        // Inverse-CDF walk in double so that float/Half logits do not round the uniform draw up to 1.
        double threshold = random.NextDouble() * double.CreateChecked(sum);
        double cumulative = 0.0;
        int chosen = -1;
        int lastPossible = 0;
        for (int c = 0; c < output.Length; c++)
        {
            double weight = double.CreateChecked(T.Exp(output[c] - max));
            if (weight > 0.0) lastPossible = c;
            cumulative += weight;
            if (chosen < 0 && threshold < cumulative) chosen = c;
        }
        // Rounding can leave the running sum a hair below the draw; fall back to the last class that has mass.
        if (chosen < 0) chosen = lastPossible;
        target.Clear();
        target[chosen] = T.One;
    }

    /// <summary>max_c f_c and Σ_c exp(f_c − max), the pieces of a stable log-sum-exp.</summary>
    private static (T Max, T Sum) Normalizer<T>(ReadOnlySpan<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = output[0];
        for (int c = 1; c < output.Length; c++) max = T.Max(max, output[c]);
        T sum = T.Zero;
        for (int c = 0; c < output.Length; c++) sum += T.Exp(output[c] - max);
        return (max, sum);
    }

    private static T Sum<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int c = 0; c < values.Length; c++) sum += values[c];
        return sum;
    }
}
