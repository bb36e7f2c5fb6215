using System;
using System.Linq;
using AutoCurv.Generator.Tests.Infrastructure;
using Xunit;

namespace AutoCurv.Generator.Tests.Fuzz;

/// <summary>
/// Programs the fuzzer found failing, reduced to minimal sources and kept as regression tests. Each runs through the
/// same checks as the fuzzer (<see cref="FuzzRunner.RunPrograms"/>) or checks one exact value. Tests of bugs that are
/// not fixed yet are skipped with the bug in the reason; remove the skip once the generator is fixed.
/// Also run the inputs of a fuzz failure by pasting its printed members into <see cref="FuzzProgram"/> (sizes and seed
/// are printed with it).
/// </summary>
public sealed class FuzzRegressionTests
{
    /// <summary>
    /// Reverse sweep: a recorded branch decision (an if whose condition reads a variable its body writes) is pushed
    /// on the int stack BEFORE the branch body runs and popped BEFORE the body is reversed, so any int-stack push made
    /// inside the body (a nested recorded if, a recorded int local) is popped in its place: the reverse sweep takes the
    /// wrong branch. Gradient, Vjp, Hvp, Hessians and every loss member are wrong; Jvp is right.
    /// Fix: push the decision at the end of each branch (then it is on top when the reverse sweep reaches the if).
    /// Found by the fuzzer: seed 20250607 programs 119, 157, 482, 485; 57 of 5,000 programs in the long run.
    /// Fixed in e9cbab1 (the decision is recorded at the end of the branch); the tests below keep it fixed.
    /// </summary>
    public const string NestedRecordedBranches =
        "a recorded if-decision pushed before its body and popped before the body's own int-stack pushes (nested recorded if / recorded int local)";

    /// <summary>
    /// Math.Pow(u, e) with an exponent that is not a literal (an int parameter, a loop counter): the rules use
    /// e·u^(e−1) and e(e−1)·u^(e−2) unconditionally, so at u = 0 they give 0·∞ = NaN where the derivative is 0:
    /// the gradient for e = 0 and every second-order member for e = 1. (Literal exponents 0, 1, 2 are special-cased.)
    /// Found by the fuzzer (seed 20250607, program 1312 of the 5,000-program run). Fixed in e9cbab1.
    /// </summary>
    public const string PowAtZeroBase =
        "Math.Pow(u, e) with a non-literal exponent e ∈ {0, 1} at u = 0 gave NaN derivatives (0·u^(e−1) / 0·u^(e−2))";

    private static FuzzProgram Scalar(string members, int xLength = 2, int n = 1, int seed = 1) =>
        new("F1", FuzzKind.Scalar, seed, 1, members, n, xLength, 0, 0);

    private static FuzzProgram Vector(string members, int wLength = 3, int xLength = 2, int outputLength = 2, int seed = 1) =>
        new("G1", FuzzKind.Vector, seed, 1, members, 0, xLength, wLength, outputLength);

    private static void AssertPasses(params FuzzProgram[] programs)
    {
        var result = FuzzRunner.RunPrograms(programs, "Regression");
        Assert.True(result.Failures.Count == 0, string.Join("\n", result.Failures.Select(f => f.ToString())));
        Assert.True(result.Comparisons > 0, result.Summary);
    }

    /// <summary>Minimal: the outer decision (v &gt; −10, always true) is popped as the inner one (v &gt; 100, always false).</summary>
    [Fact]
    public void Nested_recorded_ifs() => AssertPasses(Scalar("""
            [Differentiable]
            public static double F1([Wrt] ReadOnlySpan<double> x, [Wrt] double s, int n)
            {
                double v = s;
                if (v > -10.0)
                {
                    v = 2.0 * s;
                    if (v > 100.0)
                    {
                        v = 0.0;
                    }
                }
                return v + x[0];
            }
        """));

