using System;
using System.Linq;
using AutoCurv.Generator.Tests.Infrastructure;
using Xunit;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// A declared span whose first loop writes every element before any is read is not cleared after its stackalloc
/// (<c>WrittenFirst</c>); every other pattern keeps the clear. Each method below declares a span <c>h</c> in one
/// pattern, and the test reads whether its gradient clears <c>h</c>. That skipping a clear never changes a
/// derivative is checked at run time by tests/AutoCurv.Tests, whose assembly compiles with SkipLocalsInit (stale
/// stack memory, not zeros, behind every stackalloc), against finite differences.
/// </summary>
public sealed class WrittenFirstTests
{
    private const string Source = """
        using System;
        using AutoCurv;

        namespace W;

        public static partial class M
        {
            // --- written in full before any read: not cleared
            [Differentiable]
            public static double Full([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                double unrelated = 2.0;
                for (int j = 0; j < n; j++)
                {
                    double a = x[j] * unrelated;
                    h[j] = Math.Tanh(a);
                }
                double s = 0.0;
                for (int j = 0; j < n; j++) s += h[j] * h[(j + 1) % n];
                return s;
            }

            [Differentiable]
            public static double OverLength([Wrt] ReadOnlySpan<double> x)
            {
                Span<double> h = stackalloc double[x.Length];
                for (int j = 0; j < h.Length; j++) h[j] = x[j] * x[j];
                double s = 0.0;
                for (int j = 0; j < h.Length; j++) s += h[j] * x[j];
                return s;
            }

            [Differentiable]
            public static double ReadBackSameElement([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                double s = 0.0;
                for (int j = 0; j < n; j++)
                {
                    h[j] = Math.Sin(x[j]);
                    s += h[j] * h[j];
                }
                for (int j = 0; j < n; j++) s += h[j] * x[j];
                return s;
            }

            // --- each keeps the clear
            [Differentiable]
            public static double FromOne([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                for (int j = 1; j < n; j++) h[j] = x[j] * x[j - 1];
                double s = 0.0;
                for (int j = 0; j < n; j++) s += h[j] * x[j];
                return s;
            }

            [Differentiable]
            public static double ShortBound([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                for (int j = 0; j < n - 1; j++) h[j] = x[j] * x[j + 1];
                double s = 0.0;
                for (int j = 0; j < n; j++) s += h[j] * x[j];
                return s;
            }

            [Differentiable]
            public static double Accumulated([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                for (int j = 0; j < n; j++) h[j] += x[j] * x[j];
                double s = 0.0;
                for (int j = 0; j < n; j++) s += h[j] * x[j];
                return s;
            }

            [Differentiable]
            public static double InBranch([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                for (int j = 0; j < n; j++)
                {
                    if (x[j] > 0.0) h[j] = x[j] * x[j];
                }
                double s = 0.0;
                for (int j = 0; j < n; j++) s += h[j] * x[j];
                return s;
            }

            [Differentiable]
            public static double ReadsAheadInTheWrite([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                for (int j = 0; j < n; j++) h[j] = x[j] + 0.5 * h[(j + 1) % n];
                double s = 0.0;
                for (int j = 0; j < n; j++) s += h[j] * x[j];
                return s;
            }

            [Differentiable]
            public static double ReadsAheadAfterTheWrite([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                double s = 0.0;
                for (int j = 0; j < n; j++)
                {
                    h[j] = x[j] * x[j];
                    s += h[(j + 1) % n] * x[j];
                }
                return s;
            }

            [Differentiable]
            public static double ReadBeforeTheLoop([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                double s = h[0] + x[0];
                for (int j = 0; j < n; j++) h[j] = x[j] * s;
                for (int j = 0; j < n; j++) s += h[j] * x[j];
                return s;
            }

            [Differentiable]
            public static double LengthChangedBeforeTheLoop([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                n = n - 1;
                for (int j = 0; j < n; j++) h[j] = x[j] * x[j];
                double s = 0.0;
                for (int j = 0; j < x.Length; j++) s += h[j] * x[j];
                return s;
            }

            [Differentiable]
            public static double WrittenInAnInnerLoop([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                for (int r = 0; r < 2; r++)
                {
                    for (int j = 0; j < n; j++) h[j] = x[j] * (r + 1);
                }
                double s = 0.0;
                for (int j = 0; j < n; j++) s += h[j] * x[j];
                return s;
            }

            // The reverse sweep saves h[j] before the second write overwrites it, and that save comes first.
            [Differentiable]
            public static double OverwrittenInTheSameIteration([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                double s = 0.0;
                for (int j = 0; j < n; j++)
                {
                    h[j] = Math.Sin(x[j]);
                    s += h[j] * h[j];
                    h[j] = h[j] * x[j];
                }
                for (int j = 0; j < n; j++) s += h[j];
                return s;
            }

            [Differentiable]
            public static double OtherSpanFirst([Wrt] ReadOnlySpan<double> x)
            {
                int n = x.Length;
                Span<double> h = stackalloc double[n];
                Span<double> g = stackalloc double[n];
                for (int j = 0; j < n; j++) g[j] = h[j] + x[j];
                for (int j = 0; j < n; j++) h[j] = g[j] * x[j];
                double s = 0.0;
                for (int j = 0; j < n; j++) s += h[j] * g[j];
                return s;
            }
        }
        """;

