using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using AutoCurv.Models;
using AutoCurv.Tests.Corpus;
using AutoCurv.Tests.CurvatureCorpus;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using Xunit;

namespace AutoCurv.Tests;

/// <summary>
/// Every generated second-order member of every corpus method, at three random points (fixed seeds), against
/// independent references: central differences of the generated first-order members (themselves checked
/// against differences of the primal in <see cref="FirstOrderTests"/>), compositions of JVP, loss H_ℓ·v and VJP,
/// dense matrices assembled from products, and the identities of the background reading.
/// </summary>
/// <remarks>
/// Points, non-Wrt arguments and directions are drawn exactly as in <see cref="FirstOrderTests"/> (same
/// method-name seeding), so the same safe domains and branch margins hold: the four-point stencil reaches
/// 2h = 2e-3·max(1, ‖θ‖∞), well inside every margin.
/// </remarks>
public class SecondOrderTests
{
    /// <summary>Generated second derivative vs finite differences of a generated first derivative.</summary>
    private const double FdTolerance = 1e-6;

    /// <summary>Values and gradients returned by two members that compute the same thing with the same arithmetic.</summary>
    private const double PrimalTolerance = 1e-12;

    /// <summary>Identities between generated members (dense vs products, symmetry, diagonals), relative to max(1, |expected|).</summary>
    private const double IdentityTolerance = 1e-9;

    /// <summary>float members vs double members.</summary>
    private const double FloatTolerance = 1e-3;

    private static readonly int[] s_seeds = [1, 2, 3];

    private static readonly string[] s_losses = [nameof(MeanSquaredError), nameof(SoftmaxCrossEntropy), nameof(SigmoidBinaryCrossEntropy)];

    public delegate double GradientFn(double[] theta, double[] gradient);

    public delegate double HvpFn(double[] theta, double[] tangent, double[] gradient, double[] hessianVector);

    /// <summary>A member writing one n-vector or n×n matrix (diagonal, approximate diagonal, dense Hessian).</summary>
    public delegate double MatrixFn(double[] theta, double[] result);

    public delegate void VectorJvpFn(double[] theta, double[] tangent, double[] output, double[] outputTangent);

    public delegate void VectorVjpFn(double[] theta, double[] cotangent, double[] output, double[] gradient);

    public delegate double LossFn(double[] theta, double[] target, double[] output);

    public delegate double LossGradientFn(double[] theta, double[] target, double[] output, double[] gradient);

    public delegate double LossHvpFn(double[] theta, double[] target, double[] tangent, double[] output, double[] gradient, double[] hessianVector);

    public delegate double GgnvpFn(double[] theta, double[] target, double[] tangent, double[] output, double[] result);

    /// <summary>A loss-composed member writing one n-vector or n×n matrix (GGN diagonal, Hessian diagonal, dense Hessian).</summary>
    public delegate double LossMatrixFn(double[] theta, double[] target, double[] output, double[] result);

    /// <summary>A scalar function at one point: the primal and every generated member on a flat θ.</summary>
    public sealed record ScalarCase(
        double[] Theta,
        Func<double[], double> Primal,
        GradientFn Gradient,
        HvpFn Hvp,
        MatrixFn HessianDiagonal,
        MatrixFn HessianDiagonalApprox,
        MatrixFn Hessian);

    /// <summary>A vector function at one point with one loss and a target drawn for that loss.</summary>
    public sealed record VectorCase(
        string Loss,
        double[] Theta,
        int OutputLength,
        double[] Target,
        Action<double[], double[]> Primal,
        VectorJvpFn Jvp,
        VectorVjpFn Vjp,
        LossFn LossMember,
        LossGradientFn LossGradient,
        LossHvpFn LossHvp,
        GgnvpFn Ggnvp,
        LossMatrixFn GgnDiagonal,
        LossMatrixFn LossHessianDiagonal,
        LossMatrixFn LossHessian,
        Func<double[], double[], double> OutputLoss,
        Action<double[], double[], double[], double[]> OutputLossHvp,
        double[]? ModelInput);

    // ================================================================================================
    // Scalar functions: FHvp, FHessian, FHessianDiagonal, FHessianDiagonalApprox
    // ================================================================================================

    public static TheoryData<string, int> ScalarMethods => Rows(s_scalarCases.Keys);

    [Theory]
    [MemberData(nameof(ScalarMethods))]
    public void Hvp_matches_central_differences_of_gradient(string method, int seed)
    {
        ScalarCase c = Scalar(method, seed);
        int n = c.Theta.Length;
        double[] v = Direction(method, seed, n);
        double[] expected = FiniteDifferences.Directional((t, g) => c.Gradient(t, g), n, c.Theta, v);
        double[] gradient = Garbage(n), hv = Garbage(n);
        c.Hvp(c.Theta, v, gradient, hv);
        FiniteDifferences.AssertClose(expected, hv, FdTolerance, Where(method, "Hvp", seed, c.Theta) + $", v = [{FiniteDifferences.Join(v)}], H·v vs d/ds Gradient(θ + s v)");
    }

    [Theory]
    [MemberData(nameof(ScalarMethods))]
    public void Hvp_returns_value_and_gradient_of_Gradient_and_overwrites_results(string method, int seed)
    {
        ScalarCase c = Scalar(method, seed);
        int n = c.Theta.Length;
        double[] v = Direction(method, seed, n);
        double[] reference = Garbage(n);
        double value = c.Gradient(c.Theta, reference);
        double[] gradient = Garbage(n), hv = Garbage(n);
        double returned = c.Hvp(c.Theta, v, gradient, hv);
        string where = Where(method, "Hvp", seed, c.Theta);
        FiniteDifferences.AssertClose(value, returned, PrimalTolerance, where + ", returned value vs Gradient's");
        FiniteDifferences.AssertClose(c.Primal(c.Theta), returned, PrimalTolerance, where + ", returned value vs primal");
        FiniteDifferences.AssertClose(reference, gradient, PrimalTolerance, where + ", grads vs Gradient's");
        double[] firstGradient = (double[])gradient.Clone(), firstHv = (double[])hv.Clone();
        c.Hvp(c.Theta, v, gradient, hv); // the buffers now hold the first call's results
        FiniteDifferences.AssertClose(firstGradient, gradient, PrimalTolerance, where + ", grads of a second call into the same buffers (accumulated?)");
        FiniteDifferences.AssertClose(firstHv, hv, PrimalTolerance, where + ", hvs of a second call into the same buffers (accumulated?)");
    }

    [Theory]
    [MemberData(nameof(ScalarMethods))]
    public void Hessian_matches_Hvp_columns_and_is_symmetric(string method, int seed)
    {
        ScalarCase c = Scalar(method, seed);
        int n = c.Theta.Length;
        string where = Where(method, "Hessian", seed, c.Theta);
        double[] fromColumns = Columns(n, (unit, column) => c.Hvp(c.Theta, unit, Garbage(n), column));
        double[] hessian = Garbage(n * n);
        double value = c.Hessian(c.Theta, hessian);
        FiniteDifferences.AssertClose(c.Primal(c.Theta), value, PrimalTolerance, where + ", returned value vs primal");
        FiniteDifferences.AssertClose(fromColumns, hessian, IdentityTolerance, where + ", H (row-major) vs [Hvp(e_1) … Hvp(e_n)]");
        FiniteDifferences.AssertClose(Transpose(hessian, n), hessian, IdentityTolerance, where + ", H vs Hᵀ");
        double[] first = (double[])hessian.Clone();
        c.Hessian(c.Theta, hessian);
        FiniteDifferences.AssertClose(first, hessian, PrimalTolerance, where + ", second call into the same buffer (accumulated?)");
    }

    [Theory]
    [MemberData(nameof(ScalarMethods))]
    public void HessianDiagonal_matches_dense_diagonal(string method, int seed)
    {
        ScalarCase c = Scalar(method, seed);
        int n = c.Theta.Length;
        string where = Where(method, "HessianDiagonal", seed, c.Theta);
        double[] hessian = Garbage(n * n);
        c.Hessian(c.Theta, hessian);
        double[] diagonal = Garbage(n);
        double value = c.HessianDiagonal(c.Theta, diagonal);
        FiniteDifferences.AssertClose(c.Primal(c.Theta), value, PrimalTolerance, where + ", returned value vs primal");
        FiniteDifferences.AssertClose(Diagonal(hessian, n), diagonal, IdentityTolerance, where + ", diagonal vs diag(Hessian)");
        double[] first = (double[])diagonal.Clone();
        c.HessianDiagonal(c.Theta, diagonal);
        FiniteDifferences.AssertClose(first, diagonal, PrimalTolerance, where + ", second call into the same buffer (accumulated?)");
    }

    /// <summary>
    /// Becker–LeCun drops the cross terms between different paths from an input to the result, so on methods
    /// without any general guarantee it only has to be finite, of the order of the Hessian, return the primal
    /// and overwrite its results.
    /// </summary>
    [Theory]
    [MemberData(nameof(ScalarMethods))]
    public void HessianDiagonalApprox_is_finite_bounded_returns_primal_and_overwrites(string method, int seed)
    {
        ScalarCase c = Scalar(method, seed);
        int n = c.Theta.Length;
        string where = Where(method, "HessianDiagonalApprox", seed, c.Theta);
        double[] hessian = Garbage(n * n);
        c.Hessian(c.Theta, hessian);
        double[] approx = Garbage(n);
        double value = c.HessianDiagonalApprox(c.Theta, approx);
        FiniteDifferences.AssertClose(c.Primal(c.Theta), value, PrimalTolerance, where + ", returned value vs primal");
        double scale = 1.0;
        foreach (double h in hessian) scale += Math.Abs(h);
        for (int i = 0; i < n; i++)
        {
            Assert.True(double.IsFinite(approx[i]), $"{where}: component [{i}] is {approx[i]}");
            Assert.True(Math.Abs(approx[i]) <= ApproxBound * scale,
                $"{where}: component [{i}] = {approx[i]:G6} is more than {ApproxBound}·(1 + Σ|H_ij|) = {ApproxBound * scale:G6}");
        }
        double[] first = (double[])approx.Clone();
        c.HessianDiagonalApprox(c.Theta, approx);
        FiniteDifferences.AssertClose(first, approx, PrimalTolerance, where + ", second call into the same buffer (accumulated?)");
    }

    /// <summary>Loose sanity bound of the approximate diagonal relative to 1 + Σ_ij |H_ij|.</summary>
    private const double ApproxBound = 10.0;

    /// <summary>
    /// Methods in which every Wrt input reaches the result along a single path (possibly through a power of one
    /// leaf such as <c>x[i] * x[i]</c>, which the generator treats as one factor): there the dropped cross terms are
    /// absent and Becker–LeCun is exact.
    /// </summary>
    private static readonly string[] s_beckerLeCunExact =
    [
        "HelperCalls.Square",                   // z·z
        "Helpers.Softplus",                     // log(1 + exp z): a chain
        "ScalarSpans.SumOfSquares",             // Σ x_i·x_i
        "ControlFlow.PiecewiseSum",             // each x_i in exactly one branch of one statement
        "ScalarSpans.StridedPairs",             // Σ x_{2k} sin x_{2k+1} / count: each input read once
        "HelperCalls.DenseTanhSum",             // single layer through a vector helper: w → z_o → tanh → s
        "SecondOrderCorpus.SeparableSum",
        "SecondOrderCorpus.SingleLayer",
        "SecondOrderCorpus.UnaryChain",
    ];

    public static TheoryData<string, int> BeckerLeCunExactMethods => Rows(s_beckerLeCunExact);

    [Theory]
    [MemberData(nameof(BeckerLeCunExactMethods))]
    public void HessianDiagonalApprox_is_exact_where_every_input_has_one_path(string method, int seed)
    {
        ScalarCase c = Scalar(method, seed);
        int n = c.Theta.Length;
        double[] hessian = Garbage(n * n);
        c.Hessian(c.Theta, hessian);
        double[] exact = Garbage(n);
        c.HessianDiagonal(c.Theta, exact);
        double[] approx = Garbage(n);
        c.HessianDiagonalApprox(c.Theta, approx);
        string where = Where(method, "HessianDiagonalApprox", seed, c.Theta);
        FiniteDifferences.AssertClose(Diagonal(hessian, n), approx, IdentityTolerance, where + ", Becker–LeCun vs diag(Hessian)");
        FiniteDifferences.AssertClose(exact, approx, IdentityTolerance, where + ", Becker–LeCun vs HessianDiagonal");
    }