    /// <summary>Minimal: inside a loop, a recorded branch whose body writes an int local the reverse sweep needs (an index).</summary>
    [Fact]
    public void Recorded_if_writing_an_int_local() => AssertPasses(Scalar("""
            [Differentiable]
            public static double F1([Wrt] ReadOnlySpan<double> x, [Wrt] double s, int n)
            {
                Span<double> t = stackalloc double[3];
                double v = s;
                for (int i = 0; i < 3; i++)
                {
                    if (v > -10.0)
                    {
                        v = Math.Tanh(v * s + x[0]);
                        int m = i + 1;
                        t[m % 3] += v * x[1];
                    }
                }
                return v + t[0] + t[1] * t[2];
            }
        """, xLength: 2));

    /// <summary>The fuzzer's G8 (seed 2083221979, early version of the generator), reduced: the same bug in a vector function.</summary>
    [Fact]
    public void Vector_function_with_a_recorded_if_in_a_loop() => AssertPasses(Vector("""
            [Differentiable]
            public static void G1([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
            {
                double[] t0 = new double[3];
                for (int i = 0; i < output.Length; i++)
                {
                    output[i] = w[i % w.Length] * x[0];
                }
                for (int i = w.Length - 1; i >= 0; i--)
                {
                    if (t0[0] * 2 >= Math.Atan(x[i % x.Length]) - 5.0)
                    {
                        output[i % output.Length] = 0.5 * output[i % output.Length] + Math.Sin(w[i]);
                    }
                    else
                    {
                        int m = 2 + 1;
                        output[0] /= 2.0 + Math.Tanh(w[0] + x[0]);
                        t0[m % t0.Length] = Math.Tanh(w[i]);
                    }
                    t0[0] = -10.0;
                }
            }
        """, wLength: 4, xLength: 2, outputLength: 2));

    /// <summary>The fuzzer's F1312 (seed 756046315), reduced: Pow(sin(t), n) with t a scratch element that stays 0, n = 1.</summary>
    [Fact]
    public void Pow_with_int_parameter_exponent_one_at_zero_base() => AssertPasses(Scalar("""
            [Differentiable]
            public static double F1([Wrt] ReadOnlySpan<double> x, [Wrt] double s, int n)
            {
                Span<double> t = stackalloc double[1];
                t[0] *= x[0];
                return s + Math.Pow(t[0], n);
            }
        """, n: 1));

    /// <summary>A polynomial Σ c_k x^k written with Math.Pow(x, k): at x = 0 its derivative is c_1, its second derivative 2c_2.</summary>
    [Fact]
    public void Polynomial_with_loop_counter_exponent_at_zero()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using AutoCurv;

            namespace R;

            public static partial class C
            {
                [Differentiable]
                public static double Poly(ReadOnlySpan<double> c, [Wrt] double x)
                {
                    double s = 0;
                    for (int k = 0; k < c.Length; k++) s += c[k] * Math.Pow(x, k);
                    return s;
                }

                public static double Derivative(double[] c, double x) { PolyGradient(c, x, out double g); return g; }

                public static double Second(double[] c, double x) { PolyHessianDiagonal(c, x, out double d); return d; }
            }
            """);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        using var loaded = GeneratorHarness.EmitAndLoad(run.OutputCompilation);
        double[] c = { 0.5, 3.0, -2.0, 1.0 };
        Assert.Equal(3.0, (double)loaded.Invoke("R.C", "Derivative", c, 0.0)!, 12);
        Assert.Equal(-4.0, (double)loaded.Invoke("R.C", "Second", c, 0.0)!, 12);
    }

    /// <summary>Control: the same shapes without the trigger pass (the checker itself is sound on them).</summary>
    [Fact]
    public void Controls_without_the_triggers_pass() => AssertPasses(
        Scalar("""
            [Differentiable]
            public static double F1([Wrt] ReadOnlySpan<double> x, [Wrt] double s, int n)
            {
                double v = s;
                if (v > -10.0)
                {
                    v = 2.0 * s;
                }
                if (v > 100.0)
                {
                    v = 0.0;
                }
                return v * x[0] + Math.Pow(x[1], n) + Math.Pow(v, 2.0);
            }
        """, n: 3));
}
