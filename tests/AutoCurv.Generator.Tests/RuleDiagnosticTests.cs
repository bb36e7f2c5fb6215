using System;
using System.Linq;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// Diagnostics of [DerivativeOf] tangent rules: AC0022 (the rule does not match its function, or is not one
/// expression) and AC0023 (the rule is not linear in its tangents), both at the rule's name; AC0012 at a call to a
/// function that has no rule. Every case also checks the generator does not throw.
/// </summary>
public sealed class RuleDiagnosticTests
{
    /// <summary>A source with a function F(x), a rule for it (<paramref name="rule"/>), and a [Differentiable] caller.</summary>
    private static string Source(string rule, string function = "public static double F(double x) => Math.Log(1.0 + Math.Exp(x));") => $$"""
        using System;
        using AutoCurv;

        namespace Sample;

        public static partial class Act
        {
            {{function}}

            {{rule}}
        }

        public static partial class Net
        {
            [Differentiable]
            public static double Use([Wrt] ReadOnlySpan<double> x) => Act.F(x[0]) * x[1];
        }
        """;

    private static GeneratorRun RunClean(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Exceptions);
        // CS8785: the generator threw; AC0020: it caught an internal failure of its own.
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id is "CS8785" or "AC0020");
        return run;
    }

    /// <summary>The one diagnostic <paramref name="id"/>; asserts it sits on <paramref name="located"/> in Source0.cs.</summary>
    private static Diagnostic Single(GeneratorRun run, string id, string located)
    {
        Diagnostic[] found = run.GeneratorDiagnostics.Where(d => d.Id == id).ToArray();
        Assert.True(found.Length == 1, $"expected one {id}, got:\n{GeneratorHarness.Format(run.GeneratorDiagnostics)}");
        Diagnostic diagnostic = found[0];
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        // The generator rebuilds locations from equatable data (file path and span), so read the text through the path.
        string path = diagnostic.Location.GetLineSpan().Path;
        SyntaxTree tree = Assert.Single(run.InputCompilation.SyntaxTrees, t => t.FilePath == path);
        Assert.Equal(located, tree.GetText().ToString(diagnostic.Location.SourceSpan));
        return diagnostic;
    }

    private static void MessageHas(Diagnostic diagnostic, params string[] words)
    {
        string message = diagnostic.GetMessage();
        foreach (string word in words) Assert.True(message.Contains(word, StringComparison.Ordinal), $"'{word}' not in: {message}");
    }

    // ---------------------------------------------------------------------------------------------
    // Valid rules: no diagnostics, generated code compiles
    // ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("[DerivativeOf(nameof(F))] public static double FTangent(double x, double dx) => dx / (1.0 + Math.Exp(-x));")]
    [InlineData("[DerivativeOf(nameof(F))] public static double FTangent(double x, double dx) { return dx / (1.0 + Math.Exp(-x)); }")]
    [InlineData("[DerivativeOf(nameof(F))] public static double FTangent(double x, double dx) => x > 0 ? dx : 0.5 * dx * Math.Exp(x);")]
    [InlineData("[DerivativeOf(nameof(F))] public static double FTangent(double x, double dx) => (dx * x - 2.0 * dx) / 3.0 + dx;")]
    public void A_valid_rule_gets_no_diagnostic_and_the_caller_compiles(string rule)
    {
        GeneratorRun run = RunClean(Source(rule));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("AC", StringComparison.Ordinal));
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        Assert.Contains("UseHvp", run.Source("Net.Use.AutoCurv.g.cs"));
    }

    [Fact]
    public void A_valid_rule_for_a_function_of_another_assembly_gets_no_diagnostic()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Sample;

            public static class MathRules
            {
                [DerivativeOf(typeof(Math), nameof(Math.Atan2))]
                public static double Atan2Tangent(double y, double x, double dy, double dx) => (x * dy - y * dx) / (x * x + y * y);
            }

            public static partial class Net
            {
                [Differentiable]
                public static double Use([Wrt] ReadOnlySpan<double> x) => Math.Atan2(x[0], 1.0 + x[1] * x[1]);
            }
            """;
        GeneratorRun run = RunClean(source);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("AC", StringComparison.Ordinal));
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    // ---------------------------------------------------------------------------------------------
    // AC0022: the rule does not match its function
    // ---------------------------------------------------------------------------------------------

    [Fact]
    public void AC0022_odd_parameter_count()
    {
        GeneratorRun run = RunClean(Source("[DerivativeOf(nameof(F))] public static double FTangent(double x) => x;"));
        Diagnostic d = Single(run, "AC0022", "FTangent");
        MessageHas(d, "FTangent", "static, non-generic", "one double tangent per parameter");
    }

    [Fact]
    public void AC0022_parameter_count_of_another_arity()
    {
        // Four parameters describe a two-argument function; F takes one.
        GeneratorRun run = RunClean(Source("[DerivativeOf(nameof(F))] public static double FTangent(double x, double y, double dx, double dy) => dx + dy;"));
        Diagnostic d = Single(run, "AC0022", "FTangent");
        MessageHas(d, "'Sample.Act'", "'F'", "2 double parameter(s)", "FTangent", "4 parameters");
    }

    [Fact]
    public void AC0022_tangent_of_another_type()
    {
        GeneratorRun run = RunClean(Source("[DerivativeOf(nameof(F))] public static double FTangent(double x, float dx) => dx / (1.0 + Math.Exp(-x));"));
        Diagnostic d = Single(run, "AC0022", "FTangent");
        MessageHas(d, "FTangent", "double parameters", "one double tangent per parameter");
    }

    [Fact]
    public void AC0022_return_type_that_is_not_the_element_type()
    {
        GeneratorRun run = RunClean(Source("[DerivativeOf(nameof(F))] public static int FTangent(double x, double dx) => 0;"));
        Diagnostic d = Single(run, "AC0022", "FTangent");
        MessageHas(d, "FTangent", "must return double or float");
    }

    [Fact]
    public void AC0022_ref_tangent()
    {
        GeneratorRun run = RunClean(Source("[DerivativeOf(nameof(F))] public static double FTangent(double x, ref double dx) => dx;"));
        MessageHas(Single(run, "AC0022", "FTangent"), "static, non-generic");
    }

    [Fact]
    public void AC0022_float_rule_for_a_double_function()
    {
        // Element types must agree: a float rule describes a float function, which F is not.
        GeneratorRun run = RunClean(Source("[DerivativeOf(nameof(F))] public static float FTangent(float x, float dx) => dx;"));
        MessageHas(Single(run, "AC0022", "FTangent"), "'Sample.Act'", "'F'", "1 float parameter(s)", "returning float");
    }

    [Fact]
    public void AC0022_missing_target_in_the_same_type()
    {
        GeneratorRun run = RunClean(Source("[DerivativeOf(\"Softplus\")] public static double FTangent(double x, double dx) => dx;"));
        Diagnostic d = Single(run, "AC0022", "FTangent");
        MessageHas(d, "'Sample.Act' has no static function 'Softplus'", "1 double parameter(s)");
        // F itself has no rule now: its call gets AC0012.
        MessageHas(Single(run, "AC0012", "Act.F(x[0])"), "'Sample.Act.F'", "[DerivativeOf]");
    }

    [Fact]
    public void AC0022_missing_target_in_another_assembly()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Sample;

            public static class MathRules
            {
                [DerivativeOf(typeof(Math), "Log11")]
                public static double Log11Tangent(double x, double dx) => dx / x;
            }
            """;
        GeneratorRun run = RunClean(source);
        MessageHas(Single(run, "AC0022", "Log11Tangent"), "'System.Math' has no static function 'Log11'", "Log11Tangent");
    }

    [Fact]
    public void AC0022_instance_rule()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Sample;

            public sealed class Act
            {
                public static double F(double x) => x * x;

                [DerivativeOf(nameof(F))]
                public double FTangent(double x, double dx) => 2.0 * x * dx;
            }
            """;
        GeneratorRun run = RunClean(source);
        MessageHas(Single(run, "AC0022", "FTangent"), "static, non-generic");
    }

    [Fact]
    public void AC0022_block_body_with_two_statements()
    {
        GeneratorRun run = RunClean(Source("[DerivativeOf(nameof(F))] public static double FTangent(double x, double dx) { double s = 1.0 / (1.0 + Math.Exp(-x)); return s * dx; }"));
        Diagnostic d = Single(run, "AC0022", "FTangent");
        MessageHas(d, "FTangent", "single expression", "=> expr", "{ return expr; }");
        // The rule is rejected, so the call to F has no rule.
        Assert.Single(run.GeneratorDiagnostics, x => x.Id == "AC0012");
    }

    [Fact]
    public void AC0022_rule_calling_a_differentiable_method()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Sample;

            public static partial class Act
            {
                public static double F(double x) => Math.Log(1.0 + Math.Exp(x));

                [Differentiable]
                public static double Sigma(double x) => 1.0 / (1.0 + Math.Exp(-x));

                [DerivativeOf(nameof(F))]
                public static double FTangent(double x, double dx) => Sigma(x) * dx;
            }
            """;
        GeneratorRun run = RunClean(source);
        MessageHas(Single(run, "AC0022", "FTangent"), "FTangent", "calls a [Differentiable] method");
    }

    // ---------------------------------------------------------------------------------------------
    // AC0023: the rule is not linear in its tangents
    // ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("dx * dx")]
    [InlineData("Math.Exp(dx)")]
    [InlineData("x * dx + 1.0")]
    [InlineData("x * dx + x")]
    [InlineData("x / dx")]
    [InlineData("Math.Abs(dx)")]
    [InlineData("dx > 0 ? dx : 0.0")]
    public void AC0023_nonlinear_rule(string body)
    {
        GeneratorRun run = RunClean(Source($"[DerivativeOf(nameof(F))] public static double FTangent(double x, double dx) => {body};"));
        Diagnostic d = Single(run, "AC0023", "FTangent");
        MessageHas(d, "'FTangent'", "linear", "(dx)", "Σ ∂f/∂a_k · da_k");
        Assert.DoesNotContain(run.GeneratorDiagnostics, x => x.Id == "AC0022");
    }

    [Fact]
    public void AC0023_names_every_tangent_of_a_two_argument_rule()
    {
        GeneratorRun run = RunClean(Source(
            "[DerivativeOf(nameof(G))] public static double GTangent(double a, double b, double da, double db) => b * da + a * db + da * db;",
            "public static double F(double x) => x; public static double G(double a, double b) => a * b;"));
        MessageHas(Single(run, "AC0023", "GTangent"), "'GTangent'", "(da, db)");
    }

    // ---------------------------------------------------------------------------------------------
    // AC0012: a call to a function with no rule
    // ---------------------------------------------------------------------------------------------

    [Fact]
    public void AC0012_call_to_a_function_without_a_rule()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Sample;

            public static class Act
            {
                public static double Softsign(double x) => x / (1.0 + Math.Abs(x));
            }

            public static partial class Net
            {
                [Differentiable]
                public static double Use([Wrt] ReadOnlySpan<double> x)
                {
                    double s = 0.0;
                    for (int i = 0; i < x.Length; i++) s += Act.Softsign(x[i]);
                    return s;
                }
            }
            """;
        GeneratorRun run = RunClean(source);
        Diagnostic d = Single(run, "AC0012", "Act.Softsign(x[i])");
        MessageHas(d, "'Sample.Act.Softsign'", "[Differentiable]", "[DerivativeOf]");
        // No members are generated for a method that cannot be differentiated, and nothing fails to compile.
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    [Fact]
    public void AC0012_call_to_a_Math_function_without_a_rule()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Sample;

            public static partial class Net
            {
                [Differentiable]
                public static double Use(double x) => Math.Log10(x) + Math.Cbrt(x);
            }
            """;
        GeneratorRun run = RunClean(source);
        Diagnostic[] found = run.GeneratorDiagnostics.Where(d => d.Id == "AC0012").ToArray();
        Assert.Equal(2, found.Length);
        Assert.Contains(found, d => d.GetMessage().Contains("System.Math.Log10", StringComparison.Ordinal));
        Assert.Contains(found, d => d.GetMessage().Contains("System.Math.Cbrt", StringComparison.Ordinal));
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    // ---------------------------------------------------------------------------------------------
    // Generator bugs found while writing these tests: each test states the behaviour the contract asks for
    // ("misuse never yields a silent wrong number"; "code the generator cannot differentiate gets a diagnostic at
    // the offending syntax"; the generated code compiles) and is skipped until the generator is fixed.
    // ---------------------------------------------------------------------------------------------

    [Fact]
    public void Rule_calling_an_unruled_function_of_its_parameter_gets_AC0012_in_the_rule()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace S;

            public static class R
            {
                public static double H(double x) => x;

                [DerivativeOf(typeof(Math), nameof(Math.Log10))]
                public static double Log10Tangent(double x, double dx) => dx / (H(x) * 2.302585092994046);
            }

            public static partial class N
            {
                [Differentiable]
                public static double U([Wrt] ReadOnlySpan<double> x) => Math.Log10(x[0]) * x[1];
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "AC0020");
        // Reported in the rule at H(x); the broken rule is not used, so the call of Math.Log10 is reported too.
        var inRule = run.GeneratorDiagnostics.Where(d => d.Id == "AC0012" && d.GetMessage().Contains("'S.R.H'", StringComparison.Ordinal)).ToArray();
        var diagnostic = Assert.Single(inRule);
        string path = diagnostic.Location.GetLineSpan().Path;
        SyntaxTree tree = Assert.Single(run.InputCompilation.SyntaxTrees, t => t.FilePath == path);
        Assert.Equal("H(x)", tree.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "AC0012" && d.GetMessage().Contains("System.Math.Log10", StringComparison.Ordinal));
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    [Fact]
    public void Two_rules_for_one_function_get_a_diagnostic()
    {
        GeneratorRun run = GeneratorHarness.Run(Source(
            "[DerivativeOf(nameof(F))] public static double FTangent(double x, double dx) => dx / (1.0 + Math.Exp(-x));\n" +
            "    [DerivativeOf(nameof(F))] public static double FTangent2(double x, double dx) => 2.0 * dx;"));
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "AC0022" && d.GetMessage().Contains("FTangent", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_beside_a_differentiable_function_wins_over_inlining_it()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace S;

            public static partial class A
            {
                [Differentiable]
                public static double F(double x) => x * x;

                [DerivativeOf(nameof(F))]
                public static double FTangent(double x, double dx) => 2.0 * x * dx;

                [Differentiable]
                public static double G([Wrt] double x) => F(x) + 1.0;
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("AC", StringComparison.Ordinal));
        string g = run.GeneratedSources.Single(kv => kv.Key.Contains(".G.", StringComparison.Ordinal)).Value;
        Assert.Contains("global::S.A.F(x)", g, StringComparison.Ordinal);   // called through its rule
        Assert.DoesNotContain("_F1_", g, StringComparison.Ordinal);        // not inlined
    }

    [Theory]
    [InlineData("public static double HuberLoss(double x) => x;")]
    [InlineData("public struct HuberLoss { }")]
    public void Loss_struct_name_collision_gets_AC0013(string member)
    {
        string source = $$"""
            using System;
            using AutoCurv;

            namespace S;

            public static partial class L
            {
                [Differentiable]
                public static double Huber([Wrt] ReadOnlySpan<double> output, ReadOnlySpan<double> target) => output[0] * output[0];

                {{member}}
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "AC0013");
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    [Fact]
    public void Sampler_of_the_wrong_shape_does_not_break_the_build()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace S;

            public static partial class L
            {
                [Differentiable]
                public static double Sq([Wrt] ReadOnlySpan<double> output, ReadOnlySpan<double> target) => output[0] * output[0];

                public static void SqSample(ReadOnlySpan<double> output, ref int random, Span<double> target) { }
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "AC0024");
        Assert.Contains("ref RandomSource random", diagnostic.GetMessage(), StringComparison.Ordinal);
    }
}
