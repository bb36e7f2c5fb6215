using System;

namespace AutoCurv.Tests.Extensibility;

/// <summary>
/// Per-sample losses written in C#: each is a [Differentiable] <c>double L([Wrt] ReadOnlySpan&lt;double&gt; output,
/// ReadOnlySpan&lt;double&gt; target)</c> and so gets a nested <c>LLoss : ILoss</c> usable as TLoss.
/// </summary>
public static partial class UserLosses
{
    /// <summary>The Huber threshold δ of <see cref="Huber"/>.</summary>
    public const double HuberDelta = 1.0;

    /// <summary>
    /// Huber loss Σ_c h(f_c − y_c), h(r) = ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond: quadratic near the target, linear
    /// for outliers. Convex; H_ℓ = diag(1 where |r| &lt; δ, 0 elsewhere). No sampler: <c>HuberLoss.Sample</c> throws.
    /// </summary>
    [Differentiable]
    public static double Huber([Wrt] ReadOnlySpan<double> output, ReadOnlySpan<double> target)
    {
        double total = 0.0;
        for (int c = 0; c < output.Length; c++)
        {
            double r = output[c] - target[c];
            double a = Math.Abs(r);
            total += a <= HuberDelta ? 0.5 * r * r : HuberDelta * (a - 0.5 * HuberDelta);
        }
        return total;
    }

    /// <summary>
    /// Gaussian negative log-likelihood with a learned log-variance: the output holds k means then k log-variances
    /// s (so C = 2k), the target holds k values then k unused entries (the target has the output's length C).
    /// ℓ = Σ_j ½ (s_j + (y_j − μ_j)² e^{−s_j} + log 2π). Not convex jointly in (μ, s): H_ℓ is indefinite when y ≠ μ.
    /// </summary>
    [Differentiable]
    public static double GaussianNll([Wrt] ReadOnlySpan<double> output, ReadOnlySpan<double> target)
    {
        int k = output.Length / 2;
        double total = 0.0;
        for (int j = 0; j < k; j++)
        {
            double r = target[j] - output[j];
            double s = output[k + j];
            total += 0.5 * (s + r * r * Math.Exp(-s) + 1.8378770664093453);
        }
        return total;
    }

    /// <summary>The sampler of <see cref="GaussianNll"/>: y_j = μ_j + e^{s_j/2} z, z ~ N(0, 1); the unused half is 0.</summary>
    public static void GaussianNllSample(ReadOnlySpan<double> output, ref RandomSource random, Span<double> target)
    {
        int k = output.Length / 2;
        for (int j = 0; j < k; j++)
        {
            target[j] = output[j] + Math.Exp(0.5 * output[k + j]) * random.NextGaussian();
            target[k + j] = 0.0;
        }
    }

    /// <summary>
    /// Focal loss for independent binary labels (γ = 2): Σ_c −y (1 − p)² log p − (1 − y) p² log(1 − p) with
    /// p = σ(f_c), written with the ruled <see cref="Activations.Sigmoid"/> and <see cref="Activations.Softplus"/>
    /// (log p = −softplus(−f), log(1 − p) = −softplus(f)).
    /// </summary>
    [Differentiable]
    public static double Focal([Wrt] ReadOnlySpan<double> output, ReadOnlySpan<double> target)
    {
        double total = 0.0;
        for (int c = 0; c < output.Length; c++)
        {
            double f = output[c];
            double p = Activations.Sigmoid(f);
            double q = 1.0 - p;
            total += target[c] * q * q * Activations.Softplus(-f) + (1.0 - target[c]) * p * p * Activations.Softplus(f);
        }
        return total;
    }

    /// <summary>The sampler of <see cref="Focal"/>: y_c ~ Bernoulli(σ(f_c)).</summary>
    public static void FocalSample(ReadOnlySpan<double> output, ref RandomSource random, Span<double> target)
    {
        for (int c = 0; c < output.Length; c++)
            target[c] = random.NextDouble() < Activations.Sigmoid(output[c]) ? 1.0 : 0.0;
    }

    /// <summary>
    /// Softmax cross-entropy written by hand, −Σ_c y_c (f_c − log Σ_k e^{f_k}), through the two-argument ruled
    /// <see cref="Activations.LogAddExp"/>: a convex loss with a dense (rank-deficient) H_ℓ = (Σy)(diag p − p pᵀ),
    /// to compare with the built-in <see cref="SoftmaxCrossEntropy"/>.
    /// </summary>
    [Differentiable]
    public static double SoftmaxXent([Wrt] ReadOnlySpan<double> output, ReadOnlySpan<double> target)
    {
        double lse = output[0];
        for (int c = 1; c < output.Length; c++) lse = Activations.LogAddExp(lse, output[c]);
        double total = 0.0;
        for (int c = 0; c < output.Length; c++) total += target[c] * (lse - output[c]);
        return total;
    }
}

/// <summary>Models for the per-sample tests.</summary>
public static partial class PerSampleCorpus
{
    /// <summary>An affine model f_k = b_k + Σ_i W_ki x_i, w = rows of (d inputs + bias); gets <c>LinearModel</c>.</summary>
    [Differentiable]
    public static void Linear([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int d = x.Length;
        for (int k = 0; k < output.Length; k++)
        {
            double a = w[k * (d + 1) + d];
            for (int i = 0; i < d; i++) a += w[k * (d + 1) + i] * x[i];
            output[k] = a;
        }
    }
}
