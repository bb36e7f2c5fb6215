using System;

// A namespace of its own: FirstOrderTests.Every_corpus_method_has_a_case enumerates exactly the methods of
// AutoCurv.Tests.Corpus; these are exercised by the Extensibility tests only.
namespace AutoCurv.Tests.Extensibility;

/// <summary>
/// Functions AutoCurv does not look into, each with a [DerivativeOf] tangent rule: a numerically stable softplus
/// (same-type rule), the logistic sigmoid (its rule calls the ruled function itself), swish and log-add-exp (rules
/// that call another ruled function; log-add-exp has two arguments). None of them is [Differentiable].
/// </summary>
public static class Activations
{
    /// <summary>softplus(x) = log(1 + eˣ), evaluated without overflow for large |x|.</summary>
    public static double Softplus(double x) => x > 0 ? x + Math.Log(1.0 + Math.Exp(-x)) : Math.Log(1.0 + Math.Exp(x));

    /// <summary>softplus′(x) = σ(x), written so that neither branch overflows: a stable tangent.</summary>
    [DerivativeOf(nameof(Softplus))]
    public static double SoftplusTangent(double x, double dx) =>
        x >= 0 ? dx / (1.0 + Math.Exp(-x)) : dx * Math.Exp(x) / (1.0 + Math.Exp(x));

    /// <summary>σ(x) = 1 / (1 + e⁻ˣ), stable for large |x|.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));

    /// <summary>σ′ = σ(1 − σ): the rule calls the ruled function itself (its second derivative uses this rule again).</summary>
    [DerivativeOf(nameof(Sigmoid))]
    public static double SigmoidTangent(double x, double dx) => Sigmoid(x) * (1.0 - Sigmoid(x)) * dx;

    /// <summary>swish(x) = x σ(x).</summary>
    public static double Swish(double x) => x * Sigmoid(x);

    /// <summary>swish′ = σ + x σ(1 − σ): a rule that calls another ruled function.</summary>
    [DerivativeOf(nameof(Swish))]
    public static double SwishTangent(double x, double dx) => (Sigmoid(x) + x * Sigmoid(x) * (1.0 - Sigmoid(x))) * dx;

    /// <summary>log(eᵃ + eᵇ), stable.</summary>
    public static double LogAddExp(double a, double b) => Math.Max(a, b) + Math.Log(1.0 + Math.Exp(-Math.Abs(a - b)));

    /// <summary>A two-argument rule: ∂/∂a = σ(a − b), ∂/∂b = σ(b − a).</summary>
    [DerivativeOf(nameof(LogAddExp))]
    public static double LogAddExpTangent(double a, double b, double da, double db) => Sigmoid(a - b) * da + Sigmoid(b - a) * db;
}

/// <summary>Rules for functions of another assembly (System.Math), which the generator has no built-in derivative for.</summary>
public static class MathRules
{
    /// <summary>d log₁₀ x = dx / (x ln 10).</summary>
    [DerivativeOf(typeof(Math), nameof(Math.Log10))]
    public static double Log10Tangent(double x, double dx) => dx / (x * Math.Log(10.0));

    /// <summary>d atan2(y, x) = (x dy − y dx) / (x² + y²): a two-argument rule for a function of another assembly.</summary>
    [DerivativeOf(typeof(Math), nameof(Math.Atan2))]
    public static double Atan2Tangent(double y, double x, double dy, double dx) => (x * dy - y * dx) / (x * x + y * y);
}

/// <summary>[Differentiable] methods that call the ruled functions, in the shapes of the corpus.</summary>
public static partial class RuleCorpus
{
    /// <summary>
    /// A scalar function with a span and a scalar Wrt input (θ = [x, s]) and a non-Wrt coefficient: every rule,
    /// with couplings between coordinates so H is dense.
    /// </summary>
    [Differentiable]
    public static double Mixed([Wrt] ReadOnlySpan<double> x, [Wrt] double s, double c)
    {
        double total = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            int j = (i + 1) % x.Length;
            total += Activations.Softplus(s * x[i] - x[j]);
            total += Math.Log10(1.5 + x[i] * x[i]) * Activations.Swish(x[j]);
            total += Math.Atan2(x[i] + c, 1.0 + s * s);
        }
        total += Activations.LogAddExp(x[0] * s, x[x.Length - 1]);
        return total;
    }

    /// <summary>Σ softplus(x_i): through the stable tangent rule, finite at |x_i| = 800 where log(1 + eˣ) overflows.</summary>
    [Differentiable]
    public static double SoftplusSum([Wrt] ReadOnlySpan<double> x)
    {
        double total = 0.0;
        for (int i = 0; i < x.Length; i++) total += Activations.Softplus(x[i]);
        return total;
    }

    /// <summary>
    /// A separable sum Σ_i φ(x_i, c_i) with φ a chain atan2(log₁₀(2 + softplus(swish(x_i))), c_i) in which each x_i
    /// reaches the result along one path: H is diagonal and the Becker–LeCun approximation is exact.
    /// </summary>
    [Differentiable]
    public static double Separable([Wrt] ReadOnlySpan<double> x, ReadOnlySpan<double> c)
    {
        double total = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            double u = Activations.Swish(x[i]);
            u = Activations.Softplus(u);
            u = Math.Log10(2.0 + u);
            total += Math.Atan2(u, c[i]);
        }
        return total;
    }

    /// <summary>
    /// A two-layer model in the model shape (gets <c>TinyNetModel : IModel</c>): a softplus hidden layer, then output k
    /// = a_k + log-add-exp(a_k, swish(a_k)) / 4 with a_k affine in the hidden units; w = rows of (d inputs + bias) ×
    /// hidden, then rows of (hidden + bias) × C, with hidden = (w.Length − C) / (d + 1 + C).
    /// </summary>
    [Differentiable]
    public static void TinyNet([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int d = x.Length;
        int c = output.Length;
        int hidden = (w.Length - c) / (d + 1 + c);
        Span<double> h = stackalloc double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double a = w[j * (d + 1) + d];
            for (int i = 0; i < d; i++) a += w[j * (d + 1) + i] * x[i];
            h[j] = Activations.Softplus(a);
        }
        int offset = hidden * (d + 1);
        for (int k = 0; k < c; k++)
        {
            double a = w[offset + k * (hidden + 1) + hidden];
            for (int j = 0; j < hidden; j++) a += w[offset + k * (hidden + 1) + j] * h[j];
            output[k] = a + 0.25 * Activations.LogAddExp(a, Activations.Swish(a));
        }
    }

    /// <summary>
    /// A vector function that is not model-shaped (two Wrt inputs, θ = [w, scale]): output k = scale · atan2(w_k x_k,
    /// 1 + w_{k+1}²) + log₁₀(1 + softplus(w_k)).
    /// </summary>
    [Differentiable]
    public static void Head([Wrt] ReadOnlySpan<double> w, [Wrt] double scale, ReadOnlySpan<double> x, Span<double> output)
    {
        for (int k = 0; k < output.Length; k++)
        {
            double next = w[k + 1];
            output[k] = scale * Math.Atan2(w[k] * x[k], 1.0 + next * next) + Math.Log10(1.0 + Activations.Softplus(w[k]));
        }
    }
}