    private static readonly Lazy<string> s_generated = new(() =>
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        Assert.Empty(run.Exceptions);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        return string.Concat(run.GeneratedSources.Values);
    });

    /// <summary>Whether the gradient of <paramref name="method"/> clears its span h after declaring it.</summary>
    private static bool GradientClearsH(string method)
    {
        string member = GeneratorHarness.Members(s_generated.Value)
            .Single(m => m.Contains($" {method}Gradient("));
        var lines = member.Split('\n').Select(l => l.Trim()).ToList();
        int at = lines.FindIndex(l => l.StartsWith("global::System.Span<double> h = ", StringComparison.Ordinal));
        Assert.True(at >= 0, $"{method}Gradient declares no span h");
        string next = lines[at + 1];
        if (next.StartsWith("// not cleared", StringComparison.Ordinal)) return false;
        Assert.Contains("Scratch.Clear(h)", next);
        return true;
    }

    [Theory]
    [InlineData("Full")]
    [InlineData("OverLength")]
    [InlineData("ReadBackSameElement")]
    public void A_span_written_in_full_first_is_not_cleared(string method) => Assert.False(GradientClearsH(method));

    [Theory]
    [InlineData("FromOne")]
    [InlineData("ShortBound")]
    [InlineData("Accumulated")]
    [InlineData("InBranch")]
    [InlineData("ReadsAheadInTheWrite")]
    [InlineData("ReadsAheadAfterTheWrite")]
    [InlineData("ReadBeforeTheLoop")]
    [InlineData("LengthChangedBeforeTheLoop")]
    [InlineData("WrittenInAnInnerLoop")]
    [InlineData("OverwrittenInTheSameIteration")]
    [InlineData("OtherSpanFirst")]
    public void Any_other_span_keeps_its_clear(string method) => Assert.True(GradientClearsH(method));

    [Fact]
    public void Adjoint_spans_that_are_accumulated_keep_their_clear()
    {
        string member = GeneratorHarness.Members(s_generated.Value).Single(m => m.Contains(" FullGradient("));
        Assert.Contains("Scratch.Clear(_d_h)", member);
    }

    [Fact]
    public void The_first_loss_call_into_an_output_adjoint_writes_it()
    {
        GeneratorRun run = GeneratorHarness.Run(SnapshotTests.MlpSources);
        Assert.Empty(run.Exceptions);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        var members = GeneratorHarness.Members(string.Concat(run.GeneratedSources.Values));
        string Member(string name) => members.Single(m => m.Contains($" {name}<TLoss>("));

        string gradient = Member("ForwardLossGradient");
        Assert.Contains("LossCalls.WriteGradient<TLoss, double>(output, target, _d__loss, _d_output);", gradient);
        Assert.DoesNotContain("Clear(_d_output)", gradient);
        string hvp = Member("ForwardLossHvp");
        Assert.Contains("LossCalls.WriteGradient<", hvp);
        Assert.Contains("LossCalls.WriteHessianVectorProduct<", hvp);
        Assert.DoesNotContain("LossCalls.Accumulate", hvp);
        Assert.Contains("LossCalls.WriteHessianVectorProduct<", Member("ForwardGgnvp"));
        // Batched members take sample blocks: their loss calls keep adding into a cleared span.
        string batched = Member("ForwardLossGradientBatch");
        Assert.Contains("BlockLossCalls.AccumulateGradient<", batched);
        Assert.Contains("_d_output.Clear()", batched);
    }
}
