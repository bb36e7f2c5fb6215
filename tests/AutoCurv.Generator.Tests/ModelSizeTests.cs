using System;
using AutoCurv.Generator.Tests.Infrastructure;
using Xunit;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// The output size the generator reads off a model's body: inferred when every write to the output span is at an
/// index with constant bounds, never when the model reads <c>output.Length</c> or indexes it with anything else.
/// (AC0029 for a declared size that disagrees is in <see cref="DiagnosticTests"/>.)
/// </summary>
public sealed class ModelSizeTests
{
    private const string OutputCheck = "if (output.Length != {0}) global::AutoCurv.CompilerServices.Scratch.ThrowLength(nameof(output), output.Length, {0});";

    /// <summary>The generated file of a model <c>F(w, x, output)</c> with <paramref name="body"/>; asserts it compiles.</summary>
    private static string Generate(string body, string attribute = "[Differentiable]")
    {
        GeneratorRun run = GeneratorHarness.Run($$"""
            using System;
            using AutoCurv;

            public static partial class C
            {
                {{attribute}}
                public static void F([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
                {
                    {{body}}
                }
            }
            """);
        Assert.Empty(run.Exceptions);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        return run.Source("C.F.AutoCurv.g.cs");
    }

    private static void AssertInferred(string text, int size)
    {
        Assert.Contains($"public static int OutputSize => {size};", text, StringComparison.Ordinal);
        Assert.Contains("// Inferred: every write to 'output' is at an index with constant bounds.", text, StringComparison.Ordinal);
        Assert.Contains(string.Format(OutputCheck, size), text, StringComparison.Ordinal);
        Assert.DoesNotContain("public static int InputSize", text, StringComparison.Ordinal);
        Assert.DoesNotContain("public static int ParameterCount", text, StringComparison.Ordinal);
    }

    private static void AssertNotInferred(string text)
    {
        Assert.DoesNotContain("OutputSize", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ThrowLength(nameof(output)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Loop_with_constant_bounds()
    {
        AssertInferred(Generate("for (int k = 0; k < 3; k++) output[k] = w[k] * x[0];"), 3);
    }

    [Fact]
    public void Constant_indices_and_a_descending_loop()
    {
        AssertInferred(Generate("output[0] = w[0]; for (int i = 4; i >= 1; i--) output[i] = w[i] * x[0];"), 5);
    }

    [Fact]
    public void Nested_loops_whose_inner_bound_is_the_outer_counter()
    {
        // i ∈ [0, 1], j ∈ [0, i] ⊆ [0, 1]: indices 2i + j up to 3.
        AssertInferred(Generate("for (int i = 0; i < 2; i++) { for (int j = 0; j <= i; j++) output[i * 2 + j] = w[j] * x[0]; }"), 4);
    }

    [Fact]
    public void Constant_fields_and_a_write_under_a_condition()
    {
        const string body = "const int n = 2; for (int k = 0; k < n; k++) output[k] = w[k]; if (x[0] > 0.0) output[n] = x[0] * w[0];";
        AssertInferred(Generate(body), 3);
    }

    [Fact]
    public void Declared_output_size_that_agrees_is_not_marked_inferred()
    {
        string text = Generate("for (int k = 0; k < 3; k++) output[k] = w[k] * x[0];", "[Differentiable(OutputSize = 3)]");
        Assert.Contains("public static int OutputSize => 3;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("// Inferred", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_that_reads_its_output_length()
    {
        // It adapts to the length it is given, even though its one write is at a constant index.
        AssertNotInferred(Generate("output[0] = w[0]; if (output.Length > 1) output[1] = w[1] * x[0];"));
        AssertNotInferred(Generate("for (int k = 0; k < output.Length; k++) output[k] = w[k] * x[0];"));
    }

    [Fact]
    public void Index_from_a_local_or_an_input_length()
    {
        AssertNotInferred(Generate("int k = 1; output[k] = w[0] * x[0]; output[0] = w[1];"));
        AssertNotInferred(Generate("for (int k = 0; k < x.Length; k++) output[k] = w[k] * x[k];"));
    }

    [Fact]
    public void Loop_that_never_runs_writes_nothing()
    {
        AssertInferred(Generate("output[0] = w[0] * x[0]; for (int k = 5; k < 5; k++) output[k] = w[k];"), 1);
    }
}
