using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Differentiation;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// The generator never throws. An internal failure of a stage becomes AC0020 on the method (tested by calling the
/// differentiate stage directly with IR it rejects), and awkward or half-written sources run through the whole
/// pipeline without an exception and without adding compile errors to those the input already has.
/// </summary>
public sealed class RobustnessTests
{
    // ------------------------------------------------------------------ (a) internal failures become AC0020

    private static readonly LocationInfo s_location =
        new("Net.cs", new TextSpan(120, 1), new LinePositionSpan(new LinePosition(7, 25), new LinePosition(7, 26)));

    /// <summary>A hand-built spec of <c>double F(x)</c> whose body is <paramref name="statements"/> between <c>_result = 0</c> and <c>_result = ...</c>.</summary>
    private static MethodSpec Spec(bool spanInput, params Stmt[] statements)
    {
        string declared = spanInput ? "global::System.ReadOnlySpan<double>" : "double";
        var input = new IrParam("x", IrType.Real, spanInput ? ParamShape.Span : ParamShape.Scalar, IsOutput: false, declared);
        Expr value = spanInput ? new Elem("x", Lit.Int(0), IrType.Real) : new Var("x", IrType.Real);
        var body = new List<Stmt> { new Declare("_result", IrType.Real, Lit.Zero) };
        body.AddRange(statements);
        body.Add(new Assign(new Var("_result", IrType.Real), new Binary(BinaryOp.Multiply, value, value)));
        var primal = new IrFunction(new[] { input }.ToEquatableArray(), new Block(body.ToEquatableArray()), "_result");
        return new MethodSpec(
            "Sample",
            new[] { new ContainingType("class", "Net", "static partial") }.ToEquatableArray(),
            "F",
            "public",
            IsFloat: false,
            IsVector: false,
            new[] { new SourceParam("x", spanInput ? SourceParamKind.RealSpan : SourceParamKind.RealScalar, IsWrt: true, declared) }.ToEquatableArray(),
            primal,
            "Sample.Net.F.AutoCurv.g.cs",
            s_location);
    }

