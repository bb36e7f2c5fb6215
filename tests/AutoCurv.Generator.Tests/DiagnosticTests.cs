using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// One test (or more) per AC diagnostic: a minimal source that triggers it, and the exact id, the line and source
/// text of the reported span, and the words of the message that tell the user what to write instead. AC0020
/// (internal error) cannot be triggered from source on purpose; <see cref="RobustnessTests"/> covers it.
/// </summary>
public sealed class DiagnosticTests
{
    /// <summary>One expected diagnostic: its id, 1-based line, the exact source text of its span, and message fragments.</summary>
    private sealed record Expected(string Id, int Line, string SpanText, params string[] MessageParts);

    // ------------------------------------------------------------------ helpers

    private static GeneratorRun Run(params string[] sources)
    {
        GeneratorRun run = GeneratorHarness.Run(sources);
        Assert.Empty(run.Exceptions);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785"); // a generator exception
        return run;
    }

    /// <summary>The source text a diagnostic's span covers (generator locations carry a path, not a tree).</summary>
    private static string SpanText(GeneratorRun run, Diagnostic diagnostic)
    {
        string path = diagnostic.Location.GetLineSpan().Path;
        SyntaxTree tree = run.InputCompilation.SyntaxTrees.SingleOrDefault(t => t.FilePath == path)
            ?? throw new InvalidOperationException($"{diagnostic.Id} points at '{path}', which is not an input file");
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }

    /// <summary>
    /// Asserts the generator reported exactly <paramref name="expected"/> (in order), generated no source, and left the
    /// output compilation with no errors beyond <paramref name="inputErrors"/> (the ids the input itself has).
    /// </summary>
    private static void AssertDiagnostics(GeneratorRun run, Expected[] expected, string[]? inputErrors = null)
    {
        string all = GeneratorHarness.Format(run.GeneratorDiagnostics);
        Assert.True(expected.Length == run.GeneratorDiagnostics.Length,
            $"expected {expected.Length} diagnostic(s) ({string.Join(", ", expected.Select(e => e.Id))}), got:\n{all}");
        for (int i = 0; i < expected.Length; i++)
        {
            Diagnostic d = run.GeneratorDiagnostics[i];
            Expected e = expected[i];
            Assert.True(e.Id == d.Id, $"diagnostic {i}: expected {e.Id}, got:\n{all}");
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Equal(e.SpanText, SpanText(run, d));
            Assert.Equal(e.Line, d.Location.GetLineSpan().StartLinePosition.Line + 1);
            string message = d.GetMessage(CultureInfo.InvariantCulture);
            foreach (string part in e.MessageParts)
            {
                Assert.True(message.Contains(part, StringComparison.Ordinal), $"{d.Id} message lacks \"{part}\": {message}");
            }
            Assert.EndsWith("docs/diagnostics.md#" + e.Id.ToLowerInvariant(), d.Descriptor.HelpLinkUri, StringComparison.Ordinal);
        }
        Assert.Empty(run.GeneratedSources);
        Assert.Equal(inputErrors ?? Array.Empty<string>(), run.OutputErrors.Select(d => d.Id).ToArray());
    }

    private static void AssertOnly(string source, string id, int line, string spanText, params string[] messageParts) =>
        AssertDiagnostics(Run(source), new[] { new Expected(id, line, spanText, messageParts) });

    /// <summary>A source whose line 6 is <paramref name="member"/>, inside <c>public static partial class C</c>.</summary>
    private static string InC(string member) => $$"""
        using System;
        using AutoCurv;

        public static partial class C
        {
        {{member}}
        }
        """;

    // ------------------------------------------------------------------ AC0001 .. AC0009: the method's shape

    [Fact]
    public void AC0001_instance_method()
    {
        const string source = """
            using AutoCurv;

            public partial class C
            {
                [Differentiable]
                public double F(double x) => x * x;
            }
            """;
        AssertOnly(source, "AC0001", 6, "F", "'F' must be static", "make it static");
    }

    [Fact]
    public void AC0002_non_partial_containing_type()
    {
        const string source = """
            using AutoCurv;

            public static class C
            {
                [Differentiable]
                public static double F(double x) => x * x;
            }
            """;
        AssertOnly(source, "AC0002", 3, "C", "Type 'C'", "'F'", "declared 'partial'");
    }

    [Fact]
    public void AC0002_non_partial_outer_type_of_a_partial_nested_type()
    {
        const string source = """
            using AutoCurv;

            public static class Outer
            {
                public static partial class Inner
                {
                    [Differentiable]
                    public static double F(double x) => x * x;
                }
            }
            """;
        AssertOnly(source, "AC0002", 3, "Outer", "Type 'Outer'", "'F'", "declared 'partial'");
    }

    [Fact]
    public void AC0002_non_partial_nested_type_of_a_partial_outer_type()
    {
        const string source = """
            using AutoCurv;

            public static partial class Outer
            {
                public static class Inner
                {
                    [Differentiable]
                    public static double F(double x) => x * x;
                }
            }
            """;
        AssertOnly(source, "AC0002", 5, "Inner", "Type 'Inner'", "declared 'partial'");
    }

    [Fact]
    public void AC0003_generic_method()
    {
        AssertOnly(InC("    [Differentiable] public static double F<T>(double x) => x * x;"),
            "AC0003", 6, "F", "'F' is generic", "write it for double or float");
    }

    [Fact]
    public void AC0004_async_method()
    {
        const string source = """
            using System.Threading.Tasks;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static async Task<double> F(double x)
                {
                    await Task.Yield();
                    return x;
                }
            }
            """;
        // An async method cannot return double, so its Task<double> return type also fails AC0007; both point at the name.
        AssertDiagnostics(Run(source), new[]
        {
            new Expected("AC0004", 7, "F", "'F' is async or an iterator", "plain synchronous method"),
            new Expected("AC0007", 7, "F", "returns 'System.Threading.Tasks.Task<double>'", "return double or float"),
        });
    }

