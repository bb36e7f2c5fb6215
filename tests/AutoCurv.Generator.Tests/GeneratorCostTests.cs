using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace AutoCurv.Generator.Tests;

/// <summary>Runs the cost measurements alone, so other test classes do not share the cores while they are timed.</summary>
[CollectionDefinition(nameof(GeneratorCostCollection), DisableParallelization = true)]
public sealed class GeneratorCostCollection
{
}

/// <summary>
/// Issue 5 item 5: what the generator costs in a project of 200 [Differentiable] methods (20 files of 10: scalar
/// loops with branches and recurrences, MLP-shaped models, helpers, callers of helpers in the same and in another
/// file, vector functions), for the full run and for one edit (the body of one method replaced, the driver rerun).
/// The asserted bounds are a guard against pathologies (full run &lt; 60 s, edit &lt; 2 s), not the target; the
/// figures (and the issue's 50 ms target) are printed and recorded in docs/benchmarks.md, "Generator cost".
/// </summary>
/// <remarks>
/// <c>dotnet test tests/AutoCurv.Generator.Tests --filter FullyQualifiedName~GeneratorCost --logger "console;verbosity=detailed"</c>
/// prints the figures. Times are the driver's own (<see cref="GeneratorDriver.GetTimingInfo"/>) and a stopwatch
/// around <see cref="GeneratorDriver.RunGenerators(Compilation)"/>; the per-step split comes from the tracked
/// steps' <see cref="IncrementalGeneratorRunStep.ElapsedTime"/>.
/// </remarks>
[Collection(nameof(GeneratorCostCollection))]
[Trait("Category", "GeneratorCost")]
public sealed class GeneratorCostTests
{
    private const int Files = 20;
    private const int MethodsPerFile = 10;
    private const int Methods = Files * MethodsPerFile;

    /// <summary>Slot kinds within a file: 0–2 scalar loops, 3–4 models, 5–6 helpers, 7–8 callers, 9 a vector function.</summary>
    private const int LoopSlot = 0, ModelSlot = 3, HelperSlot = 5, CallerSlot = 7, VectorSlot = 9;

    private const int WarmUpEdits = 2;
    private const int MeasuredEdits = 10;

    private static readonly TimeSpan FullRunBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan EditBound = TimeSpan.FromSeconds(2);

    private readonly ITestOutputHelper _output;

