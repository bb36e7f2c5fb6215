using System;
using AutoCurv.Generator.Tests.Infrastructure;
using Xunit;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// Which models get batched members, and what the model struct says when one does not (the numbers of the batched
/// members are checked in AutoCurv.Tests.BatchedMembersTests and by the fuzzer).
/// </summary>
public sealed class BatchingTests
{
    private const string Header = """
        using System;
        using AutoCurv;

        namespace B;

        """;

    private static string Generated(string body, string name)
    {
        GeneratorRun run = GeneratorHarness.Run(Header + "public static partial class M\n{\n" + body + "\n}\n");
        Assert.Empty(run.Exceptions);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        return run.Source($"B.M.{name}.AutoCurv.g.cs");
    }

    [Fact]
    public void A_model_uniform_across_samples_gets_all_four_batched_members()
    {
        string text = Generated("""
            [Differentiable]
            public static void F([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
            {
                for (int k = 0; k < output.Length; k++)
                {
                    double a = w[0] > 0 ? w[k] : -w[k];
                    output[k] = Math.Max(0.0, a * x[k % x.Length]) + Math.Abs(x[0]);
                }
            }
            """, "F");
        foreach (var member in new[] { "FLossBatch<TLoss>(", "FLossGradientBatch<TLoss>(", "FLossHvpBatch<TLoss>(", "FGgnvpBatch<TLoss>(" })
            Assert.Contains("public static double " + member, text, StringComparison.Ordinal);
        Assert.Contains("public static bool HasBatchedMembers => true;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("No batched members", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("if (x[0] > 0.0) a = -a;", "an if condition depends on the sample (line 11)")]
    [InlineData("int k = x[0] > 0.0 ? 1 : 0; a += w[k];", "the integer or bool 'k' depends on the sample")]
    [InlineData("int m = x[0] > 0.0 ? 2 : 1; for (int i = 0; i < m; i++) a += w[1];", "the integer or bool 'm' depends on the sample")]
    [InlineData("a += Ext.Soft(a);", "a call of B.Ext.Soft on a sample value")]
    [InlineData("bool big = x[0] > 1.0; if (big) a = 2.0 * a;", "the integer or bool 'big' depends on the sample")]
    public void A_model_that_is_not_uniform_says_why_and_gets_none(string statement, string reason)
    {
        string text = Generated($$"""
            [Differentiable]
            public static void F([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
            {
                double a = w[0] * x[0];
                {{statement}}
                output[0] = a;
            }
            }

            public static class Ext
            {
                public static double Soft(double x) => Math.Log(1.0 + Math.Exp(x));

                [DerivativeOf(nameof(Soft))]
                public static double SoftTangent(double x, double dx) => dx / (1.0 + Math.Exp(-x));
            """, "F");
        Assert.Contains("// No batched members (the data-set operators run F one sample at a time): ", text, StringComparison.Ordinal);
        Assert.True(text.Contains(reason, StringComparison.Ordinal), System.Text.RegularExpressions.Regex.Match(text, "// No batched.*").Value);
        Assert.DoesNotContain("Batch<TLoss>(", text, StringComparison.Ordinal);
        Assert.DoesNotContain("HasBatchedMembers", text, StringComparison.Ordinal);
    }
}
