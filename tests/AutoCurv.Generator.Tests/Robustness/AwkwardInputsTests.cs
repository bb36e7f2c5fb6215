using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace AutoCurv.Generator.Tests.Robustness;

/// <summary>
/// Compiler robustness (issue 7, item 2): every input of <see cref="AwkwardInputs"/> must yield AC diagnostics or code
/// that compiles — never a generator exception (thrown, CS8785, or the internal-error diagnostic AC0020), never a hang,
/// never an error the input alone did not have — and the generator's time per input is bounded. Inputs the
/// generator is known to mishandle are kept as skipped facts at the bottom, with the bug.
/// </summary>
public sealed class AwkwardInputsTests
{
    /// <summary>Time after which a run counts as a hang (huge inputs get <see cref="HugeTimeout"/>).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan HugeTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The generous bound on generator time per input (huge inputs: <see cref="HugeTimeBound"/>). Alone every input
    /// takes under 1 s; the bound leaves room for a loaded machine (the fuzz classes run in parallel) but catches
    /// super-linear blow-ups, which take minutes.
    /// </summary>
    public static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan HugeTimeBound = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Inputs the generator currently mishandles (each has a skipped fact below). Name → bug. Found and since fixed
    /// (now ordinary cases): escaped identifiers, model inputs named target/result, file-local containers, newlines
    /// in copied source comments, inlined-local prefix collisions (H1 call 11 vs H11 call 1), duplicate definitions,
    /// C# 9 output, generator time exponential in expression depth (Binary/Conditional.Type recomputed per access),
    /// overloads generating the same member (now AC0028), attributes declared by hand without the runtime (now AC0027),
    /// generated code cubic in expression depth (nested_calls_depth_200, nested_tanh_products_depth_100,
    /// product_chain_200_factors: derivative rules copied large operands; Splitter now binds them to temporaries).
    /// The facts named Bug_ for AC0027/AC0028 stay as their regression tests.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> KnownBugs = new Dictionary<string, string>();

    private readonly ITestOutputHelper _output;

    public AwkwardInputsTests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> Cases() =>
        AwkwardInputs.All.Where(c => !KnownBugs.ContainsKey(c.Name)).Select(c => new object[] { c.Name });