    [Theory]
    [InlineData("ref double x", "x", "ref")]
    [InlineData("double x, out double y", "y", "out")]
    [InlineData("in double x", "x", "in")]
    public void AC0005_by_reference_parameter(string parameters, string name, string kind)
    {
        string body = kind == "out" ? "{ y = 0; return x; }" : "=> x * x;";
        AssertOnly(InC($"    [Differentiable] public static double F({parameters}) {body}"),
            "AC0005", 6, name, $"Parameter '{name}' is passed by {kind}", "pass inputs by value or as ReadOnlySpan<T>");
    }

    [Fact]
    public void AC0006_unsupported_parameter_type()
    {
        AssertOnly(InC("    [Differentiable] public static double F(double x, string label) => x;"),
            "AC0006", 6, "label", "'label' has type 'string'", "double scalars, ReadOnlySpan<double> or double[] inputs, int and bool constants");
    }

    [Fact]
    public void AC0006_span_of_the_other_element_type()
    {
        AssertOnly(InC("    [Differentiable] public static double F(ReadOnlySpan<float> x, double y) => y;"),
            "AC0006", 6, "x", "'x' has type 'System.ReadOnlySpan<float>'", "ReadOnlySpan<double>");
    }

    [Fact]
    public void AC0025_no_differentiable_input()
    {
        AssertOnly(InC("    [Differentiable] public static double F(int n) => n;"),
            "AC0025", 6, "F", "has no double scalar, ReadOnlySpan<double> or double[] input", "[Wrt]");
    }

