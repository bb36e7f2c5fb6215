using System;
using System.Linq;
using System.Text.RegularExpressions;
using AutoCurv.Generator.Tests.Infrastructure;
using Xunit;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// Generated code zeroes spans through <c>Scratch.Clear</c>, never <c>Span.Clear()</c>: the library's clear can return
/// with the upper halves of the vector registers dirty, and the glibc <c>tanh</c>/<c>exp</c>/<c>log</c> behind
/// <c>Math.Tanh</c> and friends (SSE code) then pay the AVX→SSE transition on every instruction. On the benchmark
/// machine a 16-unit tanh layer's gradient took 4.1 µs instead of 0.3 (docs/benchmarks.md, "A hazard seen on this
/// machine"). Timing cannot be asserted in a unit test, so this checks the mechanism in the members over doubles of
/// a model with scratch spans, cleared results, a lazily cleared result and the dense-Hessian drivers (spans of lane
/// vectors and sample blocks keep Span.Clear: their members use 256-bit registers inline anyway).
/// </summary>
public sealed class ClearTests
{
    [Fact]
    public void Generated_members_zero_spans_through_Scratch_Clear()
    {
        GeneratorRun run = GeneratorHarness.Run([.. SnapshotTests.MlpSources, """
            using System;
            using AutoCurv;

            namespace C;

            public static partial class M
            {
                [Differentiable]
                public static double Strided([Wrt] ReadOnlySpan<double> x)
                {
                    Span<double> h = stackalloc double[4];
                    for (int j = 0; j < 4; j++) h[j] = Math.Exp(x[2 * j % x.Length]);
                    double s = 0;
                    for (int j = 0; j < 4; j++) s += Math.Log(1 + h[j] * h[j]);
                    return s;
                }
            }
            """]);
        Assert.Empty(run.Exceptions);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        string all = string.Concat(run.GeneratedSources.Values);
        Assert.Contains("Scratch.Clear(", all);
        Assert.Contains("FirstTouch.Begin(", all);
        Assert.Contains("Batch<TLoss>(", all);
        Assert.Contains("Hessian<TLoss>(", all);
        // Members over doubles only (not the lanes helpers or the batched members, which compute with 256-bit
        // registers inline anyway and keep Span.Clear for their vector spans).
        var members = GeneratorHarness.Members(all).Where(m => !m.Contains("Vector256") && !m.Contains("SampleBlock")).ToList();
        Assert.Contains(members, m => m.Contains("StridedGradient("));
        Assert.Contains(members, m => m.Contains("ForwardLossHvp<TLoss>("));
        var spanClears = members.SelectMany(m => Regex.Matches(m, @"[\w\]\)]\.Clear\(\)").Select(x => x.Value)).ToList();
        Assert.True(spanClears.Count == 0, $"generated code calls Span.Clear() on spans of doubles: {string.Join(", ", spanClears.Distinct())}");
        // The lanes helpers clear their lane-vector spans directly and their spans of doubles through Scratch.Clear.
        Assert.Contains(GeneratorHarness.Members(all), m => m.Contains("Vector256") && m.Contains("Scratch.Clear("));
    }
}
