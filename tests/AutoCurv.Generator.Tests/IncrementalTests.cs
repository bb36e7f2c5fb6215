using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AutoCurv.Generator.Differentiation;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// Incremental caching of the pipeline (driver runs with step tracking on): edits that touch no [Differentiable]
/// method leave every tracked step Cached/Unchanged; an edit of one method re-differentiates exactly that method;
/// an edit of a callee in another file re-differentiates its caller (the caller inlines it); the cross-method
/// checks (Signatures, Collisions, Runtime) stay cached when a body changes and follow edits that add or remove a
/// collision; and no step output holds a Roslyn symbol, node, tree, location, semantic model or compilation.
/// ParseCacheTests checks the cache that lets the Parse stage reuse a method's lowering across compilations,
/// against a generator without it.
/// </summary>
public sealed class IncrementalTests
{
    /// <summary>Source0.cs: three [Differentiable] methods (one with a diagnostic) and an ordinary method last.</summary>
    private const string NetSource = """
        using System;
        using AutoCurv;

        namespace Sample;

        public static partial class Net
        {
            [Differentiable]
            public static double Rosenbrock(ReadOnlySpan<double> x)
            {
                double sum = 0.0;
                for (int i = 0; i < x.Length - 1; i++)
                {
                    double a = x[i + 1] - x[i] * x[i];
                    double b = 1.0 - x[i];
                    sum += 100.0 * a * a + b * b;
                }
                return sum;
            }

            [Differentiable]
            public static double Scaled(double x) => Act.Softsign(x) * Helpers.Square(x);

            [Differentiable]
            public static double Broken(ReadOnlySpan<double> x)
            {
                double s = 0.0;
                foreach (double v in x) s += v;
                return s;
            }

            public static int Unrelated(int a)
            {
                return a + 1;
            }
        }
        """;

    /// <summary>Source1.cs: a [Differentiable] callee and a [DerivativeOf] rule, both used by Net.Scaled.</summary>
    private const string HelperSource = """
        using System;
        using AutoCurv;

        namespace Sample;

        public static partial class Helpers
        {
            [Differentiable]
            public static double Square(double z) => z * z;
        }

        public static class Act
        {
            public static double Softsign(double x) => x / (1.0 + Math.Abs(x));

            [DerivativeOf(nameof(Softsign))]
            public static double SoftsignTangent(double x, double dx) => dx / ((1.0 + Math.Abs(x)) * (1.0 + Math.Abs(x)));
        }
        """;

    /// <summary>Source2.cs: nothing AutoCurv looks at.</summary>
    private const string UtilSource = """
        namespace Sample;

        public static class Util
        {
            public static int Twice(int a)
            {
                return 2 * a;
            }
        }
        """;

