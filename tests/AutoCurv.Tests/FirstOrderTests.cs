using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using AutoCurv.Models;
using AutoCurv.Tests.Corpus;
using Xunit;

namespace AutoCurv.Tests;

/// <summary>
/// Every generated first-order member of every corpus method, at three random points (fixed seeds), against
/// central finite differences of the primal method and against the identities that tie the members together.
/// </summary>
/// <remarks>
/// Each corpus method is described once, below, as a case: a random point θ (the concatenation of its Wrt
/// inputs in declaration order, as in API.md), its non-Wrt arguments captured in closures, and adapters that
/// call the primal and the generated members on a flat θ. The tests are then written once for all cases.
/// Test points keep every argument in its safe domain and every branch at least 0.05 from its condition's
/// boundary, so finite differences never straddle a kink.
/// </remarks>
public class FirstOrderTests
{
    /// <summary>Generated derivative vs finite differences (relative to max(1, |expected|)).</summary>
    private const double FdTolerance = 1e-6;

    /// <summary>Primal values returned or written by generated members vs the primal method: same arithmetic.</summary>
    private const double PrimalTolerance = 1e-12;

    /// <summary>Identities between generated members (JVP = ∇F·v, uᵀJv = (Jᵀu)ᵀv), relative to the sum of |terms|.</summary>
    private const double IdentityTolerance = 1e-9;

    /// <summary>float members vs double members.</summary>
    private const double FloatTolerance = 1e-3;

    private static readonly int[] s_seeds = [1, 2, 3];

    /// <summary>Calls a scalar function's <c>FGradient</c> on θ, writing ∇F into the gradient buffer; returns what it returns.</summary>
    public delegate double GradientFn(double[] theta, double[] gradient);

    /// <summary>Calls a scalar function's <c>FJvp</c>; returns (its return value, its <c>derivative</c>).</summary>
    public delegate (double Value, double Derivative) ScalarJvpFn(double[] theta, double[] tangent);

    /// <summary>Calls a vector function's <c>FJvp</c>.</summary>
    public delegate void VectorJvpFn(double[] theta, double[] tangent, double[] output, double[] outputTangent);

    /// <summary>Calls a vector function's <c>FVjp</c>.</summary>
    public delegate void VectorVjpFn(double[] theta, double[] cotangent, double[] output, double[] gradient);

    /// <summary>A scalar function at one point.</summary>
    public sealed record ScalarCase(double[] Theta, Func<double[], double> Primal, GradientFn Gradient, ScalarJvpFn Jvp);

    /// <summary>A vector function at one point.</summary>
    public sealed record VectorCase(double[] Theta, int OutputLength, Action<double[], double[]> Primal, VectorJvpFn Jvp, VectorVjpFn Vjp);

    // ------------------------------------------------------------------------------------------------
    // Scalar functions
    // ------------------------------------------------------------------------------------------------

    public static TheoryData<string, int> ScalarMethods => Rows(s_scalarCases.Keys);

    [Theory]
    [MemberData(nameof(ScalarMethods))]
    public void Gradient_matches_central_differences(string method, int seed)
    {
        ScalarCase c = Scalar(method, seed);
        double[] expected = FiniteDifferences.Gradient(c.Primal, c.Theta);
        double[] actual = Garbage(c.Theta.Length);
        c.Gradient(c.Theta, actual);
        FiniteDifferences.AssertClose(expected, actual, FdTolerance, Where(method, "Gradient", seed, c.Theta));
    }

    [Theory]
    [MemberData(nameof(ScalarMethods))]
    public void Gradient_returns_primal_and_overwrites_results(string method, int seed)
    {
        ScalarCase c = Scalar(method, seed);
        double primal = c.Primal(c.Theta);
        double[] gradient = Garbage(c.Theta.Length);
        double first = c.Gradient(c.Theta, gradient);
        double[] firstGradient = (double[])gradient.Clone();
        double second = c.Gradient(c.Theta, gradient); // the buffer now holds the first call's results
        FiniteDifferences.AssertClose(primal, first, PrimalTolerance, Where(method, "Gradient", seed, c.Theta) + ", returned value vs primal");
        FiniteDifferences.AssertClose(primal, second, PrimalTolerance, Where(method, "Gradient", seed, c.Theta) + ", returned value of a second call vs primal");
        FiniteDifferences.AssertClose(firstGradient, gradient, PrimalTolerance,
            Where(method, "Gradient", seed, c.Theta) + ", second call into the same buffer (accumulated instead of overwritten?)");
    }

    [Theory]
    [MemberData(nameof(ScalarMethods))]
    public void Jvp_matches_directional_differences(string method, int seed)
    {
        ScalarCase c = Scalar(method, seed);
        double[] v = Direction(method, seed, c.Theta.Length);
        double expected = FiniteDifferences.Directional(c.Primal, c.Theta, v);
        (_, double derivative) = c.Jvp(c.Theta, v);
        FiniteDifferences.AssertClose(expected, derivative, FdTolerance, Where(method, "Jvp", seed, c.Theta) + $", v = [{FiniteDifferences.Join(v)}], derivative");
    }