    /// <summary>
    /// Elementary(x) = e + l·r − s·c + tan(x/2) with l = log(1 + x), r = √(x + 2), s = sin 3x, c = cos x reaches
    /// the result from x along five paths, and two of them meet in products of two different functions of x.
    /// The exact second derivative of l·r is l″r + 2l′r′ + lr″ and of s·c is s″c + 2s′c′ + sc″; Becker–LeCun keeps
    /// only the per-path terms, so it must equal f″ − 2l′r′ + 2s′c′ = f″ − 1/((1 + x)√(x + 2)) − 6 cos 3x sin x,
    /// which differs from f″ wherever that correction is not zero: at the test points x = 0.3, 0.4, 0.9, 1.2 (the
    /// corpus domain) it is −1.61, −1.31, +3.94, +4.76. (It vanishes near x ≈ 0.57, so random points are not used.)
    /// </summary>
    [Theory]
    [InlineData(0.4)]
    [InlineData(0.9)]
    [InlineData(0.3)]
    [InlineData(1.2)]
    public void HessianDiagonalApprox_drops_cross_path_terms_on_a_non_separable_method(double x)
    {
        double dropped = -1.0 / ((1.0 + x) * Math.Sqrt(x + 2.0)) - 6.0 * Math.Cos(3.0 * x) * Math.Sin(x);
        double[] hessian = new double[1];
        ScalarBasics.ElementaryHessian(x, hessian);
        ScalarBasics.ElementaryHessianDiagonal(x, out double exact);
        ScalarBasics.ElementaryHessianDiagonalApprox(x, out double approx);
        string where = $"ScalarBasics.Elementary: ElementaryHessianDiagonalApprox at x = {x}";
        FiniteDifferences.AssertClose(hessian[0], exact, IdentityTolerance, where + ", HessianDiagonal vs Hessian");
        Assert.True(Math.Abs(dropped) > 0.1, $"{where}: test point too close to a zero of the dropped terms ({dropped})");
        Assert.True(Math.Abs(approx - exact) > 0.05 * Math.Abs(dropped),
            $"{where}: Becker–LeCun {approx:R} equals the exact diagonal {exact:R} although the cross-path terms sum to {dropped:R}");
        FiniteDifferences.AssertClose(exact + dropped, approx, IdentityTolerance, where + ", Becker–LeCun vs f″ minus the cross-path terms 2l′r′ − 2s′c′");
    }

    // ================================================================================================
    // Vector functions with a loss
    // ================================================================================================

    public static TheoryData<string, string, int> VectorLossRows
    {
        get
        {
            var data = new TheoryData<string, string, int>();
            foreach (string method in s_vectorMethods.OrderBy(m => m, StringComparer.Ordinal))
            {
                foreach (string loss in s_losses)
                {
                    foreach (int seed in s_seeds) data.Add(method, loss, seed);
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(VectorLossRows))]
    public void Loss_equals_loss_of_primal_output(string method, string loss, int seed)
    {
        VectorCase c = Vector(method, loss, seed);
        double[] primal = new double[c.OutputLength];
        c.Primal(c.Theta, primal);
        double[] output = Garbage(c.OutputLength);
        double value = c.LossMember(c.Theta, c.Target, output);
        string where = Where(method, $"Loss<{loss}>", seed, c.Theta) + $", y = [{FiniteDifferences.Join(c.Target)}]";
        FiniteDifferences.AssertClose(c.OutputLoss(primal, c.Target), value, PrimalTolerance, where + $", ℓ vs {loss}.Value(primal output, y)");
        FiniteDifferences.AssertClose(primal, output, PrimalTolerance, where + ", output vs primal");
    }

    [Theory]
    [MemberData(nameof(VectorLossRows))]
    public void LossGradient_matches_central_differences_of_Loss(string method, string loss, int seed)
    {
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length;
        double[] scratch = new double[c.OutputLength];
        double[] expected = FiniteDifferences.Gradient(t => c.LossMember(t, c.Target, scratch), c.Theta);
        double[] output = Garbage(c.OutputLength), gradient = Garbage(n);
        double value = c.LossGradient(c.Theta, c.Target, output, gradient);
        string where = Where(method, $"LossGradient<{loss}>", seed, c.Theta) + $", y = [{FiniteDifferences.Join(c.Target)}]";
        FiniteDifferences.AssertClose(expected, gradient, FdTolerance, where + ", ∇ℓ vs differences of Loss");
        FiniteDifferences.AssertClose(c.LossMember(c.Theta, c.Target, scratch), value, PrimalTolerance, where + ", returned ℓ vs Loss");
    }

    [Theory]
    [MemberData(nameof(VectorLossRows))]
    public void LossHvp_matches_central_differences_of_LossGradient(string method, string loss, int seed)
    {
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length;
        double[] v = Direction(method, seed, n);
        double[] scratch = new double[c.OutputLength];
        double[] expected = FiniteDifferences.Directional((t, g) => c.LossGradient(t, c.Target, scratch, g), n, c.Theta, v);
        double[] referenceGradient = Garbage(n);
        double referenceValue = c.LossGradient(c.Theta, c.Target, scratch, referenceGradient);
        double[] output = Garbage(c.OutputLength), gradient = Garbage(n), hv = Garbage(n);
        double value = c.LossHvp(c.Theta, c.Target, v, output, gradient, hv);
        string where = Where(method, $"LossHvp<{loss}>", seed, c.Theta) + $", y = [{FiniteDifferences.Join(c.Target)}], v = [{FiniteDifferences.Join(v)}]";
        FiniteDifferences.AssertClose(expected, hv, FdTolerance, where + ", H·v vs d/ds LossGradient(θ + s v)");
        FiniteDifferences.AssertClose(referenceGradient, gradient, PrimalTolerance, where + ", grads vs LossGradient's");
        FiniteDifferences.AssertClose(referenceValue, value, PrimalTolerance, where + ", returned ℓ vs LossGradient's");
    }

    [Theory]
    [MemberData(nameof(VectorLossRows))]
    public void LossHessian_matches_LossHvp_columns_and_is_symmetric(string method, string loss, int seed)
    {
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length;
        double[] output = Garbage(c.OutputLength);
        double[] fromColumns = Columns(n, (unit, column) => c.LossHvp(c.Theta, c.Target, unit, output, Garbage(n), column));
        double[] hessian = Garbage(n * n);
        double value = c.LossHessian(c.Theta, c.Target, output, hessian);
        string where = Where(method, $"LossHessian<{loss}>", seed, c.Theta) + $", y = [{FiniteDifferences.Join(c.Target)}]";
        FiniteDifferences.AssertClose(c.LossMember(c.Theta, c.Target, Garbage(c.OutputLength)), value, PrimalTolerance, where + ", returned ℓ vs Loss");
        FiniteDifferences.AssertClose(fromColumns, hessian, IdentityTolerance, where + ", H (row-major) vs [LossHvp(e_1) … LossHvp(e_n)]");
        FiniteDifferences.AssertClose(Transpose(hessian, n), hessian, IdentityTolerance, where + ", H vs Hᵀ");
    }

    [Theory]
    [MemberData(nameof(VectorLossRows))]
    public void LossHessianDiagonal_matches_dense_diagonal(string method, string loss, int seed)
    {
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length;
        double[] output = Garbage(c.OutputLength);
        double[] hessian = Garbage(n * n);
        c.LossHessian(c.Theta, c.Target, output, hessian);
        double[] diagonal = Garbage(n);
        double value = c.LossHessianDiagonal(c.Theta, c.Target, output, diagonal);
        string where = Where(method, $"LossHessianDiagonal<{loss}>", seed, c.Theta) + $", y = [{FiniteDifferences.Join(c.Target)}]";
        FiniteDifferences.AssertClose(c.LossMember(c.Theta, c.Target, Garbage(c.OutputLength)), value, PrimalTolerance, where + ", returned ℓ vs Loss");
        FiniteDifferences.AssertClose(Diagonal(hessian, n), diagonal, IdentityTolerance, where + ", diagonal vs diag(LossHessian)");
    }

    [Theory]
    [MemberData(nameof(VectorLossRows))]
    public void Ggnvp_matches_composition_of_Jvp_loss_Hvp_and_Vjp(string method, string loss, int seed)
    {
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length, outputs = c.OutputLength;
        double[] v = Direction(method, seed, n);
        double[] f = Garbage(outputs), jv = Garbage(outputs), hjv = Garbage(outputs), expected = Garbage(n);
        c.Jvp(c.Theta, v, f, jv);
        c.OutputLossHvp(f, c.Target, jv, hjv);
        c.Vjp(c.Theta, hjv, f, expected);
        double[] output = Garbage(outputs), result = Garbage(n);
        double value = c.Ggnvp(c.Theta, c.Target, v, output, result);
        string where = Where(method, $"Ggnvp<{loss}>", seed, c.Theta) + $", y = [{FiniteDifferences.Join(c.Target)}], v = [{FiniteDifferences.Join(v)}]";
        FiniteDifferences.AssertClose(expected, result, IdentityTolerance, where + $", G·v vs Vjp({loss}.HessianVectorProduct(Jvp(v)))");
        FiniteDifferences.AssertClose(c.OutputLoss(f, c.Target), value, PrimalTolerance, where + ", returned ℓ vs loss of the output");
    }

    [Theory]
    [MemberData(nameof(VectorLossRows))]
    public void Ggnvp_and_GgnDiagonal_match_GGN_from_finite_difference_Jacobian(string method, string loss, int seed)
    {
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length;
        double[] g = DenseGgnFromDifferences(c, c.Target);
        double[] v = Direction(method, seed, n);
        double[] output = Garbage(c.OutputLength), result = Garbage(n);
        c.Ggnvp(c.Theta, c.Target, v, output, result);
        string where = Where(method, $"Ggnvp<{loss}>", seed, c.Theta) + $", y = [{FiniteDifferences.Join(c.Target)}]";
        FiniteDifferences.AssertClose(Multiply(g, v, n), result, FdTolerance, where + $", v = [{FiniteDifferences.Join(v)}], G·v vs Jᵀ H_ℓ J v with J from differences of the primal");
        double[] diagonal = Garbage(n);
        c.GgnDiagonal(c.Theta, c.Target, output, diagonal);
        FiniteDifferences.AssertClose(Diagonal(g, n), diagonal, FdTolerance,
            Where(method, $"GgnDiagonal<{loss}>", seed, c.Theta) + ", diagonal vs diag(Jᵀ H_ℓ J) with J from differences of the primal");
    }

    [Theory]
    [MemberData(nameof(VectorLossRows))]
    public void GgnDiagonal_matches_diagonal_of_Ggnvp_columns(string method, string loss, int seed)
    {
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length;
        double[] g = GgnFromColumns(c, c.Target);
        double[] diagonal = Garbage(n);
        double value = c.GgnDiagonal(c.Theta, c.Target, Garbage(c.OutputLength), diagonal);
        string where = Where(method, $"GgnDiagonal<{loss}>", seed, c.Theta) + $", y = [{FiniteDifferences.Join(c.Target)}]";
        FiniteDifferences.AssertClose(Diagonal(g, n), diagonal, IdentityTolerance, where + ", diagonal vs diag([Ggnvp(e_1) … Ggnvp(e_n)])");
        FiniteDifferences.AssertClose(c.LossMember(c.Theta, c.Target, Garbage(c.OutputLength)), value, PrimalTolerance, where + ", returned ℓ vs Loss");
    }

    [Theory]
    [MemberData(nameof(VectorLossRows))]
    public void Ggn_is_symmetric_positive_semidefinite(string method, string loss, int seed)
    {
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length;
        double[] g = GgnFromColumns(c, c.Target);
        string where = Where(method, $"Ggnvp<{loss}>", seed, c.Theta) + $", y = [{FiniteDifferences.Join(c.Target)}]";
        FiniteDifferences.AssertClose(Transpose(g, n), g, IdentityTolerance, where + ", G vs Gᵀ");
        double scale = Math.Max(1.0, g.Max(Math.Abs));
        double smallest = SmallestEigenvalue(g, n);
        Assert.True(smallest >= -1e-9 * scale, $"{where}: smallest eigenvalue of G is {smallest:R} < −1e-9·{scale:G6}");
    }

    /// <summary>Every member writes f into the output span and overwrites (never accumulates into) its results.</summary>
    [Theory]
    [MemberData(nameof(VectorLossRows))]
    public void Every_loss_member_writes_primal_output_and_overwrites_results(string method, string loss, int seed)
    {
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length, outputs = c.OutputLength;
        double[] v = Direction(method, seed, n);
        double[] primal = new double[outputs];
        c.Primal(c.Theta, primal);
        string where = Where(method, $"<{loss}>", seed, c.Theta);
        var members = new (string Name, int[] Lengths, Action<double[], double[][]> Call)[]
        {
            ("Loss", [], (o, r) => c.LossMember(c.Theta, c.Target, o)),
            ("LossGradient", [n], (o, r) => c.LossGradient(c.Theta, c.Target, o, r[0])),
            ("LossHvp", [n, n], (o, r) => c.LossHvp(c.Theta, c.Target, v, o, r[0], r[1])),
            ("Ggnvp", [n], (o, r) => c.Ggnvp(c.Theta, c.Target, v, o, r[0])),
            ("GgnDiagonal", [n], (o, r) => c.GgnDiagonal(c.Theta, c.Target, o, r[0])),
            ("LossHessianDiagonal", [n], (o, r) => c.LossHessianDiagonal(c.Theta, c.Target, o, r[0])),
            ("LossHessian", [n * n], (o, r) => c.LossHessian(c.Theta, c.Target, o, r[0])),
        };
        foreach (var (name, lengths, call) in members)
        {
            double[] output = Garbage(outputs);
            double[][] results = lengths.Select(Garbage).ToArray();
            call(output, results);
            FiniteDifferences.AssertClose(primal, output, PrimalTolerance, $"{where.Replace("<", name + "<")}, output vs primal");
            double[][] first = results.Select(r => (double[])r.Clone()).ToArray();
            call(output, results); // the buffers now hold the first call's results
            FiniteDifferences.AssertClose(primal, output, PrimalTolerance, $"{where.Replace("<", name + "<")}, output of a second call vs primal");
            for (int k = 0; k < results.Length; k++)
            {
                FiniteDifferences.AssertClose(first[k], results[k], PrimalTolerance,
                    $"{where.Replace("<", name + "<")}, result {k} of a second call into the same buffers (accumulated instead of overwritten?)");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Identities from the reading
    // ------------------------------------------------------------------------------------------------

    public static TheoryData<string, int> VectorMethods => Rows(s_vectorMethods);

    /// <summary>
    /// H = Jᵀ H_ℓ J + Σ_c (∂ℓ/∂f_c) ∇²f_c: with MSE and the target equal to the model output the residual
    /// ∂ℓ/∂f = f − y vanishes, so the exact Hessian equals the GGN, whatever ∇²f_c is.
    /// </summary>
    [Theory]
    [MemberData(nameof(VectorMethods))]
    public void Ggn_equals_Hessian_where_the_MSE_residual_vanishes(string method, int seed)
    {
        VectorCase c = Vector(method, nameof(MeanSquaredError), seed);
        int n = c.Theta.Length;
        double[] target = new double[c.OutputLength];
        c.Primal(c.Theta, target);
        double[] g = GgnFromColumns(c, target);
        double[] hessian = Garbage(n * n);
        double value = c.LossHessian(c.Theta, target, Garbage(c.OutputLength), hessian);
        string where = Where(method, "LossHessian<MeanSquaredError>", seed, c.Theta) + ", y = f(θ)";
        Assert.True(Math.Abs(value) <= 1e-24, $"{where}: ℓ = {value:R} with the target equal to the primal output (the residual is only rounding)");
        FiniteDifferences.AssertClose(g, hessian, IdentityTolerance, where + ", H vs G (zero residual)");
        double[] hessianDiagonal = Garbage(n), ggnDiagonal = Garbage(n);
        c.LossHessianDiagonal(c.Theta, target, Garbage(c.OutputLength), hessianDiagonal);
        c.GgnDiagonal(c.Theta, target, Garbage(c.OutputLength), ggnDiagonal);
        FiniteDifferences.AssertClose(ggnDiagonal, hessianDiagonal, IdentityTolerance, where + ", LossHessianDiagonal vs GgnDiagonal (zero residual)");
    }

    public static TheoryData<string, int> LossRows
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string loss in s_losses)
            {
                foreach (int seed in s_seeds) data.Add(loss, seed);
            }
            return data;
        }
    }

    /// <summary>A linear model has ∇²f_c = 0, so H = G for every loss and every target.</summary>
    [Theory]
    [MemberData(nameof(LossRows))]
    public void Ggn_equals_Hessian_for_a_linear_model(string loss, int seed)
    {
        const string method = "SecondOrderCorpus.Affine";
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length;
        double[] g = GgnFromColumns(c, c.Target);
        double[] hessian = Garbage(n * n);
        c.LossHessian(c.Theta, c.Target, Garbage(c.OutputLength), hessian);
        string where = Where(method, $"LossHessian<{loss}>", seed, c.Theta) + $", y = [{FiniteDifferences.Join(c.Target)}]";
        FiniteDifferences.AssertClose(g, hessian, IdentityTolerance, where + ", H vs G (linear model)");
    }

    /// <summary>The two identities above are not vacuous: a nonlinear model with a non-zero residual has H ≠ G.</summary>
    [Theory]
    [MemberData(nameof(LossRows))]
    public void Ggn_differs_from_Hessian_for_a_nonlinear_model_with_a_residual(string loss, int seed)
    {
        const string method = "Mlp.Forward";
        VectorCase c = Vector(method, loss, seed);
        int n = c.Theta.Length;
        double[] g = GgnFromColumns(c, c.Target);
        double[] hessian = Garbage(n * n);
        c.LossHessian(c.Theta, c.Target, Garbage(c.OutputLength), hessian);
        double difference = 0.0;
        for (int i = 0; i < g.Length; i++) difference = Math.Max(difference, Math.Abs(hessian[i] - g[i]));
        Assert.True(difference > 1e-3, $"{Where(method, $"LossHessian<{loss}>", seed, c.Theta)}: max |H − G| = {difference:G3}, expected the residual term to show");
    }

    /// <summary>
    /// For softmax cross-entropy the Fisher E_{y~p(y|f)}[g gᵀ] (g = ∇ℓ at a sampled one-hot label) equals the GGN:
    /// E[(p − y)(p − y)ᵀ] = diag p − p pᵀ = H_ℓ. The Monte-Carlo mean over K = 20000 labels drawn with
    /// <see cref="SoftmaxCrossEntropy.Sample{T}"/> from a fixed-seed <see cref="RandomSource"/> must be within 5
    /// standard errors (sample standard deviation of each entry / √K) of the dense GGN.
    /// </summary>
    [Fact]
    public void Monte_Carlo_Fisher_converges_to_Ggn_for_softmax_cross_entropy()
    {
        const string method = "Vectors.MatVecTanh";
        const int samples = 20000;
        VectorCase c = Vector(method, nameof(SoftmaxCrossEntropy), 1);
        int n = c.Theta.Length, outputs = c.OutputLength;
        double[] ggn = GgnFromColumns(c, c.Target);
        double[] logits = new double[outputs];
        c.Primal(c.Theta, logits);
        double[] sum = new double[n * n], sumOfSquares = new double[n * n];
        double[] label = new double[outputs], output = new double[outputs], gradient = new double[n];
        var random = new RandomSource(20240611);
        for (int k = 0; k < samples; k++)
        {
            SoftmaxCrossEntropy.Sample<double>(logits, ref random, label);
            c.LossGradient(c.Theta, label, output, gradient);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double entry = gradient[i] * gradient[j];
                    sum[i * n + j] += entry;
                    sumOfSquares[i * n + j] += entry * entry;
                }
            }
        }
        double scale = Math.Max(1.0, ggn.Max(Math.Abs));
        int failures = 0;
        string first = "";
        double worst = 0.0;
        for (int e = 0; e < n * n; e++)
        {
            double mean = sum[e] / samples;
            double variance = Math.Max(0.0, (sumOfSquares[e] / samples - mean * mean) * samples / (samples - 1.0));
            double standardError = Math.Sqrt(variance / samples);
            double error = Math.Abs(mean - ggn[e]);
            worst = Math.Max(worst, error / (standardError + 1e-300));
            if (error > 5.0 * standardError + 1e-12 * scale)
            {
                if (failures++ == 0) first = $"entry ({e / n}, {e % n}): Monte-Carlo {mean:R}, GGN {ggn[e]:R}, standard error {standardError:G3}";
            }
        }
        Assert.True(failures == 0, $"{method} with SoftmaxCrossEntropy: {failures} of {n * n} entries off by more than 5 standard errors; first {first}; worst {worst:G3} standard errors");
        // The estimate is not trivially right: it is a real average of rank-one matrices, not the GGN itself.
        Assert.True(worst > 0.0, "every entry matched exactly");
    }