    private static GeneratorRun FirstRun()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(NetSource, HelperSource, UtilSource));
        Assert.Empty(run.Exceptions);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        // The fixture exercises every stage: a diagnostic (Broken), a rule, a callee, and three generated files.
        Assert.Equal("AC0010", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Equal(
            new[] { "Sample.Helpers.Square.AutoCurv.g.cs", "Sample.Net.Rosenbrock.AutoCurv.g.cs", "Sample.Net.Scaled.AutoCurv.g.cs" },
            run.GeneratedSources.Keys.ToArray());
        return run;
    }

    /// <summary>Replaces the text of input file <paramref name="path"/> (asserting the edit changed something).</summary>
    private static CSharpCompilation Edit(GeneratorRun run, string path, string oldText, string newText)
    {
        SyntaxTree tree = run.InputCompilation.SyntaxTrees.Single(t => t.FilePath == path);
        string text = tree.GetText().ToString();
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        return run.InputCompilation.ReplaceSyntaxTree(tree, GeneratorHarness.Parse(text.Replace(oldText, newText, StringComparison.Ordinal), path));
    }

    /// <summary>The Differentiate step's outputs of a run: (method name, reason).</summary>
    private static List<(string Method, IncrementalStepRunReason Reason)> Differentiations(GeneratorRun run) =>
        run.RunResult.Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(TrackingNames.Differentiate, out ImmutableArray<IncrementalGeneratorRunStep> steps) ? steps : ImmutableArray<IncrementalGeneratorRunStep>.Empty)
            .SelectMany(s => s.Outputs)
            .Select(o => (((DifferentiatedMethod)o.Value).Spec.Name, o.Reason))
            .ToList();

    private static void AssertSameOutput(GeneratorRun first, GeneratorRun second)
    {
        Assert.Equal(first.GeneratedSources, second.GeneratedSources);
        Assert.Equal(GeneratorHarness.Format(first.GeneratorDiagnostics), GeneratorHarness.Format(second.GeneratorDiagnostics));
    }

    [Fact]
    public void Tracking_names_cover_every_declared_stage()
    {
        Assert.Equal(IncrementalAssert.GeneratorTrackingNames.OrderBy(n => n, StringComparer.Ordinal), TrackingNames.All.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Adding_an_unrelated_file_leaves_every_step_cached()
    {
        GeneratorRun first = FirstRun();
        GeneratorRun second = GeneratorHarness.RerunWithAddedSource(first, """
            namespace Sample;

            public static class Added
            {
                public static double Half(double x) => 0.5 * x;
            }
            """);

        IncrementalAssert.StepsAreCached(second.RunResult, TrackingNames.All);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void Editing_a_method_body_in_another_file_leaves_every_step_cached()
    {
        GeneratorRun first = FirstRun();
        GeneratorRun second = GeneratorHarness.Rerun(first, Edit(first, "Source2.cs", "return 2 * a;", "return a + a + a;"));

        IncrementalAssert.StepsAreCached(second.RunResult, TrackingNames.All);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void Editing_an_unrelated_method_body_next_to_differentiable_methods_leaves_every_step_cached()
    {
        GeneratorRun first = FirstRun();
        GeneratorRun second = GeneratorHarness.Rerun(first, Edit(first, "Source0.cs", "return a + 1;", "return a * 3 - 7;"));

        IncrementalAssert.StepsAreCached(second.RunResult, TrackingNames.All);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void Rerunning_on_the_same_compilation_leaves_every_step_cached()
    {
        GeneratorRun first = FirstRun();
        GeneratorRun second = GeneratorHarness.Rerun(first, first.InputCompilation);

        IncrementalAssert.StepsAreCached(second.RunResult, TrackingNames.All);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void Editing_a_differentiable_method_body_re_differentiates_only_that_method()
    {
        GeneratorRun first = FirstRun();
        GeneratorRun second = GeneratorHarness.Rerun(first, Edit(first, "Source0.cs", "sum += 100.0 * a * a + b * b;", "sum += 200.0 * a * a + b * b;"));

        List<(string Method, IncrementalStepRunReason Reason)> steps = Differentiations(second);
        Assert.Contains(("Rosenbrock", IncrementalStepRunReason.Modified), steps);
        Assert.All(steps.Where(s => s.Method != "Rosenbrock"), s =>
            Assert.True(s.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{s.Method} was {s.Reason}"));
        Assert.Equal(new[] { "Rosenbrock", "Scaled", "Square" }, steps.Select(s => s.Method).OrderBy(m => m, StringComparer.Ordinal).ToArray());

        string before = first.Source("Sample.Net.Rosenbrock.AutoCurv.g.cs");
        string after = second.Source("Sample.Net.Rosenbrock.AutoCurv.g.cs");
        Assert.Contains("100.0", before, StringComparison.Ordinal);
        Assert.DoesNotContain("200.0", before, StringComparison.Ordinal);
        Assert.Contains("200.0", after, StringComparison.Ordinal);
        Assert.Equal(first.Source("Sample.Net.Scaled.AutoCurv.g.cs"), second.Source("Sample.Net.Scaled.AutoCurv.g.cs"));
        Assert.True(second.OutputErrors.IsEmpty, GeneratorHarness.Format(second.OutputErrors));
    }

    [Fact]
    public void Editing_a_differentiable_method_body_leaves_the_cross_method_checks_cached()
    {
        GeneratorRun first = FirstRun();
        GeneratorRun second = GeneratorHarness.Rerun(first, Edit(first, "Source0.cs", "sum += 100.0 * a * a + b * b;", "sum += 200.0 * a * a + b * b;"));

        Assert.Contains(("Rosenbrock", IncrementalStepRunReason.Modified), Differentiations(second));
        // The body changed, its generated members' signatures did not: the collision check is not redone.
        IncrementalAssert.StepsAreCached(second.RunResult, new[] { TrackingNames.Signatures, TrackingNames.Collisions, TrackingNames.Runtime });
        Assert.NotEqual(first.Source("Sample.Net.Rosenbrock.AutoCurv.g.cs"), second.Source("Sample.Net.Rosenbrock.AutoCurv.g.cs"));
    }

    [Fact]
    public void A_collision_added_and_removed_by_edits_blocks_and_then_restores_the_later_method()
    {
        GeneratorRun first = FirstRun();
        GeneratorRun second = GeneratorHarness.RerunWithAddedSource(first, """
            using AutoCurv;

            namespace Sample;

            public static partial class Net
            {
                [Differentiable]
                public static double Pair(double a, double b) => a * b;

                [Differentiable]
                public static double Pair([Wrt] double a, double b, double c) => a * b * c;
            }
            """);

        Assert.Equal(new[] { "AC0010", "AC0028" }, second.GeneratorDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).ToArray());
        Diagnostic collision = second.GeneratorDiagnostics.Single(d => d.Id == "AC0028");
        Assert.Equal(("Added.cs", 11), (collision.Location.GetLineSpan().Path, collision.Location.GetLineSpan().StartLinePosition.Line + 1));
        Assert.Equal(4, second.GeneratedSources.Count);
        foreach (string hint in first.GeneratedSources.Keys) Assert.Equal(first.GeneratedSources[hint], second.GeneratedSources[hint]);
        Assert.All(Differentiations(second).Where(s => s.Method != "Pair"), s =>
            Assert.True(s.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{s.Method} was {s.Reason}"));
        Assert.True(second.OutputErrors.IsEmpty, GeneratorHarness.Format(second.OutputErrors));

        GeneratorRun third = GeneratorHarness.Rerun(second, Edit(second, "Added.cs",
            "public static double Pair([Wrt] double a, double b, double c)", "public static double Triple([Wrt] double a, double b, double c)"));
        Assert.Equal("AC0010", Assert.Single(third.GeneratorDiagnostics).Id);
        Assert.Equal(5, third.GeneratedSources.Count);
        Assert.Contains("public static double TripleJvp(", third.Source("Sample.Net.Triple.AutoCurv.g.cs"), StringComparison.Ordinal);
        Assert.True(third.OutputErrors.IsEmpty, GeneratorHarness.Format(third.OutputErrors));
    }

    [Fact]
    public void Step_outputs_hold_no_roslyn_objects()
    {
        GeneratorRun first = FirstRun();
        IncrementalAssert.NoRoslynObjectsInOutputs(first.RunResult, TrackingNames.All);

        GeneratorRun edited = GeneratorHarness.Rerun(first, Edit(first, "Source0.cs", "double b = 1.0 - x[i];", "double b = 2.0 - x[i];"));
        IncrementalAssert.NoRoslynObjectsInOutputs(edited.RunResult, TrackingNames.All);
    }

    [Fact]
    public void Editing_a_callee_in_another_file_regenerates_its_caller()
    {
        GeneratorRun first = FirstRun();
        GeneratorRun second = GeneratorHarness.Rerun(first, Edit(first, "Source1.cs", "public static double Square(double z) => z * z;",
            "public static double Square(double z) => z * z * 3.5;"));

        List<(string Method, IncrementalStepRunReason Reason)> steps = Differentiations(second);
        Assert.Contains(("Square", IncrementalStepRunReason.Modified), steps);
        Assert.Contains(("Scaled", IncrementalStepRunReason.Modified), steps);
        Assert.DoesNotContain(("Rosenbrock", IncrementalStepRunReason.Modified), steps);

        string before = first.Source("Sample.Net.Scaled.AutoCurv.g.cs");
        string after = second.Source("Sample.Net.Scaled.AutoCurv.g.cs");
        Assert.NotEqual(before, after);
        Assert.DoesNotContain("3.5", before, StringComparison.Ordinal);
        Assert.Contains("3.5", after, StringComparison.Ordinal); // the caller inlines the edited callee
        Assert.Equal(first.Source("Sample.Net.Rosenbrock.AutoCurv.g.cs"), second.Source("Sample.Net.Rosenbrock.AutoCurv.g.cs"));
        Assert.True(second.OutputErrors.IsEmpty, GeneratorHarness.Format(second.OutputErrors));
    }

    [Fact]
    public void Editing_a_rule_in_another_file_regenerates_the_method_that_uses_it()
    {
        GeneratorRun first = FirstRun();
        GeneratorRun second = GeneratorHarness.Rerun(first, Edit(first, "Source1.cs",
            "=> dx / ((1.0 + Math.Abs(x)) * (1.0 + Math.Abs(x)));", "=> dx / ((1.0 + Math.Abs(x)) * (1.0 + Math.Abs(x))) * 0.75;"));

        Assert.Contains(("Scaled", IncrementalStepRunReason.Modified), Differentiations(second));
        Assert.DoesNotContain("0.75", first.Source("Sample.Net.Scaled.AutoCurv.g.cs"), StringComparison.Ordinal);
        Assert.Contains("0.75", second.Source("Sample.Net.Scaled.AutoCurv.g.cs"), StringComparison.Ordinal);
        Assert.True(second.OutputErrors.IsEmpty, GeneratorHarness.Format(second.OutputErrors));
    }
}