    [Theory]
    [MemberData(nameof(ScalarMethods))]
    public void Jvp_equals_gradient_dot_tangent_and_returns_primal(string method, int seed)
    {
        ScalarCase c = Scalar(method, seed);
        double[] v = Direction(method, seed, c.Theta.Length);
        double primal = c.Primal(c.Theta);
        double[] gradient = Garbage(c.Theta.Length);
        c.Gradient(c.Theta, gradient);
        double dot = 0.0, scale = 1.0;
        for (int i = 0; i < v.Length; i++)
        {
            dot += gradient[i] * v[i];
            scale += Math.Abs(gradient[i] * v[i]);
        }
        (double value, double derivative) = c.Jvp(c.Theta, v);
        FiniteDifferences.AssertClose(primal, value, PrimalTolerance, Where(method, "Jvp", seed, c.Theta) + ", returned value vs primal");
        FiniteDifferences.AssertClose(dot, derivative, IdentityTolerance,
            Where(method, "Jvp", seed, c.Theta) + $", v = [{FiniteDifferences.Join(v)}], derivative vs Gradient·v", floor: scale);
    }

    // ------------------------------------------------------------------------------------------------
    // Vector functions
    // ------------------------------------------------------------------------------------------------

    public static TheoryData<string, int> VectorMethods => Rows(s_vectorCases.Keys);

    [Theory]
    [MemberData(nameof(VectorMethods))]
    public void Vjp_matches_differences_of_cotangent_dot_output(string method, int seed)
    {
        VectorCase c = Vector(method, seed);
        double[] u = Direction(method, seed + 1000, c.OutputLength);
        double[] expected = FiniteDifferences.JacobianTransposeVector(c.Primal, c.OutputLength, c.Theta, u);
        double[] output = Garbage(c.OutputLength);
        double[] gradient = Garbage(c.Theta.Length);
        c.Vjp(c.Theta, u, output, gradient);
        FiniteDifferences.AssertClose(expected, gradient, FdTolerance, Where(method, "Vjp", seed, c.Theta) + $", u = [{FiniteDifferences.Join(u)}], grads");
    }

    [Theory]
    [MemberData(nameof(VectorMethods))]
    public void Vjp_writes_primal_output_and_overwrites_results(string method, int seed)
    {
        VectorCase c = Vector(method, seed);
        double[] u = Direction(method, seed + 1000, c.OutputLength);
        double[] primal = new double[c.OutputLength];
        c.Primal(c.Theta, primal);
        double[] output = Garbage(c.OutputLength);
        double[] gradient = Garbage(c.Theta.Length);
        c.Vjp(c.Theta, u, output, gradient);
        FiniteDifferences.AssertClose(primal, output, PrimalTolerance, Where(method, "Vjp", seed, c.Theta) + ", output vs primal");
        double[] firstGradient = (double[])gradient.Clone();
        c.Vjp(c.Theta, u, output, gradient); // the buffers now hold the first call's results
        FiniteDifferences.AssertClose(primal, output, PrimalTolerance, Where(method, "Vjp", seed, c.Theta) + ", output of a second call vs primal");
        FiniteDifferences.AssertClose(firstGradient, gradient, PrimalTolerance,
            Where(method, "Vjp", seed, c.Theta) + ", second call into the same buffers (accumulated instead of overwritten?)");
    }

    [Theory]
    [MemberData(nameof(VectorMethods))]
    public void VectorJvp_matches_directional_differences(string method, int seed)
    {
        VectorCase c = Vector(method, seed);
        double[] v = Direction(method, seed, c.Theta.Length);
        double[] expected = FiniteDifferences.Directional(c.Primal, c.OutputLength, c.Theta, v);
        double[] output = Garbage(c.OutputLength);
        double[] outputTangent = Garbage(c.OutputLength);
        c.Jvp(c.Theta, v, output, outputTangent);
        FiniteDifferences.AssertClose(expected, outputTangent, FdTolerance, Where(method, "Jvp", seed, c.Theta) + $", v = [{FiniteDifferences.Join(v)}], outputTangent");
    }

    [Theory]
    [MemberData(nameof(VectorMethods))]
    public void VectorJvp_writes_primal_output_and_overwrites_results(string method, int seed)
    {
        VectorCase c = Vector(method, seed);
        double[] v = Direction(method, seed, c.Theta.Length);
        double[] primal = new double[c.OutputLength];
        c.Primal(c.Theta, primal);
        double[] output = Garbage(c.OutputLength);
        double[] outputTangent = Garbage(c.OutputLength);
        c.Jvp(c.Theta, v, output, outputTangent);
        FiniteDifferences.AssertClose(primal, output, PrimalTolerance, Where(method, "Jvp", seed, c.Theta) + ", output vs primal");
        double[] firstTangent = (double[])outputTangent.Clone();
        c.Jvp(c.Theta, v, output, outputTangent);
        FiniteDifferences.AssertClose(primal, output, PrimalTolerance, Where(method, "Jvp", seed, c.Theta) + ", output of a second call vs primal");
        FiniteDifferences.AssertClose(firstTangent, outputTangent, PrimalTolerance,
            Where(method, "Jvp", seed, c.Theta) + ", second call into the same buffers (accumulated instead of overwritten?)");
    }