    // ------------------------------------------------------------------------------------------------
    // The nested IModel struct
    // ------------------------------------------------------------------------------------------------

    public static TheoryData<string, string> ModelRows
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string model in new[] { "Mlp.Forward", "SecondOrderCorpus.Affine" })
            {
                foreach (string loss in s_losses) data.Add(model, loss);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ModelRows))]
    public void Nested_model_struct_implements_IModel_with_the_direct_members(string method, string loss)
    {
        Type model = method == "Mlp.Forward" ? typeof(Mlp.ForwardModel) : typeof(SecondOrderCorpus.AffineModel);
        Assert.True(model.IsValueType && typeof(IModel).IsAssignableFrom(model), $"{model} is not a struct implementing IModel");
        ModelResults viaInterface = (method, loss) switch
        {
            ("Mlp.Forward", nameof(MeanSquaredError)) => Call<Mlp.ForwardModel, MeanSquaredError>(method, loss),
            ("Mlp.Forward", nameof(SoftmaxCrossEntropy)) => Call<Mlp.ForwardModel, SoftmaxCrossEntropy>(method, loss),
            ("Mlp.Forward", nameof(SigmoidBinaryCrossEntropy)) => Call<Mlp.ForwardModel, SigmoidBinaryCrossEntropy>(method, loss),
            (_, nameof(MeanSquaredError)) => Call<SecondOrderCorpus.AffineModel, MeanSquaredError>(method, loss),
            (_, nameof(SoftmaxCrossEntropy)) => Call<SecondOrderCorpus.AffineModel, SoftmaxCrossEntropy>(method, loss),
            _ => Call<SecondOrderCorpus.AffineModel, SigmoidBinaryCrossEntropy>(method, loss),
        };
        ModelResults direct = Direct(method, loss);
        Assert.Equal(direct.Names, viaInterface.Names);
        for (int k = 0; k < direct.Values.Count; k++)
        {
            Assert.True(direct.Values[k].SequenceEqual(viaInterface.Values[k]),
                $"{model.Name}.{direct.Names[k]}<{loss}> via IModel: [{FiniteDifferences.Join(viaInterface.Values[k])}], direct member: [{FiniteDifferences.Join(direct.Values[k])}]");
        }
    }

    /// <summary>Named results of every IModel member (returned scalars as one-element arrays).</summary>
    public sealed record ModelResults(List<string> Names, List<double[]> Values)
    {
        public void Add(string name, params double[][] values)
        {
            for (int k = 0; k < values.Length; k++)
            {
                Names.Add(values.Length == 1 ? name : $"{name}[{k}]");
                Values.Add(values[k]);
            }
        }
    }

    /// <summary>Calls every static member of <typeparamref name="TModel"/> through the IModel constraint only.</summary>
    private static ModelResults Call<TModel, TLoss>(string method, string loss)
        where TModel : struct, IModel
        where TLoss : struct, ILoss
    {
        VectorCase c = Vector(method, loss, 1);
        (double[] w, double[] x, double[] y, int outputs, int n) = (c.Theta, c.ModelInput!, c.Target, c.OutputLength, c.Theta.Length);
        double[] v = Direction(method, 1, n), u = Direction(method, 1001, outputs);
        var results = new ModelResults([], []);
        double[] o = Garbage(outputs), r1 = Garbage(n), r2 = Garbage(n), ot = Garbage(outputs);
        TModel.Forward(w, x, o);
        results.Add("Forward", o);
        o = Garbage(outputs);
        TModel.Jvp(w, x, o, v, ot);
        results.Add("Jvp", o, ot);
        o = Garbage(outputs);
        TModel.Vjp(w, x, o, u, r1);
        results.Add("Vjp", o, (double[])r1.Clone());
        o = Garbage(outputs);
        results.Add("Loss", [TModel.Loss<TLoss>(w, x, o, y)], o);
        o = Garbage(outputs);
        results.Add("LossGradient", [TModel.LossGradient<TLoss>(w, x, o, y, r1)], o, (double[])r1.Clone());
        o = Garbage(outputs);
        results.Add("LossHvp", [TModel.LossHvp<TLoss>(w, x, o, y, v, r1, r2)], o, (double[])r1.Clone(), (double[])r2.Clone());
        o = Garbage(outputs);
        results.Add("Ggnvp", [TModel.Ggnvp<TLoss>(w, x, o, y, v, r1)], o, (double[])r1.Clone());
        o = Garbage(outputs);
        results.Add("GgnDiagonal", [TModel.GgnDiagonal<TLoss>(w, x, o, y, r1)], o, (double[])r1.Clone());
        o = Garbage(outputs);
        results.Add("LossHessianDiagonal", [TModel.LossHessianDiagonal<TLoss>(w, x, o, y, r1)], o, (double[])r1.Clone());
        return results;
    }

    /// <summary>The same calls through the generated static members of the containing class (the case's glue).</summary>
    private static ModelResults Direct(string method, string loss)
    {
        VectorCase c = Vector(method, loss, 1);
        (double[] w, double[] y, int outputs, int n) = (c.Theta, c.Target, c.OutputLength, c.Theta.Length);
        double[] v = Direction(method, 1, n), u = Direction(method, 1001, outputs);
        var results = new ModelResults([], []);
        double[] o = Garbage(outputs), r1 = Garbage(n), r2 = Garbage(n), ot = Garbage(outputs);
        c.Primal(w, o);
        results.Add("Forward", o);
        o = Garbage(outputs);
        c.Jvp(w, v, o, ot);
        results.Add("Jvp", o, ot);
        o = Garbage(outputs);
        c.Vjp(w, u, o, r1);
        results.Add("Vjp", o, (double[])r1.Clone());
        o = Garbage(outputs);
        results.Add("Loss", [c.LossMember(w, y, o)], o);
        o = Garbage(outputs);
        results.Add("LossGradient", [c.LossGradient(w, y, o, r1)], o, (double[])r1.Clone());
        o = Garbage(outputs);
        results.Add("LossHvp", [c.LossHvp(w, y, v, o, r1, r2)], o, (double[])r1.Clone(), (double[])r2.Clone());
        o = Garbage(outputs);
        results.Add("Ggnvp", [c.Ggnvp(w, y, v, o, r1)], o, (double[])r1.Clone());
        o = Garbage(outputs);
        results.Add("GgnDiagonal", [c.GgnDiagonal(w, y, o, r1)], o, (double[])r1.Clone());
        o = Garbage(outputs);
        results.Add("LossHessianDiagonal", [c.LossHessianDiagonal(w, y, o, r1)], o, (double[])r1.Clone());
        return results;
    }

    // ================================================================================================
    // float twins
    // ================================================================================================

    private static readonly string[] s_floatMethods =
    [
        "FloatFunctions.ElementaryF",
        "FloatFunctions.TanhRecurrenceF",
        "FloatFunctions.SoftmaxF",
    ];

    public static TheoryData<string, int> FloatMethods => Rows(s_floatMethods);

    [Theory]
    [MemberData(nameof(FloatMethods))]
    public void Float_second_order_members_match_double_members(string method, int seed)
    {
        Random r = NewRandom(method, seed);
        string where = $"{method} at seed {seed}";
        switch (method)
        {
            case "FloatFunctions.ElementaryF":
            {
                float x = (float)U(r, 0.3, 1.2), vx = (float)U(r, -1, 1);
                double value = ScalarBasics.ElementaryHvp(x, vx, out double g, out double hv);
                double[] hessian = new double[1];
                ScalarBasics.ElementaryHessian(x, hessian);
                float valueF = FloatFunctions.ElementaryFHvp(x, vx, out float gF, out float hvF);
                float[] hessianF = [1234.5f];
                float hessianValueF = FloatFunctions.ElementaryFHessian(x, hessianF);
                FiniteDifferences.AssertClose(value, valueF, FloatTolerance, where + ", ElementaryFHvp value vs ElementaryHvp");
                FiniteDifferences.AssertClose(value, hessianValueF, FloatTolerance, where + ", ElementaryFHessian value vs ElementaryHvp");
                FiniteDifferences.AssertClose(g, gF, FloatTolerance, where + ", ElementaryFHvp gradient vs ElementaryHvp");
                FiniteDifferences.AssertClose(hv, hvF, FloatTolerance, where + ", ElementaryFHvp H·v vs ElementaryHvp");
                FiniteDifferences.AssertClose(hessian, ToDouble(hessianF), FloatTolerance, where + ", ElementaryFHessian vs ElementaryHessian");
                break;
            }
            case "FloatFunctions.TanhRecurrenceF":
            {
                float a = (float)U(r, -1.5, 1.5);
                float[] x = ToFloat(Vec(r, 6, -1, 1));
                float va = (float)U(r, -1, 1);
                float[] vx = ToFloat(Vec(r, 6, -1, 1));
                double[] xd = ToDouble(x), vxd = ToDouble(vx);
                double[] gx = Garbage(6), hx = Garbage(6), hessian = Garbage(49);
                double value = Scratch.TanhRecurrenceHvp(a, xd, va, vxd, out double ga, gx, out double ha, hx);
                Scratch.TanhRecurrenceHessian(a, xd, hessian);
                float[] gxF = ToFloat(Garbage(6)), hxF = ToFloat(Garbage(6)), hessianF = ToFloat(Garbage(49));
                float valueF = FloatFunctions.TanhRecurrenceFHvp(a, x, va, vx, out float gaF, gxF, out float haF, hxF);
                float hessianValueF = FloatFunctions.TanhRecurrenceFHessian(a, x, hessianF);
                FiniteDifferences.AssertClose(value, valueF, FloatTolerance, where + ", TanhRecurrenceFHvp value vs double");
                FiniteDifferences.AssertClose(value, hessianValueF, FloatTolerance, where + ", TanhRecurrenceFHessian value vs double");
                FiniteDifferences.AssertClose(Cat([ga], gx), Cat([gaF], ToDouble(gxF)), FloatTolerance, where + ", TanhRecurrenceFHvp gradient vs TanhRecurrenceHvp");
                FiniteDifferences.AssertClose(Cat([ha], hx), Cat([haF], ToDouble(hxF)), FloatTolerance, where + ", TanhRecurrenceFHvp H·v vs TanhRecurrenceHvp");
                FiniteDifferences.AssertClose(hessian, ToDouble(hessianF), FloatTolerance, where + ", TanhRecurrenceFHessian vs TanhRecurrenceHessian");
                break;
            }
            case "FloatFunctions.SoftmaxF":
            {
                // A vector function: its second-order members are the loss-composed ones.
                float[] z = ToFloat(Vec(r, 4, -2, 2));
                float[] v = ToFloat(Vec(r, 4, -1, 1));
                SoftmaxFMatchesDouble<MeanSquaredError>(z, v, ToFloat(Vec(r, 4, -1, 1)), where);
                SoftmaxFMatchesDouble<SoftmaxCrossEntropy>(z, v, ToFloat(ProbabilityVector(r, 4)), where);
                SoftmaxFMatchesDouble<SigmoidBinaryCrossEntropy>(z, v, ToFloat(Vec(r, 4, 0.05, 0.95)), where);
                break;
            }
            default:
                throw new ArgumentException($"no float case for {method}", nameof(method));
        }
    }

    private static void SoftmaxFMatchesDouble<TLoss>(float[] z, float[] v, float[] y, string where)
        where TLoss : struct, ILoss
    {
        where += $", {typeof(TLoss).Name}";
        double[] zd = ToDouble(z), vd = ToDouble(v), yd = ToDouble(y);
        double[] output = Garbage(4), g = Garbage(4), hv = Garbage(4), q = Garbage(4), d = Garbage(4), hessian = Garbage(16);
        float[] outputF = ToFloat(Garbage(4)), gF = ToFloat(Garbage(4)), hvF = ToFloat(Garbage(4)), qF = ToFloat(Garbage(4)), dF = ToFloat(Garbage(4)), hessianF = ToFloat(Garbage(16));
        double value = Vectors.SoftmaxLossHvp<TLoss>(zd, output, yd, vd, g, hv);
        Vectors.SoftmaxLossHessian<TLoss>(zd, output, yd, hessian);
        Vectors.SoftmaxGgnvp<TLoss>(zd, output, yd, vd, q);
        Vectors.SoftmaxGgnDiagonal<TLoss>(zd, output, yd, d);
        float valueF = FloatFunctions.SoftmaxFLossHvp<TLoss>(z, outputF, y, v, gF, hvF);
        FiniteDifferences.AssertClose(output, ToDouble(outputF), FloatTolerance, where + ", SoftmaxFLossHvp output vs double");
        FloatFunctions.SoftmaxFLossHessian<TLoss>(z, outputF, y, hessianF);
        FloatFunctions.SoftmaxFGgnvp<TLoss>(z, outputF, y, v, qF);
        FloatFunctions.SoftmaxFGgnDiagonal<TLoss>(z, outputF, y, dF);
        FiniteDifferences.AssertClose(value, valueF, FloatTolerance, where + ", SoftmaxFLossHvp ℓ vs double");
        FiniteDifferences.AssertClose(g, ToDouble(gF), FloatTolerance, where + ", SoftmaxFLossHvp gradient vs SoftmaxLossHvp");
        FiniteDifferences.AssertClose(hv, ToDouble(hvF), FloatTolerance, where + ", SoftmaxFLossHvp H·v vs SoftmaxLossHvp");
        FiniteDifferences.AssertClose(hessian, ToDouble(hessianF), FloatTolerance, where + ", SoftmaxFLossHessian vs SoftmaxLossHessian");
        FiniteDifferences.AssertClose(q, ToDouble(qF), FloatTolerance, where + ", SoftmaxFGgnvp vs SoftmaxGgnvp");
        FiniteDifferences.AssertClose(d, ToDouble(dF), FloatTolerance, where + ", SoftmaxFGgnDiagonal vs SoftmaxGgnDiagonal");
    }

    // ================================================================================================
    // Coverage
    // ================================================================================================

    [Fact]
    public void Every_corpus_method_has_a_second_order_case()
    {
        string[] namespaces = [typeof(ScalarBasics).Namespace!, typeof(SecondOrderCorpus).Namespace!, typeof(Mlp).Namespace!];
        MethodInfo[] declared = typeof(ScalarBasics).Assembly.GetTypes()
            .Where(t => namespaces.Contains(t.Namespace))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.IsDefined(typeof(DifferentiableAttribute), inherit: false)))
            .ToArray();
        string Name(MethodInfo m) => $"{m.DeclaringType!.Name}.{m.Name}";
        string[] scalar = declared.Where(m => m.ReturnType == typeof(double)).Select(Name).Order(StringComparer.Ordinal).ToArray();
        string[] vector = declared.Where(m => m.ReturnType == typeof(void) && m.GetParameters().Any(p => p.ParameterType == typeof(Span<double>)))
            .Select(Name).Order(StringComparer.Ordinal).ToArray();
        string[] single = declared.Where(m => m.ReturnType == typeof(float) || m.GetParameters().Any(p => p.ParameterType == typeof(Span<float>)))
            .Select(Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(s_scalarCases.Keys.Order(StringComparer.Ordinal), scalar);
        Assert.Equal(s_vectorMethods.Order(StringComparer.Ordinal), vector);
        Assert.Equal(s_floatMethods.Order(StringComparer.Ordinal), single);
        Assert.Equal(declared.Length, scalar.Length + vector.Length + single.Length);
    }

    // ================================================================================================
    // Dense references
    // ================================================================================================

    /// <summary>n × n row-major matrix whose column j is what <paramref name="apply"/> writes for e_j.</summary>
    private static double[] Columns(int n, Action<double[], double[]> apply)
    {
        double[] matrix = new double[n * n];
        double[] unit = new double[n];
        double[] column = new double[n];
        for (int j = 0; j < n; j++)
        {
            Array.Fill(column, 1234.5);
            unit[j] = 1.0;
            apply(unit, column);
            unit[j] = 0.0;
            for (int i = 0; i < n; i++) matrix[i * n + j] = column[i];
        }
        return matrix;
    }

    /// <summary>G from n FGgnvp products with the unit vectors.</summary>
    private static double[] GgnFromColumns(VectorCase c, double[] target)
    {
        int n = c.Theta.Length;
        double[] output = new double[c.OutputLength];
        return Columns(n, (unit, column) => c.Ggnvp(c.Theta, target, unit, output, column));
    }

    /// <summary>
    /// G = Jᵀ H_ℓ J with J (C × n) from four-point central differences of the primal, one column per parameter,
    /// and H_ℓ (C × C) assembled from the loss's HessianVectorProduct with the unit vectors at f(θ).
    /// </summary>
    private static double[] DenseGgnFromDifferences(VectorCase c, double[] target)
    {
        int n = c.Theta.Length, outputs = c.OutputLength;
        double[] j = FiniteDifferences.Jacobian(c.Primal, outputs, c.Theta);
        double[] f = new double[outputs];
        c.Primal(c.Theta, f);
        double[] lossHessian = Columns(outputs, (unit, column) => c.OutputLossHvp(f, target, unit, column));
        double[] g = new double[n * n];
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                double sum = 0.0;
                for (int k = 0; k < outputs; k++)
                {
                    for (int l = 0; l < outputs; l++) sum += j[k * n + a] * lossHessian[k * outputs + l] * j[l * n + b];
                }
                g[a * n + b] = sum;
            }
        }
        return g;
    }

    private static double SmallestEigenvalue(double[] symmetric, int n)
    {
        var matrix = Matrix<double>.Build.Dense(n, n, (i, j) => 0.5 * (symmetric[i * n + j] + symmetric[j * n + i]));
        return matrix.Evd(Symmetricity.Symmetric).EigenValues.Select(z => z.Real).Min();
    }

    private static double[] Transpose(double[] matrix, int n)
    {
        double[] transpose = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) transpose[j * n + i] = matrix[i * n + j];
        }
        return transpose;
    }

    private static double[] Diagonal(double[] matrix, int n)
    {
        double[] diagonal = new double[n];
        for (int i = 0; i < n; i++) diagonal[i] = matrix[i * n + i];
        return diagonal;
    }

    private static double[] Multiply(double[] matrix, double[] v, int n)
    {
        double[] result = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0.0;
            for (int j = 0; j < n; j++) sum += matrix[i * n + j] * v[j];
            result[i] = sum;
        }
        return result;
    }

    // ================================================================================================
    // The cases. θ layout = Wrt inputs in declaration order; S(t, start, length) is a span view of θ,
    // A(t, start, length) a copy for double[] parameters. Points and non-Wrt arguments are drawn exactly as in
    // FirstOrderTests (see the branch margins documented there).
    // ================================================================================================

    private static readonly Dictionary<string, Func<Random, int, ScalarCase>> s_scalarCases = new()
    {
        ["ScalarBasics.Polynomial"] = (r, _) => new(
            [U(r, -1.5, 1.5), U(r, -1.5, 1.5)],
            t => ScalarBasics.Polynomial(t[0], t[1]),
            (t, g) => ScalarBasics.PolynomialGradient(t[0], t[1], out g[0], out g[1]),
            (t, v, g, h) => ScalarBasics.PolynomialHvp(t[0], t[1], v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
            (t, d) => ScalarBasics.PolynomialHessianDiagonal(t[0], t[1], out d[0], out d[1]),
            (t, d) => ScalarBasics.PolynomialHessianDiagonalApprox(t[0], t[1], out d[0], out d[1]),
            (t, h) => ScalarBasics.PolynomialHessian(t[0], t[1], h)),

        ["ScalarBasics.UnaryMinus"] = (r, _) =>
        {
            double c = U(r, -1, 1);
            return new(
                [U(r, -1, 1), U(r, -1, 1)],
                t => ScalarBasics.UnaryMinus(t[0], t[1], c),
                (t, g) => ScalarBasics.UnaryMinusGradient(t[0], t[1], c, out g[0], out g[1]),
                (t, v, g, h) => ScalarBasics.UnaryMinusHvp(t[0], t[1], c, v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
                (t, d) => ScalarBasics.UnaryMinusHessianDiagonal(t[0], t[1], c, out d[0], out d[1]),
                (t, d) => ScalarBasics.UnaryMinusHessianDiagonalApprox(t[0], t[1], c, out d[0], out d[1]),
                (t, h) => ScalarBasics.UnaryMinusHessian(t[0], t[1], c, h));
        },

        ["ScalarBasics.Elementary"] = (r, _) => new(
            [U(r, 0.3, 1.2)],
            t => ScalarBasics.Elementary(t[0]),
            (t, g) => ScalarBasics.ElementaryGradient(t[0], out g[0]),
            (t, v, g, h) => ScalarBasics.ElementaryHvp(t[0], v[0], out g[0], out h[0]),
            (t, d) => ScalarBasics.ElementaryHessianDiagonal(t[0], out d[0]),
            (t, d) => ScalarBasics.ElementaryHessianDiagonalApprox(t[0], out d[0]),
            (t, h) => ScalarBasics.ElementaryHessian(t[0], h)),

        ["ScalarBasics.Hyperbolic"] = (r, _) => new(
            [U(r, -1, 1), U(r, -1, 1)],
            t => ScalarBasics.Hyperbolic(t[0], t[1]),
            (t, g) => ScalarBasics.HyperbolicGradient(t[0], t[1], out g[0], out g[1]),
            (t, v, g, h) => ScalarBasics.HyperbolicHvp(t[0], t[1], v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
            (t, d) => ScalarBasics.HyperbolicHessianDiagonal(t[0], t[1], out d[0], out d[1]),
            (t, d) => ScalarBasics.HyperbolicHessianDiagonalApprox(t[0], t[1], out d[0], out d[1]),
            (t, h) => ScalarBasics.HyperbolicHessian(t[0], t[1], h)),

        // x in [1.6, 2.2], y in [0.3, 0.7]: y − x < −0.9, x·y > 0.48, x − 2y > 0.2, x·y < 3 − 1.4, y < x, y² > −x.
        ["ScalarBasics.PowAbsMaxMin"] = (r, _) => new(
            [U(r, 1.6, 2.2), U(r, 0.3, 0.7)],
            t => ScalarBasics.PowAbsMaxMin(t[0], t[1]),
            (t, g) => ScalarBasics.PowAbsMaxMinGradient(t[0], t[1], out g[0], out g[1]),
            (t, v, g, h) => ScalarBasics.PowAbsMaxMinHvp(t[0], t[1], v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
            (t, d) => ScalarBasics.PowAbsMaxMinHessianDiagonal(t[0], t[1], out d[0], out d[1]),
            (t, d) => ScalarBasics.PowAbsMaxMinHessianDiagonalApprox(t[0], t[1], out d[0], out d[1]),
            (t, h) => ScalarBasics.PowAbsMaxMinHessian(t[0], t[1], h)),

        ["ScalarBasics.CompoundAssignments"] = (r, _) => new(
            [U(r, -1, 1), U(r, -0.8, 0.8)],
            t => ScalarBasics.CompoundAssignments(t[0], t[1]),
            (t, g) => ScalarBasics.CompoundAssignmentsGradient(t[0], t[1], out g[0], out g[1]),
            (t, v, g, h) => ScalarBasics.CompoundAssignmentsHvp(t[0], t[1], v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
            (t, d) => ScalarBasics.CompoundAssignmentsHessianDiagonal(t[0], t[1], out d[0], out d[1]),
            (t, d) => ScalarBasics.CompoundAssignmentsHessianDiagonalApprox(t[0], t[1], out d[0], out d[1]),
            (t, h) => ScalarBasics.CompoundAssignmentsHessian(t[0], t[1], h)),

        ["ScalarBasics.IntParameters"] = (r, _) =>
        {
            const int n = 6;
            int k = r.Next(n);
            return new(
                [U(r, -1, 1)],
                t => ScalarBasics.IntParameters(t[0], n, k),
                (t, g) => ScalarBasics.IntParametersGradient(t[0], n, k, out g[0]),
                (t, v, g, h) => ScalarBasics.IntParametersHvp(t[0], n, k, v[0], out g[0], out h[0]),
                (t, d) => ScalarBasics.IntParametersHessianDiagonal(t[0], n, k, out d[0]),
                (t, d) => ScalarBasics.IntParametersHessianDiagonalApprox(t[0], n, k, out d[0]),
                (t, h) => ScalarBasics.IntParametersHessian(t[0], n, k, h));
        },

        ["ScalarBasics.AffineIteration"] = (r, _) =>
        {
            const int steps = 12;
            return new(
                [U(r, 0.5, 0.9), U(r, -1, 1), U(r, -1, 1)],
                t => ScalarBasics.AffineIteration(t[0], t[1], t[2], steps),
                (t, g) => ScalarBasics.AffineIterationGradient(t[0], t[1], t[2], steps, out g[0], out g[1], out g[2]),
                (t, v, g, h) => ScalarBasics.AffineIterationHvp(t[0], t[1], t[2], steps, v[0], v[1], v[2], out g[0], out g[1], out g[2], out h[0], out h[1], out h[2]),
                (t, d) => ScalarBasics.AffineIterationHessianDiagonal(t[0], t[1], t[2], steps, out d[0], out d[1], out d[2]),
                (t, d) => ScalarBasics.AffineIterationHessianDiagonalApprox(t[0], t[1], t[2], steps, out d[0], out d[1], out d[2]),
                (t, h) => ScalarBasics.AffineIterationHessian(t[0], t[1], t[2], steps, h));
        },

        ["ScalarBasics.SelfProducts"] = (r, _) => new(
            [U(r, -1.2, 1.2)],
            t => ScalarBasics.SelfProducts(t[0]),
            (t, g) => ScalarBasics.SelfProductsGradient(t[0], out g[0]),
            (t, v, g, h) => ScalarBasics.SelfProductsHvp(t[0], v[0], out g[0], out h[0]),
            (t, d) => ScalarBasics.SelfProductsHessianDiagonal(t[0], out d[0]),
            (t, d) => ScalarBasics.SelfProductsHessianDiagonalApprox(t[0], out d[0]),
            (t, h) => ScalarBasics.SelfProductsHessian(t[0], h)),

        ["ScalarBasics.ManyPaths"] = (r, _) => new(
            [U(r, -1, 1), U(r, -1, 1)],
            t => ScalarBasics.ManyPaths(t[0], t[1]),
            (t, g) => ScalarBasics.ManyPathsGradient(t[0], t[1], out g[0], out g[1]),
            (t, v, g, h) => ScalarBasics.ManyPathsHvp(t[0], t[1], v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
            (t, d) => ScalarBasics.ManyPathsHessianDiagonal(t[0], t[1], out d[0], out d[1]),
            (t, d) => ScalarBasics.ManyPathsHessianDiagonalApprox(t[0], t[1], out d[0], out d[1]),
            (t, h) => ScalarBasics.ManyPathsHessian(t[0], t[1], h)),

        // |x|, |y| ≥ 0.2 and |x − y| ≥ 0.2 keep every comparison decided; flip alternates with the seed.
        ["ControlFlow.Conditional"] = (r, seed) =>
        {
            bool flip = seed % 2 == 0;
            double x, y;
            do
            {
                x = Signed(r, 0.2, 1.0);
                y = Signed(r, 0.2, 1.0);
            }
            while (Math.Abs(x - y) < 0.2);
            return new(
                [x, y],
                t => ControlFlow.Conditional(t[0], t[1], flip),
                (t, g) => ControlFlow.ConditionalGradient(t[0], t[1], flip, out g[0], out g[1]),
                (t, v, g, h) => ControlFlow.ConditionalHvp(t[0], t[1], flip, v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
                (t, d) => ControlFlow.ConditionalHessianDiagonal(t[0], t[1], flip, out d[0], out d[1]),
                (t, d) => ControlFlow.ConditionalHessianDiagonalApprox(t[0], t[1], flip, out d[0], out d[1]),
                (t, h) => ControlFlow.ConditionalHessian(t[0], t[1], flip, h));
        },

        // The seed picks the branch of the chain: x > 0.5, x < −0.5, |x| < 0.5 (margin ≥ 0.1).
        ["ControlFlow.IfChain"] = (r, seed) => new(
            [(seed % 3) switch { 0 => U(r, 0.6, 1.5), 1 => U(r, -1.2, -0.6), _ => U(r, -0.4, 0.4) }, Signed(r, 0.2, 1.0)],
            t => ControlFlow.IfChain(t[0], t[1]),
            (t, g) => ControlFlow.IfChainGradient(t[0], t[1], out g[0], out g[1]),
            (t, v, g, h) => ControlFlow.IfChainHvp(t[0], t[1], v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
            (t, d) => ControlFlow.IfChainHessianDiagonal(t[0], t[1], out d[0], out d[1]),
            (t, d) => ControlFlow.IfChainHessianDiagonalApprox(t[0], t[1], out d[0], out d[1]),
            (t, h) => ControlFlow.IfChainHessian(t[0], t[1], h)),

        // The seed picks the return: x > 1.2 (first); z = xy + 1 in [−2.2, −0.25] (second); z ≥ 0.6 (last).
        ["ControlFlow.EarlyReturn"] = (r, seed) => new(
            (seed % 3) switch
            {
                1 => [U(r, 1.2, 2.0), U(r, -1, 1)],
                2 => [U(r, 0.5, 0.8), U(r, -4.0, -2.5)],
                _ => [U(r, -0.8, 0.8), U(r, -0.5, 0.5)],
            },
            t => ControlFlow.EarlyReturn(t[0], t[1]),
            (t, g) => ControlFlow.EarlyReturnGradient(t[0], t[1], out g[0], out g[1]),
            (t, v, g, h) => ControlFlow.EarlyReturnHvp(t[0], t[1], v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
            (t, d) => ControlFlow.EarlyReturnHessianDiagonal(t[0], t[1], out d[0], out d[1]),
            (t, d) => ControlFlow.EarlyReturnHessianDiagonalApprox(t[0], t[1], out d[0], out d[1]),
            (t, h) => ControlFlow.EarlyReturnHessian(t[0], t[1], h)),

        // Elements at least 0.05 away from ±threshold, spread over the three branches.
        ["ControlFlow.PiecewiseSum"] = (r, _) =>
        {
            const double threshold = 0.3;
            double[] x = new double[8];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = r.Next(3) switch { 0 => U(r, 0.35, 1.0), 1 => -U(r, 0.35, 1.0), _ => U(r, -0.25, 0.25) };
            }
            return new(
                x,
                t => ControlFlow.PiecewiseSum(t, threshold),
                (t, g) => ControlFlow.PiecewiseSumGradient(t, threshold, g),
                (t, v, g, h) => ControlFlow.PiecewiseSumHvp(t, threshold, v, g, h),
                (t, d) => ControlFlow.PiecewiseSumHessianDiagonal(t, threshold, d),
                (t, d) => ControlFlow.PiecewiseSumHessianDiagonalApprox(t, threshold, d),
                (t, h) => ControlFlow.PiecewiseSumHessian(t, threshold, h));
        },

        ["ScalarSpans.SumOfSquares"] = (r, _) => new(
            Vec(r, 5, -2, 2),
            t => ScalarSpans.SumOfSquares(t),
            (t, g) => ScalarSpans.SumOfSquaresGradient(t, g),
            (t, v, g, h) => ScalarSpans.SumOfSquaresHvp(t, v, g, h),
            (t, d) => ScalarSpans.SumOfSquaresHessianDiagonal(t, d),
            (t, d) => ScalarSpans.SumOfSquaresHessianDiagonalApprox(t, d),
            (t, h) => ScalarSpans.SumOfSquaresHessian(t, h)),

        ["ScalarSpans.Rosenbrock"] = (r, _) => new(
            Vec(r, 6, -1.2, 1.2),
            t => ScalarSpans.Rosenbrock(t),
            (t, g) => ScalarSpans.RosenbrockGradient(t, g),
            (t, v, g, h) => ScalarSpans.RosenbrockHvp(t, v, g, h),
            (t, d) => ScalarSpans.RosenbrockHessianDiagonal(t, d),
            (t, d) => ScalarSpans.RosenbrockHessianDiagonalApprox(t, d),
            (t, h) => ScalarSpans.RosenbrockHessian(t, h)),

        ["ScalarSpans.BackwardDifferences"] = (r, _) => new(
            Vec(r, 7, -1.2, 1.2),
            t => ScalarSpans.BackwardDifferences(t),
            (t, g) => ScalarSpans.BackwardDifferencesGradient(t, g),
            (t, v, g, h) => ScalarSpans.BackwardDifferencesHvp(t, v, g, h),
            (t, d) => ScalarSpans.BackwardDifferencesHessianDiagonal(t, d),
            (t, d) => ScalarSpans.BackwardDifferencesHessianDiagonalApprox(t, d),
            (t, h) => ScalarSpans.BackwardDifferencesHessian(t, h)),

        ["ScalarSpans.Laplacian"] = (r, _) => new(
            Vec(r, 7, -1.2, 1.2),
            t => ScalarSpans.Laplacian(t),
            (t, g) => ScalarSpans.LaplacianGradient(t, g),
            (t, v, g, h) => ScalarSpans.LaplacianHvp(t, v, g, h),
            (t, d) => ScalarSpans.LaplacianHessianDiagonal(t, d),
            (t, d) => ScalarSpans.LaplacianHessianDiagonalApprox(t, d),
            (t, h) => ScalarSpans.LaplacianHessian(t, h)),

        // θ = [x (6), y (6)].
        ["ScalarSpans.PairedDots"] = (r, _) => new(
            Vec(r, 34, -0.6, 0.6),
            t => ScalarSpans.PairedDots(A(t, 0, 17), A(t, 17, 17)),
            (t, g) => ScalarSpans.PairedDotsGradient(A(t, 0, 17), A(t, 17, 17), S(g, 0, 17), S(g, 17, 17)),
            (t, v, g, h) => ScalarSpans.PairedDotsHvp(A(t, 0, 17), A(t, 17, 17), S(v, 0, 17), S(v, 17, 17), S(g, 0, 17), S(g, 17, 17), S(h, 0, 17), S(h, 17, 17)),
            (t, d) => ScalarSpans.PairedDotsHessianDiagonal(A(t, 0, 17), A(t, 17, 17), S(d, 0, 17), S(d, 17, 17)),
            (t, d) => ScalarSpans.PairedDotsHessianDiagonalApprox(A(t, 0, 17), A(t, 17, 17), S(d, 0, 17), S(d, 17, 17)),
            (t, h) => ScalarSpans.PairedDotsHessian(A(t, 0, 17), A(t, 17, 17), h)),

        ["ScalarSpans.CoupledChain"] = (r, _) => new(
            Vec(r, 12, -1.2, 1.2),
            t => ScalarSpans.CoupledChain(A(t, 0, 6), A(t, 6, 6)),
            (t, g) => ScalarSpans.CoupledChainGradient(A(t, 0, 6), A(t, 6, 6), S(g, 0, 6), S(g, 6, 6)),
            (t, v, g, h) => ScalarSpans.CoupledChainHvp(A(t, 0, 6), A(t, 6, 6), S(v, 0, 6), S(v, 6, 6), S(g, 0, 6), S(g, 6, 6), S(h, 0, 6), S(h, 6, 6)),
            (t, d) => ScalarSpans.CoupledChainHessianDiagonal(A(t, 0, 6), A(t, 6, 6), S(d, 0, 6), S(d, 6, 6)),
            (t, d) => ScalarSpans.CoupledChainHessianDiagonalApprox(A(t, 0, 6), A(t, 6, 6), S(d, 0, 6), S(d, 6, 6)),
            (t, h) => ScalarSpans.CoupledChainHessian(A(t, 0, 6), A(t, 6, 6), h)),

        ["ScalarSpans.QuadraticForm"] = (r, _) =>
        {
            const int d = 4;
            double[] a = Vec(r, d * d, -1, 1);
            return new(
                Vec(r, d, -1, 1),
                t => ScalarSpans.QuadraticForm(t, a, d),
                (t, g) => ScalarSpans.QuadraticFormGradient(t, a, d, g),
                (t, v, g, h) => ScalarSpans.QuadraticFormHvp(t, a, d, v, g, h),
                (t, diag) => ScalarSpans.QuadraticFormHessianDiagonal(t, a, d, diag),
                (t, diag) => ScalarSpans.QuadraticFormHessianDiagonalApprox(t, a, d, diag),
                (t, h) => ScalarSpans.QuadraticFormHessian(t, a, d, h));
        },

        // θ = [p (5), scale].
        ["ScalarSpans.WeightedCosine"] = (r, _) =>
        {
            double[] q = Vec(r, 5, -1, 1);
            return new(
                Cat(Vec(r, 5, -1.5, 1.5), [U(r, 0.5, 1.5)]),
                t => ScalarSpans.WeightedCosine(A(t, 0, 5), q, t[5]),
                (t, g) => ScalarSpans.WeightedCosineGradient(A(t, 0, 5), q, t[5], S(g, 0, 5), out g[5]),
                (t, v, g, h) => ScalarSpans.WeightedCosineHvp(A(t, 0, 5), q, t[5], S(v, 0, 5), v[5], S(g, 0, 5), out g[5], S(h, 0, 5), out h[5]),
                (t, d) => ScalarSpans.WeightedCosineHessianDiagonal(A(t, 0, 5), q, t[5], S(d, 0, 5), out d[5]),
                (t, d) => ScalarSpans.WeightedCosineHessianDiagonalApprox(A(t, 0, 5), q, t[5], S(d, 0, 5), out d[5]),
                (t, h) => ScalarSpans.WeightedCosineHessian(A(t, 0, 5), q, t[5], h));
        },

        // θ = [a (4), b (5), c]; b[0] never reaches the result.
        ["ScalarSpans.ReversedExp"] = (r, _) => new(
            Cat(Vec(r, 4, -1, 1), Vec(r, 5, -1, 1), [U(r, -1, 1)]),
            t => ScalarSpans.ReversedExp(A(t, 0, 4), S(t, 4, 5), t[9]),
            (t, g) => ScalarSpans.ReversedExpGradient(A(t, 0, 4), S(t, 4, 5), t[9], S(g, 0, 4), S(g, 4, 5), out g[9]),
            (t, v, g, h) => ScalarSpans.ReversedExpHvp(A(t, 0, 4), S(t, 4, 5), t[9], S(v, 0, 4), S(v, 4, 5), v[9], S(g, 0, 4), S(g, 4, 5), out g[9], S(h, 0, 4), S(h, 4, 5), out h[9]),
            (t, d) => ScalarSpans.ReversedExpHessianDiagonal(A(t, 0, 4), S(t, 4, 5), t[9], S(d, 0, 4), S(d, 4, 5), out d[9]),
            (t, d) => ScalarSpans.ReversedExpHessianDiagonalApprox(A(t, 0, 4), S(t, 4, 5), t[9], S(d, 0, 4), S(d, 4, 5), out d[9]),
            (t, h) => ScalarSpans.ReversedExpHessian(A(t, 0, 4), S(t, 4, 5), t[9], h)),

        // Odd length: the last element is never read.
        ["ScalarSpans.StridedPairs"] = (r, _) => new(
            Vec(r, 7, -1.5, 1.5),
            t => ScalarSpans.StridedPairs(t),
            (t, g) => ScalarSpans.StridedPairsGradient(t, g),
            (t, v, g, h) => ScalarSpans.StridedPairsHvp(t, v, g, h),
            (t, d) => ScalarSpans.StridedPairsHessianDiagonal(t, d),
            (t, d) => ScalarSpans.StridedPairsHessianDiagonalApprox(t, d),
            (t, h) => ScalarSpans.StridedPairsHessian(t, h)),

        ["ScalarSpans.Convolution"] = (r, _) =>
        {
            const int stride = 2;
            double[] x = Vec(r, 10, -1, 1);
            return new(
                Vec(r, 3, -1, 1),
                t => ScalarSpans.Convolution(t, x, stride),
                (t, g) => ScalarSpans.ConvolutionGradient(t, x, stride, g),
                (t, v, g, h) => ScalarSpans.ConvolutionHvp(t, x, stride, v, g, h),
                (t, d) => ScalarSpans.ConvolutionHessianDiagonal(t, x, stride, d),
                (t, d) => ScalarSpans.ConvolutionHessianDiagonalApprox(t, x, stride, d),
                (t, h) => ScalarSpans.ConvolutionHessian(t, x, stride, h));
        },

        ["ScalarSpans.LogSumExp"] = (r, _) => new(
            Vec(r, 5, -2, 2),
            t => ScalarSpans.LogSumExp(t),
            (t, g) => ScalarSpans.LogSumExpGradient(t, g),
            (t, v, g, h) => ScalarSpans.LogSumExpHvp(t, v, g, h),
            (t, d) => ScalarSpans.LogSumExpHessianDiagonal(t, d),
            (t, d) => ScalarSpans.LogSumExpHessianDiagonalApprox(t, d),
            (t, h) => ScalarSpans.LogSumExpHessian(t, h)),

        ["Scratch.ScratchArray"] = (r, _) => new(
            Vec(r, 5, -1, 1),
            t => Scratch.ScratchArray(t),
            (t, g) => Scratch.ScratchArrayGradient(t, g),
            (t, v, g, h) => Scratch.ScratchArrayHvp(t, v, g, h),
            (t, d) => Scratch.ScratchArrayHessianDiagonal(t, d),
            (t, d) => Scratch.ScratchArrayHessianDiagonalApprox(t, d),
            (t, h) => Scratch.ScratchArrayHessian(t, h)),

        // x.Length = n + iterations.
        ["Scratch.StackallocIterations"] = (r, _) =>
        {
            const int n = 4, iterations = 3;
            return new(
                Vec(r, n + iterations, -1, 1),
                t => Scratch.StackallocIterations(t, n, iterations),
                (t, g) => Scratch.StackallocIterationsGradient(t, n, iterations, g),
                (t, v, g, h) => Scratch.StackallocIterationsHvp(t, n, iterations, v, g, h),
                (t, d) => Scratch.StackallocIterationsHessianDiagonal(t, n, iterations, d),
                (t, d) => Scratch.StackallocIterationsHessianDiagonalApprox(t, n, iterations, d),
                (t, h) => Scratch.StackallocIterationsHessian(t, n, iterations, h));
        },

        // θ = [a, x (6)].
        ["Scratch.TanhRecurrence"] = (r, _) => new(
            Cat([U(r, -1.5, 1.5)], Vec(r, 6, -1, 1)),
            t => Scratch.TanhRecurrence(t[0], S(t, 1, 6)),
            (t, g) => Scratch.TanhRecurrenceGradient(t[0], S(t, 1, 6), out g[0], S(g, 1, 6)),
            (t, v, g, h) => Scratch.TanhRecurrenceHvp(t[0], S(t, 1, 6), v[0], S(v, 1, 6), out g[0], S(g, 1, 6), out h[0], S(h, 1, 6)),
            (t, d) => Scratch.TanhRecurrenceHessianDiagonal(t[0], S(t, 1, 6), out d[0], S(d, 1, 6)),
            (t, d) => Scratch.TanhRecurrenceHessianDiagonalApprox(t[0], S(t, 1, 6), out d[0], S(d, 1, 6)),
            (t, h) => Scratch.TanhRecurrenceHessian(t[0], S(t, 1, 6), h)),

        // w = hidden² recurrent + hidden input + hidden readout weights.
        ["Scratch.RnnLastState"] = (r, _) =>
        {
            const int hidden = 3;
            double[] xs = Vec(r, 5, -1, 1);
            return new(
                Vec(r, hidden * hidden + 2 * hidden, -0.8, 0.8),
                t => Scratch.RnnLastState(t, xs, hidden),
                (t, g) => Scratch.RnnLastStateGradient(t, xs, hidden, g),
                (t, v, g, h) => Scratch.RnnLastStateHvp(t, xs, hidden, v, g, h),
                (t, d) => Scratch.RnnLastStateHessianDiagonal(t, xs, hidden, d),
                (t, d) => Scratch.RnnLastStateHessianDiagonalApprox(t, xs, hidden, d),
                (t, h) => Scratch.RnnLastStateHessian(t, xs, hidden, h));
        },

        ["Helpers.Softplus"] = (r, _) => new(
            [U(r, -3, 3)],
            t => Helpers.Softplus(t[0]),
            (t, g) => Helpers.SoftplusGradient(t[0], out g[0]),
            (t, v, g, h) => Helpers.SoftplusHvp(t[0], v[0], out g[0], out h[0]),
            (t, d) => Helpers.SoftplusHessianDiagonal(t[0], out d[0]),
            (t, d) => Helpers.SoftplusHessianDiagonalApprox(t[0], out d[0]),
            (t, h) => Helpers.SoftplusHessian(t[0], h)),

        ["HelperCalls.Square"] = (r, _) => new(
            [U(r, -2, 2)],
            t => HelperCalls.Square(t[0]),
            (t, g) => HelperCalls.SquareGradient(t[0], out g[0]),
            (t, v, g, h) => HelperCalls.SquareHvp(t[0], v[0], out g[0], out h[0]),
            (t, d) => HelperCalls.SquareHessianDiagonal(t[0], out d[0]),
            (t, d) => HelperCalls.SquareHessianDiagonalApprox(t[0], out d[0]),
            (t, h) => HelperCalls.SquareHessian(t[0], h)),

        // θ = [x (4), b].
        ["HelperCalls.PartialCallee"] = (r, _) => new(
            Cat(Vec(r, 4, -1, 1), [U(r, -1, 1)]),
            t => HelperCalls.PartialCallee(S(t, 0, 4), t[4]),
            (t, g) => HelperCalls.PartialCalleeGradient(S(t, 0, 4), t[4], S(g, 0, 4), out g[4]),
            (t, v, g, h) => HelperCalls.PartialCalleeHvp(S(t, 0, 4), t[4], S(v, 0, 4), v[4], S(g, 0, 4), out g[4], S(h, 0, 4), out h[4]),
            (t, d) => HelperCalls.PartialCalleeHessianDiagonal(S(t, 0, 4), t[4], S(d, 0, 4), out d[4]),
            (t, d) => HelperCalls.PartialCalleeHessianDiagonalApprox(S(t, 0, 4), t[4], S(d, 0, 4), out d[4]),
            (t, h) => HelperCalls.PartialCalleeHessian(S(t, 0, 4), t[4], h)),

        ["HelperCalls.Bump"] = (r, _) => new(
            [U(r, -2, 2), U(r, -1, 1)],
            t => HelperCalls.Bump(t[0], t[1]),
            (t, g) => HelperCalls.BumpGradient(t[0], t[1], out g[0], out g[1]),
            (t, v, g, h) => HelperCalls.BumpHvp(t[0], t[1], v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
            (t, d) => HelperCalls.BumpHessianDiagonal(t[0], t[1], out d[0], out d[1]),
            (t, d) => HelperCalls.BumpHessianDiagonalApprox(t[0], t[1], out d[0], out d[1]),
            (t, h) => HelperCalls.BumpHessian(t[0], t[1], h)),

        // θ = [x (5), b].
        ["HelperCalls.SoftplusSum"] = (r, _) => new(
            Cat(Vec(r, 5, -1, 1), [U(r, -1, 1)]),
            t => HelperCalls.SoftplusSum(S(t, 0, 5), t[5]),
            (t, g) => HelperCalls.SoftplusSumGradient(S(t, 0, 5), t[5], S(g, 0, 5), out g[5]),
            (t, v, g, h) => HelperCalls.SoftplusSumHvp(S(t, 0, 5), t[5], S(v, 0, 5), v[5], S(g, 0, 5), out g[5], S(h, 0, 5), out h[5]),
            (t, d) => HelperCalls.SoftplusSumHessianDiagonal(S(t, 0, 5), t[5], S(d, 0, 5), out d[5]),
            (t, d) => HelperCalls.SoftplusSumHessianDiagonalApprox(S(t, 0, 5), t[5], S(d, 0, 5), out d[5]),
            (t, h) => HelperCalls.SoftplusSumHessian(S(t, 0, 5), t[5], h)),

        // w = width rows of (x.Length + 1).
        ["HelperCalls.DenseTanhSum"] = (r, _) =>
        {
            const int width = 3;
            double[] x = Vec(r, 4, -1, 1);
            return new(
                Vec(r, width * (x.Length + 1), -1, 1),
                t => HelperCalls.DenseTanhSum(t, x, width),
                (t, g) => HelperCalls.DenseTanhSumGradient(t, x, width, g),
                (t, v, g, h) => HelperCalls.DenseTanhSumHvp(t, x, width, v, g, h),
                (t, d) => HelperCalls.DenseTanhSumHessianDiagonal(t, x, width, d),
                (t, d) => HelperCalls.DenseTanhSumHessianDiagonalApprox(t, x, width, d),
                (t, h) => HelperCalls.DenseTanhSumHessian(t, x, width, h));
        },
    

        // ---- SecondOrderCorpus (Corpus/SecondOrderCorpus.cs) ----

        ["SecondOrderCorpus.SeparableSum"] = (r, _) =>
        {
            double[] c = Vec(r, 5, -1, 1);
            return new(
                Vec(r, 5, -1.2, 1.2),
                t => SecondOrderCorpus.SeparableSum(t, c),
                (t, g) => SecondOrderCorpus.SeparableSumGradient(t, c, g),
                (t, v, g, h) => SecondOrderCorpus.SeparableSumHvp(t, c, v, g, h),
                (t, d) => SecondOrderCorpus.SeparableSumHessianDiagonal(t, c, d),
                (t, d) => SecondOrderCorpus.SeparableSumHessianDiagonalApprox(t, c, d),
                (t, h) => SecondOrderCorpus.SeparableSumHessian(t, c, h));
        },

        // d = 3 inputs, 3 units: w has 3·(3 + 1) = 12 entries; targets in (−0.9, 0.9).
        ["SecondOrderCorpus.SingleLayer"] = (r, _) =>
        {
            double[] x = Vec(r, 3, -1, 1), y = Vec(r, 3, -0.9, 0.9);
            return new(
                Vec(r, 12, -1, 1),
                t => SecondOrderCorpus.SingleLayer(t, x, y),
                (t, g) => SecondOrderCorpus.SingleLayerGradient(t, x, y, g),
                (t, v, g, h) => SecondOrderCorpus.SingleLayerHvp(t, x, y, v, g, h),
                (t, d) => SecondOrderCorpus.SingleLayerHessianDiagonal(t, x, y, d),
                (t, d) => SecondOrderCorpus.SingleLayerHessianDiagonalApprox(t, x, y, d),
                (t, h) => SecondOrderCorpus.SingleLayerHessian(t, x, y, h));
        },

        ["SecondOrderCorpus.UnaryChain"] = (r, _) => new(
            [U(r, -1.5, 1.5)],
            t => SecondOrderCorpus.UnaryChain(t[0]),
            (t, g) => SecondOrderCorpus.UnaryChainGradient(t[0], out g[0]),
            (t, v, g, h) => SecondOrderCorpus.UnaryChainHvp(t[0], v[0], out g[0], out h[0]),
            (t, d) => SecondOrderCorpus.UnaryChainHessianDiagonal(t[0], out d[0]),
            (t, d) => SecondOrderCorpus.UnaryChainHessianDiagonalApprox(t[0], out d[0]),
            (t, h) => SecondOrderCorpus.UnaryChainHessian(t[0], h)),
    };

    private static readonly string[] s_vectorMethods =
    [
        "Helpers.Dense",
        "Vectors.Elementwise",
        "Vectors.MatVecTanh",
        "Vectors.Softmax",
        "Vectors.RadialFeatures",
        "Vectors.Mixed",
        "Vectors.Scan",
        "Mlp.Forward",
        "Mlp.ForwardWithHelpers",
        "SecondOrderCorpus.Affine",
    ];

    private static VectorCase Vector(string method, string loss, int seed) => loss switch
    {
        nameof(MeanSquaredError) => Build<MeanSquaredError>(method, loss, seed),
        nameof(SoftmaxCrossEntropy) => Build<SoftmaxCrossEntropy>(method, loss, seed),
        nameof(SigmoidBinaryCrossEntropy) => Build<SigmoidBinaryCrossEntropy>(method, loss, seed),
        _ => throw new ArgumentException($"unknown loss {loss}", nameof(loss)),
    };

    /// <summary>The glue of every vector corpus method, generic in the loss (lambdas in a generic method may name TLoss).</summary>
    private static VectorCase Build<TLoss>(string method, string loss, int seed)
        where TLoss : struct, ILoss
    {
        Random r = NewRandom(method, seed);
        switch (method)
        {
            // θ = [w (1 unused + 2 rows of 4), x (3)]; offset 1.
            case "Helpers.Dense":
            {
                return Make<TLoss>(method, loss, seed,
                    Cat(Vec(r, 9, -1, 1), Vec(r, 3, -1, 1)), 2,
                    (t, o) => Helpers.Dense(S(t, 0, 9), 1, S(t, 9, 3), o),
                    (t, v, o, ot) => Helpers.DenseJvp(S(t, 0, 9), 1, S(t, 9, 3), o, S(v, 0, 9), S(v, 9, 3), ot),
                    (t, u, o, g) => Helpers.DenseVjp(S(t, 0, 9), 1, S(t, 9, 3), o, u, S(g, 0, 9), S(g, 9, 3)),
                    (t, y, o) => Helpers.DenseLoss<TLoss>(S(t, 0, 9), 1, S(t, 9, 3), o, y),
                    (t, y, o, g) => Helpers.DenseLossGradient<TLoss>(S(t, 0, 9), 1, S(t, 9, 3), o, y, S(g, 0, 9), S(g, 9, 3)),
                    (t, y, v, o, g, h) => Helpers.DenseLossHvp<TLoss>(S(t, 0, 9), 1, S(t, 9, 3), o, y, S(v, 0, 9), S(v, 9, 3), S(g, 0, 9), S(g, 9, 3), S(h, 0, 9), S(h, 9, 3)),
                    (t, y, v, o, q) => Helpers.DenseGgnvp<TLoss>(S(t, 0, 9), 1, S(t, 9, 3), o, y, S(v, 0, 9), S(v, 9, 3), S(q, 0, 9), S(q, 9, 3)),
                    (t, y, o, d) => Helpers.DenseGgnDiagonal<TLoss>(S(t, 0, 9), 1, S(t, 9, 3), o, y, S(d, 0, 9), S(d, 9, 3)),
                    (t, y, o, d) => Helpers.DenseLossHessianDiagonal<TLoss>(S(t, 0, 9), 1, S(t, 9, 3), o, y, S(d, 0, 9), S(d, 9, 3)),
                    (t, y, o, h) => Helpers.DenseLossHessian<TLoss>(S(t, 0, 9), 1, S(t, 9, 3), o, y, h));
            }

            case "Vectors.Elementwise":
            {
                return Make<TLoss>(method, loss, seed,
                    Vec(r, 5, -1.5, 1.5), 5,
                    (t, o) => Vectors.Elementwise(t, o),
                    (t, v, o, ot) => Vectors.ElementwiseJvp(t, o, v, ot),
                    (t, u, o, g) => Vectors.ElementwiseVjp(t, o, u, g),
                    (t, y, o) => Vectors.ElementwiseLoss<TLoss>(t, o, y),
                    (t, y, o, g) => Vectors.ElementwiseLossGradient<TLoss>(t, o, y, g),
                    (t, y, v, o, g, h) => Vectors.ElementwiseLossHvp<TLoss>(t, o, y, v, g, h),
                    (t, y, v, o, q) => Vectors.ElementwiseGgnvp<TLoss>(t, o, y, v, q),
                    (t, y, o, d) => Vectors.ElementwiseGgnDiagonal<TLoss>(t, o, y, d),
                    (t, y, o, d) => Vectors.ElementwiseLossHessianDiagonal<TLoss>(t, o, y, d),
                    (t, y, o, h) => Vectors.ElementwiseLossHessian<TLoss>(t, o, y, h));
            }

            // θ = [a (3 × 4), x (4)].
            case "Vectors.MatVecTanh":
            {
                return Make<TLoss>(method, loss, seed,
                    Vec(r, 16, -1, 1), 3,
                    (t, o) => Vectors.MatVecTanh(S(t, 0, 12), S(t, 12, 4), o),
                    (t, v, o, ot) => Vectors.MatVecTanhJvp(S(t, 0, 12), S(t, 12, 4), o, S(v, 0, 12), S(v, 12, 4), ot),
                    (t, u, o, g) => Vectors.MatVecTanhVjp(S(t, 0, 12), S(t, 12, 4), o, u, S(g, 0, 12), S(g, 12, 4)),
                    (t, y, o) => Vectors.MatVecTanhLoss<TLoss>(S(t, 0, 12), S(t, 12, 4), o, y),
                    (t, y, o, g) => Vectors.MatVecTanhLossGradient<TLoss>(S(t, 0, 12), S(t, 12, 4), o, y, S(g, 0, 12), S(g, 12, 4)),
                    (t, y, v, o, g, h) => Vectors.MatVecTanhLossHvp<TLoss>(S(t, 0, 12), S(t, 12, 4), o, y, S(v, 0, 12), S(v, 12, 4), S(g, 0, 12), S(g, 12, 4), S(h, 0, 12), S(h, 12, 4)),
                    (t, y, v, o, q) => Vectors.MatVecTanhGgnvp<TLoss>(S(t, 0, 12), S(t, 12, 4), o, y, S(v, 0, 12), S(v, 12, 4), S(q, 0, 12), S(q, 12, 4)),
                    (t, y, o, d) => Vectors.MatVecTanhGgnDiagonal<TLoss>(S(t, 0, 12), S(t, 12, 4), o, y, S(d, 0, 12), S(d, 12, 4)),
                    (t, y, o, d) => Vectors.MatVecTanhLossHessianDiagonal<TLoss>(S(t, 0, 12), S(t, 12, 4), o, y, S(d, 0, 12), S(d, 12, 4)),
                    (t, y, o, h) => Vectors.MatVecTanhLossHessian<TLoss>(S(t, 0, 12), S(t, 12, 4), o, y, h));
            }

            case "Vectors.Softmax":
            {
                return Make<TLoss>(method, loss, seed,
                    Vec(r, 4, -2, 2), 4,
                    (t, o) => Vectors.Softmax(t, o),
                    (t, v, o, ot) => Vectors.SoftmaxJvp(t, o, v, ot),
                    (t, u, o, g) => Vectors.SoftmaxVjp(t, o, u, g),
                    (t, y, o) => Vectors.SoftmaxLoss<TLoss>(t, o, y),
                    (t, y, o, g) => Vectors.SoftmaxLossGradient<TLoss>(t, o, y, g),
                    (t, y, v, o, g, h) => Vectors.SoftmaxLossHvp<TLoss>(t, o, y, v, g, h),
                    (t, y, v, o, q) => Vectors.SoftmaxGgnvp<TLoss>(t, o, y, v, q),
                    (t, y, o, d) => Vectors.SoftmaxGgnDiagonal<TLoss>(t, o, y, d),
                    (t, y, o, d) => Vectors.SoftmaxLossHessianDiagonal<TLoss>(t, o, y, d),
                    (t, y, o, h) => Vectors.SoftmaxLossHessian<TLoss>(t, o, y, h));
            }

            // θ = [r, angle]; withSquare alternates with the seed (false takes the early return).
            case "Vectors.RadialFeatures":
            {
                bool withSquare = seed % 2 == 1;
                return Make<TLoss>(method, loss, seed,
                    [U(r, 0.5, 2.0), U(r, -1, 1)], 3,
                    (t, o) => Vectors.RadialFeatures(t[0], t[1], withSquare, o),
                    (t, v, o, ot) => Vectors.RadialFeaturesJvp(t[0], t[1], withSquare, o, v[0], v[1], ot),
                    (t, u, o, g) => Vectors.RadialFeaturesVjp(t[0], t[1], withSquare, o, u, out g[0], out g[1]),
                    (t, y, o) => Vectors.RadialFeaturesLoss<TLoss>(t[0], t[1], withSquare, o, y),
                    (t, y, o, g) => Vectors.RadialFeaturesLossGradient<TLoss>(t[0], t[1], withSquare, o, y, out g[0], out g[1]),
                    (t, y, v, o, g, h) => Vectors.RadialFeaturesLossHvp<TLoss>(t[0], t[1], withSquare, o, y, v[0], v[1], out g[0], out g[1], out h[0], out h[1]),
                    (t, y, v, o, q) => Vectors.RadialFeaturesGgnvp<TLoss>(t[0], t[1], withSquare, o, y, v[0], v[1], out q[0], out q[1]),
                    (t, y, o, d) => Vectors.RadialFeaturesGgnDiagonal<TLoss>(t[0], t[1], withSquare, o, y, out d[0], out d[1]),
                    (t, y, o, d) => Vectors.RadialFeaturesLossHessianDiagonal<TLoss>(t[0], t[1], withSquare, o, y, out d[0], out d[1]),
                    (t, y, o, h) => Vectors.RadialFeaturesLossHessian<TLoss>(t[0], t[1], withSquare, o, y, h));
            }

            // θ = [s, p (4)]; square alternates with the seed.
            case "Vectors.Mixed":
            {
                bool square = seed % 2 == 0;
                double[] x = Vec(r, 4, -1, 1);
                return Make<TLoss>(method, loss, seed,
                    Cat([U(r, 0.5, 1.5)], Vec(r, 4, -1, 1)), 4,
                    (t, o) => Vectors.Mixed(t[0], x, A(t, 1, 4), square, o),
                    (t, v, o, ot) => Vectors.MixedJvp(t[0], x, A(t, 1, 4), square, o, v[0], S(v, 1, 4), ot),
                    (t, u, o, g) => Vectors.MixedVjp(t[0], x, A(t, 1, 4), square, o, u, out g[0], S(g, 1, 4)),
                    (t, y, o) => Vectors.MixedLoss<TLoss>(t[0], x, A(t, 1, 4), square, o, y),
                    (t, y, o, g) => Vectors.MixedLossGradient<TLoss>(t[0], x, A(t, 1, 4), square, o, y, out g[0], S(g, 1, 4)),
                    (t, y, v, o, g, h) => Vectors.MixedLossHvp<TLoss>(t[0], x, A(t, 1, 4), square, o, y, v[0], S(v, 1, 4), out g[0], S(g, 1, 4), out h[0], S(h, 1, 4)),
                    (t, y, v, o, q) => Vectors.MixedGgnvp<TLoss>(t[0], x, A(t, 1, 4), square, o, y, v[0], S(v, 1, 4), out q[0], S(q, 1, 4)),
                    (t, y, o, d) => Vectors.MixedGgnDiagonal<TLoss>(t[0], x, A(t, 1, 4), square, o, y, out d[0], S(d, 1, 4)),
                    (t, y, o, d) => Vectors.MixedLossHessianDiagonal<TLoss>(t[0], x, A(t, 1, 4), square, o, y, out d[0], S(d, 1, 4)),
                    (t, y, o, h) => Vectors.MixedLossHessian<TLoss>(t[0], x, A(t, 1, 4), square, o, y, h));
            }

            // θ = [x (5), decay].
            case "Vectors.Scan":
            {
                return Make<TLoss>(method, loss, seed,
                    Cat(Vec(r, 5, -1, 1), [U(r, 0.3, 0.9)]), 5,
                    (t, o) => Vectors.Scan(S(t, 0, 5), t[5], o),
                    (t, v, o, ot) => Vectors.ScanJvp(S(t, 0, 5), t[5], o, S(v, 0, 5), v[5], ot),
                    (t, u, o, g) => Vectors.ScanVjp(S(t, 0, 5), t[5], o, u, S(g, 0, 5), out g[5]),
                    (t, y, o) => Vectors.ScanLoss<TLoss>(S(t, 0, 5), t[5], o, y),
                    (t, y, o, g) => Vectors.ScanLossGradient<TLoss>(S(t, 0, 5), t[5], o, y, S(g, 0, 5), out g[5]),
                    (t, y, v, o, g, h) => Vectors.ScanLossHvp<TLoss>(S(t, 0, 5), t[5], o, y, S(v, 0, 5), v[5], S(g, 0, 5), out g[5], S(h, 0, 5), out h[5]),
                    (t, y, v, o, q) => Vectors.ScanGgnvp<TLoss>(S(t, 0, 5), t[5], o, y, S(v, 0, 5), v[5], S(q, 0, 5), out q[5]),
                    (t, y, o, d) => Vectors.ScanGgnDiagonal<TLoss>(S(t, 0, 5), t[5], o, y, S(d, 0, 5), out d[5]),
                    (t, y, o, d) => Vectors.ScanLossHessianDiagonal<TLoss>(S(t, 0, 5), t[5], o, y, S(d, 0, 5), out d[5]),
                    (t, y, o, h) => Vectors.ScanLossHessian<TLoss>(S(t, 0, 5), t[5], o, y, h));
            }

            // d = 3 inputs, 4 hidden units, C = 2 outputs: w has 4·(3 + 1) + 2·(4 + 1) = 26 entries.
            case "Mlp.Forward":
            {
                double[] x = Vec(r, 3, -1, 1);
                return Make<TLoss>(method, loss, seed,
                    Vec(r, 26, -1, 1), 2,
                    (t, o) => Mlp.Forward(t, x, o),
                    (t, v, o, ot) => Mlp.ForwardJvp(t, x, o, v, ot),
                    (t, u, o, g) => Mlp.ForwardVjp(t, x, o, u, g),
                    (t, y, o) => Mlp.ForwardLoss<TLoss>(t, x, o, y),
                    (t, y, o, g) => Mlp.ForwardLossGradient<TLoss>(t, x, o, y, g),
                    (t, y, v, o, g, h) => Mlp.ForwardLossHvp<TLoss>(t, x, o, y, v, g, h),
                    (t, y, v, o, q) => Mlp.ForwardGgnvp<TLoss>(t, x, o, y, v, q),
                    (t, y, o, d) => Mlp.ForwardGgnDiagonal<TLoss>(t, x, o, y, d),
                    (t, y, o, d) => Mlp.ForwardLossHessianDiagonal<TLoss>(t, x, o, y, d),
                    (t, y, o, h) => Mlp.ForwardLossHessian<TLoss>(t, x, o, y, h),
                    modelInput: x);
            }

            case "Mlp.ForwardWithHelpers":
            {
                const int hidden = 4;
                double[] x = Vec(r, 3, -1, 1);
                return Make<TLoss>(method, loss, seed,
                    Vec(r, 26, -1, 1), 2,
                    (t, o) => Mlp.ForwardWithHelpers(t, x, hidden, o),
                    (t, v, o, ot) => Mlp.ForwardWithHelpersJvp(t, x, hidden, o, v, ot),
                    (t, u, o, g) => Mlp.ForwardWithHelpersVjp(t, x, hidden, o, u, g),
                    (t, y, o) => Mlp.ForwardWithHelpersLoss<TLoss>(t, x, hidden, o, y),
                    (t, y, o, g) => Mlp.ForwardWithHelpersLossGradient<TLoss>(t, x, hidden, o, y, g),
                    (t, y, v, o, g, h) => Mlp.ForwardWithHelpersLossHvp<TLoss>(t, x, hidden, o, y, v, g, h),
                    (t, y, v, o, q) => Mlp.ForwardWithHelpersGgnvp<TLoss>(t, x, hidden, o, y, v, q),
                    (t, y, o, d) => Mlp.ForwardWithHelpersGgnDiagonal<TLoss>(t, x, hidden, o, y, d),
                    (t, y, o, d) => Mlp.ForwardWithHelpersLossHessianDiagonal<TLoss>(t, x, hidden, o, y, d),
                    (t, y, o, h) => Mlp.ForwardWithHelpersLossHessian<TLoss>(t, x, hidden, o, y, h));
            }

            // d = 3 inputs, C = 3 outputs: w has 3·(3 + 1) = 12 entries.
            case "SecondOrderCorpus.Affine":
            {
                double[] x = Vec(r, 3, -1, 1);
                return Make<TLoss>(method, loss, seed,
                    Vec(r, 12, -1, 1), 3,
                    (t, o) => SecondOrderCorpus.Affine(t, x, o),
                    (t, v, o, ot) => SecondOrderCorpus.AffineJvp(t, x, o, v, ot),
                    (t, u, o, g) => SecondOrderCorpus.AffineVjp(t, x, o, u, g),
                    (t, y, o) => SecondOrderCorpus.AffineLoss<TLoss>(t, x, o, y),
                    (t, y, o, g) => SecondOrderCorpus.AffineLossGradient<TLoss>(t, x, o, y, g),
                    (t, y, v, o, g, h) => SecondOrderCorpus.AffineLossHvp<TLoss>(t, x, o, y, v, g, h),
                    (t, y, v, o, q) => SecondOrderCorpus.AffineGgnvp<TLoss>(t, x, o, y, v, q),
                    (t, y, o, d) => SecondOrderCorpus.AffineGgnDiagonal<TLoss>(t, x, o, y, d),
                    (t, y, o, d) => SecondOrderCorpus.AffineLossHessianDiagonal<TLoss>(t, x, o, y, d),
                    (t, y, o, h) => SecondOrderCorpus.AffineLossHessian<TLoss>(t, x, o, y, h),
                    modelInput: x);
            }

            default:
                throw new ArgumentException($"no vector case for {method}", nameof(method));
        }
    }

    /// <summary>Attaches a target drawn for the loss (independent of the point) and the loss's own output-space members.</summary>
    private static VectorCase Make<TLoss>(
        string method, string loss, int seed, double[] theta, int outputLength,
        Action<double[], double[]> primal, VectorJvpFn jvp, VectorVjpFn vjp,
        LossFn lossMember, LossGradientFn lossGradient, LossHvpFn lossHvp, GgnvpFn ggnvp,
        LossMatrixFn ggnDiagonal, LossMatrixFn lossHessianDiagonal, LossMatrixFn lossHessian,
        double[]? modelInput = null)
        where TLoss : struct, ILoss
    {
        Random r = NewRandom(method + "/target/" + loss, seed);
        double[] target = loss switch
        {
            nameof(MeanSquaredError) => Vec(r, outputLength, -1, 1),
            nameof(SoftmaxCrossEntropy) => ProbabilityVector(r, outputLength),
            _ => Vec(r, outputLength, 0.05, 0.95),
        };
        return new VectorCase(
            loss, theta, outputLength, target, primal, jvp, vjp,
            lossMember, lossGradient, lossHvp, ggnvp, ggnDiagonal, lossHessianDiagonal, lossHessian,
            (f, y) => TLoss.Value<double>(f, y),
            (f, y, vector, result) => TLoss.HessianVectorProduct<double>(f, y, vector, result),
            modelInput);
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers (as in FirstOrderTests)
    // ------------------------------------------------------------------------------------------------

    private static ScalarCase Scalar(string method, int seed) => s_scalarCases[method](NewRandom(method, seed), seed);

    private static TheoryData<string, int> Rows(IEnumerable<string> methods)
    {
        var data = new TheoryData<string, int>();
        foreach (string method in methods.OrderBy(m => m, StringComparer.Ordinal))
        {
            foreach (int seed in s_seeds) data.Add(method, seed);
        }
        return data;
    }

    /// <summary>A generator seeded from the method name (FNV-1a, stable across processes) and the seed.</summary>
    private static Random NewRandom(string method, int seed)
    {
        uint hash = 2166136261;
        foreach (char ch in method) hash = (hash ^ ch) * 16777619;
        return new Random(unchecked((int)hash) ^ (seed * 7919));
    }

    /// <summary>A random direction in [−1, 1]ⁿ, independent of the point.</summary>
    private static double[] Direction(string method, int seed, int length) => Vec(NewRandom(method + "/direction", seed), length, -1, 1);

    private static double U(Random r, double lo, double hi) => lo + (hi - lo) * r.NextDouble();

    private static double Signed(Random r, double lo, double hi) => (r.Next(2) == 0 ? -1.0 : 1.0) * U(r, lo, hi);

    private static double[] Vec(Random r, int length, double lo, double hi)
    {
        double[] values = new double[length];
        for (int i = 0; i < length; i++) values[i] = U(r, lo, hi);
        return values;
    }

    /// <summary>A strictly positive probability vector (entries in [0.1, 1] normalised to sum 1).</summary>
    private static double[] ProbabilityVector(Random r, int length)
    {
        double[] values = Vec(r, length, 0.1, 1.0);
        double sum = values.Sum();
        for (int i = 0; i < length; i++) values[i] /= sum;
        return values;
    }

    private static double[] Cat(params double[][] parts) => parts.SelectMany(p => p).ToArray();

    private static Span<double> S(double[] values, int start, int length) => values.AsSpan(start, length);

    private static double[] A(double[] values, int start, int length) => values[start..(start + length)];

    /// <summary>Distinct non-zero values that a correct member overwrites and an accumulating one would add to.</summary>
    private static double[] Garbage(int length)
    {
        double[] values = new double[length];
        for (int i = 0; i < length; i++) values[i] = 1234.5 + 17.25 * i;
        return values;
    }

    private static float[] ToFloat(double[] values) => values.Select(v => (float)v).ToArray();

    private static double[] ToDouble(float[] values) => values.Select(v => (double)v).ToArray();

    private static string Where(string method, string member, int seed, double[] theta)
    {
        string name = method[(method.IndexOf('.') + 1)..] + member;
        return $"{method}: {name} at seed {seed}, θ = [{FiniteDifferences.Join(theta)}]";
    }
}
