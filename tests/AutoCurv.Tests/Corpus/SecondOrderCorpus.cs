using System;

// A namespace of its own: FirstOrderTests.Every_corpus_method_has_a_case enumerates exactly the methods of
// AutoCurv.Tests.Corpus, and these methods are exercised by SecondOrderTests only.
namespace AutoCurv.Tests.CurvatureCorpus;

/// <summary>
/// Methods added for the second-order tests: three scalar functions in which every Wrt input reaches the result
/// along exactly one path (so the Becker–LeCun diagonal approximation must be exact on them), and a linear
/// model (so its GGN equals its Hessian for every loss).
/// </summary>
public static partial class SecondOrderCorpus
{
    /// <summary>
    /// A separable sum Σ_i φ_i(x_i) with φ_i(t) = ¼t⁴ + c_i t² − cos 2t: repeated factors (<c>x[i] * x[i] * ...</c>,
    /// a power of one leaf), a non-Wrt coefficient span, <c>Cos</c>. ∂²/∂x_i² = 3x_i² + 2c_i + 4 cos 2x_i; H is diagonal.
    /// </summary>
    [Differentiable]
    public static double SeparableSum([Wrt] ReadOnlySpan<double> x, ReadOnlySpan<double> c)
    {
        double s = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            s += 0.25 * x[i] * x[i] * x[i] * x[i] + c[i] * x[i] * x[i] - Math.Cos(2.0 * x[i]);
        }
        return s;
    }

    /// <summary>
    /// A single-layer model with a squared error: Σ_o ½(tanh(w_o·x + b_o) − y_o)², w = rows of (d inputs + bias).
    /// Each weight reaches the result through its own unit only (one path), so the Becker–LeCun diagonal
    /// (tanh″ and (tanh′)² terms times x_i²) is exact although H is not diagonal.
    /// </summary>
    [Differentiable]
    public static double SingleLayer([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int d = x.Length;
        double s = 0.0;
        for (int o = 0; o < y.Length; o++)
        {
            double a = w[o * (d + 1) + d];
            for (int i = 0; i < d; i++) a += w[o * (d + 1) + i] * x[i];
            double r = Math.Tanh(a) - y[o];
            s += 0.5 * r * r;
        }
        return s;
    }

    /// <summary>A chain of unary functions, log(1 + exp(sin(2 tanh x))²), through one local overwritten at every step.</summary>
    [Differentiable]
    public static double UnaryChain(double x)
    {
        double u = Math.Tanh(x);
        u = Math.Sin(2.0 * u);
        u = Math.Exp(u);
        return Math.Log(1.0 + u * u);
    }

    /// <summary>
    /// A linear (affine) model f_k = b_k + Σ_i W_ki x_i in the model shape, w = rows of (d inputs + bias): ∇²f_k = 0,
    /// so the Hessian of ℓ∘f equals its GGN Jᵀ H_ℓ J for every loss. Also gets a nested <c>AffineModel : IModel</c>.
    /// </summary>
    [Differentiable]
    public static void Affine([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
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