    [Theory]
    [MemberData(nameof(VectorMethods))]
    public void Jvp_and_Vjp_satisfy_adjoint_identity(string method, int seed)
    {
        VectorCase c = Vector(method, seed);
        double[] v = Direction(method, seed, c.Theta.Length);
        double[] u = Direction(method, seed + 1000, c.OutputLength);
        double[] output = Garbage(c.OutputLength);
        double[] jv = Garbage(c.OutputLength);
        double[] jtu = Garbage(c.Theta.Length);
        c.Jvp(c.Theta, v, output, jv);
        c.Vjp(c.Theta, u, output, jtu);
        double left = 0.0, right = 0.0, scale = 1.0;
        for (int k = 0; k < jv.Length; k++)
        {
            left += u[k] * jv[k];
            scale += Math.Abs(u[k] * jv[k]);
        }
        for (int i = 0; i < jtu.Length; i++)
        {
            right += jtu[i] * v[i];
            scale += Math.Abs(jtu[i] * v[i]);
        }
        FiniteDifferences.AssertClose(left, right, IdentityTolerance,
            Where(method, "Jvp/Vjp", seed, c.Theta) + $", uᵀ(Jv) vs (Jᵀu)ᵀv with v = [{FiniteDifferences.Join(v)}], u = [{FiniteDifferences.Join(u)}]", floor: scale);
    }

    // ------------------------------------------------------------------------------------------------
    // float twins
    // ------------------------------------------------------------------------------------------------

    private static readonly string[] s_floatMethods =
    [
        "FloatFunctions.ElementaryF",
        "FloatFunctions.TanhRecurrenceF",
        "FloatFunctions.SoftmaxF",
    ];

    public static TheoryData<string, int> FloatMethods => Rows(s_floatMethods);

