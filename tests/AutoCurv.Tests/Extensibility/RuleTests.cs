using System;
using System.Linq;
using Xunit;

namespace AutoCurv.Tests.Extensibility;

/// <summary>
/// [DerivativeOf] rules (<see cref="Activations"/>, <see cref="MathRules"/>) used from the [Differentiable] methods of
/// <see cref="RuleCorpus"/>: every generated member against finite differences of the primal methods (which call the
/// ruled functions themselves, so the references never see a rule) and against dense references built from them.
/// </summary>
public class RuleTests
{
    /// <summary>First derivatives vs four-point differences.</summary>
    private const double FirstOrder = 1e-7;

    /// <summary>Second derivatives vs nested four-point differences.</summary>
    private const double SecondOrder = 1e-6;

    /// <summary>Values returned by generated members vs the primal: the same arithmetic.</summary>
    private const double Primal = 1e-12;

    private const double MixedC = 0.3;

    public static TheoryData<int> Seeds => new() { 1, 2, 3 };

    // ---------------------------------------------------------------------------------------------
    // The rules themselves (no generated code involved)
    // ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(-3.0)]
    [InlineData(-0.4)]
    [InlineData(0.7)]
    [InlineData(5.0)]
    public void Each_rule_is_the_derivative_of_its_function(double x)
    {
        Reference.Close(Reference.Derivative(h => Activations.Softplus(x + h), 1e-3), Activations.SoftplusTangent(x, 1.0), FirstOrder, "softplus");
        Reference.Close(Reference.Derivative(h => Activations.Sigmoid(x + h), 1e-3), Activations.SigmoidTangent(x, 1.0), FirstOrder, "sigmoid");
        Reference.Close(Reference.Derivative(h => Activations.Swish(x + h), 1e-3), Activations.SwishTangent(x, 1.0), FirstOrder, "swish");
        Reference.Close(Reference.Derivative(h => Math.Log10(Math.Abs(x) + h), 1e-3), MathRules.Log10Tangent(Math.Abs(x), 1.0), FirstOrder, "log10");
        double y = 0.6 - 0.2 * x;
        Reference.Close(Reference.Derivative(h => Activations.LogAddExp(x + 0.3 * h, y - 0.7 * h), 1e-3), Activations.LogAddExpTangent(x, y, 0.3, -0.7), FirstOrder, "logaddexp");
        Reference.Close(Reference.Derivative(h => Math.Atan2(y + 0.3 * h, x - 0.7 * h), 1e-3), MathRules.Atan2Tangent(y, x, 0.3, -0.7), FirstOrder, "atan2");
    }

    // ---------------------------------------------------------------------------------------------
    // A scalar function with a span and a scalar Wrt input: θ = [x (4), s]
    // ---------------------------------------------------------------------------------------------

    private static double[] MixedPoint(int seed)
    {
        var random = new Random(seed);
        return Reference.Uniform(random, 4, -1.5, 1.5).Append(0.5 + random.NextDouble()).ToArray();
    }

