using System;
using System.Linq;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AutoCurv.Generator.Tests.SelfTests;

/// <summary>The harness on sources without any <c>[Differentiable]</c> method (the generator's own output is tested elsewhere).</summary>
public sealed class GeneratorHarnessTests
{
    private const string Trivial = """
        using System;

        namespace Sample;

        public static class Calculator
        {
            public static int Add(int a, int b) => a + b;

            public static double FirstRandom(ulong seed) => new AutoCurv.RandomSource(seed).NextDouble();

            public static double SumOfSquares(ReadOnlySpan<double> x)
            {
                double s = 0;
                foreach (double v in x) s += v * v;
                return s;
            }
        }
        """;

    [Fact]
    public void Trivial_source_runs_without_errors_or_exceptions()
    {
        GeneratorRun run = GeneratorHarness.Run(Trivial);

        Assert.Empty(run.Exceptions);
        Assert.Equal(0, run.GeneratorDiagnostics.Count(d => d.Severity == DiagnosticSeverity.Error));
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        Assert.Equal(0, run.GeneratorDiagnostics.Count(d => d.Id.StartsWith("AC", StringComparison.Ordinal)));
        Assert.Single(run.RunResult.Results);
        Assert.Equal(run.InputCompilation.SyntaxTrees.Count() + run.GeneratedSources.Count, run.OutputCompilation.SyntaxTrees.Count());
    }

    [Fact]
    public void Output_compilation_errors_are_reported()
    {
        GeneratorRun run = GeneratorHarness.Run("public static class Broken { public static int F() => \"text\"; }");

        Diagnostic error = Assert.Single(run.OutputErrors);
        Assert.Equal("CS0029", error.Id);
    }

    [Fact]
    public void Emitted_assembly_is_loaded_and_invoked_with_the_runtime_referenced()
    {
        GeneratorRun run = GeneratorHarness.Run(Trivial);
        using LoadedAssembly loaded = GeneratorHarness.EmitAndLoad(run.OutputCompilation);

        Assert.Equal(5, loaded.Invoke("Sample.Calculator", "Add", 2, 3));
        double expected = new AutoCurv.RandomSource(42).NextDouble();
        Assert.Equal(expected, (double)loaded.Invoke("Sample.Calculator", "FirstRandom", 42UL)!);
        Assert.NotSame(typeof(GeneratorHarnessTests).Assembly, loaded.Assembly);
        Assert.True(loaded.Assembly.IsCollectible);
    }

    [Fact]
    public void Rerun_reuses_the_driver()
    {
        GeneratorRun first = GeneratorHarness.Run(Trivial);
        GeneratorRun second = GeneratorHarness.RerunWithAddedSource(first, "namespace Sample; public static class Other { }");

        Assert.Equal(first.InputCompilation.SyntaxTrees.Count() + 1, second.InputCompilation.SyntaxTrees.Count());
        Assert.True(second.OutputErrors.IsEmpty, GeneratorHarness.Format(second.OutputErrors));
        Assert.Empty(second.Exceptions);
    }

    [Fact]
    public void References_hold_the_framework_and_the_runtime_once()
    {
        string[] names = GeneratorHarness.References
            .Select(r => System.IO.Path.GetFileNameWithoutExtension(r.Display!))
            .ToArray();

        Assert.Single(names, n => n == "AutoCurv");
        Assert.Single(names, n => n == "System.Runtime");
        Assert.Single(names, n => n == "System.Private.CoreLib");
        Assert.DoesNotContain(names, n => n.StartsWith("xunit", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(names, n => n.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
    }
}