    [Theory]
    [MemberData(nameof(FloatMethods))]
    public void Float_members_match_double_members(string method, int seed)
    {
        Random r = NewRandom(method, seed);
        string where = $"{method} at seed {seed}";
        switch (method)
        {
            case "FloatFunctions.ElementaryF":
            {
                float x = (float)U(r, 0.3, 1.2), vx = (float)U(r, -1, 1);
                double value = ScalarBasics.ElementaryGradient(x, out double g);
                ScalarBasics.ElementaryJvp(x, vx, out double jv);
                float primalF = FloatFunctions.ElementaryF(x);
                float valueF = FloatFunctions.ElementaryFGradient(x, out float gF);
                float jvpValueF = FloatFunctions.ElementaryFJvp(x, vx, out float jvF);
                FiniteDifferences.AssertClose(primalF, valueF, 1e-6, where + ", ElementaryFGradient value vs ElementaryF");
                FiniteDifferences.AssertClose(primalF, jvpValueF, 1e-6, where + ", ElementaryFJvp value vs ElementaryF");
                FiniteDifferences.AssertClose(value, valueF, FloatTolerance, where + ", float vs double value");
                FiniteDifferences.AssertClose(g, gF, FloatTolerance, where + ", ElementaryFGradient vs ElementaryGradient");
                FiniteDifferences.AssertClose(jv, jvF, FloatTolerance, where + ", ElementaryFJvp vs ElementaryJvp");
                break;
            }
            case "FloatFunctions.TanhRecurrenceF":
            {
                float a = (float)U(r, -1.5, 1.5);
                float[] x = ToFloat(Vec(r, 6, -1, 1));
                float va = (float)U(r, -1, 1);
                float[] vx = ToFloat(Vec(r, 6, -1, 1));
                double[] xd = ToDouble(x), vxd = ToDouble(vx);
                double[] gx = Garbage(6);
                double value = Scratch.TanhRecurrenceGradient(a, xd, out double ga, gx);
                Scratch.TanhRecurrenceJvp(a, xd, va, vxd, out double jv);
                float[] gxF = ToFloat(Garbage(6));
                float primalF = FloatFunctions.TanhRecurrenceF(a, x);
                float valueF = FloatFunctions.TanhRecurrenceFGradient(a, x, out float gaF, gxF);
                float jvpValueF = FloatFunctions.TanhRecurrenceFJvp(a, x, va, vx, out float jvF);
                FiniteDifferences.AssertClose(primalF, valueF, 1e-6, where + ", TanhRecurrenceFGradient value vs TanhRecurrenceF");
                FiniteDifferences.AssertClose(primalF, jvpValueF, 1e-6, where + ", TanhRecurrenceFJvp value vs TanhRecurrenceF");
                FiniteDifferences.AssertClose(value, valueF, FloatTolerance, where + ", float vs double value");
                FiniteDifferences.AssertClose(ga, gaF, FloatTolerance, where + ", TanhRecurrenceFGradient vs TanhRecurrenceGradient, grad of a");
                FiniteDifferences.AssertClose(gx, ToDouble(gxF), FloatTolerance, where + ", TanhRecurrenceFGradient vs TanhRecurrenceGradient, grad of x");
                FiniteDifferences.AssertClose(jv, jvF, FloatTolerance, where + ", TanhRecurrenceFJvp vs TanhRecurrenceJvp");
                break;
            }
            case "FloatFunctions.SoftmaxF":
            {
                float[] z = ToFloat(Vec(r, 4, -2, 2));
                float[] v = ToFloat(Vec(r, 4, -1, 1));
                float[] u = ToFloat(Vec(r, 4, -1, 1));
                double[] zd = ToDouble(z);
                double[] primal = new double[4], jv = Garbage(4), output = Garbage(4), jtu = Garbage(4);
                Vectors.Softmax(zd, primal);
                Vectors.SoftmaxJvp(zd, output, ToDouble(v), jv);
                Vectors.SoftmaxVjp(zd, output, ToDouble(u), jtu);
                float[] primalF = new float[4], outputF = ToFloat(Garbage(4)), jvF = ToFloat(Garbage(4)), jtuF = ToFloat(Garbage(4));
                FloatFunctions.SoftmaxF(z, primalF);
                FloatFunctions.SoftmaxFJvp(z, outputF, v, jvF);
                FiniteDifferences.AssertClose(ToDouble(primalF), ToDouble(outputF), 1e-6, where + ", SoftmaxFJvp output vs SoftmaxF");
                FiniteDifferences.AssertClose(jv, ToDouble(jvF), FloatTolerance, where + ", SoftmaxFJvp vs SoftmaxJvp");
                outputF = ToFloat(Garbage(4));
                FloatFunctions.SoftmaxFVjp(z, outputF, u, jtuF);
                FiniteDifferences.AssertClose(ToDouble(primalF), ToDouble(outputF), 1e-6, where + ", SoftmaxFVjp output vs SoftmaxF");
                FiniteDifferences.AssertClose(primal, ToDouble(outputF), FloatTolerance, where + ", float vs double output");
                FiniteDifferences.AssertClose(jtu, ToDouble(jtuF), FloatTolerance, where + ", SoftmaxFVjp vs SoftmaxVjp");
                break;
            }
            default:
                throw new ArgumentException($"no float case for {method}", nameof(method));
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Coverage of the corpus
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Every_corpus_method_has_a_case()
    {
        string[] declared = typeof(ScalarBasics).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(ScalarBasics).Namespace || t.Namespace == typeof(Mlp).Namespace) // the corpus and the shared MLP
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.IsDefined(typeof(DifferentiableAttribute), inherit: false))
                .Select(m => $"{t.Name}.{m.Name}"))
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
        string[] covered = s_scalarCases.Keys.Concat(s_vectorCases.Keys).Concat(s_floatMethods)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(covered, declared);
        Assert.True(declared.Length >= 35, $"the corpus has {declared.Length} methods; at least 32 double and 3 float expected");
    }

    // ------------------------------------------------------------------------------------------------
    // The cases. θ layout = Wrt inputs in declaration order; S(t, start, length) is a span view of θ,
    // A(t, start, length) a copy for double[] parameters.
    // ------------------------------------------------------------------------------------------------

    private static readonly Dictionary<string, Func<Random, int, ScalarCase>> s_scalarCases = new()
    {
        ["ScalarBasics.Polynomial"] = (r, _) => new(
            [U(r, -1.5, 1.5), U(r, -1.5, 1.5)],
            t => ScalarBasics.Polynomial(t[0], t[1]),
            (t, g) => ScalarBasics.PolynomialGradient(t[0], t[1], out g[0], out g[1]),
            (t, v) => (ScalarBasics.PolynomialJvp(t[0], t[1], v[0], v[1], out double jv), jv)),

        ["ScalarBasics.UnaryMinus"] = (r, _) =>
        {
            double c = U(r, -1, 1);
            return new(
                [U(r, -1, 1), U(r, -1, 1)],
                t => ScalarBasics.UnaryMinus(t[0], t[1], c),
                (t, g) => ScalarBasics.UnaryMinusGradient(t[0], t[1], c, out g[0], out g[1]),
                (t, v) => (ScalarBasics.UnaryMinusJvp(t[0], t[1], c, v[0], v[1], out double jv), jv));
        },

        ["ScalarBasics.Elementary"] = (r, _) => new(
            [U(r, 0.3, 1.2)],
            t => ScalarBasics.Elementary(t[0]),
            (t, g) => ScalarBasics.ElementaryGradient(t[0], out g[0]),
            (t, v) => (ScalarBasics.ElementaryJvp(t[0], v[0], out double jv), jv)),

        ["ScalarBasics.Hyperbolic"] = (r, _) => new(
            [U(r, -1, 1), U(r, -1, 1)],
            t => ScalarBasics.Hyperbolic(t[0], t[1]),
            (t, g) => ScalarBasics.HyperbolicGradient(t[0], t[1], out g[0], out g[1]),
            (t, v) => (ScalarBasics.HyperbolicJvp(t[0], t[1], v[0], v[1], out double jv), jv)),

        // x in [1.6, 2.2], y in [0.3, 0.7]: y − x < −0.9, x·y > 0.48, x − 2y > 0.2, x·y < 3 − 1.4, y < x, y² > −x.
        ["ScalarBasics.PowAbsMaxMin"] = (r, _) => new(
            [U(r, 1.6, 2.2), U(r, 0.3, 0.7)],
            t => ScalarBasics.PowAbsMaxMin(t[0], t[1]),
            (t, g) => ScalarBasics.PowAbsMaxMinGradient(t[0], t[1], out g[0], out g[1]),
            (t, v) => (ScalarBasics.PowAbsMaxMinJvp(t[0], t[1], v[0], v[1], out double jv), jv)),

        ["ScalarBasics.CompoundAssignments"] = (r, _) => new(
            [U(r, -1, 1), U(r, -0.8, 0.8)],
            t => ScalarBasics.CompoundAssignments(t[0], t[1]),
            (t, g) => ScalarBasics.CompoundAssignmentsGradient(t[0], t[1], out g[0], out g[1]),
            (t, v) => (ScalarBasics.CompoundAssignmentsJvp(t[0], t[1], v[0], v[1], out double jv), jv)),

        ["ScalarBasics.IntParameters"] = (r, _) =>
        {
            const int n = 6;
            int k = r.Next(n);
            return new(
                [U(r, -1, 1)],
                t => ScalarBasics.IntParameters(t[0], n, k),
                (t, g) => ScalarBasics.IntParametersGradient(t[0], n, k, out g[0]),
                (t, v) => (ScalarBasics.IntParametersJvp(t[0], n, k, v[0], out double jv), jv));
        },

        ["ScalarBasics.AffineIteration"] = (r, _) =>
        {
            const int steps = 12;
            return new(
                [U(r, 0.5, 0.9), U(r, -1, 1), U(r, -1, 1)],
                t => ScalarBasics.AffineIteration(t[0], t[1], t[2], steps),
                (t, g) => ScalarBasics.AffineIterationGradient(t[0], t[1], t[2], steps, out g[0], out g[1], out g[2]),
                (t, v) => (ScalarBasics.AffineIterationJvp(t[0], t[1], t[2], steps, v[0], v[1], v[2], out double jv), jv));
        },

        ["ScalarBasics.SelfProducts"] = (r, _) => new(
            [U(r, -1.2, 1.2)],
            t => ScalarBasics.SelfProducts(t[0]),
            (t, g) => ScalarBasics.SelfProductsGradient(t[0], out g[0]),
            (t, v) => (ScalarBasics.SelfProductsJvp(t[0], v[0], out double jv), jv)),

        ["ScalarBasics.ManyPaths"] = (r, _) => new(
            [U(r, -1, 1), U(r, -1, 1)],
            t => ScalarBasics.ManyPaths(t[0], t[1]),
            (t, g) => ScalarBasics.ManyPathsGradient(t[0], t[1], out g[0], out g[1]),
            (t, v) => (ScalarBasics.ManyPathsJvp(t[0], t[1], v[0], v[1], out double jv), jv)),

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
                (t, v) => (ControlFlow.ConditionalJvp(t[0], t[1], flip, v[0], v[1], out double jv), jv));
        },

        // The seed picks the branch of the chain: x > 0.5, x < −0.5, |x| < 0.5 (margin ≥ 0.1).
        ["ControlFlow.IfChain"] = (r, seed) => new(
            [(seed % 3) switch { 0 => U(r, 0.6, 1.5), 1 => U(r, -1.2, -0.6), _ => U(r, -0.4, 0.4) }, Signed(r, 0.2, 1.0)],
            t => ControlFlow.IfChain(t[0], t[1]),
            (t, g) => ControlFlow.IfChainGradient(t[0], t[1], out g[0], out g[1]),
            (t, v) => (ControlFlow.IfChainJvp(t[0], t[1], v[0], v[1], out double jv), jv)),

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
            (t, v) => (ControlFlow.EarlyReturnJvp(t[0], t[1], v[0], v[1], out double jv), jv)),

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
                (t, v) => (ControlFlow.PiecewiseSumJvp(t, threshold, v, out double jv), jv));
        },

        ["ScalarSpans.SumOfSquares"] = (r, _) => new(
            Vec(r, 5, -2, 2),
            t => ScalarSpans.SumOfSquares(t),
            (t, g) => ScalarSpans.SumOfSquaresGradient(t, g),
            (t, v) => (ScalarSpans.SumOfSquaresJvp(t, v, out double jv), jv)),

        ["ScalarSpans.Rosenbrock"] = (r, _) => new(
            Vec(r, 6, -1.2, 1.2),
            t => ScalarSpans.Rosenbrock(t),
            (t, g) => ScalarSpans.RosenbrockGradient(t, g),
            (t, v) => (ScalarSpans.RosenbrockJvp(t, v, out double jv), jv)),

        ["ScalarSpans.QuadraticForm"] = (r, _) =>
        {
            const int d = 4;
            double[] a = Vec(r, d * d, -1, 1);
            return new(
                Vec(r, d, -1, 1),
                t => ScalarSpans.QuadraticForm(t, a, d),
                (t, g) => ScalarSpans.QuadraticFormGradient(t, a, d, g),
                (t, v) => (ScalarSpans.QuadraticFormJvp(t, a, d, v, out double jv), jv));
        },

        // θ = [p (5), scale].
        ["ScalarSpans.BackwardDifferences"] = (r, _) => new(
            Vec(r, 7, -1.2, 1.2),
            t => ScalarSpans.BackwardDifferences(t),
            (t, g) => ScalarSpans.BackwardDifferencesGradient(t, g),
            (t, v) => (ScalarSpans.BackwardDifferencesJvp(t, v, out double jv), jv)),

        ["ScalarSpans.Laplacian"] = (r, _) => new(
            Vec(r, 7, -1.2, 1.2),
            t => ScalarSpans.Laplacian(t),
            (t, g) => ScalarSpans.LaplacianGradient(t, g),
            (t, v) => (ScalarSpans.LaplacianJvp(t, v, out double jv), jv)),

        // θ = [x (17), y (17)]: 17 runs Dot2's vector loop and its scalar tail.
        ["ScalarSpans.PairedDots"] = (r, _) => new(
            Vec(r, 34, -0.6, 0.6),
            t => ScalarSpans.PairedDots(A(t, 0, 17), A(t, 17, 17)),
            (t, g) => ScalarSpans.PairedDotsGradient(A(t, 0, 17), A(t, 17, 17), S(g, 0, 17), S(g, 17, 17)),
            (t, v) => (ScalarSpans.PairedDotsJvp(A(t, 0, 17), A(t, 17, 17), S(v, 0, 17), S(v, 17, 17), out double jv), jv)),

        // θ = [x (6), y (6)].
        ["ScalarSpans.CoupledChain"] = (r, _) => new(
            Vec(r, 12, -1.2, 1.2),
            t => ScalarSpans.CoupledChain(A(t, 0, 6), A(t, 6, 6)),
            (t, g) => ScalarSpans.CoupledChainGradient(A(t, 0, 6), A(t, 6, 6), S(g, 0, 6), S(g, 6, 6)),
            (t, v) => (ScalarSpans.CoupledChainJvp(A(t, 0, 6), A(t, 6, 6), S(v, 0, 6), S(v, 6, 6), out double jv), jv)),

        ["ScalarSpans.WeightedCosine"] = (r, _) =>
        {
            double[] q = Vec(r, 5, -1, 1);
            return new(
                Cat(Vec(r, 5, -1.5, 1.5), [U(r, 0.5, 1.5)]),
                t => ScalarSpans.WeightedCosine(A(t, 0, 5), q, t[5]),
                (t, g) => ScalarSpans.WeightedCosineGradient(A(t, 0, 5), q, t[5], S(g, 0, 5), out g[5]),
                (t, v) => (ScalarSpans.WeightedCosineJvp(A(t, 0, 5), q, t[5], S(v, 0, 5), v[5], out double jv), jv));
        },

        // θ = [a (4), b (5), c]; b[0] never reaches the result.
        ["ScalarSpans.ReversedExp"] = (r, _) => new(
            Cat(Vec(r, 4, -1, 1), Vec(r, 5, -1, 1), [U(r, -1, 1)]),
            t => ScalarSpans.ReversedExp(A(t, 0, 4), S(t, 4, 5), t[9]),
            (t, g) => ScalarSpans.ReversedExpGradient(A(t, 0, 4), S(t, 4, 5), t[9], S(g, 0, 4), S(g, 4, 5), out g[9]),
            (t, v) => (ScalarSpans.ReversedExpJvp(A(t, 0, 4), S(t, 4, 5), t[9], S(v, 0, 4), S(v, 4, 5), v[9], out double jv), jv)),

        // Odd length: the last element is never read.
        ["ScalarSpans.StridedPairs"] = (r, _) => new(
            Vec(r, 7, -1.5, 1.5),
            t => ScalarSpans.StridedPairs(t),
            (t, g) => ScalarSpans.StridedPairsGradient(t, g),
            (t, v) => (ScalarSpans.StridedPairsJvp(t, v, out double jv), jv)),

        ["ScalarSpans.Convolution"] = (r, _) =>
        {
            const int stride = 2;
            double[] x = Vec(r, 10, -1, 1);
            return new(
                Vec(r, 3, -1, 1),
                t => ScalarSpans.Convolution(t, x, stride),
                (t, g) => ScalarSpans.ConvolutionGradient(t, x, stride, g),
                (t, v) => (ScalarSpans.ConvolutionJvp(t, x, stride, v, out double jv), jv));
        },

        ["ScalarSpans.LogSumExp"] = (r, _) => new(
            Vec(r, 5, -2, 2),
            t => ScalarSpans.LogSumExp(t),
            (t, g) => ScalarSpans.LogSumExpGradient(t, g),
            (t, v) => (ScalarSpans.LogSumExpJvp(t, v, out double jv), jv)),

        ["Scratch.ScratchArray"] = (r, _) => new(
            Vec(r, 5, -1, 1),
            t => Scratch.ScratchArray(t),
            (t, g) => Scratch.ScratchArrayGradient(t, g),
            (t, v) => (Scratch.ScratchArrayJvp(t, v, out double jv), jv)),

        // x.Length = n + iterations.
        ["Scratch.StackallocIterations"] = (r, _) =>
        {
            const int n = 4, iterations = 3;
            return new(
                Vec(r, n + iterations, -1, 1),
                t => Scratch.StackallocIterations(t, n, iterations),
                (t, g) => Scratch.StackallocIterationsGradient(t, n, iterations, g),
                (t, v) => (Scratch.StackallocIterationsJvp(t, n, iterations, v, out double jv), jv));
        },

        // θ = [a, x (6)].
        ["Scratch.TanhRecurrence"] = (r, _) => new(
            Cat([U(r, -1.5, 1.5)], Vec(r, 6, -1, 1)),
            t => Scratch.TanhRecurrence(t[0], S(t, 1, 6)),
            (t, g) => Scratch.TanhRecurrenceGradient(t[0], S(t, 1, 6), out g[0], S(g, 1, 6)),
            (t, v) => (Scratch.TanhRecurrenceJvp(t[0], S(t, 1, 6), v[0], S(v, 1, 6), out double jv), jv)),

        // w = hidden² recurrent + hidden input + hidden readout weights.
        ["Scratch.RnnLastState"] = (r, _) =>
        {
            const int hidden = 3;
            double[] xs = Vec(r, 5, -1, 1);
            return new(
                Vec(r, hidden * hidden + 2 * hidden, -0.8, 0.8),
                t => Scratch.RnnLastState(t, xs, hidden),
                (t, g) => Scratch.RnnLastStateGradient(t, xs, hidden, g),
                (t, v) => (Scratch.RnnLastStateJvp(t, xs, hidden, v, out double jv), jv));
        },

        ["Helpers.Softplus"] = (r, _) => new(
            [U(r, -3, 3)],
            t => Helpers.Softplus(t[0]),
            (t, g) => Helpers.SoftplusGradient(t[0], out g[0]),
            (t, v) => (Helpers.SoftplusJvp(t[0], v[0], out double jv), jv)),

        ["HelperCalls.Square"] = (r, _) => new(
            [U(r, -2, 2)],
            t => HelperCalls.Square(t[0]),
            (t, g) => HelperCalls.SquareGradient(t[0], out g[0]),
            (t, v) => (HelperCalls.SquareJvp(t[0], v[0], out double jv), jv)),

        // θ = [x (5), b].
        ["HelperCalls.SoftplusSum"] = (r, _) => new(
            Cat(Vec(r, 5, -1, 1), [U(r, -1, 1)]),
            t => HelperCalls.SoftplusSum(S(t, 0, 5), t[5]),
            (t, g) => HelperCalls.SoftplusSumGradient(S(t, 0, 5), t[5], S(g, 0, 5), out g[5]),
            (t, v) => (HelperCalls.SoftplusSumJvp(S(t, 0, 5), t[5], S(v, 0, 5), v[5], out double jv), jv)),

        // θ = [x (4), b].
        ["HelperCalls.PartialCallee"] = (r, _) => new(
            Cat(Vec(r, 4, -1, 1), [U(r, -1, 1)]),
            t => HelperCalls.PartialCallee(S(t, 0, 4), t[4]),
            (t, g) => HelperCalls.PartialCalleeGradient(S(t, 0, 4), t[4], S(g, 0, 4), out g[4]),
            (t, v) => (HelperCalls.PartialCalleeJvp(S(t, 0, 4), t[4], S(v, 0, 4), v[4], out double jv), jv)),

        ["HelperCalls.Bump"] = (r, _) => new(
            [U(r, -2, 2), U(r, -1, 1)],
            t => HelperCalls.Bump(t[0], t[1]),
            (t, g) => HelperCalls.BumpGradient(t[0], t[1], out g[0], out g[1]),
            (t, v) => (HelperCalls.BumpJvp(t[0], t[1], v[0], v[1], out double jv), jv)),

        // w = width rows of (x.Length + 1).
        ["HelperCalls.DenseTanhSum"] = (r, _) =>
        {
            const int width = 3;
            double[] x = Vec(r, 4, -1, 1);
            return new(
                Vec(r, width * (x.Length + 1), -1, 1),
                t => HelperCalls.DenseTanhSum(t, x, width),
                (t, g) => HelperCalls.DenseTanhSumGradient(t, x, width, g),
                (t, v) => (HelperCalls.DenseTanhSumJvp(t, x, width, v, out double jv), jv));
        },
    };

    private static readonly Dictionary<string, Func<Random, int, VectorCase>> s_vectorCases = new()
    {
        // θ = [w (1 unused + 2 rows of 4), x (3)]; offset 1.
        ["Helpers.Dense"] = (r, _) => new(
            Cat(Vec(r, 9, -1, 1), Vec(r, 3, -1, 1)), 2,
            (t, o) => Helpers.Dense(S(t, 0, 9), 1, S(t, 9, 3), o),
            (t, v, o, ot) => Helpers.DenseJvp(S(t, 0, 9), 1, S(t, 9, 3), o, S(v, 0, 9), S(v, 9, 3), ot),
            (t, u, o, g) => Helpers.DenseVjp(S(t, 0, 9), 1, S(t, 9, 3), o, u, S(g, 0, 9), S(g, 9, 3))),

        ["Vectors.Elementwise"] = (r, _) => new(
            Vec(r, 5, -1.5, 1.5), 5,
            (t, o) => Vectors.Elementwise(t, o),
            (t, v, o, ot) => Vectors.ElementwiseJvp(t, o, v, ot),
            (t, u, o, g) => Vectors.ElementwiseVjp(t, o, u, g)),

        // θ = [a (3 × 4), x (4)].
        ["Vectors.MatVecTanh"] = (r, _) => new(
            Vec(r, 16, -1, 1), 3,
            (t, o) => Vectors.MatVecTanh(S(t, 0, 12), S(t, 12, 4), o),
            (t, v, o, ot) => Vectors.MatVecTanhJvp(S(t, 0, 12), S(t, 12, 4), o, S(v, 0, 12), S(v, 12, 4), ot),
            (t, u, o, g) => Vectors.MatVecTanhVjp(S(t, 0, 12), S(t, 12, 4), o, u, S(g, 0, 12), S(g, 12, 4))),

        ["Vectors.Softmax"] = (r, _) => new(
            Vec(r, 4, -2, 2), 4,
            (t, o) => Vectors.Softmax(t, o),
            (t, v, o, ot) => Vectors.SoftmaxJvp(t, o, v, ot),
            (t, u, o, g) => Vectors.SoftmaxVjp(t, o, u, g)),

        // θ = [r, angle]; withSquare alternates with the seed (false takes the early return).
        ["Vectors.RadialFeatures"] = (r, seed) =>
        {
            bool withSquare = seed % 2 == 1;
            return new(
                [U(r, 0.5, 2.0), U(r, -1, 1)], 3,
                (t, o) => Vectors.RadialFeatures(t[0], t[1], withSquare, o),
                (t, v, o, ot) => Vectors.RadialFeaturesJvp(t[0], t[1], withSquare, o, v[0], v[1], ot),
                (t, u, o, g) => Vectors.RadialFeaturesVjp(t[0], t[1], withSquare, o, u, out g[0], out g[1]));
        },

        // θ = [s, p (4)]; square alternates with the seed.
        ["Vectors.Mixed"] = (r, seed) =>
        {
            bool square = seed % 2 == 0;
            double[] x = Vec(r, 4, -1, 1);
            return new(
                Cat([U(r, 0.5, 1.5)], Vec(r, 4, -1, 1)), 4,
                (t, o) => Vectors.Mixed(t[0], x, A(t, 1, 4), square, o),
                (t, v, o, ot) => Vectors.MixedJvp(t[0], x, A(t, 1, 4), square, o, v[0], S(v, 1, 4), ot),
                (t, u, o, g) => Vectors.MixedVjp(t[0], x, A(t, 1, 4), square, o, u, out g[0], S(g, 1, 4)));
        },

        // θ = [x (5), decay].
        ["Vectors.Scan"] = (r, _) => new(
            Cat(Vec(r, 5, -1, 1), [U(r, 0.3, 0.9)]), 5,
            (t, o) => Vectors.Scan(S(t, 0, 5), t[5], o),
            (t, v, o, ot) => Vectors.ScanJvp(S(t, 0, 5), t[5], o, S(v, 0, 5), v[5], ot),
            (t, u, o, g) => Vectors.ScanVjp(S(t, 0, 5), t[5], o, u, S(g, 0, 5), out g[5])),

        // d = 3 inputs, 4 hidden units, C = 2 outputs: w has 4·(3 + 1) + 2·(4 + 1) = 26 entries.
        ["Mlp.Forward"] = (r, _) =>
        {
            double[] x = Vec(r, 3, -1, 1);
            return new(
                Vec(r, 26, -1, 1), 2,
                (t, o) => Mlp.Forward(t, x, o),
                (t, v, o, ot) => Mlp.ForwardJvp(t, x, o, v, ot),
                (t, u, o, g) => Mlp.ForwardVjp(t, x, o, u, g));
        },

        ["Mlp.ForwardWithHelpers"] = (r, _) =>
        {
            const int hidden = 4;
            double[] x = Vec(r, 3, -1, 1);
            return new(
                Vec(r, 26, -1, 1), 2,
                (t, o) => Mlp.ForwardWithHelpers(t, x, hidden, o),
                (t, v, o, ot) => Mlp.ForwardWithHelpersJvp(t, x, hidden, o, v, ot),
                (t, u, o, g) => Mlp.ForwardWithHelpersVjp(t, x, hidden, o, u, g));
        },
    };

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    private static ScalarCase Scalar(string method, int seed) => s_scalarCases[method](NewRandom(method, seed), seed);

    private static VectorCase Vector(string method, int seed) => s_vectorCases[method](NewRandom(method, seed), seed);

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
        string name = method[(method.IndexOf('.') + 1)..] + member.Replace("/", "/" + method[(method.IndexOf('.') + 1)..]);
        return $"{method}: {name} at seed {seed}, θ = [{FiniteDifferences.Join(theta)}]";
    }
}
