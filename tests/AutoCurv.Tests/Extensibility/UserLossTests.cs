using System;
using System.Linq;
using Xunit;

namespace AutoCurv.Tests.Extensibility;

/// <summary>
/// Losses written in C# (<see cref="UserLosses"/>) through their generated <c>LLoss</c> structs: the struct against
/// finite differences of the user's own function, H_ℓ from central differences of the loss's own gradient, the
/// factor S Sᵀ against the positive part of H_ℓ, the user sampler; then the struct as TLoss in the loss-composed
/// members of a vector method (<see cref="RuleCorpus.Head"/>) and in the runtime operators over the model struct
/// of <see cref="RuleCorpus.TinyNet"/>, against dense Jᵀ H_ℓ J built from finite differences.
/// </summary>
public class UserLossTests
{
    private const double FirstOrder = 1e-7;
    private const double SecondOrder = 1e-6;
    private const double Exact = 1e-12;

    public static TheoryData<string> Losses => new() { "Huber", "GaussianNll", "Focal", "SoftmaxXent" };

    public static TheoryData<string, int> LossesAndSeeds
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string loss in new[] { "Huber", "GaussianNll", "Focal", "SoftmaxXent" })
                foreach (int seed in new[] { 1, 2 })
                    data.Add(loss, seed);
            return data;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Loss cases: a target for a given output, and the positive part of a loss Hessian (the reference for S Sᵀ)
    // ---------------------------------------------------------------------------------------------

    /// <summary>A target for the output <paramref name="f"/>; Huber residuals stay ≥ 0.2 away from the kink |r| = δ.</summary>
    private static double[] Target(string loss, double[] f, Random random) => loss switch
    {
        // Alternately inside (|r| ≤ 0.6) and outside (an outlier, |r| ≥ 1.8) the quadratic zone.
        "Huber" => f.Select((v, c) => v + (c % 2 == 0 ? 0.6 : 3.0) * (random.NextDouble() < 0.5 ? -1 : 1) * (0.3 + 0.3 * random.NextDouble()) * (c % 2 == 0 ? 1 : 2)).ToArray(),
        // k values, then k unused entries.
        "GaussianNll" => f.Select((v, c) => c < f.Length / 2 ? v + (random.NextDouble() < 0.5 ? -1 : 1) * (0.5 + random.NextDouble()) : 0.0).ToArray(),
        "Focal" => f.Select((_, c) => c % 2 == 0 ? 1.0 : 0.0).ToArray(),
        "SoftmaxXent" => Normalised(f.Select(_ => 0.1 + random.NextDouble()).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(loss)),
    };

    private static double[] Normalised(double[] p) => p.Select(v => v / p.Sum()).ToArray();

    /// <summary>The positive part of H (negative eigenvalues set to 0) and the clipped mass, by the loss's known block structure.</summary>
    private static (double[] Positive, double Clipped) PositivePart(string loss, double[] h, int c)
    {
        var positive = new double[c * c];
        double clipped = 0;
        switch (loss)
        {
            case "Huber":
            case "Focal":
                // Separable: H_ℓ is diagonal.
                for (int i = 0; i < c; i++)
                {
                    for (int j = 0; j < c; j++)
                        if (i != j) Assert.True(Math.Abs(h[i * c + j]) < 1e-7, $"{loss}: H_ℓ[{i},{j}] = {h[i * c + j]}");
                    positive[i * c + i] = Math.Max(h[i * c + i], 0);
                    clipped += Math.Max(-h[i * c + i], 0);
                }
                return (positive, clipped);
            case "GaussianNll":
            {
                // (μ_j, s_j) couple in 2 × 2 blocks.
                int k = c / 2;
                for (int j = 0; j < k; j++)
                {
                    var (block, mass) = Reference.PositivePart2(h[j * c + j], h[j * c + k + j], h[(k + j) * c + k + j]);
                    positive[j * c + j] = block[0];
                    positive[j * c + k + j] = block[1];
                    positive[(k + j) * c + j] = block[2];
                    positive[(k + j) * c + k + j] = block[3];
                    clipped += mass;
                }
                return (positive, clipped);
            }
            case "SoftmaxXent":
                // Convex: (Σy)(diag p − p pᵀ) is positive semidefinite.
                return ((double[])h.Clone(), 0.0);
            default:
                throw new ArgumentOutOfRangeException(nameof(loss));
        }
    }

    /// <summary>H_ℓ at (f, y) by central differences of the loss's own gradient (TLoss.Gradient), symmetrised.</summary>
    private static double[] LossHessian<TLoss>(double[] f, double[] y) where TLoss : ILoss
    {
        int c = f.Length;
        return Reference.Symmetrise(Reference.Jacobian(t =>
        {
            var g = new double[c];
            TLoss.Gradient<double>(t, y, g);
            return g;
        }, c, f), c);
    }

    private static void Dispatch(string loss, Action<Type> run) => run(loss switch
    {
        "Huber" => typeof(UserLosses.HuberLoss),
        "GaussianNll" => typeof(UserLosses.GaussianNllLoss),
        "Focal" => typeof(UserLosses.FocalLoss),
        "SoftmaxXent" => typeof(UserLosses.SoftmaxXentLoss),
        _ => throw new ArgumentOutOfRangeException(nameof(loss)),
    });

    private static void Invoke(string method, string loss, params object[] arguments) =>
        Dispatch(loss, type =>
        {
            var generic = typeof(UserLossTests).GetMethod(method, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
            try
            {
                generic.MakeGenericMethod(type).Invoke(null, arguments);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
        });

    /// <summary>The generated dense H_ℓ (LHessian) of each loss.</summary>
    private static double[] DenseHessianOf(string loss, double[] f, double[] y)
    {
        var h = new double[f.Length * f.Length];
        switch (loss)
        {
            case "Huber": UserLosses.HuberHessian(f, y, h); break;
            case "GaussianNll": UserLosses.GaussianNllHessian(f, y, h); break;
            case "Focal": UserLosses.FocalHessian(f, y, h); break;
            case "SoftmaxXent": UserLosses.SoftmaxXentHessian(f, y, h); break;
            default: throw new ArgumentOutOfRangeException(nameof(loss));
        }
        return h;
    }

    private static double Primal(string loss, double[] f, double[] y) => loss switch
    {
        "Huber" => UserLosses.Huber(f, y),
        "GaussianNll" => UserLosses.GaussianNll(f, y),
        "Focal" => UserLosses.Focal(f, y),
        "SoftmaxXent" => UserLosses.SoftmaxXent(f, y),
        _ => throw new ArgumentOutOfRangeException(nameof(loss)),
    };

    // ---------------------------------------------------------------------------------------------
    // The generated struct on its own
    // ---------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(LossesAndSeeds))]
    public void Loss_struct_matches_its_function_and_finite_differences(string loss, int seed)
    {
        var random = new Random(seed);
        int c = loss == "GaussianNll" ? 4 : 3;
        double[] f = Reference.Uniform(random, c, -1.5, 1.5);
        double[] y = Target(loss, f, random);
        double[] v = Reference.Uniform(random, c, -1, 1);
        Invoke(nameof(CheckStruct), loss, loss, f, y, v);
    }

    private static void CheckStruct<TLoss>(string loss, double[] f, double[] y, double[] v) where TLoss : ILoss
    {
        int c = f.Length;
        Assert.Equal(Primal(loss, f, y), TLoss.Value<double>(f, y));

        var gradient = new double[c];
        double value = TLoss.Gradient<double>(f, y, gradient);
        Reference.Close(Primal(loss, f, y), value, Exact, $"{loss} gradient value");
        Reference.Close(Reference.Gradient(t => Primal(loss, t, y), f), gradient, FirstOrder, $"{loss} ∂ℓ/∂f");

        double[] h = LossHessian<TLoss>(f, y);
        Reference.Close(Reference.Hessian(t => Primal(loss, t, y), f), h, SecondOrder, $"{loss} H_ℓ (gradient differences vs value differences)");
        Reference.Close(h, DenseHessianOf(loss, f, y), SecondOrder, $"{loss} generated dense H_ℓ");

        var hv = new double[c];
        TLoss.HessianVectorProduct<double>(f, y, v, hv);
        Reference.Close(Reference.Multiply(h, c, v), hv, SecondOrder, $"{loss} H_ℓ·v");

        var factor = new double[c * c];
        var signs = new double[c];
        TLoss.HessianFactor<double>(f, y, factor);
        TLoss.HessianFactorSigns<double>(f, y, signs);
        Assert.All(signs, sign => Assert.True(sign == 1 || sign == -1, $"{loss} factor sign {sign}"));
        Reference.Close(h, Reference.SignedOuterSquare(factor, signs, c), SecondOrder, $"{loss} S diag(σ) Sᵀ = H_ℓ");
    }

    [Theory]
    [MemberData(nameof(LossesAndSeeds))]
    public void Negative_curvature_reports_exactly_the_clipped_eigenvalues(string loss, int seed)
    {
        var random = new Random(seed);
        int c = loss == "GaussianNll" ? 4 : 3;
        double[] f = Reference.Uniform(random, c, -1.5, 1.5);
        double[] y = Target(loss, f, random);
        Invoke(nameof(CheckClipping), loss, loss, f, y);
    }

    private static void CheckClipping<TLoss>(string loss, double[] f, double[] y) where TLoss : ILoss
    {
        double[] h = LossHessian<TLoss>(f, y);
        var (_, clipped) = PositivePart(loss, h, f.Length);
        double reported = loss switch
        {
            "Huber" => UserLosses.HuberLoss.NegativeCurvature(f, y),
            "GaussianNll" => UserLosses.GaussianNllLoss.NegativeCurvature(f, y),
            "Focal" => UserLosses.FocalLoss.NegativeCurvature(f, y),
            _ => UserLosses.SoftmaxXentLoss.NegativeCurvature(f, y),
        };
        Reference.Close(clipped, reported, SecondOrder, $"{loss} clipped mass");
        if (loss is "Huber" or "SoftmaxXent") Assert.True(reported <= 1e-12, $"{loss} is convex but reports {reported}");
        if (loss == "GaussianNll") Assert.True(reported > 0.01, $"the Gaussian NLL with y ≠ μ is indefinite but reports {reported}");
    }

    [Fact]
    public void Convex_loss_factor_reproduces_a_dense_rank_deficient_Hessian_and_matches_the_builtin()
    {
        double[] f = { 0.4, -1.1, 2.0 };
        double[] y = { 0.2, 0.5, 0.3 };
        double[] v = { 0.7, -0.3, 1.2 };
        var user = new double[9];
        var builtin = new double[9];
        UserLosses.SoftmaxXentLoss.HessianFactor<double>(f, y, user);
        SoftmaxCrossEntropy.HessianFactor<double>(f, y, builtin);
        Reference.Close(Reference.OuterSquare(builtin, 3), Reference.OuterSquare(user, 3), Exact, "S Sᵀ vs built-in", floor: 1e-3);

        double[] p = Normalised(f.Select(Math.Exp).ToArray());
        var h = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) h[i * 3 + j] = (i == j ? p[i] : 0) - p[i] * p[j];
        Reference.Close(h, Reference.OuterSquare(user, 3), Exact, "S Sᵀ vs diag p − p pᵀ", floor: 1e-3);

        var g1 = new double[3];
        var g2 = new double[3];
        Reference.Close(SoftmaxCrossEntropy.Gradient<double>(f, y, g2), UserLosses.SoftmaxXentLoss.Gradient<double>(f, y, g1), Exact, "value");
        Reference.Close(g2, g1, Exact, "gradient");
        UserLosses.SoftmaxXentLoss.HessianVectorProduct<double>(f, y, v, g1);
        SoftmaxCrossEntropy.HessianVectorProduct<double>(f, y, v, g2);
        Reference.Close(g2, g1, Exact, "H_ℓ·v");
    }

    [Fact]
    public void Focal_loss_is_nonconvex_for_confident_mistakes_and_its_factor_clips_that()
    {
        // For y = 1, (1 − σ(f))² softplus(−f) is concave below f ≈ −2.8 (a confident mistake); channel 1 (y = 0) is
        // the mirror image, channel 2 is convex.
        double[] f = { -4.0, 5.0, 0.3 };
        double[] y = { 1.0, 0.0, 1.0 };
        double[] h = LossHessian<UserLosses.FocalLoss>(f, y);
        Assert.True(h[0] < -0.01 && h[4] < -0.01 && h[8] > 0.01, $"diag H_ℓ = {h[0]}, {h[4]}, {h[8]}");
        Reference.Close(-h[0] - h[4], UserLosses.FocalLoss.NegativeCurvature(f, y), SecondOrder, "clipped mass");
        var factor = new double[9];
        var signs = new double[3];
        UserLosses.FocalLoss.HessianFactor<double>(f, y, factor);
        UserLosses.FocalLoss.HessianFactorSigns<double>(f, y, signs);
        Assert.Equal(new double[] { -1, -1, 1 }, signs.OrderBy(x => x).ToArray());
        Reference.Close(h, Reference.SignedOuterSquare(factor, signs, 3), SecondOrder, "S diag(σ) Sᵀ = H_ℓ, negative curvature kept with its sign");
        var hv = new double[3];
        UserLosses.FocalLoss.HessianVectorProduct<double>(f, y, new double[] { 1, 1, 1 }, hv);
        Reference.Close(new[] { h[0], h[4], h[8] }, hv, SecondOrder, "H_ℓ·v is not clipped");
    }

    // ---------------------------------------------------------------------------------------------
    // Sampling
    // ---------------------------------------------------------------------------------------------

    [Fact]
    public void Sample_calls_the_user_sampler()
    {
        double[] f = { 0.3, -0.2, 0.5, -1.0 };
        var expected = new double[4];
        var actual = new double[4];
        for (ulong seed = 0; seed < 5; seed++)
        {
            var a = new RandomSource(seed);
            var b = new RandomSource(seed);
            UserLosses.GaussianNllSample(f, ref a, expected);
            UserLosses.GaussianNllLoss.Sample<double>(f, ref b, actual);
            Assert.Equal(expected, actual);
            Assert.Equal(a.NextUInt64(), b.NextUInt64()); // the generator state advanced by the same draws

            UserLosses.FocalSample(f, ref a, expected);
            UserLosses.FocalLoss.Sample<double>(f, ref b, actual);
            Assert.Equal(expected, actual);
        }

        // The draws follow the user's distribution: y ~ N(μ, e^s).
        var random = new RandomSource(42);
        double[] one = { 0.7, Math.Log(0.25) };
        var target = new double[2];
        double sum = 0, squares = 0;
        const int draws = 20000;
        for (int i = 0; i < draws; i++)
        {
            UserLosses.GaussianNllLoss.Sample<double>(one, ref random, target);
            Assert.Equal(0.0, target[1]);
            sum += target[0];
            squares += target[0] * target[0];
        }
        double mean = sum / draws, variance = squares / draws - mean * mean;
        Assert.InRange(mean, 0.7 - 0.02, 0.7 + 0.02);
        Assert.InRange(variance, 0.25 * 0.95, 0.25 * 1.05);
    }

    [Fact]
    public void A_loss_without_a_sampler_says_how_to_add_one()
    {
        var random = new RandomSource(1);
        var target = new double[2];
        var e = Assert.Throws<NotSupportedException>(() => UserLosses.HuberLoss.Sample<double>(new double[] { 0.1, 0.2 }, ref random, target));
        Assert.Contains("HuberSample", e.Message);

        var data = new Dataset(new double[] { 0.1, 0.2, 0.3 }, new double[] { 0.0, 1.0 }, 1);
        var m = Assert.Throws<NotSupportedException>(() => new MonteCarloFisherOperator<RuleCorpus.TinyNetModel, UserLosses.HuberLoss>(RuleTests.TinyNetWeights(1), data));
        Assert.Contains("HuberSample", m.Message);
    }

    [Fact]
    public void A_user_loss_rejects_float()
    {
        var e = Assert.Throws<NotSupportedException>(() => UserLosses.HuberLoss.Value<float>(new float[] { 1f }, new float[] { 0f }));
        Assert.Contains("double", e.Message);
    }

    // ---------------------------------------------------------------------------------------------
    // As TLoss in the loss-composed members of a vector method (Head: θ = [w (3), scale], C = 2)
    // ---------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(LossesAndSeeds))]
    public void User_loss_in_loss_composed_members_matches_dense_references(string loss, int seed)
    {
        double[] theta = RuleTests.HeadPoint(seed, out double[] x);
        double[] f = RuleTests.HeadOutput(theta, x);
        double[] y = Target(loss, f, new Random(seed + 3));
        double[] v = Reference.Uniform(new Random(seed + 4), theta.Length, -1, 1);
        Invoke(nameof(CheckHead), loss, loss, theta, x, y, v);
    }

    private static void CheckHead<TLoss>(string loss, double[] theta, double[] x, double[] y, double[] v) where TLoss : ILoss
    {
        const int c = RuleTests.C;
        int m = theta.Length;
        double Loss(double[] t) => Primal(loss, RuleTests.HeadOutput(t, x), y);
        double[] f = RuleTests.HeadOutput(theta, x);
        double[] lossHessian = LossHessian<TLoss>(f, y);
        double[] jacobian = Reference.Jacobian(t => RuleTests.HeadOutput(t, x), c, theta);
        double[] ggn = Reference.Congruence(jacobian, c, m, lossHessian);
        double[] clippedGgn = Reference.Congruence(jacobian, c, m, PositivePart(loss, lossHessian, c).Positive);
        double[] hessian = Reference.Hessian(Loss, theta);
        ReadOnlySpan<double> w = theta.AsSpan(0, c + 1);
        double scale = theta[c + 1];
        var output = new double[c];

        var gw = new double[c + 1];
        double value = RuleCorpus.HeadLossGradient<TLoss>(w, scale, x, output, y, gw, out double gs);
        Reference.Close(Loss(theta), value, Exact, $"{loss} value");
        Reference.Close(f, output, Exact, $"{loss} output");
        Reference.Close(Reference.Gradient(Loss, theta), gw.Append(gs).ToArray(), FirstOrder, $"{loss} ∇ℓ");

        var hw = new double[c + 1];
        RuleCorpus.HeadLossHvp<TLoss>(w, scale, x, output, y, v.AsSpan(0, c + 1), v[c + 1], gw, out gs, hw, out double hs);
        Reference.Close(Reference.Gradient(Loss, theta), gw.Append(gs).ToArray(), FirstOrder, $"{loss} Hvp gradient");
        Reference.Close(Reference.Multiply(hessian, m, v), hw.Append(hs).ToArray(), SecondOrder, $"{loss} H·v");

        var dense = new double[m * m];
        RuleCorpus.HeadLossHessian<TLoss>(w, scale, x, output, y, dense);
        Reference.Close(hessian, dense, SecondOrder, $"{loss} dense H");
        var dw = new double[c + 1];
        RuleCorpus.HeadLossHessianDiagonal<TLoss>(w, scale, x, output, y, dw, out double ds);
        Reference.Close(Reference.Diagonal(hessian, m), dw.Append(ds).ToArray(), SecondOrder, $"{loss} diag H");

        var rw = new double[c + 1];
        RuleCorpus.HeadGgnvp<TLoss>(w, scale, x, output, y, v.AsSpan(0, c + 1), v[c + 1], rw, out double rs);
        Reference.Close(Reference.Multiply(ggn, m, v), rw.Append(rs).ToArray(), SecondOrder, $"{loss} G·v = Jᵀ H_ℓ J v");

        // The GGN diagonal goes through the signed factor, H_ℓ = S diag(σ) Sᵀ: exact also for a non-convex loss.
        RuleCorpus.HeadGgnDiagonal<TLoss>(w, scale, x, output, y, dw, out ds);
        Reference.Close(Reference.Diagonal(ggn, m), dw.Append(ds).ToArray(), SecondOrder, $"{loss} diag G");
    }

    // ---------------------------------------------------------------------------------------------
    // As TLoss in the runtime operators over TinyNet's model struct
    // ---------------------------------------------------------------------------------------------

    private const int Count = 4;

    private static (double[] W, Dataset Data) Problem(string loss, int seed)
    {
        var random = new Random(seed + 20);
        double[] w = RuleTests.TinyNetWeights(seed);
        double[] inputs = Reference.Uniform(random, Count * RuleTests.D, -1, 1);
        var targets = new double[Count * RuleTests.C];
        for (int i = 0; i < Count; i++)
        {
            double[] f = RuleTests.TinyNetOutput(w, inputs.AsSpan(i * RuleTests.D, RuleTests.D).ToArray());
            Target(loss, f, random).CopyTo(targets, i * RuleTests.C);
        }
        return (w, new Dataset(inputs, targets, Count));
    }

    private static double[] X(Dataset data, int i) => data.Input(i).ToArray();

    private static double[] Y(Dataset data, int i) => data.Target(i).ToArray();

    [Theory]
    [MemberData(nameof(LossesAndSeeds))]
    public void Ggn_operator_with_a_user_loss_matches_mean_of_J_transpose_H_J(string loss, int seed)
    {
        var (w, data) = Problem(loss, seed);
        Invoke(nameof(CheckGgnOperator), loss, loss, w, data);
    }

    private static void CheckGgnOperator<TLoss>(string loss, double[] w, Dataset data) where TLoss : struct, ILoss
    {
        int n = w.Length, c = RuleTests.C;
        var ggn = new double[Count][];
        var clipped = new double[Count][];
        for (int i = 0; i < Count; i++)
        {
            double[] x = X(data, i);
            double[] jacobian = Reference.Jacobian(t => RuleTests.TinyNetOutput(t, x), c, w);
            double[] h = LossHessian<TLoss>(RuleTests.TinyNetOutput(w, x), Y(data, i));
            ggn[i] = Reference.Congruence(jacobian, c, n, h);
            clipped[i] = Reference.Congruence(jacobian, c, n, PositivePart(loss, h, c).Positive);
        }
        var op = new GgnOperator<RuleCorpus.TinyNetModel, TLoss>(w, data);
        Reference.Close(Reference.Mean(ggn), op.ToDense(), SecondOrder, $"{loss} G");
        var diagonal = new double[n];
        op.Diagonal(diagonal);
        Reference.Close(Reference.Diagonal(Reference.Mean(ggn), n), diagonal, SecondOrder, $"{loss} diag G (the matrix Apply applies)");
    }

    [Theory]
    [InlineData("Huber")]
    [InlineData("GaussianNll")]
    [InlineData("Focal")]
    public void Hessian_operator_and_objective_with_a_user_loss_match_finite_differences(string loss)
    {
        var (w, data) = Problem(loss, 3);
        Invoke(nameof(CheckHessianOperator), loss, loss, w, data);
    }

    private static double MeanLoss(string loss, double[] w, Dataset data) =>
        Enumerable.Range(0, Count).Sum(i => Primal(loss, RuleTests.TinyNetOutput(w, X(data, i)), Y(data, i))) / Count;

    private static void CheckHessianOperator<TLoss>(string loss, double[] w, Dataset data) where TLoss : struct, ILoss
    {
        int n = w.Length;
        double[] hessian = Reference.Hessian(t => MeanLoss(loss, t, data), w);
        var op = new HessianOperator<RuleCorpus.TinyNetModel, TLoss>(w, data);
        Reference.Close(hessian, op.ToDense(), SecondOrder, $"{loss} H");
        var diagonal = new double[n];
        op.Diagonal(diagonal);
        Reference.Close(Reference.Diagonal(hessian, n), diagonal, SecondOrder, $"{loss} diag H");

        var objective = new Objective<RuleCorpus.TinyNetModel, TLoss>(data);
        Reference.Close(MeanLoss(loss, w, data), objective.Loss(w), Exact, $"{loss} objective");
        var gradient = new double[n];
        Reference.Close(MeanLoss(loss, w, data), objective.Gradient(w, gradient), Exact, $"{loss} objective (gradient)");
        Reference.Close(Reference.Gradient(t => MeanLoss(loss, t, data), w), gradient, FirstOrder, $"{loss} objective gradient");
    }

    [Fact]
    public void Empirical_Fisher_with_a_user_loss_is_the_mean_gradient_outer_product()
    {
        var (w, data) = Problem("Focal", 4);
        int n = w.Length;
        var outer = new double[Count][];
        for (int i = 0; i < Count; i++)
        {
            double[] x = X(data, i), y = Y(data, i);
            double[] g = Reference.Gradient(t => UserLosses.Focal(RuleTests.TinyNetOutput(t, x), y), w);
            outer[i] = new double[n * n];
            for (int p = 0; p < n; p++)
                for (int q = 0; q < n; q++) outer[i][p * n + q] = g[p] * g[q];
        }
        var op = new EmpiricalFisherOperator<RuleCorpus.TinyNetModel, UserLosses.FocalLoss>(w, data);
        Reference.Close(Reference.Mean(outer), op.ToDense(), FirstOrder, "empirical Fisher");
    }

    [Fact]
    public void User_softmax_loss_gives_the_same_operators_as_the_builtin()
    {
        var (w, data) = Problem("SoftmaxXent", 5);
        int n = w.Length;
        var user = new GgnOperator<RuleCorpus.TinyNetModel, UserLosses.SoftmaxXentLoss>(w, data);
        var builtin = new GgnOperator<RuleCorpus.TinyNetModel, SoftmaxCrossEntropy>(w, data);
        Reference.Close(builtin.ToDense(), user.ToDense(), 1e-10, "G");
        var d1 = new double[n];
        var d2 = new double[n];
        user.Diagonal(d1);
        builtin.Diagonal(d2);
        Reference.Close(d2, d1, 1e-10, "diag G");
        var h1 = new HessianOperator<RuleCorpus.TinyNetModel, UserLosses.SoftmaxXentLoss>(w, data).ToDense();
        var h2 = new HessianOperator<RuleCorpus.TinyNetModel, SoftmaxCrossEntropy>(w, data).ToDense();
        Reference.Close(h2, h1, 1e-10, "H");
    }

    [Fact]
    public void Monte_Carlo_Fisher_uses_the_user_sampler()
    {
        var (w, data) = Problem("GaussianNll", 6);
        int n = w.Length, c = RuleTests.C;
        const int samples = 3;
        var op = new MonteCarloFisherOperator<RuleCorpus.TinyNetModel, UserLosses.GaussianNllLoss>(w, data, samples, seed: 9);
        double[] labels = op.SampledLabels.ToArray();
        Assert.Equal(Count * samples * c, labels.Length);
        var outer = new double[Count * samples][];
        for (int i = 0; i < Count; i++)
        {
            double[] x = X(data, i);
            for (int k = 0; k < samples; k++)
            {
                double[] label = labels.AsSpan((i * samples + k) * c, c).ToArray();
                Assert.Equal(0.0, label[1]); // the user sampler's unused half
                double[] g = Reference.Gradient(t => UserLosses.GaussianNll(RuleTests.TinyNetOutput(t, x), label), w);
                outer[i * samples + k] = new double[n * n];
                for (int p = 0; p < n; p++)
                    for (int q = 0; q < n; q++) outer[i * samples + k][p * n + q] = g[p] * g[q];
            }
        }
        Reference.Close(Reference.Mean(outer), op.ToDense(), FirstOrder, "Monte-Carlo Fisher over the sampled labels");
    }

    [Fact]
    public void Monte_Carlo_Fisher_with_the_user_sampler_converges_to_the_Gaussian_Fisher()
    {
        // For y ~ N(μ, e^s) the Fisher information in (μ, s) is diag(e^{−s}, ½); the Fisher of the model is Jᵀ F J.
        var (w, data) = Problem("GaussianNll", 7);
        int n = w.Length, c = RuleTests.C;
        var fisher = new double[Count][];
        for (int i = 0; i < Count; i++)
        {
            double[] x = X(data, i);
            double[] f = RuleTests.TinyNetOutput(w, x);
            double[] jacobian = Reference.Jacobian(t => RuleTests.TinyNetOutput(t, x), c, w);
            fisher[i] = Reference.Congruence(jacobian, c, n, new[] { Math.Exp(-f[1]), 0, 0, 0.5 });
        }
        double[] expected = Reference.Diagonal(Reference.Mean(fisher), n);
        var op = new MonteCarloFisherOperator<RuleCorpus.TinyNetModel, UserLosses.GaussianNllLoss>(w, data, samples: 20000, seed: 1);
        var diagonal = new double[n];
        op.Diagonal(diagonal);
        double scale = expected.Max();
        for (int j = 0; j < n; j++)
            Assert.True(Math.Abs(diagonal[j] - expected[j]) <= 0.05 * Math.Max(expected[j], 0.1 * scale),
                $"entry {j}: {diagonal[j]} vs Fisher {expected[j]}");
    }
}