    [Fact]
    public void Corpus_holds_at_least_100_distinct_inputs()
    {
        Assert.True(AwkwardInputs.All.Count >= 100, $"{AwkwardInputs.All.Count} inputs");
        Assert.Equal(AwkwardInputs.All.Count, AwkwardInputs.All.Select(c => c.Name).Distinct().Count());
        Assert.All(KnownBugs.Keys, name => Assert.Contains(AwkwardInputs.All, c => c.Name == name));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Awkward_input_yields_diagnostics_or_compiling_code(string name) => Check(AwkwardInputs.Get(name), _output);

    /// <summary>Runs one input through the generator under a timeout and checks everything the issue asks for.</summary>
    public static void Check(AwkwardCase c, ITestOutputHelper? output = null)
    {
        var compilation = c.Compile();
        var inputErrors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var inputKeys = inputErrors.Select(Key).ToHashSet();

        // Warm the generator once so the first input does not pay for JIT in its time.
        Warm();
        TimeSpan timeout = c.Huge ? HugeTimeout : Timeout;
        TimeSpan bound = c.Huge ? HugeTimeBound : TimeBound;
        // Wall time on a shared machine includes other tests' CPU and GC pauses (CI once measured 12.6 s for an input
        // that takes 0.1 s alone). A run over the bound is repeated, up to RunsOverBound times, and the fastest run
        // counts: a super-linear blow-up is slow every time, a loaded moment is not.
        var (elapsed, result, outputCompilation, diagnostics) = RunGenerator(c, compilation, timeout);
        for (int run = 1; run < RunsOverBound && elapsed > bound; run++)
        {
            TimeSpan again = RunGenerator(c, compilation, timeout).Elapsed;
            output?.WriteLine($"{c.Name}: {elapsed.TotalMilliseconds:F0} ms is over the bound; run {run + 1} took {again.TotalMilliseconds:F0} ms");
            if (again < elapsed) elapsed = again;
        }
        output?.WriteLine($"{c.Name}: generator {elapsed.TotalMilliseconds:F0} ms, {result.GeneratedTrees.Length} generated file(s), " +
                          $"{inputErrors.Count} input error(s), diagnostics: {string.Join(", ", diagnostics.Select(d => d.Id).Distinct())}");

        var exceptions = result.Results.Where(r => r.Exception is not null).Select(r => r.Exception!.ToString()).ToList();
        Assert.True(exceptions.Count == 0, $"{c.Name}: the generator threw:\n{string.Join("\n", exceptions)}");
        var crashes = diagnostics.Where(d => d.Id is "CS8785" or "AC0020").ToList();
        Assert.True(crashes.Count == 0, $"{c.Name}: the generator failed internally:\n{GeneratorHarness.Format(crashes)}");

        var outputErrors = outputCompilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var newErrors = outputErrors.Where(d => !inputKeys.Contains(Key(d))).ToList();
        Assert.True(newErrors.Count == 0,
            $"{c.Name}: the generated code adds {newErrors.Count} compile error(s) the input alone does not have:\n" +
            string.Join("\n", newErrors.Take(10).Select(d => $"{d}   | {LineOf(d)}")));

        var acErrors = diagnostics.Where(d => d.Id.StartsWith("AC", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error).ToList();
        string summary = $"input errors: {GeneratorHarness.Format(inputErrors.Take(5))}\ngenerator diagnostics: {GeneratorHarness.Format(diagnostics)}";
        switch (c.Expect)
        {
            case Outcome.Accepted:
                // The input may use the generated members (then it compiles only with them): the output must be clean.
                Assert.True(outputErrors.Count == 0, $"{c.Name}: expected the output to compile\n{GeneratorHarness.Format(outputErrors.Take(5))}\n{summary}");
                Assert.True(acErrors.Count == 0, $"{c.Name}: expected the method to be accepted\n{summary}");
                Assert.True(result.GeneratedTrees.Length > 0, $"{c.Name}: expected generated code\n{summary}");
                break;
            case Outcome.Rejected:
                Assert.True(inputErrors.Count == 0, $"{c.Name}: expected a valid input\n{summary}");
                Assert.True(acErrors.Count > 0, $"{c.Name}: expected an AC diagnostic\n{summary}");
                if (c.Id is not null) Assert.True(acErrors.Any(d => d.Id == c.Id), $"{c.Name}: expected {c.Id}\n{summary}");
                Assert.All(acErrors, d => Assert.True(d.Location != Location.None && !string.IsNullOrEmpty(d.Location.GetLineSpan().Path) && d.Location.SourceSpan.Length > 0,
                    $"{c.Name}: {d.Id} has no source location"));
                break;
            case Outcome.InputErrors:
                Assert.True(inputErrors.Count > 0, $"{c.Name}: expected the input itself not to compile\n{summary}");
                break;
        }

        Assert.True(elapsed <= bound, $"{c.Name}: the generator took {elapsed.TotalSeconds:F1} s (bound {bound.TotalSeconds} s)");

        if (c.Probe is not null && outputErrors.Count == 0 && acErrors.Count == 0 && result.GeneratedTrees.Length > 0)
        {
            CheckGradient(c, outputCompilation);
        }
    }

    /// <summary>How many runs an input gets before a time over the bound counts (the fastest run counts).</summary>
    private const int RunsOverBound = 3;

    /// <summary>
    /// One generator run on a dedicated thread (not the pool, which parallel tests may starve), timing only the run;
    /// a run that does not finish within <paramref name="timeout"/> is a hang and fails the test.
    /// </summary>
    private static (TimeSpan Elapsed, GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) RunGenerator(
        AwkwardCase c, Compilation compilation, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource();
        var watch = new Stopwatch();
        var task = Task.Factory.StartNew(() =>
        {
            watch.Start();
            GeneratorDriver driver = c.ParseOptions is null
                ? GeneratorHarness.CreateDriver(trackIncrementalGeneratorSteps: false)
                : Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(new[] { new AutoCurvGenerator().AsSourceGenerator() }, parseOptions: c.ParseOptions);
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var outputCompilation, out var diagnostics, cts.Token);
            watch.Stop();
            return (Result: driver.GetRunResult(), Output: outputCompilation, Diagnostics: diagnostics);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!task.Wait(timeout))
        {
            cts.Cancel();
            Assert.Fail($"{c.Name}: the generator did not finish within {timeout.TotalSeconds} s (hang)");
        }
        var (result, output, diagnostics) = task.Result;
        return (watch.Elapsed, result, output, diagnostics);
    }

    /// <summary>One warm-up run; callers wait for it (a caller that went on while another thread warmed would pay for JIT).</summary>
    private static readonly Lazy<bool> s_warm = new(() =>
    {
        GeneratorHarness.Run(AwkwardInputs.InClass("[Differentiable] public static double F(double x) { double s = 0; for (int i = 0; i < 2; i++) s += Math.Sin(x); return s; }"));
        return true;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static void Warm() => _ = s_warm.Value;

    /// <summary>Errors are compared by id and position (messages may mention members the generator added).</summary>
    private static string Key(Diagnostic d) => $"{d.Id}|{d.Location.SourceTree?.FilePath}|{d.Location.SourceSpan}";

    private static string LineOf(Diagnostic d) =>
        d.Location.SourceTree is { } tree ? tree.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim() : "";

    /// <summary>An accepted all-double scalar method: its generated gradient against central differences of the method itself.</summary>
    private static void CheckGradient(AwkwardCase c, Compilation outputCompilation)
    {
        var probe = c.Probe!;
        using var loaded = GeneratorHarness.EmitAndLoad(outputCompilation);
        var type = loaded.GetType(probe.TypeName);
        var method = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static).Single(m => m.Name == probe.Method && m.GetParameters().Length == probe.Point.Length);
        var parameters = method.GetParameters();
        bool anyWrt = parameters.Any(p => p.CustomAttributes.Any(a => a.AttributeType.Name == "WrtAttribute"));
        int[] wrt = Enumerable.Range(0, parameters.Length)
            .Where(i => parameters[i].ParameterType == typeof(double) && (!anyWrt || parameters[i].CustomAttributes.Any(a => a.AttributeType.Name == "WrtAttribute")))
            .ToArray();
        var gradient = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Single(m => m.Name == probe.Method + "Gradient" && m.GetParameters().Length == parameters.Length + wrt.Length);

        double F(double[] at) => (double)method.Invoke(null, at.Cast<object>().ToArray())!;
        object?[] args = probe.Point.Cast<object?>().Concat(wrt.Select(_ => (object?)null)).ToArray();
        double value = (double)gradient.Invoke(null, args)!;
        double f0 = F(probe.Point);
        Assert.True(Math.Abs(value - f0) <= 1e-12 * Math.Max(1, Math.Abs(f0)), $"{c.Name}: {probe.Method}Gradient returned {value}, {probe.Method} returned {f0}");
        for (int k = 0; k < wrt.Length; k++)
        {
            double g = (double)args[parameters.Length + k]!;
            double Shifted(double t)
            {
                var at = (double[])probe.Point.Clone();
                at[wrt[k]] += t;
                return F(at);
            }
            const double h = 1e-5;
            double fd = (Shifted(h) - Shifted(-h)) / (2 * h);
            Assert.True(Math.Abs(g - fd) <= 1e-5 * Math.Max(1, Math.Abs(fd)),
                $"{c.Name}: ∂{probe.Method}/∂{parameters[wrt[k]].Name} = {g:R} from the generated gradient, {fd:R} by central differences");
        }
    }

    [Fact]
    public void Bug_overloads_with_colliding_generated_members() => Check(AwkwardInputs.Get("overloads_with_colliding_generated_members"), _output);

    [Fact]
    public void Bug_own_attributes_without_runtime() => Check(AwkwardInputs.Get("own_autocurv_attributes_without_runtime"), _output);
}