    /// <summary>IR that parsing never produces and some transform rejects, by name.</summary>
    private static MethodSpec FailingSpec(string kind) => kind switch
    {
        // An assignment whose target is a literal: activity analysis and every transform ask for the target's name.
        "assign-to-literal" => Spec(false, new Assign(Lit.One, new Var("x", IrType.Real))),
        // A loss-HVP accumulation is what forward-over-reverse produces; forward mode has no tangent for it.
        "loss-hvp-in-primal" => Spec(true, new RuntimeCall(RuntimeCallKind.LossHvpAccumulate,
            new[] { "x", "x", "x", "x" }.ToEquatableArray(), new Expr[] { Lit.One }.ToEquatableArray(), null)),
        // Restoring a recorded value into a literal: Pop targets must be variables or elements.
        "pop-into-literal" => Spec(false, new Pop(Lit.Zero)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    [Theory]
    [InlineData("assign-to-literal")]
    [InlineData("loss-hvp-in-primal")]
    [InlineData("pop-into-literal")]
    public void Differentiate_stage_turns_an_internal_failure_into_AC0020(string kind)
    {
        MethodSpec spec = FailingSpec(kind);

        DifferentiatedMethod result = MemberBuilder.Build(spec, CancellationToken.None);

        Assert.Empty(result.Members);
        Assert.Same(spec, result.Spec);
        DiagnosticInfo info = Assert.Single(result.Diagnostics);
        Assert.Equal("AC0020", info.Id);
        Assert.Equal(s_location, info.Location);
        Assert.Equal("F", info.Arguments[0]);
        Assert.Matches(@"^[A-Za-z]+Exception: ", info.Arguments[1]);

        Diagnostic diagnostic = info.ToDiagnostic();
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("Net.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(new TextSpan(120, 1), diagnostic.Location.SourceSpan);
        Assert.Equal(7, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        Assert.StartsWith("AutoCurv failed on 'F' (", message, StringComparison.Ordinal);
        Assert.Contains("no derivatives were generated for it; please report this", message, StringComparison.Ordinal);
        Assert.EndsWith("docs/diagnostics.md#ac0020", diagnostic.Descriptor.HelpLinkUri, StringComparison.Ordinal);
        IncrementalAssert.NoRoslynObjects(result, "result");
    }

    [Theory]
    [InlineData("assign-to-literal")]
    [InlineData("loss-hvp-in-primal")]
    [InlineData("pop-into-literal")]
    public void Differentiate_stage_with_user_rules_turns_an_internal_failure_into_AC0020(string kind)
    {
        DifferentiatedMethod result = MemberBuilder.Build(FailingSpec(kind), EquatableArray<UserRule>.Empty, CancellationToken.None);

        Assert.Empty(result.Members);
        Assert.Equal("AC0020", Assert.Single(result.Diagnostics).Id);
    }

    [Fact]
    public void Failure_is_deterministic_so_the_stage_output_stays_cacheable()
    {
        DifferentiatedMethod first = MemberBuilder.Build(FailingSpec("assign-to-literal"), CancellationToken.None);
        DifferentiatedMethod second = MemberBuilder.Build(FailingSpec("assign-to-literal"), CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void The_same_hand_built_spec_without_the_bad_statement_differentiates()
    {
        // Control for the tests above: the spec builder itself is sound, so AC0020 there comes from the bad statement.
        DifferentiatedMethod result = MemberBuilder.Build(Spec(false), CancellationToken.None);

        Assert.Empty(result.Diagnostics);
        Assert.Contains(result.Members, m => m.Name == "FGradient");
        Assert.Contains(result.Members, m => m.Name == "FJvp");
    }

    // ------------------------------------------------------------------ (b) awkward sources through the whole pipeline

    private const string Usings = "using System;\nusing AutoCurv;\n\n";

    private static readonly Dictionary<string, string> s_awkward = new()
    {
        ["syntax-error-in-body"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(double x) { double y = x * ; return y; }

                [Differentiable]
                public static double G(double x) => x * x;
            }
            """,
        ["half-written-for-loop"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(ReadOnlySpan<double> x)
                {
                    double s = 0.0;
                    for (int i = 0; i <
                    return s;
                }
            }
            """,
        ["missing-closing-braces"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double y = x * x;
                    return y;
            """,
        ["unknown-identifier"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => x * unknownThing;
            }
            """,
        ["unknown-parameter-type"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(Foo x, double y) => y;
            }
            """,
        ["missing-return-type"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static F(double x) => x;
            }
            """,
        ["empty-body-without-return"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(double x) { }
            }
            """,
        ["dangling-attribute"] = Usings + """
            public static partial class C
            {
                [Differentiable]
            }
            """,
        ["attribute-with-wrong-arguments"] = Usings + """
            public static partial class C
            {
                [Differentiable(1)]
                public static double F(double x) => x * x;
            }
            """,
        ["attribute-on-a-local-function"] = Usings + """
            public static partial class C
            {
                public static double F(double x)
                {
                    [Differentiable]
                    static double G(double z) => z * z;
                    return G(x);
                }
            }
            """,
        ["attribute-on-a-property-accessor"] = Usings + """
            public static partial class C
            {
                public static double P { [Differentiable] get => 1.0; }
            }
            """,
        ["attribute-on-an-operator"] = Usings + """
            public partial struct V
            {
                public double A;

                [Differentiable]
                public static V operator +(V a, V b) => a;
            }
            """,
        ["attribute-on-a-class"] = Usings + """
            [Differentiable]
            public static partial class C
            {
                public static double F(double x) => x;
            }
            """,
        ["partial-method-without-body"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static partial double F(double x);
            }
            """,
        ["extern-method"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static extern double F(double x);
            }
            """,
        ["overloads"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => x * x;

                [Differentiable]
                public static double F(double x, double y) => x * y;

                [Differentiable]
                public static double F(ReadOnlySpan<double> x) => x[0] * x[1];
            }
            """,
        ["unicode-identifiers"] = Usings + """
            namespace Größen;

            public static partial class Ünïcode
            {
                [Differentiable]
                public static double Größe(double α, [Wrt] ReadOnlySpan<double> βeta)
                {
                    double γ = α * βeta[0];
                    return Math.Sin(γ) + α * \u03b3;
                }
            }
            """,
        ["very-long-method"] = Usings + "public static partial class C\n{\n    [Differentiable]\n    public static double F(double x, ReadOnlySpan<double> y)\n    {\n"
            + "        double s = 0.0;\n"
            + string.Concat(Enumerable.Range(0, 300).Select(i => (i % 3) switch
            {
                0 => $"        s = s * 0.5 + Math.Sin(x * {i}.0);\n",
                1 => $"        s += y[{i % 7}] * Math.Tanh(s - {i}.0);\n",
                _ => $"        if (s > {i}.0) s -= x; else s += 0.25 * x;\n",
            }))
            + "        return s;\n    }\n}\n",
        ["interface-static-method"] = Usings + """
            public partial interface IShape
            {
                [Differentiable]
                static double Area(double r) => 3.0 * r * r;
            }
            """,
        ["generic-and-nested-containers"] = Usings + """
            public partial class Outer<T> where T : struct
            {
                public partial record struct Inner(int A)
                {
                    [Differentiable]
                    public static double F(double x) => x * x;
                }
            }

            public ref partial struct R
            {
                [Differentiable]
                internal static double G(double x) => x * x * x;
            }
            """,
        ["unusual-parameters"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(this double x, double gx = 1.0, params double[] rest) => x * gx * rest[0];
            }
            """,
        ["preprocessor-and-unsafe"] = Usings + """
            public static unsafe partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
            #if DEBUG
                    return x;
            #else
                    return x * x;
            #endif
                }

                [Differentiable]
                public static double G(double x) { double* p = &x; return *p; }
            }
            """,
        ["user-types-named-like-framework-types"] = """
            using AutoCurv;

            namespace N
            {
                public class System { }
                public class AutoCurv { }
                public static class Math { public static double Exp(double x) => x; }

                public static partial class C
                {
                    [Differentiable]
                    public static double F(double x) => x * x;

                    [Differentiable]
                    public static double G(double x) => Math.Exp(x);
                }
            }
            """,
        ["throw-expression"] = Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => x > 0.0 ? x : throw new ArgumentException("x");
            }
            """,
        ["empty-file"] = "",
    };

    public static IEnumerable<object[]> AwkwardCases() => s_awkward.Keys.Select(k => new object[] { k });

    /// <summary>The input's own errors, one string each (location and message), sorted.</summary>
    private static string[] Errors(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToArray();

    private static void AssertGeneratorAddsNothingBroken(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.True(run.Exceptions.IsEmpty, string.Join("\n", run.Exceptions));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785");
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == DiagnosticDescriptors.InternalError.Id);
        string[] inputErrors = Errors(run.InputCompilation.GetDiagnostics());
        string[] outputErrors = Errors(run.OutputErrors);
        Assert.True(inputErrors.SequenceEqual(outputErrors),
            "the output compilation's errors differ from the input's.\ninput:\n  " + string.Join("\n  ", inputErrors)
            + "\noutput:\n  " + string.Join("\n  ", outputErrors));
    }

    [Theory]
    [MemberData(nameof(AwkwardCases))]
    public void Awkward_source_never_throws_and_adds_no_compile_errors(string name)
    {
        AssertGeneratorAddsNothingBroken(s_awkward[name]);
    }

    [Fact]
    public void Half_written_code_is_left_to_the_compiler_and_the_other_methods_still_generate()
    {
        GeneratorRun run = GeneratorHarness.Run(s_awkward["syntax-error-in-body"]);

        Assert.Empty(run.GeneratorDiagnostics); // the compiler's CS1525 is the only report
        Assert.Equal(new[] { "C.G.AutoCurv.g.cs" }, run.GeneratedSources.Keys.ToArray());
        Assert.Equal("CS1525", Assert.Single(run.OutputErrors).Id);
    }

    [Fact]
    public void Very_long_method_generates_every_member()
    {
        GeneratorRun run = GeneratorHarness.Run(s_awkward["very-long-method"]);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        string text = run.Source("C.F.AutoCurv.g.cs");
        Assert.Contains("public static double FGradient(", text, StringComparison.Ordinal);
        Assert.Contains("public static double FJvp(", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unicode_identifiers_generate_compiling_members()
    {
        GeneratorRun run = GeneratorHarness.Run(s_awkward["unicode-identifiers"]);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        Assert.Contains("public static double GrößeGradient(", run.Source("Größen.Ünïcode.Größe.AutoCurv.g.cs"), StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ awkward sources that reveal generator bugs

    [Fact]
    public void Keyword_namespace_does_not_crash_the_generator()
    {
        AssertGeneratorAddsNothingBroken(Usings + """
            namespace @event.Sample
            {
                public static partial class C
                {
                    [Differentiable]
                    public static double F(double x) => x * x;
                }
            }
            """);
    }

    [Fact]
    public void Verbatim_parameter_names_are_kept_verbatim()
    {
        AssertGeneratorAddsNothingBroken(Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double @double(double @in) => @in * 2.0;
            }
            """);
    }

    [Fact]
    public void Verbatim_type_names_are_kept_verbatim()
    {
        AssertGeneratorAddsNothingBroken(Usings + """
            public static partial class @class
            {
                [Differentiable]
                public static double F(double x) => x * x;
            }
            """);
    }

    [Fact]
    public void File_local_type_gets_no_broken_members()
    {
        AssertGeneratorAddsNothingBroken(Usings + """
            file static partial class C
            {
                [Differentiable]
                public static double F(double x) => x * x;
            }

            public static class User
            {
                public static double G(double x) => x;
            }
            """);
    }

    [Fact]
    public void Local_named_like_a_generated_parameter_does_not_collide()
    {
        AssertGeneratorAddsNothingBroken(Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double gx = x * x;
                    return gx;
                }
            }
            """);
    }

    [Fact]
    public void Parameter_named_result_does_not_collide_with_generated_names()
    {
        AssertGeneratorAddsNothingBroken(Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(double value, double result) => value * result;
            }
            """);
    }

    [Fact]
    public void Duplicate_definitions_add_no_errors_in_generated_code()
    {
        AssertGeneratorAddsNothingBroken(Usings + """
            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => x * x;

                [Differentiable]
                public static double F(double x) => x * 3.0;
            }
            """);
    }

    [Fact]
    public void Long_sum_expression_generates_promptly()
    {
        string source = Usings + "public static partial class C\n{\n    [Differentiable]\n    public static double F(double x) => "
            + string.Join(" + ", Enumerable.Repeat("x", 60)) + ";\n}\n";
        var work = Task.Run(() => GeneratorHarness.Run(source));

        Assert.True(work.Wait(TimeSpan.FromSeconds(30)), "the generator did not finish in 30 s");
        GeneratorRun run = work.Result;
        Assert.Empty(run.Exceptions);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    [Fact]
    public void Moderately_long_sum_expression_generates()
    {
        // Below the depth where the exponential cost above starts to hurt: guards the behaviour, not the speed.
        string source = Usings + "public static partial class C\n{\n    [Differentiable]\n    public static double F(double x, double y) => "
            + string.Join(" + ", Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? "x * " + i + ".0" : "y")) + ";\n}\n";
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.Exceptions);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }
}