    public GeneratorCostTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Full_run_and_one_edit_of_200_methods_stay_within_generous_bounds()
    {
        var compilation = GeneratorHarness.CreateCompilation(Enumerable.Range(0, Files).Select(f => FileSource(f)), "AutoCurv.GeneratorCost");

        // Full run: a new driver on the whole project (the first run in this process also pays the JIT of the generator).
        GeneratorDriver driver = GeneratorHarness.CreateDriver();
        var watch = Stopwatch.StartNew();
        driver = driver.RunGenerators(compilation);
        TimeSpan full = watch.Elapsed;
        GeneratorDriverRunResult result = driver.GetRunResult();
        TimeSpan fullGenerator = driver.GetTimingInfo().GeneratorTimes.Single().ElapsedTime;

        Assert.Null(result.Results.Single().Exception);
        Assert.Empty(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(Methods, result.GeneratedTrees.Length);

        // One edit: the body of one scalar loop replaced (a constant changed), the same driver rerun.
        var (edited, _) = Edit(compilation, file: 7, slot: LoopSlot, version: 1, shift: Shift.Lines);
        watch.Restart();
        driver = driver.RunGenerators(edited);
        TimeSpan edit = watch.Elapsed;
        GeneratorDriverRunResult editResult = driver.GetRunResult();
        TimeSpan editGenerator = driver.GetTimingInfo().GeneratorTimes.Single().ElapsedTime;
        Assert.Null(editResult.Results.Single().Exception);
        Assert.Equal(Methods, editResult.GeneratedTrees.Length);

        // The edited method is differentiated again, and so is every method after it in the same file (the edit adds a
        // line, which moves their line comments and locations), and the two callers in file 6 that inline Helper75 from
        // this file (its line comments move too).
        var differentiate = editResult.Results.Single().TrackedSteps[TrackingNames.Differentiate];
        int recomputed = differentiate.SelectMany(s => s.Outputs).Count(o => o.Reason is IncrementalStepRunReason.New or IncrementalStepRunReason.Modified);

        // The edited method's generated file compiles.
        driver.RunGeneratorsAndUpdateCompilation(edited, out Compilation output, out _);
        SyntaxTree generated = output.SyntaxTrees.Single(t => t.FilePath.EndsWith("Net7.Loop70.AutoCurv.g.cs", StringComparison.Ordinal));
        var errors = output.GetSemanticModel(generated).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"200 methods, full run (new driver; JIT cold unless the other test ran first): {full.TotalMilliseconds:F0} ms (driver timing {fullGenerator.TotalMilliseconds:F0} ms)"));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first edit (one method body, length changed): {edit.TotalMilliseconds:F0} ms (driver timing {editGenerator.TotalMilliseconds:F0} ms), methods re-differentiated: {recomputed}"));
        Assert.Empty(errors);
        Assert.InRange(recomputed, 1, MethodsPerFile + 2);
        Assert.True(full < FullRunBound, $"the full run took {full}");
        // Wall time on the shared CI machine includes other test processes; an edit over the bound is repeated (two
        // more edits of the same slot) and the fastest counts: a generator that redoes everything is slow every time.
        for (int again = 2; again <= 3 && edit >= EditBound; again++)
        {
            var (next, _) = Edit(compilation, file: 7, slot: LoopSlot, version: again, shift: Shift.Lines);
            watch.Restart();
            driver = driver.RunGenerators(next);
            TimeSpan repeated = watch.Elapsed;
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"edit {again} (the first was over the bound): {repeated.TotalMilliseconds:F0} ms"));
            if (repeated < edit) edit = repeated;
        }
        Assert.True(edit < EditBound, $"one edit took {edit}");
    }

    [Fact]
    public void Edit_time_median_and_where_it_goes()
    {
        var compilation = GeneratorHarness.CreateCompilation(Enumerable.Range(0, Files).Select(f => FileSource(f)), "AutoCurv.GeneratorCost");

        // Warm the generator's and Roslyn's code paths with one full run on a separate driver, then time full runs warm,
        // with the parse cache (which a first run only fills: it pays for keys and skeletons) and without.
        GeneratorHarness.CreateDriver(trackIncrementalGeneratorSteps: false).RunGenerators(compilation);
        GeneratorHarness.CreateDriver(new AutoCurvGenerator(reuseParses: false), trackIncrementalGeneratorSteps: false).RunGenerators(compilation);
        var fullRuns = new Dictionary<bool, List<double>> { [true] = new(), [false] = new() };
        var watch = new Stopwatch();
        for (int i = 0; i < 3; i++)
        {
            foreach (bool reuse in new[] { true, false })
            {
                watch.Restart();
                GeneratorHarness.CreateDriver(new AutoCurvGenerator(reuse), trackIncrementalGeneratorSteps: false).RunGenerators(compilation);
                fullRuns[reuse].Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"full run, 200 methods, new driver, warm JIT, no step tracking (median of 3): parse cache on {Median(fullRuns[true]):F0} ms, off {Median(fullRuns[false]):F0} ms"));

        // Same-length edits (one digit of a constant) re-lower and re-differentiate the edited method only. Edits that
        // move the methods after the edited one (a line more, or characters more on a line) also re-lower those (a
        // parse is reused only where it was made) and re-differentiate them (their line comments and spans change),
        // and the methods that inline them. Each series runs with the parse cache and without it (as before it).
        // A throw-away series first: the JIT promotes the generator's and Roslyn's hot methods to optimised code in the
        // background during the first few hundred parses, which would otherwise land in the first measured series.
        GeneratorDriver warm = GeneratorHarness.CreateDriver(trackIncrementalGeneratorSteps: false).RunGenerators(compilation);
        for (int v = 1; v <= 8; v++) warm = warm.RunGenerators(Edit(compilation, 7, LoopSlot, version: 1000 + v).Compilation);
        GeneratorDriver warmUncached = GeneratorHarness.CreateDriver(new AutoCurvGenerator(reuseParses: false), trackIncrementalGeneratorSteps: false).RunGenerators(compilation);
        for (int v = 1; v <= 8; v++) warmUncached = warmUncached.RunGenerators(Edit(compilation, 7, LoopSlot, version: 1000 + v).Compilation);

        foreach (bool reuse in new[] { true, false })
        {
            MeasureEdits(compilation, "scalar loop, same length", 7, LoopSlot, tracking: false, Shift.None, reuse);
            MeasureEdits(compilation, "scalar loop, same length", 7, LoopSlot, tracking: true, Shift.None, reuse);
            MeasureEdits(compilation, "scalar loop, one line longer each edit (first method of its file)", 7, LoopSlot, tracking: true, Shift.Lines, reuse);
            MeasureEdits(compilation, "scalar loop, one character longer each edit, same lines (first method of its file)", 7, LoopSlot, tracking: true, Shift.Characters, reuse);
            MeasureEdits(compilation, "helper called by 3 methods in 2 files, same length", 8, HelperSlot, tracking: true, Shift.None, reuse);
        }

        // From outside the generator: what Roslyn alone charges an edit before any AutoCurv code runs, namely a
        // semantic model per file and the bound body (IOperation) of each of the 200 methods, which is the least the
        // Parse stage (ForAttributeWithMetadataName + MethodParser) must redo on every new compilation; and the
        // parse of the edited file itself.
        var binding = new List<double>();
        var parsing = new List<double>();
        for (int v = 0; v < WarmUpEdits + MeasuredEdits; v++)
        {
            var (edited, parse) = Edit(compilation, file: 7, slot: LoopSlot, version: 100 + v);
            watch.Restart();
            int bound = 0;
            foreach (SyntaxTree tree in edited.SyntaxTrees)
            {
                SemanticModel model = edited.GetSemanticModel(tree);
                foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
                {
                    Assert.NotNull(model.GetOperation(method));
                    bound++;
                }
            }
            Assert.Equal(Methods, bound);
            if (v >= WarmUpEdits)
            {
                binding.Add(watch.Elapsed.TotalMilliseconds);
                parsing.Add(parse.TotalMilliseconds);
            }
        }
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"outside the generator, per edit (median of {MeasuredEdits}): parse the edited file {Median(parsing):F2} ms; semantic models + IOperation of all 200 bodies {Median(binding):F1} ms"));

        // The Parse stage itself, outside the driver: MethodParser.Parse on all 200 methods of a fresh (edited)
        // compilation, as ForAttributeWithMetadataName calls it (the context is built by reflection: its constructor is
        // internal to Roslyn). The difference to the binding floor above is AutoCurv's own lowering to IR.
        ConstructorInfo? context = typeof(GeneratorAttributeSyntaxContext)
            .GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .SingleOrDefault(c => c.GetParameters().Select(p => p.ParameterType).SequenceEqual(
                new[] { typeof(SyntaxNode), typeof(ISymbol), typeof(SemanticModel), typeof(ImmutableArray<AttributeData>) }));
        if (context is null)
        {
            _output.WriteLine("MethodParser.Parse alone: not measurable with this Roslyn (GeneratorAttributeSyntaxContext has another constructor)");
            return;
        }
        var parser = new List<double>();
        string[] kinds = { "scalar loops (60)", "models (40)", "helpers (40)", "callers, inlining 2 helpers each (40)", "vector functions, inlining 1 helper (20)" };
        var perKind = kinds.ToDictionary(k => k, _ => new List<double>());
        var kindWatch = new Stopwatch();
        for (int v = 0; v < WarmUpEdits + MeasuredEdits; v++)
        {
            var (edited, _) = Edit(compilation, file: 7, slot: LoopSlot, version: 200 + v);
            var kindTotals = new double[kinds.Length];
            watch.Restart();
            int parsed = 0;
            foreach (SyntaxTree tree in edited.SyntaxTrees)
            {
                SemanticModel model = edited.GetSemanticModel(tree);
                int slot = 0;
                foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
                {
                    kindWatch.Restart();
                    ISymbol symbol = model.GetDeclaredSymbol(method)!;
                    var attributes = symbol.GetAttributes().Where(a => a.AttributeClass?.Name == "DifferentiableAttribute").ToImmutableArray();
                    var ctx = (GeneratorAttributeSyntaxContext)context.Invoke(new object[] { method, symbol, model, attributes });
                    var result = Parsing.MethodParser.Parse(ctx, default);
                    kindTotals[KindOf(slot++)] += kindWatch.Elapsed.TotalMilliseconds;
                    Assert.NotNull(result.Spec);
                    parsed++;
                }
            }
            Assert.Equal(Methods, parsed);
            if (v < WarmUpEdits) continue;
            parser.Add(watch.Elapsed.TotalMilliseconds);
            for (int k = 0; k < kinds.Length; k++) perKind[kinds[k]].Add(kindTotals[k]);
        }
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MethodParser.Parse on all 200 methods of a fresh compilation (median of {MeasuredEdits}): {Median(parser):F1} ms, of which binding (above) {Median(binding):F1} ms; by kind (median ms): ") +
            string.Join("; ", kinds.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k} {Median(perKind[k]):F1}"))));

        // The Parse stage of a same-length edit with the parse cache warm, outside the driver: what
        // ForAttributeWithMetadataName needs before it calls the transform (a semantic model per file, each method's
        // symbol and attributes), then ParseCache.Parse on the 200 methods (keys, the edited file's skeleton, checks
        // of inlined callees, and the one method lowered).
        var cache = new Parsing.ParseCache();
        foreach (var ctx in Contexts(compilation, context)) cache.Parse(ctx, default);
        var symbols = new List<double>();
        var reused = new List<double>();
        for (int v = 0; v < WarmUpEdits + MeasuredEdits; v++)
        {
            var (edited, _) = Edit(compilation, file: 7, slot: LoopSlot, version: 300 + v);
            watch.Restart();
            var contexts = Contexts(edited, context);
            double symbolTime = watch.Elapsed.TotalMilliseconds;
            int misses = cache.Misses;
            watch.Restart();
            foreach (var ctx in contexts) Assert.NotNull(cache.Parse(ctx, default).Spec);
            double reuseTime = watch.Elapsed.TotalMilliseconds;
            Assert.Equal(1, cache.Misses - misses);
            if (v < WarmUpEdits) continue;
            symbols.Add(symbolTime);
            reused.Add(reuseTime);
        }
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Parse stage of a same-length edit, parse cache warm (median of {MeasuredEdits}): symbols and attributes of the 200 methods {Median(symbols):F1} ms, then ParseCache.Parse on them (199 reused, 1 lowered) {Median(reused):F1} ms"));
    }

    /// <summary>The transform contexts ForAttributeWithMetadataName would pass for the 200 methods of <paramref name="compilation"/>.</summary>
    private static List<GeneratorAttributeSyntaxContext> Contexts(CSharpCompilation compilation, ConstructorInfo context)
    {
        var contexts = new List<GeneratorAttributeSyntaxContext>();
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            SemanticModel model = compilation.GetSemanticModel(tree);
            foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                ISymbol symbol = model.GetDeclaredSymbol(method)!;
                var attributes = symbol.GetAttributes().Where(a => a.AttributeClass?.Name == "DifferentiableAttribute").ToImmutableArray();
                contexts.Add((GeneratorAttributeSyntaxContext)context.Invoke(new object[] { method, symbol, model, attributes }));
            }
        }
        Assert.Equal(Methods, contexts.Count);
        return contexts;
    }

    private void MeasureEdits(CSharpCompilation compilation, string name, int file, int slot, bool tracking, Shift shift, bool reuseParses)
    {
        var instance = new AutoCurvGenerator(reuseParses);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(instance, trackIncrementalGeneratorSteps: tracking).RunGenerators(compilation);
        CSharpCompilation current = compilation;
        var wall = new List<double>();
        var generator = new List<double>();
        var steps = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        int recomputed = 0;
        int lowered = 0;
        int moved = 0;
        for (int v = 1; v <= WarmUpEdits + MeasuredEdits; v++)
        {
            (current, _) = Edit(compilation, file, slot, version: v, shift);
            int missesBefore = instance.ParseCache.Misses, movesBefore = instance.ParseCache.Moves;
            var watch = Stopwatch.StartNew();
            driver = driver.RunGenerators(current);
            double elapsed = watch.Elapsed.TotalMilliseconds;
            lowered = instance.ParseCache.Misses - missesBefore;
            moved = instance.ParseCache.Moves - movesBefore;
            if (v <= WarmUpEdits) continue;
            wall.Add(elapsed);
            generator.Add(driver.GetTimingInfo().GeneratorTimes.Single().ElapsedTime.TotalMilliseconds);
            GeneratorRunResult run = driver.GetRunResult().Results.Single();
            Assert.Null(run.Exception);
            if (!tracking) continue;
            foreach (var (step, runs) in run.TrackedSteps)
            {
                if (!steps.TryGetValue(step, out var list)) steps[step] = list = new List<double>();
                list.Add(runs.Sum(r => r.ElapsedTime.TotalMilliseconds));
            }
            recomputed = run.TrackedSteps[TrackingNames.Differentiate].SelectMany(s => s.Outputs)
                .Count(o => o.Reason is IncrementalStepRunReason.New or IncrementalStepRunReason.Modified);
        }

        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture,
            $"edit: {name}, parse cache {(reuseParses ? "on" : "off")}, step tracking {(tracking ? "on" : "off")}: median {Median(wall):F1} ms (min {wall.Min():F1}, max {wall.Max():F1}); driver timing median {Median(generator):F1} ms; methods lowered (parse cache misses) in the last edit: {lowered}, parses moved: {moved}");
        if (tracking)
        {
            line.Append(CultureInfo.InvariantCulture, $"; methods re-differentiated: {recomputed}; per tracked step (median ms):");
            foreach (var (step, times) in steps.OrderByDescending(p => Median(p.Value)))
                line.Append(CultureInfo.InvariantCulture, $" {step} {Median(times):F2};");
        }
        _output.WriteLine(line.ToString());
        Assert.True(Median(wall) < EditBound.TotalMilliseconds, $"median edit {Median(wall)} ms");
    }

    private static int KindOf(int slot) => slot switch
    {
        < ModelSlot => 0,
        < HelperSlot => 1,
        < CallerSlot => 2,
        < VectorSlot => 3,
        _ => 4,
    };

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
    }

    /// <summary>The compilation with file <paramref name="file"/> re-parsed after replacing the body of method <paramref name="slot"/>.</summary>
    private static (CSharpCompilation Compilation, TimeSpan Parse) Edit(CSharpCompilation compilation, int file, int slot, int version, Shift shift = Shift.None)
    {
        SyntaxTree old = compilation.SyntaxTrees[file];
        string text = FileSource(file, slot, version, shift);
        var watch = Stopwatch.StartNew();
        SyntaxTree tree = GeneratorHarness.Parse(text, old.FilePath);
        TimeSpan parse = watch.Elapsed;
        return ((CSharpCompilation)compilation.ReplaceSyntaxTree(old, tree), parse);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The project: 20 files, each one partial class Net{f} of 10 methods. A method's constants derive from its index
    // m = 10 f + slot, and the edited slot's constants from the edit version, so every edit changes its IR.
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>How an edit moves the methods after the edited one (scalar loops only).</summary>
    private enum Shift
    {
        /// <summary>Not at all: the edit changes digits only.</summary>
        None,

        /// <summary>Version v of the edited method has v blank lines more: every edit moves them one line further.</summary>
        Lines,

        /// <summary>Version v of the edited method has v spaces more at the end of a line: every edit moves them one character further.</summary>
        Characters,
    }

    /// <param name="shift">How versions of the edited slot differ in length besides their constants.</param>
    private static string FileSource(int file, int editedSlot = -1, int version = 0, Shift shift = Shift.None)
    {
        var b = new StringBuilder();
        b.AppendLine("using System;");
        b.AppendLine("using AutoCurv;");
        b.AppendLine();
        b.AppendLine("namespace Cost;");
        b.AppendLine();
        b.AppendLine($"public static partial class Net{file}");
        b.AppendLine("{");
        for (int slot = 0; slot < MethodsPerFile; slot++)
        {
            int m = file * MethodsPerFile + slot;
            int v = slot == editedSlot ? version : 0;
            b.AppendLine(slot switch
            {
                < ModelSlot => Loop(m, v, slot == editedSlot ? shift : Shift.None),
                < HelperSlot => Model(m, v),
                < CallerSlot => Helper(m, v),
                < VectorSlot => Caller(file, m, v),
                _ => Vector(file, m, v),
            });
        }
        b.AppendLine("}");
        return b.ToString();
    }

    private static string Constant(int m, int version, double scale) =>
        (scale * (1.0 + 0.01 * (m % 7)) + 0.001 * version).ToString("F6", CultureInfo.InvariantCulture);

    private static string Loop(int m, int v, Shift shift = Shift.None) => $$"""
            [Differentiable]
            public static double Loop{{m}}([Wrt] ReadOnlySpan<double> x, double scale, int steps)
            {
                double s = 0.0;{{(shift == Shift.Characters ? new string(' ', v) : "")}}{{(shift == Shift.Lines ? new string('\n', v) : "")}}
                double h = 0.0;
                for (int t = 0; t < steps; t++)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        double a = {{Constant(m, v, 1.0)}} * x[i] + scale * h;
                        if (a > 0.0) s += Math.Log(1.0 + a * a);
                        else s -= Math.Exp({{Constant(m, v, 0.5)}} * a) * x[i];
                        h = Math.Tanh(a + {{Constant(m, v, 0.25)}} * h);
                    }
                }
                return s + Math.Sqrt(1.0 + h * h);
            }
        """;

    private static string Model(int m, int v) => $$"""
            [Differentiable]
            public static void Mlp{{m}}([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
            {
                int d = x.Length;
                int c = output.Length;
                int hidden = (w.Length - c) / (d + 1 + c);
                Span<double> h = stackalloc double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    double a = w[j * (d + 1) + d];
                    for (int i = 0; i < d; i++) a += w[j * (d + 1) + i] * x[i];
                    h[j] = Math.Tanh({{Constant(m, v, 1.0)}} * a);
                }
                int offset = hidden * (d + 1);
                for (int k = 0; k < c; k++)
                {
                    double a = w[offset + k * (hidden + 1) + hidden];
                    for (int j = 0; j < hidden; j++) a += w[offset + k * (hidden + 1) + j] * h[j];
                    output[k] = a;
                }
            }
        """;

    private static string Helper(int m, int v) => $$"""
            [Differentiable]
            public static double Helper{{m}}(double a, double b) => Math.Tanh(a) * b + {{Constant(m, v, 0.3)}} * a * a;
        """;

    /// <summary>Calls a helper of the next file (a cross-file dependency) and one of its own file.</summary>
    private static string Caller(int file, int m, int v)
    {
        int next = (file + 1) % Files;
        int other = next * MethodsPerFile + HelperSlot;
        int own = file * MethodsPerFile + HelperSlot + 1;
        return $$"""
                [Differentiable]
                public static double Caller{{m}}([Wrt] ReadOnlySpan<double> x)
                {
                    double s = 0.0;
                    for (int i = 0; i + 1 < x.Length; i++)
                        s += Net{{next}}.Helper{{other}}(x[i], x[i + 1]) + Helper{{own}}(x[i + 1], {{Constant(m, v, 2.0)}});
                    return s;
                }
            """;
    }

    private static string Vector(int file, int m, int v) => $$"""
            [Differentiable]
            public static void Vector{{m}}([Wrt] ReadOnlySpan<double> x, double s, Span<double> output)
            {
                for (int k = 0; k < output.Length; k++)
                {
                    double acc = 0.0;
                    for (int i = 0; i < x.Length; i++) acc += Math.Sin({{Constant(m, v, 0.7)}} * (k + 1) * x[i]) * s;
                    output[k] = acc + Helper{{file * MethodsPerFile + HelperSlot}}(x[0], s);
                }
            }
        """;
}