    [Fact]
    public void AC0026_file_local_containing_type()
    {
        const string source = """
            using AutoCurv;

            file static partial class C
            {
                [Differentiable]
                public static double F(double x) => x * x;
            }
            """;
        GeneratorRun run = Run(source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AC0026", diagnostic.Id);
        Assert.Equal("C", SpanText(run, diagnostic));
        Assert.Contains("remove the 'file' modifier", diagnostic.GetMessage(), System.StringComparison.Ordinal);
        Assert.Empty(run.GeneratedSources);
    }

    // ------------------------------------------------------------------ AC0029: declared model sizes

    /// <summary>A model (w, x, output) whose attribute, on line 6, is <c>[Differentiable(<paramref name="arguments"/>)]</c>.</summary>
    private static string ModelWith(string arguments) => $$"""
        using System;
        using AutoCurv;

        public static partial class C
        {
            [Differentiable({{arguments}})]
            public static void F([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
            {
                for (int k = 0; k < output.Length; k++) output[k] = w[k] * x[0];
            }
        }
        """;

    [Fact]
    public void AC0029_zero_input_size()
    {
        AssertOnly(ModelWith("InputSize = 0"),
            "AC0029", 6, "InputSize = 0", "InputSize = 0 is not a length", "declare the positive length of 'x'", "remove InputSize");
    }

    [Fact]
    public void AC0029_negative_sizes_are_each_reported_at_their_argument()
    {
        AssertDiagnostics(Run(ModelWith("OutputSize = -3, InputSize = 2, ParameterCount = -1")), new[]
        {
            new Expected("AC0029", 6, "OutputSize = -3", "OutputSize = -3 is not a length", "positive length of 'output'"),
            new Expected("AC0029", 6, "ParameterCount = -1", "ParameterCount = -1 is not a length", "positive length of 'w'"),
        });
    }

    [Fact]
    public void AC0029_sizes_on_a_scalar_function()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable(ParameterCount = 3)]
                public static double F(ReadOnlySpan<double> x) => x[0] * x[1];
            }
            """;
        AssertOnly(source, "AC0029", 6, "ParameterCount = 3",
            "ParameterCount describes a model 'void F([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)'",
            "'F' does not have that shape", "remove ParameterCount");
    }

    [Fact]
    public void AC0029_sizes_on_a_vector_function_whose_second_input_is_differentiated()
    {
        // Without [Wrt], x is differentiated too: the method has no constant input, so it is not a model.
        AssertOnly(ModelWith("OutputSize = 2").Replace("[Wrt] ", ""), "AC0029", 6, "OutputSize = 2", "'F' does not have that shape");
    }

    [Fact]
    public void AC0029_is_reported_beside_errors_in_the_body()
    {
        string source = ModelWith("InputSize = 0").Replace("output[k] = w[k] * x[0];", "{ output[k] = w[k] * x[0]; while (k < 0) { } }");
        GeneratorRun run = Run(source);
        Assert.Equal(new[] { "AC0029", "AC0010" }, run.GeneratorDiagnostics.Select(d => d.Id).ToArray());
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void AC0029_declared_output_size_disagrees_with_the_constant_writes()
    {
        string source = ModelWith("InputSize = 1, OutputSize = 3").Replace("k < output.Length", "k < 2");
        AssertOnly(source, "AC0029", 6, "OutputSize = 3",
            "OutputSize = 3, but 'F' writes 'output' only at indices with constant bounds, the largest 1, so its output has 2 values",
            "declare OutputSize = 2", "remove OutputSize (it is then inferred)");
    }

    [Fact]
    public void Declared_sizes_on_a_float_model_are_checked_without_a_model_struct()
    {
        // The model roles over float (or arrays) take sizes; only the double-span shape gets FModel.
        string source = ModelWith("InputSize = 1, OutputSize = 2, ParameterCount = 2").Replace("double", "float");
        GeneratorRun run = Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        string text = run.Source("C.F.AutoCurv.g.cs");
        Assert.DoesNotContain("FModel", text, StringComparison.Ordinal);
        Assert.Contains("if (w.Length != 2) global::AutoCurv.CompilerServices.Scratch.ThrowLength(nameof(w), w.Length, 2);", text, StringComparison.Ordinal);
        Assert.Contains("if (x.Length != 1) global::AutoCurv.CompilerServices.Scratch.ThrowLength(nameof(x), x.Length, 1);", text, StringComparison.Ordinal);
        Assert.Contains("if (output.Length != 2) global::AutoCurv.CompilerServices.Scratch.ThrowLength(nameof(output), output.Length, 2);", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AC0007_unsupported_return_type()
    {
        AssertOnly(InC("    [Differentiable] public static int F(double x) => 1;"),
            "AC0007", 6, "F", "'F' returns 'int'", "return double or float", "void with one Span<T> output");
    }

    [Fact]
    public void AC0008_wrt_on_an_int()
    {
        AssertOnly(InC("    [Differentiable] public static double F(double x, [Wrt] int n) => x * n;"),
            "AC0008", 6, "n", "[Wrt] is on parameter 'n' of type 'int'", "put it on double scalars", "never on ints");
    }

    [Fact]
    public void AC0008_wrt_on_the_output_span()
    {
        AssertOnly(InC("    [Differentiable] public static void F(ReadOnlySpan<double> x, [Wrt] Span<double> output) { output[0] = x[0]; }"),
            "AC0008", 6, "output", "'output' of type 'System.Span<double>'", "never on ints, bools or the output span");
    }

    [Fact]
    public void AC0009_vector_function_with_two_span_outputs()
    {
        AssertOnly(InC("    [Differentiable] public static void F(ReadOnlySpan<double> x, Span<double> a, Span<double> b) { a[0] = x[0]; b[0] = x[0]; }"),
            "AC0009", 6, "F", "has 2 Span<double> parameters", "exactly one output", "concatenate the outputs into one span");
    }

    [Fact]
    public void AC0009_vector_function_without_output()
    {
        AssertOnly(InC("    [Differentiable] public static void F(ReadOnlySpan<double> x) { }"),
            "AC0009", 6, "F", "returns void but has no Span<double> or Span<float> output", "add one Span<T> parameter");
    }

    [Fact]
    public void AC0009_scalar_function_with_a_span_parameter()
    {
        AssertOnly(InC("    [Differentiable] public static double F(ReadOnlySpan<double> x, Span<double> s) => x[0];"),
            "AC0009", 6, "s", "Scalar function 'F' has the Span<double> parameter 's'", "take it as ReadOnlySpan<double>");
    }

    // ------------------------------------------------------------------ AC0010: statements

    private const string ForLoopAdvice = "write it as a for loop with an int counter and fixed bounds";

    [Fact]
    public void AC0010_while_loop()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double s = x;
                    while (s < 10.0) s = s * 2.0;
                    return s;
                }
            }
            """;
        AssertOnly(source, "AC0010", 9, "while (s < 10.0) s = s * 2.0;", "This while/do loop", ForLoopAdvice);
    }

    [Fact]
    public void AC0010_do_loop()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double s = x;
                    do { s = s * 2.0; } while (s < 10.0);
                    return s;
                }
            }
            """;
        AssertOnly(source, "AC0010", 9, "do { s = s * 2.0; } while (s < 10.0);", "This while/do loop", ForLoopAdvice);
    }

    [Fact]
    public void AC0010_foreach_loop()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(ReadOnlySpan<double> x)
                {
                    double s = 0.0;
                    foreach (double v in x) s += v * v;
                    return s;
                }
            }
            """;
        AssertOnly(source, "AC0010", 10, "foreach (double v in x) s += v * v;", "This foreach loop", "for (int i = 0; i < x.Length; i++)");
    }

    [Theory]
    [InlineData("break")]
    [InlineData("continue")]
    public void AC0010_break_or_continue(string keyword)
    {
        string source = $$"""
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(ReadOnlySpan<double> x)
                {
                    double s = 0.0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        if (x[i] > 1.0) {{keyword}};
                        s += x[i];
                    }
                    return s;
                }
            }
            """;
        AssertOnly(source, "AC0010", 12, keyword + ";", "This break/continue/goto", "restructure the loop body with if/else");
    }

    [Fact]
    public void AC0010_switch_statement()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x, int k)
                {
                    double s = 0.0;
                    switch (k) { case 0: s = x; break; default: s = 2.0 * x; break; }
                    return s;
                }
            }
            """;
        AssertOnly(source, "AC0010", 9, "switch (k) { case 0: s = x; break; default: s = 2.0 * x; break; }",
            "This switch statement", "use an if/else chain");
    }

    [Fact]
    public void AC0010_local_function()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double Square(double z) => z * z;
                    return x;
                }
            }
            """;
        AssertOnly(source, "AC0010", 8, "double Square(double z) => z * z;", "This local function", "separate static [Differentiable] method");
    }

    [Fact]
    public void AC0010_throw_statement()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    if (x < 0.0) throw new ArgumentException("negative", nameof(x));
                    return x;
                }
            }
            """;
        AssertOnly(source, "AC0010", 9, "throw new ArgumentException(\"negative\", nameof(x));",
            "This statement is outside", "keep validation, exceptions and resources outside the [Differentiable] method");
    }

    [Fact]
    public void AC0010_extern_method_without_body()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static extern double F(double x);
            }
            """;
        AssertOnly(source, "AC0010", 6, "F", "This method without a body", "give the method a body");
    }

    // ------------------------------------------------------------------ AC0011: expressions

    [Fact]
    public void AC0011_lambda()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    bool known = (Func<double, double>)(z => z * z) != null;
                    return x;
                }
            }
            """;
        // The comparison with null is a conversion of null to the delegate type: outside the subset too.
        AssertDiagnostics(Run(source), new[]
        {
            new Expected("AC0011", 9, "(Func<double, double>)(z => z * z)", "This lambda", "write a separate static [Differentiable] method and call it"),
            new Expected("AC0011", 9, "null", "conversion from", "System.Func<double, double>"),
        });
    }

    [Fact]
    public void AC0011_field_reference()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                private static double s_scale = 2.0;

                [Differentiable]
                public static double F(double x) => x * s_scale;
            }
            """;
        AssertOnly(source, "AC0011", 8, "s_scale", "This field 's_scale'", "pass the value as a parameter", "const fields are fine");
    }

    [Fact]
    public void AC0011_user_defined_operator()
    {
        const string source = """
            using AutoCurv;

            public readonly struct Scaled
            {
                public readonly double Value;
                public Scaled(double value) { Value = value; }
                public static double operator *(Scaled a, double b) => a.Value * b;
            }

            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => new Scaled(x) * 2.0;
            }
            """;
        AssertOnly(source, "AC0011", 13, "new Scaled(x) * 2.0", "This user-defined or lifted operator", "use the built-in arithmetic of double/float");
    }

    [Fact]
    public void AC0011_float_in_a_double_method()
    {
        AssertOnly(InC("    [Differentiable] public static double F(double x) => x * (double)(float)x;"),
            "AC0011", 6, "(double)(float)x", "conversion from 'float' to 'double'", "compute in double", "only int-to-double conversions");
    }

    [Fact]
    public void AC0011_double_in_a_float_method()
    {
        AssertOnly(InC("    [Differentiable] public static float F(float x) => x * (float)Math.Exp(x);"),
            "AC0011", 6, "(float)Math.Exp(x)", "conversion from 'double' to 'float'", "compute in float", "only int-to-float conversions");
    }

    [Fact]
    public void AC0011_floating_remainder()
    {
        AssertOnly(InC("    [Differentiable] public static double F(double x) => x % 2.0;"),
            "AC0011", 6, "x % 2.0", "This floating remainder", "% is supported on ints only");
    }

    [Fact]
    public void AC0011_assignment_inside_an_expression()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double a = 0.0;
                    double b = (a = x) * 2.0;
                    return b;
                }
            }
            """;
        AssertOnly(source, "AC0011", 9, "a = x", "This assignment inside an expression", "assign in its own statement");
    }

    // ------------------------------------------------------------------ AC0012 .. AC0013

    [Fact]
    public void AC0012_math_function_without_a_derivative_rule()
    {
        AssertOnly(InC("    [Differentiable] public static double F(double x, double y) => Math.Atan2(y, x);"),
            "AC0012", 6, "Math.Atan2(y, x)", "'System.Math.Atan2", "is neither [Differentiable] nor a function with a derivative rule",
            "mark it [Differentiable]", "Exp, Log, Sqrt");
    }

    [Fact]
    public void AC0012_ordinary_helper_method()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                public static double Square(double z) => z * z;

                [Differentiable]
                public static double F(double x) => Square(x) + 1.0;
            }
            """;
        AssertOnly(source, "AC0012", 8, "Square(x)", "'C.Square", "is neither [Differentiable]", "mark it [Differentiable] (same compilation)");
    }

    [Fact]
    public void AC0012_void_call_statement()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    Console.WriteLine(x);
                    return x;
                }
            }
            """;
        AssertOnly(source, "AC0012", 9, "Console.WriteLine(x)", "'System.Console.WriteLine", "is neither [Differentiable]");
    }

    [Fact]
    public void AC0013_existing_member_named_like_a_generated_one()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => x * x;

                public static double FGradient(double x) => 2.0 * x;
            }
            """;
        AssertOnly(source, "AC0013", 8, "FGradient", "Type 'C' already declares 'FGradient', which AutoCurv generates for 'F'",
            "rename the existing member or the [Differentiable] method");
    }

    /// <summary>The private helpers of the dense Hessian and exact diagonals (lanes pass and recording primal sweep) are generated names too.</summary>
    [Theory]
    [InlineData("double F(double x) => x * x;", "FHvpLanesPrimal")]
    [InlineData("double F(double x) => x * x;", "FHvpLanes")]
    [InlineData("void F([Wrt] ReadOnlySpan<double> w, Span<double> output) { output[0] = w[0] * w[0]; }", "FLossHvpLanesPrimal")]
    public void AC0013_existing_member_named_like_a_Hessian_helper(string method, string helper)
    {
        string source = $$"""
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static {{method}}

                public static int {{helper}};
            }
            """;
        GeneratorRun run = Run(source);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AC0013", d.Id);
        Assert.Equal(helper, SpanText(run, d));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void AC0013_collision_blocks_only_the_method_whose_name_it_takes()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => x * x;

                [Differentiable]
                public static double G(double x) => x + 1.0;

                public static int FJvp;
            }
            """;
        GeneratorRun run = Run(source);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AC0013", d.Id);
        Assert.Equal("FJvp", SpanText(run, d));
        Assert.Equal(11, d.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal(new[] { "C.G.AutoCurv.g.cs" }, run.GeneratedSources.Keys.ToArray());
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    // ------------------------------------------------------------------ AC0027 .. AC0028: checks across methods

    /// <summary>A library compilation of <paramref name="sources"/> without the AutoCurv runtime (framework assemblies only).</summary>
    private static Microsoft.CodeAnalysis.CSharp.CSharpCompilation WithoutRuntime(params string[] sources) =>
        GeneratorHarness.CreateCompilation(sources).RemoveReferences(
            GeneratorHarness.References.Where(r => Path.GetFileNameWithoutExtension(r.Display) == "AutoCurv"));

    private const string OwnAttributes = """
        namespace AutoCurv
        {
            [System.AttributeUsage(System.AttributeTargets.Method)] public sealed class DifferentiableAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.Parameter)] public sealed class WrtAttribute : System.Attribute { }
        }
        """;

    [Fact]
    public void AC0027_attributes_declared_by_hand_without_the_runtime()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F([Wrt] double x, double y) => x * y;

                [Differentiable]
                public static double G(double x) => x * x;
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(WithoutRuntime(source, OwnAttributes));
        Assert.Empty(run.Exceptions);
        const string message = "needs the AutoCurv runtime assembly, which this project does not reference";
        // One per method, at its name; no code, so no CS0234 for AutoCurv.CompilerServices.
        AssertDiagnostics(run, new[]
        {
            new Expected("AC0027", 6, "F", "[Differentiable] method 'F' " + message, "add a reference to the AutoCurv package (or AutoCurv.dll)"),
            new Expected("AC0027", 9, "G", "[Differentiable] method 'G' " + message),
        });
    }

    [Fact]
    public void AC0027_is_not_reported_when_the_runtime_is_referenced()
    {
        GeneratorRun run = Run(InC("    [Differentiable] public static double F(double x) => x * x;"));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.GeneratedSources);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    private const string CollidingOverloads = """
        using AutoCurv;

        public static partial class C
        {
            [Differentiable]
            public static double F(double a, double b) => a * b;

            [Differentiable]
            public static double F([Wrt] double a, double b, double c) => a * b * c;
        }
        """;

    [Fact]
    public void AC0028_overloads_generating_the_same_member()
    {
        GeneratorRun run = Run(CollidingOverloads);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AC0028", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        // At the later declaration, which loses all its members; the first keeps its own.
        Assert.Equal("F", SpanText(run, d));
        Assert.Equal(9, d.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal(
            "[Differentiable] method 'F(double, double, double)' would get the generated member 'FJvp(double, double, double, double, out double)', " +
            "which clashes with 'FJvp(double, double, double, double, out double)' generated for 'F(double, double)' declared before it in type 'C'; " +
            "nothing is generated for 'F(double, double, double)': rename one of the two methods",
            d.GetMessage(CultureInfo.InvariantCulture));
        Assert.EndsWith("docs/diagnostics.md#ac0028", d.Descriptor.HelpLinkUri, StringComparison.Ordinal);
        string generated = Assert.Single(run.GeneratedSources).Value;
        Assert.Contains("out double gb)", generated, StringComparison.Ordinal); // F(double a, double b): both inputs are Wrt
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    [Fact]
    public void AC0028_the_first_declaration_by_file_then_position_keeps_its_members()
    {
        // The same two overloads, the three-parameter one now in the earlier file: it keeps its members.
        string three = InC("    [Differentiable] public static double F([Wrt] double a, double b, double c) => a * b * c;");
        string two = InC("    [Differentiable] public static double F(double a, double b) => a * b;");
        GeneratorRun run = Run(three, two);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AC0028", d.Id);
        Assert.Equal("Source1.cs", d.Location.GetLineSpan().Path);
        Assert.Equal(6, d.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal("F", SpanText(run, d));
        Assert.Contains("method 'F(double, double)' would get the generated member 'FJvp(double, double, double, double, out double)'", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("out double ga)", Assert.Single(run.GeneratedSources).Value, StringComparison.Ordinal);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));

        // The same method is kept whatever order the files are added to the compilation in (only the hint name's
        // overload index follows the compilation's member order).
        GeneratorRun swapped = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(three, two).RemoveAllSyntaxTrees()
            .AddSyntaxTrees(GeneratorHarness.Parse(two, "Source1.cs"), GeneratorHarness.Parse(three, "Source0.cs")));
        Assert.Equal(GeneratorHarness.Format(run.GeneratorDiagnostics), GeneratorHarness.Format(swapped.GeneratorDiagnostics));
        Assert.Equal(run.GeneratedSources.Values, swapped.GeneratedSources.Values);
    }

    [Fact]
    public void AC0028_nested_loss_struct_against_the_loss_members_of_a_vector_overload()
    {
        // The loss-shaped F gets the nested struct FLoss; the vector F would get the methods FLoss<TLoss>(...) (CS0102).
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F([Wrt] ReadOnlySpan<double> output, ReadOnlySpan<double> target) => 0.5 * (output[0] - target[0]) * (output[0] - target[0]);

                [Differentiable]
                public static void F([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output) { output[0] = w[0] * x[0]; }
            }
            """;
        GeneratorRun run = Run(source);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AC0028", d.Id);
        Assert.Equal(10, d.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal("F", SpanText(run, d));
        Assert.Contains("'FLoss<TLoss>(System.ReadOnlySpan<double>, System.ReadOnlySpan<double>, System.Span<double>, System.ReadOnlySpan<double>)', which clashes with 'FLoss' generated for " +
            "'F(System.ReadOnlySpan<double>, System.ReadOnlySpan<double>)'", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("readonly struct FLoss", Assert.Single(run.GeneratedSources).Value, StringComparison.Ordinal);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    [Fact]
    public void AC0028_is_not_reported_for_overloads_whose_members_differ_nor_for_equal_methods_in_two_types()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double a, double b) => a * b;

                [Differentiable]
                public static double F(double a, double b, double c) => a * b * c;

                public static double Use(double a, double b, double c) => FJvp(a, b, 1.0, 0.0, out double d2) + FJvp(a, b, c, 1.0, 0.0, 0.0, out double d3) + d2 + d3;
            }

            public static partial class D
            {
                [Differentiable]
                public static double F(double a, double b) => a * b;
            }

            public static partial class E // the fix docs/diagnostics.md gives for AC0028
            {
                [Differentiable]
                public static double F(double a, double b) => a * b;

                [Differentiable]
                public static double F3([Wrt] double a, double b, double c) => F(a, b) * c;
            }
            """;
        GeneratorRun run = Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(5, run.GeneratedSources.Count);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    // ------------------------------------------------------------------ AC0014: loops

    private const string LoopAdvice = "write loops as 'for (int i = start; i < end; i++)'";

    private static string Loop(string header, string body = "s += x[i];") => $$"""
        using System;
        using AutoCurv;

        public static partial class C
        {
            [Differentiable]
            public static double F(ReadOnlySpan<double> x)
            {
                double s = 0.0;
                int n = x.Length;
                for ({{header}})
                {
                    {{body}}
                }
                return s;
            }
        }
        """;

    [Fact]
    public void AC0014_not_equal_loop_condition()
    {
        AssertOnly(Loop("int i = 0; i != n; i++"), "AC0014", 11, "i != n",
            "The loop condition must compare the counter", "<, <=, > or >= against a bound", LoopAdvice);
    }

    [Fact]
    public void AC0014_counter_written_in_the_body()
    {
        AssertOnly(Loop("int i = 0; i < n; i++", "s += x[i]; i++;"), "AC0014", 11,
            "for (int i = 0; i < n; i++)\n        {\n            s += x[i]; i++;\n        }",
            "The counter 'i' is assigned inside the loop body", LoopAdvice);
    }

    [Fact]
    public void AC0014_bound_changed_in_the_body()
    {
        AssertOnly(Loop("int i = 0; i < n; i++", "s += x[i]; n = n - 1;"), "AC0014", 11, "i < n",
            "The loop bounds read 'n', which the body assigns", LoopAdvice);
    }

    [Fact]
    public void AC0014_non_constant_step()
    {
        AssertOnly(Loop("int i = 1; i < n; i *= 2"), "AC0014", 11, "i *= 2",
            "The loop step must be ++, --, += constant or -= constant on the counter", LoopAdvice);
    }

    [Fact]
    public void AC0014_two_counters()
    {
        AssertOnly(Loop("int i = 0, j = 1; i < n; i++"), "AC0014", 11, "int i = 0, j = 1",
            "The loop must declare exactly one int counter", LoopAdvice);
    }

    [Fact]
    public void AC0014_step_away_from_the_bound()
    {
        AssertOnly(Loop("int i = 0; i < n; i--", "s += x[0];"), "AC0014", 11, "i < n",
            "The loop step goes away from its bound", LoopAdvice);
    }

    // ------------------------------------------------------------------ AC0015 .. AC0021

    [Fact]
    public void AC0015_return_inside_a_loop()
    {
        AssertOnly(Loop("int i = 0; i < n; i++", "s += x[i]; if (s > 10.0) return s;"), "AC0015", 13, "return s;",
            "A return inside a loop cannot be differentiated", "assign the result to a local, let the loop finish, and return after it");
    }

    [Fact]
    public void AC0016_assignment_to_a_scalar_input()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    x = x * 2.0;
                    return x;
                }
            }
            """;
        AssertOnly(source, "AC0016", 8, "x", "'x' is a parameter and cannot be assigned", "copy it to a local first");
    }

    [Fact]
    public void AC0016_write_to_an_array_input()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double[] x)
                {
                    x[0] = 1.0;
                    return x[0] * x[1];
                }
            }
            """;
        AssertOnly(source, "AC0016", 8, "x[0]", "'x' is a parameter and cannot be assigned", "copy it to a local first");
    }

    [Fact]
    public void AC0016_compound_assignment_to_an_input_in_a_loop()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(ReadOnlySpan<double> x, double scale)
                {
                    for (int i = 0; i < x.Length; i++) scale += x[i];
                    return scale;
                }
            }
            """;
        AssertOnly(source, "AC0016", 9, "scale", "'scale' is a parameter and cannot be assigned", "copy it to a local first");
    }

    [Fact]
    public void AC0017_direct_recursion()
    {
        AssertOnly(InC("    [Differentiable] public static double F(double x) => x > 1.0 ? F(x / 2.0) : x;"),
            "AC0017", 6, "F(x / 2.0)", "'F' calls itself (directly or through other [Differentiable] methods)", "write it as a loop");
    }

    [Fact]
    public void AC0017_recursion_through_a_partial_method()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static partial double F(double x);

                public static partial double F(double x) => x > 1.0 ? F(x / 2.0) : x;
            }
            """;
        // The body (implementing part) calls F through its defining declaration: one method, so a cycle.
        AssertOnly(source, "AC0017", 8, "F(x / 2.0)", "'F' calls itself (directly or through other [Differentiable] methods)", "write it as a loop");
    }

    [Fact]
    public void AC0017_recursion_through_two_methods()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => G(x) + 1.0;

                [Differentiable]
                public static double G(double x) => x > 1.0 ? F(x / 2.0) : x;
            }
            """;
        // Each method is its own root: F reports the call that closes the cycle F → G → F (inside G), G the one of G → F → G.
        AssertDiagnostics(Run(source), new[]
        {
            new Expected("AC0017", 9, "F(x / 2.0)", "'F' calls itself", "write it as a loop"),
            new Expected("AC0017", 6, "G(x)", "'G' calls itself", "write it as a loop"),
        });
    }

    [Fact]
    public void AC0018_span_local_inside_a_loop()
    {
        AssertOnly(Loop("int i = 0; i < n; i++", "Span<double> t = stackalloc double[2];"), "AC0018", 13,
            "t = stackalloc double[2]", "Scratch span 't' is declared inside a loop or branch", "declare scratch spans at the top level of the method");
    }

    [Fact]
    public void AC0018_span_local_inside_a_branch()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    if (x > 0.0)
                    {
                        Span<double> t = stackalloc double[2];
                    }
                    return x;
                }
            }
            """;
        AssertOnly(source, "AC0018", 11, "t = stackalloc double[2]", "Scratch span 't' is declared inside a loop or branch");
    }

    [Fact]
    public void AC0018_read_only_span_local()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(ReadOnlySpan<double> x)
                {
                    ReadOnlySpan<double> y = x;
                    return x[0];
                }
            }
            """;
        AssertOnly(source, "AC0018", 9, "y = x", "Local 'y' of type 'System.ReadOnlySpan<double>' is not supported",
            "a Span<double> from stackalloc double[n] or a double[] from new double[n]");
    }

    [Fact]
    public void AC0018_span_with_an_initializer_list()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    Span<double> t = stackalloc double[] { 1.0, 2.0 };
                    return x;
                }
            }
            """;
        AssertOnly(source, "AC0018", 9, "t = stackalloc double[] { 1.0, 2.0 }", "must be initialised with 'stackalloc double[n]' or 'new double[n]'");
    }

    [Fact]
    public void AC0018_uses_of_a_rejected_span_get_no_follow_on_diagnostics()
    {
        GeneratorRun run = Run(Loop("int i = 0; i < n; i++", "Span<double> t = stackalloc double[2]; t[0] = x[i]; s += t[0];"));
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AC0018", d.Id);
        Assert.Equal("t = stackalloc double[2]", SpanText(run, d));
    }

    [Fact]
    public void AC0019_reserved_underscore_local()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    double _tmp = x * x;
                    return _tmp;
                }
            }
            """;
        AssertOnly(source, "AC0019", 8, "_tmp = x * x", "'_tmp' starts with an underscore", "rename it");
    }

    [Fact]
    public void AC0019_reserved_underscore_parameter()
    {
        AssertOnly(InC("    [Differentiable] public static double F(double _x) => _x * _x;"),
            "AC0019", 6, "_x", "'_x' starts with an underscore", "rename it");
    }

    [Fact]
    public void AC0021_float_local_in_a_double_method()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    float f = 2f;
                    return x;
                }
            }
            """;
        AssertOnly(source, "AC0021", 8, "f = 2f", "'f' has type 'float'", "computes with double, int and bool only", "no mixing of double and float");
    }

    [Fact]
    public void AC0021_long_local()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    long n = 3;
                    return x * n;
                }
            }
            """;
        GeneratorRun run = Run(source);
        // The use 'x * n' converts long to double: reported as well, at the use.
        AssertDiagnostics(run, new[]
        {
            new Expected("AC0021", 8, "n = 3", "'n' has type 'long'", "computes with double, int and bool only"),
            new Expected("AC0011", 9, "n", "conversion from 'long' to 'double'", "compute in double"),
        });
    }

    [Fact]
    public void AC0021_delegate_local()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x)
                {
                    Func<double, double> square = z => z * z;
                    return x;
                }
            }
            """;
        AssertOnly(source, "AC0021", 9, "square = z => z * z", "'square' has type 'System.Func<double, double>'", "computes with double, int and bool only");
    }

    [Fact]
    public void AC0024_loss_sampler_with_the_wrong_signature()
    {
        const string source = """
            using System;
            using AutoCurv;

            public static partial class Losses
            {
                [Differentiable]
                public static double Half([Wrt] ReadOnlySpan<double> output, ReadOnlySpan<double> target)
                {
                    double s = 0.0;
                    for (int c = 0; c < output.Length; c++) s += 0.5 * (output[c] - target[c]) * (output[c] - target[c]);
                    return s;
                }

                public static void HalfSample(ReadOnlySpan<double> output, Span<double> target) { }
            }
            """;
        GeneratorRun run = Run(source);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AC0024", d.Id);
        Assert.Equal("HalfSample", SpanText(run, d));
        Assert.Equal(14, d.Location.GetLineSpan().StartLinePosition.Line + 1);
        string message = d.GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains("'HalfSample' looks like the sampler of the loss 'Half'", message, StringComparison.Ordinal);
        Assert.Contains("static void HalfSample(ReadOnlySpan<double> output, ref RandomSource random, Span<double> target)", message, StringComparison.Ordinal);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    // ------------------------------------------------------------------ errors inside callees

    [Fact]
    public void Error_inside_a_callee_is_reported_once()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => G(x) + 1.0;

                [Differentiable]
                public static double G(double x)
                {
                    double s = x;
                    while (s < 1.0) s += 1.0;
                    return s;
                }
            }
            """;
        GeneratorRun run = Run(source);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics, x => x.Id == "AC0010");
        Assert.Equal("while (s < 1.0) s += 1.0;", SpanText(run, d));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void Error_inside_a_callee_blocks_the_caller_and_the_callee()
    {
        const string source = """
            using AutoCurv;

            public static partial class C
            {
                [Differentiable]
                public static double F(double x) => G(x) + 1.0;

                [Differentiable]
                public static double G(double x)
                {
                    double s = x;
                    while (s < 1.0) s += 1.0;
                    return s;
                }

                [Differentiable]
                public static double H(double x) => x * x;
            }
            """;
        GeneratorRun run = Run(source);
        Assert.NotEmpty(run.GeneratorDiagnostics);
        Assert.All(run.GeneratorDiagnostics, d =>
        {
            Assert.Equal("AC0010", d.Id);
            Assert.Equal("while (s < 1.0) s += 1.0;", SpanText(run, d));
        });
        Assert.Equal(new[] { "C.H.AutoCurv.g.cs" }, run.GeneratedSources.Keys.ToArray());
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    [Fact]
    public void Partial_method_attributed_on_its_definition_is_differentiated()
    {
        GeneratorRun run = Run(InC("""
                [Differentiable] public static partial double F(double x);
                public static partial double F(double x) => x * x;
            """));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(new[] { "C.F.AutoCurv.g.cs" }, run.GeneratedSources.Keys.ToArray());
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    // ------------------------------------------------------------------ what is accepted

    /// <summary>Every construct of the subset (issue 2), in one method plus the helpers it calls.</summary>
    internal const string EverySupportedConstruct = """
        using System;
        using AutoCurv;

        namespace Sample;

        public static partial class Everything
        {
            private const double Half = 0.5;

            [Differentiable]
            public static double Helper(double z) => z * z + Half;

            [Differentiable]
            public static void Layer(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
            {
                for (int o = 0; o < output.Length; o++)
                {
                    double acc = 0.0;
                    for (int i = 0; i < x.Length; i++) acc += w[o * x.Length + i] * x[i];
                    output[o] = acc;
                }
            }

            [Differentiable]
            public static double All([Wrt] ReadOnlySpan<double> w, [Wrt] double a, double[] data, ReadOnlySpan<double> xs, double c, int n, bool flag)
            {
                Span<double> h = stackalloc double[n];
                double[] t = new double[n];
                Layer(w, xs, h);
                double s = 0.0;
                int count = 0;
                for (int i = 0; i < n; i++)
                {
                    h[i] = Math.Tanh(a * h[i] + data[i % data.Length]);
                    t[i] = h[i];
                    count++;
                }
                for (int i = n - 1; i >= 0; i--)
                {
                    for (int j = 0; j <= i; j += 2)
                    {
                        s += t[j] * (i + 1);
                    }
                    count--;
                }
                for (int i = n; i > 0; i -= 3) s -= 0.25 * t[i - 1];
                double u = (s > 0.0 && !flag) || c < -1.0 ? s : -s;
                u += Math.Exp(-a * a) + Math.Log(1.0 + a * a) + Math.Sqrt(1.0 + a * a);
                u -= Math.Sin(a) * Math.Cos(a) - Math.Tan(0.1 * a);
                u *= 1.0 + Math.Sinh(0.1 * a) * Math.Cosh(0.1 * a) + Math.Atan(a);
                u /= 1.0 + Math.Pow(a, 2.0) + Math.Abs(a) + Math.Max(a, c) - Math.Min(a, c);
                double k = (double)count / h.Length + n;
                if (flag)
                {
                    return u * k;
                }
                else if (c > 0 && count != 3 || c == 2.0)
                {
                    u = u + Helper(u);
                }
                else
                {
                    u = (u - c) / 2.0;
                }
                return u + w.Length;
            }

            [Differentiable]
            public static float Floats(ReadOnlySpan<float> x, float b)
            {
                float s = 0f;
                for (int i = 0; i < x.Length; i++) s += MathF.Exp(x[i] * b) / (1f + MathF.Abs(b));
                return s;
            }
        }
        """;

    [Fact]
    public void Every_supported_construct_generates_without_diagnostics_and_compiles()
    {
        GeneratorRun run = Run(EverySupportedConstruct);

        Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        Assert.Equal(
            new[] { "Sample.Everything.All.AutoCurv.g.cs", "Sample.Everything.Floats.AutoCurv.g.cs", "Sample.Everything.Helper.AutoCurv.g.cs", "Sample.Everything.Layer.AutoCurv.g.cs" },
            run.GeneratedSources.Keys.ToArray());
        string all = run.Source("Sample.Everything.All.AutoCurv.g.cs");
        Assert.Contains("public static double AllGradient(", all, StringComparison.Ordinal);
        Assert.Contains("public static double AllJvp(", all, StringComparison.Ordinal);
        Assert.Contains("public static void LayerVjp(", run.Source("Sample.Everything.Layer.AutoCurv.g.cs"), StringComparison.Ordinal);
        Assert.Contains("public static float FloatsGradient(", run.Source("Sample.Everything.Floats.AutoCurv.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void Array_input_in_a_dot_product_loop_compiles()
    {
        GeneratorRun run = Run(InC("""
                [Differentiable]
                public static double F(double[] w, ReadOnlySpan<double> x)
                {
                    double s = 0.0;
                    for (int i = 0; i < x.Length; i++) s += w[i] * x[i];
                    return s;
                }
            """));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(new[] { "C.F.AutoCurv.g.cs" }, run.GeneratedSources.Keys.ToArray());
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
    }

    [Fact]
    public void Method_with_an_error_gets_no_source_while_the_others_generate()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Sample;

            public static partial class Net
            {
                [Differentiable]
                public static double Good(ReadOnlySpan<double> x)
                {
                    double s = 0.0;
                    for (int i = 0; i < x.Length; i++) s += x[i] * x[i];
                    return s;
                }

                [Differentiable]
                public static double Bad(ReadOnlySpan<double> x)
                {
                    double s = 0.0;
                    foreach (double v in x) s += v;
                    return s;
                }
            }

            public static partial class Other
            {
                [Differentiable]
                public static double AlsoGood(double x) => Math.Exp(x);
            }
            """;
        GeneratorRun run = Run(source);

        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AC0010", d.Id);
        Assert.Equal("foreach (double v in x) s += v;", SpanText(run, d));
        Assert.Equal(new[] { "Sample.Net.Good.AutoCurv.g.cs", "Sample.Other.AlsoGood.AutoCurv.g.cs" }, run.GeneratedSources.Keys.ToArray());
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        Assert.DoesNotContain("BadGradient", string.Concat(run.GeneratedSources.Values), StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ the descriptors themselves

    private static IReadOnlyList<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void Descriptors_are_errors_with_unique_ids_and_help_links_to_their_docs_section()
    {
        IReadOnlyList<DiagnosticDescriptor> descriptors = Descriptors();

        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Id).Distinct().Count());
        Assert.All(descriptors, d =>
        {
            Assert.Matches("^AC00[0-9]{2}$", d.Id);
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault);
            Assert.Equal("AutoCurv", d.Category);
            Assert.EndsWith("/docs/diagnostics.md#" + d.Id.ToLowerInvariant(), d.HelpLinkUri, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_descriptor_has_a_docs_section_and_a_test_here()
    {
        string docs = File.ReadAllText(DocsPath());
        MethodInfo[] tests = typeof(DiagnosticTests).GetMethods(BindingFlags.Public | BindingFlags.Instance);
        foreach (DiagnosticDescriptor d in Descriptors())
        {
            Assert.Contains("\n## " + d.Id + "\n", docs.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains($"| [{d.Id}](#{d.Id.ToLowerInvariant()}) | {d.Title} |", docs, StringComparison.Ordinal);
            // AC0020 is RobustnessTests'; the [DerivativeOf] rule ids AC0022 and AC0023 are RuleDiagnosticTests'.
            if (d.Id == DiagnosticDescriptors.InternalError.Id || d.Id is "AC0022" or "AC0023") continue;
            Assert.True(tests.Any(t => t.Name.StartsWith(d.Id + "_", StringComparison.Ordinal)), $"no test named {d.Id}_… in DiagnosticTests");
        }
    }

    private static string DocsPath([CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", "docs", "diagnostics.md"));
}