    private static double MixedPrimal(double[] theta) => RuleCorpus.Mixed(theta.AsSpan(0, 4), theta[4], MixedC);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Gradient_through_rules_matches_finite_differences(int seed)
    {
        double[] theta = MixedPoint(seed);
        var gx = new double[4];
        double value = RuleCorpus.MixedGradient(theta.AsSpan(0, 4), theta[4], MixedC, gx, out double gs);
        Reference.Close(MixedPrimal(theta), value, Primal, "value");
        Reference.Close(Reference.Gradient(MixedPrimal, theta), gx.Append(gs).ToArray(), FirstOrder, "gradient");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Jvp_through_rules_matches_finite_differences(int seed)
    {
        double[] theta = MixedPoint(seed);
        double[] v = Reference.Uniform(new Random(seed + 100), 5, -1, 1);
        double value = RuleCorpus.MixedJvp(theta.AsSpan(0, 4), theta[4], MixedC, v.AsSpan(0, 4), v[4], out double derivative);
        Reference.Close(MixedPrimal(theta), value, Primal, "value");
        double expected = Reference.Derivative(h => MixedPrimal(theta.Select((t, i) => t + h * v[i]).ToArray()), 1e-3);
        Reference.Close(expected, derivative, FirstOrder, "∇F·v");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Hvp_Hessian_and_diagonal_through_rules_match_nested_finite_differences(int seed)
    {
        double[] theta = MixedPoint(seed);
        double[] v = Reference.Uniform(new Random(seed + 100), 5, -1, 1);
        double[] reference = Reference.Hessian(MixedPrimal, theta);

        var gx = new double[4];
        var hx = new double[4];
        double value = RuleCorpus.MixedHvp(theta.AsSpan(0, 4), theta[4], MixedC, v.AsSpan(0, 4), v[4], gx, out double gs, hx, out double hs);
        Reference.Close(MixedPrimal(theta), value, Primal, "Hvp value");
        Reference.Close(Reference.Gradient(MixedPrimal, theta), gx.Append(gs).ToArray(), FirstOrder, "Hvp gradient");
        Reference.Close(Reference.Multiply(reference, 5, v), hx.Append(hs).ToArray(), SecondOrder, "H·v");

        var hessian = new double[25];
        RuleCorpus.MixedHessian(theta.AsSpan(0, 4), theta[4], MixedC, hessian);
        Reference.Close(reference, hessian, SecondOrder, "dense H");

        var dx = new double[4];
        RuleCorpus.MixedHessianDiagonal(theta.AsSpan(0, 4), theta[4], MixedC, dx, out double ds);
        Reference.Close(Reference.Diagonal(reference, 5), dx.Append(ds).ToArray(), SecondOrder, "diag H");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Becker_LeCun_diagonal_is_exact_on_a_separable_chain_of_rules(int seed)
    {
        var random = new Random(seed);
        double[] x = Reference.Uniform(random, 5, -2, 2);
        double[] c = Reference.Uniform(random, 5, 0.5, 1.5).Select((v, i) => i % 2 == 0 ? v : -v).ToArray();
        double Separable(double[] t) => RuleCorpus.Separable(t, c);
        double[] reference = Reference.Hessian(Separable, x);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
                if (i != j) Assert.True(Math.Abs(reference[i * 5 + j]) < 1e-8, $"H[{i},{j}] = {reference[i * 5 + j]} is not 0");

        var approx = new double[5];
        double value = RuleCorpus.SeparableHessianDiagonalApprox(x, c, approx);
        Reference.Close(Separable(x), value, Primal, "value");
        Reference.Close(Reference.Diagonal(reference, 5), approx, SecondOrder, "Becker–LeCun diagonal");

        var exact = new double[5];
        RuleCorpus.SeparableHessianDiagonal(x, c, exact);
        Reference.Close(Reference.Diagonal(reference, 5), exact, SecondOrder, "exact diagonal");

        var gradient = new double[5];
        RuleCorpus.SeparableGradient(x, c, gradient);
        Reference.Close(Reference.Gradient(Separable, x), gradient, FirstOrder, "gradient");
    }

    [Fact]
    public void Stable_tangent_rule_stays_finite_where_the_textbook_derivative_overflows()
    {
        double[] x = { -800.0, -30.0, 0.0, 30.0, 800.0 };
        var gradient = new double[5];
        double value = RuleCorpus.SoftplusSumGradient(x, gradient);
        Assert.Equal(800.0 + 30.0 + Math.Log(2.0), value, 9);
        double[] sigma = x.Select(t => 1.0 / (1.0 + Math.Exp(-t))).ToArray();
        Reference.Close(sigma, gradient, 1e-15, "σ(x)", floor: 1e-300);
        // The textbook form e^x / (1 + e^x) is NaN at 800; the rule's stable branch is exact.
        Assert.True(double.IsNaN(Math.Exp(800.0) / (1.0 + Math.Exp(800.0))));

        var diagonal = new double[5];
        RuleCorpus.SoftplusSumHessianDiagonal(x, diagonal);
        Assert.All(diagonal, d => Assert.True(double.IsFinite(d)));
        double[] curvature = x.Select(t => 1.0 / (1.0 + Math.Exp(-t)) / (1.0 + Math.Exp(t))).ToArray(); // σ(x) σ(−x), no cancellation
        Reference.Close(curvature, diagonal, 1e-12, "σ(x) σ(−x)", floor: 1e-300);
    }

    // ---------------------------------------------------------------------------------------------
    // Vector functions: TinyNet (model shape) and Head (θ = [w, scale])
    // ---------------------------------------------------------------------------------------------

    internal const int D = 3, Hidden = 4, C = 2;

    internal static int TinyNetSize(int c) => Hidden * (D + 1) + c * (Hidden + 1);

    internal static double[] TinyNetWeights(int seed, int c = C) => Reference.Uniform(new Random(seed), TinyNetSize(c), -0.8, 0.8);

    internal static double[] TinyNetOutput(double[] w, double[] x, int c = C)
    {
        var output = new double[c];
        RuleCorpus.TinyNet(w, x, output);
        return output;
    }

    internal static double[] HeadOutput(double[] theta, double[] x)
    {
        var output = new double[C];
        RuleCorpus.Head(theta.AsSpan(0, C + 1), theta[C + 1], x, output);
        return output;
    }

    internal static double[] HeadPoint(int seed, out double[] x)
    {
        var random = new Random(seed + 50);
        x = Reference.Uniform(random, C, -1, 1);
        return Reference.Uniform(random, C + 1, -1, 1).Append(0.5 + random.NextDouble()).ToArray();
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Vector_Jvp_and_Vjp_through_rules_match_the_finite_difference_Jacobian(int seed)
    {
        // TinyNet
        double[] w = TinyNetWeights(seed);
        double[] x = Reference.Uniform(new Random(seed + 7), D, -1, 1);
        int n = w.Length;
        double[] jacobian = Reference.Jacobian(t => TinyNetOutput(t, x), C, w);
        double[] v = Reference.Uniform(new Random(seed + 8), n, -1, 1);
        double[] u = Reference.Uniform(new Random(seed + 9), C, -1, 1);
        var output = new double[C];
        var outputTangent = new double[C];
        RuleCorpus.TinyNetJvp(w, x, output, v, outputTangent);
        Reference.Close(TinyNetOutput(w, x), output, Primal, "TinyNet Jvp output");
        Reference.Close(Reference.Multiply(jacobian, C, v), outputTangent, FirstOrder, "TinyNet J·v");
        var gradient = new double[n];
        RuleCorpus.TinyNetVjp(w, x, output, u, gradient);
        Reference.Close(Reference.MultiplyTransposed(jacobian, n, u), gradient, FirstOrder, "TinyNet Jᵀu");

        // Head: two Wrt inputs, a span and a scalar
        double[] theta = HeadPoint(seed, out double[] hx);
        int m = theta.Length;
        double[] headJacobian = Reference.Jacobian(t => HeadOutput(t, hx), C, theta);
        double[] hv = Reference.Uniform(new Random(seed + 10), m, -1, 1);
        RuleCorpus.HeadJvp(theta.AsSpan(0, C + 1), theta[C + 1], hx, output, hv.AsSpan(0, C + 1), hv[C + 1], outputTangent);
        Reference.Close(HeadOutput(theta, hx), output, Primal, "Head Jvp output");
        Reference.Close(Reference.Multiply(headJacobian, C, hv), outputTangent, FirstOrder, "Head J·v");
        var gw = new double[C + 1];
        RuleCorpus.HeadVjp(theta.AsSpan(0, C + 1), theta[C + 1], hx, output, u, gw, out double gScale);
        Reference.Close(Reference.MultiplyTransposed(headJacobian, m, u), gw.Append(gScale).ToArray(), FirstOrder, "Head Jᵀu");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Loss_composed_members_through_rules_match_finite_differences(int seed)
    {
        double[] w = TinyNetWeights(seed);
        double[] x = Reference.Uniform(new Random(seed + 7), D, -1, 1);
        double[] y = Reference.Uniform(new Random(seed + 11), C, -1, 1);
        int n = w.Length;
        double Loss(double[] t) => TinyNetOutput(t, x).Zip(y, (f, target) => 0.5 * (f - target) * (f - target)).Sum();
        double[] v = Reference.Uniform(new Random(seed + 8), n, -1, 1);
        double[] hessian = Reference.Hessian(Loss, w);
        double[] jacobian = Reference.Jacobian(t => TinyNetOutput(t, x), C, w);
        double[] ggn = Reference.Congruence(jacobian, C, n, new double[] { 1, 0, 0, 1 });

        var output = new double[C];
        var gradient = new double[n];
        double value = RuleCorpus.TinyNetLossGradient<MeanSquaredError>(w, x, output, y, gradient);
        Reference.Close(Loss(w), value, Primal, "loss");
        Reference.Close(Reference.Gradient(Loss, w), gradient, FirstOrder, "∇ℓ");

        var hv = new double[n];
        RuleCorpus.TinyNetLossHvp<MeanSquaredError>(w, x, output, y, v, gradient, hv);
        Reference.Close(Reference.Multiply(hessian, n, v), hv, SecondOrder, "H·v");

        var dense = new double[n * n];
        RuleCorpus.TinyNetLossHessian<MeanSquaredError>(w, x, output, y, dense);
        Reference.Close(hessian, dense, SecondOrder, "dense H");

        var diagonal = new double[n];
        RuleCorpus.TinyNetLossHessianDiagonal<MeanSquaredError>(w, x, output, y, diagonal);
        Reference.Close(Reference.Diagonal(hessian, n), diagonal, SecondOrder, "diag H");

        var gv = new double[n];
        RuleCorpus.TinyNetGgnvp<MeanSquaredError>(w, x, output, y, v, gv);
        Reference.Close(Reference.Multiply(ggn, n, v), gv, FirstOrder, "G·v");

        RuleCorpus.TinyNetGgnDiagonal<MeanSquaredError>(w, x, output, y, diagonal);
        Reference.Close(Reference.Diagonal(ggn, n), diagonal, FirstOrder, "diag G");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Loss_composed_members_of_a_two_input_vector_function_through_rules(int seed)
    {
        double[] theta = HeadPoint(seed, out double[] x);
        int m = theta.Length;
        // Softmax cross-entropy with a soft label: H_ℓ = diag p − p pᵀ.
        double[] y = { 0.3, 0.7 };
        double Loss(double[] t)
        {
            double[] f = HeadOutput(t, x);
            double lse = Math.Log(Math.Exp(f[0]) + Math.Exp(f[1]));
            return -(y[0] * (f[0] - lse) + y[1] * (f[1] - lse));
        }
        double[] f0 = HeadOutput(theta, x);
        double p0 = 1.0 / (1.0 + Math.Exp(f0[1] - f0[0])), p1 = 1.0 - p0;
        double[] lossHessian = { p0 - p0 * p0, -p0 * p1, -p0 * p1, p1 - p1 * p1 };
        double[] jacobian = Reference.Jacobian(t => HeadOutput(t, x), C, theta);
        double[] ggn = Reference.Congruence(jacobian, C, m, lossHessian);
        double[] hessian = Reference.Hessian(Loss, theta);
        double[] v = Reference.Uniform(new Random(seed + 8), m, -1, 1);

        var output = new double[C];
        var gw = new double[C + 1];
        double value = RuleCorpus.HeadLossGradient<SoftmaxCrossEntropy>(theta.AsSpan(0, C + 1), theta[C + 1], x, output, y, gw, out double gs);
        Reference.Close(Loss(theta), value, 1e-12, "loss");
        Reference.Close(Reference.Gradient(Loss, theta), gw.Append(gs).ToArray(), FirstOrder, "∇ℓ");

        var hw = new double[C + 1];
        RuleCorpus.HeadLossHvp<SoftmaxCrossEntropy>(theta.AsSpan(0, C + 1), theta[C + 1], x, output, y, v.AsSpan(0, C + 1), v[C + 1], gw, out gs, hw, out double hs);
        Reference.Close(Reference.Multiply(hessian, m, v), hw.Append(hs).ToArray(), SecondOrder, "H·v");

        var rw = new double[C + 1];
        RuleCorpus.HeadGgnvp<SoftmaxCrossEntropy>(theta.AsSpan(0, C + 1), theta[C + 1], x, output, y, v.AsSpan(0, C + 1), v[C + 1], rw, out double rs);
        Reference.Close(Reference.Multiply(ggn, m, v), rw.Append(rs).ToArray(), FirstOrder, "G·v");

        var dw = new double[C + 1];
        RuleCorpus.HeadGgnDiagonal<SoftmaxCrossEntropy>(theta.AsSpan(0, C + 1), theta[C + 1], x, output, y, dw, out double ds);
        Reference.Close(Reference.Diagonal(ggn, m), dw.Append(ds).ToArray(), FirstOrder, "diag G");
    }
}
