using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoCurv.Generator.Tests.Fuzz;

/// <summary>One program that did not pass, with what went wrong.</summary>
public sealed record FuzzFailure(FuzzProgram Program, string Stage, IReadOnlyList<string> Problems)
{
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"=== {Program.Name} failed at {Stage} ({Problems.Count} problem(s)) ===\n");
        foreach (string p in Problems.Take(8)) sb.Append("  - ").Append(p).Append('\n');
        if (Problems.Count > 8) sb.Append($"  ... and {Problems.Count - 8} more\n");
        sb.Append(Program.Describe());
        return sb.ToString();
    }
}

/// <summary>What one batch did.</summary>
public sealed class FuzzBatchResult
{
    public List<FuzzProgram> Programs { get; } = new();
    public List<FuzzFailure> Failures { get; } = new();
    public int Comparisons { get; set; }
    public int Skips { get; set; }
    public int BatchedPoints { get; set; }
    public int UnbatchedPoints { get; set; }
    public TimeSpan GenerateAndCompile { get; set; }
    public TimeSpan Check { get; set; }

    public string Summary =>
        $"{Programs.Count} programs ({Programs.Count(p => p.Kind == FuzzKind.Scalar)} scalar, {Programs.Count(p => p.Kind == FuzzKind.Vector)} vector), " +
        $"{Comparisons} comparisons, {Skips} kink skips ({(Comparisons + Skips == 0 ? 0 : 100.0 * Skips / (Comparisons + Skips)):F2}%), " +
        $"batched members checked at {BatchedPoints} of {BatchedPoints + UnbatchedPoints} model points, " +
        $"{Failures.Count} failing; compile {GenerateAndCompile.TotalSeconds:F1} s, check {Check.TotalSeconds:F1} s";
}

/// <summary>
/// Compiles a batch of random programs (one static partial class) with the generator through
/// <see cref="GeneratorHarness"/>, loads the result and checks every generated member of every program against
/// finite differences and against the other members.
/// </summary>
public static class FuzzRunner
{
    /// <summary>Relative tolerance against finite differences: |a − e| ≤ tol · max(1, |e|).</summary>
    public const double FdTolerance = 1e-5;

    /// <summary>Relative tolerance between two exact (AD) quantities that must agree to rounding.</summary>
    public const double ExactTolerance = 1e-8;

    /// <summary>Finite-difference step (the second estimate uses h/2).</summary>
    public const double Step = 1e-4;

    /// <summary>Time after which one program's checks count as a hang (they normally take milliseconds).</summary>
    public static readonly TimeSpan ProgramTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Two-step disagreement (relative) above which a kink or jump is assumed inside the stencil.</summary>
    public const double KinkThreshold = 2e-5;

    private static readonly Regex s_programName = new(@"^[FG]\d+", RegexOptions.Compiled);

    /// <summary>Generates programs <paramref name="firstIndex"/>… of the run seeded <paramref name="runSeed"/> and checks them.</summary>
    public static FuzzBatchResult RunBatch(int runSeed, int batch, int firstIndex, int count) =>
        RunPrograms(Enumerable.Range(firstIndex, count)
            .Select(i => ProgramGenerator.Generate(ProgramGenerator.ProgramSeed(runSeed, i), i))
            .ToList(), $"Batch{batch}", skipLocalsInit: true);

    /// <summary>Compiles <paramref name="programs"/> in one class <paramref name="className"/> and checks each.</summary>
    /// <param name="skipLocalsInit">
    /// Compile the programs with <c>[module: SkipLocalsInit]</c>: no <c>stackalloc</c> is zeroed by the JIT, so only the
    /// clears the generator emits stand between a generated member and stale stack memory. Only for programs that zero
    /// their own scratch (the generated ones do); a regression program may read a <c>stackalloc</c> before writing it.
    /// </param>
    public static FuzzBatchResult RunPrograms(IReadOnlyList<FuzzProgram> programs, string className = "Programs", bool skipLocalsInit = false)
    {
        var result = new FuzzBatchResult();
        var watch = Stopwatch.StartNew();
        result.Programs.AddRange(programs);

        // Compile; a program whose source or generated code does not compile is reported and dropped, the rest rebuilt.
        var alive = programs.ToList();
        byte[]? image = null;
        for (int attempt = 0; attempt < 4 && alive.Count > 0; attempt++)
        {
            var culprits = Compile(alive, className, skipLocalsInit, out image, result.Failures);
            if (culprits.Count == 0) break;
            alive = alive.Where(p => !culprits.Contains(p.Name)).ToList();
            image = null;
        }
        result.GenerateAndCompile = watch.Elapsed;
        if (image is null || alive.Count == 0) return result;

        watch.Restart();
        var context = new AssemblyLoadContext($"Fuzz.{className}.{Guid.NewGuid():N}", isCollectible: true);
        try
        {
            var calls = context.LoadFromStream(new MemoryStream(image)).GetType($"Fuzz.{className}Calls", throwOnError: true)!;
            foreach (var program in alive)
            {
                var check = new Checker(program, calls);
                // A generated loop that never ends must fail the program, not hang the run.
                var task = Task.Factory.StartNew(() =>
                {
                    try
                    {
                        if (program.Kind == FuzzKind.Scalar) check.Scalar();
                        else check.Vector();
                    }
                    catch (Exception e)
                    {
                        check.Problems.Add($"exception {(e is TargetInvocationException { InnerException: { } inner } ? inner : e)}");
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                if (!task.Wait(ProgramTimeout))
                {
                    result.Failures.Add(new FuzzFailure(program, "numeric check", new[] { $"did not finish within {ProgramTimeout.TotalSeconds} s (a generated member loops forever?)" }));
                    continue;
                }
                result.Comparisons += check.Comparisons;
                result.Skips += check.Skips;
                result.BatchedPoints += check.Batched;
                result.UnbatchedPoints += check.NotBatched;
                if (check.Problems.Count > 0) result.Failures.Add(new FuzzFailure(program, "numeric check", check.Problems));
            }
        }
        finally
        {
            context.Unload();
        }
        result.Check = watch.Elapsed;
        return result;
    }

    /// <summary>The batch's program file and wrapper file.</summary>
    public static (string Programs, string Wrappers) Sources(IReadOnlyList<FuzzProgram> programs, string className, bool skipLocalsInit = false)
    {
        var p = new StringBuilder(skipLocalsInit
            ? ProgramGenerator.FileHeader.Replace("namespace Fuzz;", "[module: System.Runtime.CompilerServices.SkipLocalsInit]\n\nnamespace Fuzz;")
            : ProgramGenerator.FileHeader);
        p.Append($"public static partial class {className}\n{{\n");
        foreach (var program in programs) p.Append(program.Members).Append('\n');
        p.Append("}\n");
        var w = new StringBuilder(ProgramGenerator.FileHeader);
        w.Append($"public static class {className}Calls\n{{\n").Append(ProgramGenerator.WrapperPrelude);
        foreach (var program in programs) w.Append(ProgramGenerator.Wrappers(program, className));
        w.Append("}\n");
        return (p.ToString(), w.ToString());
    }

    /// <summary>
    /// Runs the generator (the harness's driver, step tracking off) and emits straight away: the output is only bound
    /// once. On failure the errors are attributed to programs; returns the names of the programs to drop.
    /// </summary>
    private static HashSet<string> Compile(List<FuzzProgram> programs, string className, bool skipLocalsInit, out byte[]? image, List<FuzzFailure> failures)
    {
        image = null;
        var (programSource, wrapperSource) = Sources(programs, className, skipLocalsInit);
        var compilation = GeneratorHarness.CreateCompilation(new[] { programSource, wrapperSource }, "Fuzz." + className);
        var driver = GeneratorHarness.CreateDriver(trackIncrementalGeneratorSteps: false)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var runResult = driver.GetRunResult();

        var byName = programs.ToDictionary(p => p.Name);
        var problems = new Dictionary<string, (string Stage, List<string> List)>();
        void Blame(string? name, string stage, string problem)
        {
            name ??= "?";
            if (!problems.TryGetValue(name, out var entry)) problems[name] = entry = (stage, new List<string>());
            entry.List.Add(problem);
        }

        var programTree = compilation.SyntaxTrees.First();
        foreach (var r in runResult.Results.Where(r => r.Exception is not null)) Blame("?", "generator exception", r.Exception!.ToString());
        foreach (var d in generatorDiagnostics)
        {
            Blame(d.Location.SourceTree == programTree ? ProgramAt(d.Location) : "?", "generator diagnostic", d.ToString());
        }
        if (problems.Count == 0)
        {
            using var pe = new MemoryStream();
            var emit = output.Emit(pe);
            if (emit.Success)
            {
                image = pe.ToArray();
                return new HashSet<string>();
            }
            // The fuzzer's own output must be valid C#: errors in the program file are the fuzzer's fault.
            foreach (var d in compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree == programTree))
            {
                Blame(ProgramAt(d.Location), "input compilation (fuzzer bug)", d.ToString());
            }
            foreach (var d in emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
            {
                var tree = d.Location.SourceTree;
                if (tree is null)
                {
                    Blame("?", "output compilation", d.ToString());
                    continue;
                }
                if (tree == programTree) continue; // reported above
                string file = Path.GetFileName(tree.FilePath);
                var m = Regex.Match(file, @"\.([FG]\d+)(H\d+)?(_\d+)?\.AutoCurv\.g\.cs$");
                string? owner = m.Success ? m.Groups[1].Value : ProgramAt(d.Location);
                string line = tree.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim();
                Blame(owner, "generated code does not compile", $"{d} [line: {line}]");
            }
        }
        foreach (var (name, (stage, list)) in problems)
        {
            if (byName.TryGetValue(name, out var program))
            {
                failures.Add(new FuzzFailure(program, stage, list));
            }
            else
            {
                // Not attributable: fail every program of the batch rather than lose the report.
                foreach (var p in programs) failures.Add(new FuzzFailure(p, stage, list));
                return programs.Select(p => p.Name).ToHashSet();
            }
        }
        return problems.Keys.ToHashSet();
    }

    /// <summary>
    /// Central differences of each component of <paramref name="f"/>(t) at t = 0 at steps h and h/2, combined by
    /// Richardson extrapolation (fourth order). A component whose two 2-point estimates disagree by more than
    /// <see cref="KinkThreshold"/> (relative) has a kink or jump within the stencil: it is flagged, not compared.
    /// </summary>
    public static (double[] Estimates, bool[] Kinks) CentralDifferences(Func<double, double[]> f, int count, double h)
    {
        double[] p1 = f(h), m1 = f(-h), p2 = f(h / 2), m2 = f(-h / 2);
        var estimates = new double[count];
        var kinks = new bool[count];
        for (int i = 0; i < count; i++)
        {
            double d1 = (p1[i] - m1[i]) / (2 * h);
            double d2 = (p2[i] - m2[i]) / h;
            estimates[i] = (4 * d2 - d1) / 3;
            kinks[i] = !double.IsFinite(d1) || !double.IsFinite(d2) || Math.Abs(d1 - d2) > KinkThreshold * Math.Max(1.0, Math.Abs(estimates[i]));
        }
        return (estimates, kinks);
    }

    /// <summary>The scalar case of <see cref="CentralDifferences"/>.</summary>
    public static (double Estimate, bool Kink) CentralDifference(Func<double, double> f, double h)
    {
        var (e, k) = CentralDifferences(t => new[] { f(t) }, 1, h);
        return (e[0], k[0]);
    }

    private static string? ProgramAt(Location location)
    {
        var node = location.SourceTree?.GetRoot().FindNode(location.SourceSpan);
        var method = node?.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
        if (method is null) return null;
        var m = s_programName.Match(method.Identifier.Text);
        return m.Success ? m.Value : null;
    }

    /// <summary>Numeric checks of one program's generated members.</summary>
    private sealed class Checker
    {
        private readonly FuzzProgram _p;
        private readonly Type _calls;
        private readonly Random _r;
        private string _at = "";

        public Checker(FuzzProgram program, Type calls)
        {
            _p = program;
            _calls = calls;
            _r = new Random(program.Seed ^ 0x5EED5);
        }

        public List<string> Problems { get; } = new();
        public int Comparisons { get; private set; }
        public int Skips { get; private set; }

        /// <summary>Points at which the model's batched members were checked, and at which it had none.</summary>
        public int Batched { get; private set; }

        public int NotBatched { get; private set; }

        private T Method<T>(string member) where T : Delegate =>
            _calls.GetMethod($"{_p.Name}_{member}", BindingFlags.Public | BindingFlags.Static)!.CreateDelegate<T>();

        private double[] RandomVector(int n, double scale = 1.0) => Enumerable.Range(0, n).Select(_ => scale * (2 * _r.NextDouble() - 1)).ToArray();

        private static double[] NaNs(int n) => Enumerable.Repeat(double.NaN, n).ToArray();

        private static double[] Unit(int n, int j)
        {
            var e = new double[n];
            e[j] = 1;
            return e;
        }

        private static double[] Axpy(double[] x, double t, double[] v) => x.Select((xi, i) => xi + t * v[i]).ToArray();

        private static double Dot(double[] a, double[] b) => a.Select((ai, i) => ai * b[i]).Sum();

        private static string Fmt(double[] a) => "[" + string.Join(", ", a.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";

        private void Fail(string what) => Problems.Add($"{what} {_at}");

        /// <summary>Two exact quantities that must agree to rounding.</summary>
        private void Exact(string what, double actual, double expected, double scale = 1.0)
        {
            Comparisons++;
            if (!(Math.Abs(actual - expected) <= ExactTolerance * Math.Max(scale, Math.Max(1.0, Math.Abs(expected)))))
            {
                Fail($"{what}: got {actual:R}, expected {expected:R} (exact)");
            }
        }

        private void Exact(string what, double[] actual, double[] expected)
        {
            for (int i = 0; i < expected.Length; i++) Exact($"{what}[{i}]", actual[i], expected[i]);
        }

        /// <summary>
        /// Compares <paramref name="derivatives"/>[i] with the central differences of component i of
        /// <paramref name="f"/>(t) at t = 0, at steps h and h/2 (Richardson-combined); a component whose two estimates
        /// disagree has a kink or jump within the stencil and is skipped (counted).
        /// </summary>
        private void AgainstFd(string what, double[] derivatives, Func<double, double[]> f)
        {
            var (estimates, kinks) = CentralDifferences(f, derivatives.Length, Step);
            for (int i = 0; i < derivatives.Length; i++)
            {
                if (kinks[i])
                {
                    Skips++;
                    continue;
                }
                Comparisons++;
                double scale = Math.Max(1.0, Math.Abs(estimates[i]));
                if (!(Math.Abs(derivatives[i] - estimates[i]) <= FdTolerance * scale))
                {
                    Fail($"{what}[{i}]: got {derivatives[i]:R}, finite differences {estimates[i]:R}");
                }
            }
        }

        private void Finite(string what, double[] values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (!double.IsFinite(values[i])) Fail($"{what}[{i}] = {values[i]:R} is not finite (result not overwritten?)");
            }
        }

        public void Scalar()
        {
            var value = Method<Func<double[], int, double>>("Value");
            var gradient = Method<Func<double[], int, double[], double>>("Gradient");
            var jvp = Method<Func<double[], int, double[], double[], double>>("Jvp");
            var hvp = Method<Func<double[], int, double[], double[], double[], double>>("Hvp");
            var hessianDiagonal = Method<Func<double[], int, double[], double>>("HessianDiagonal");
            var hessianDiagonalApprox = Method<Func<double[], int, double[], double>>("HessianDiagonalApprox");
            var hessian = Method<Func<double[], int, double[], double>>("Hessian");
            int d = _p.Dimension, n = _p.N;

            for (int point = 0; point < 2; point++)
            {
                double[] th = RandomVector(d);
                _at = $"(point {point}: θ = [x…, s] = {Fmt(th)}, n = {n})";
                double f0 = value(th, n);
                if (!double.IsFinite(f0))
                {
                    Fail($"primal value {f0} is not finite");
                    return;
                }
                double[] Grad(double[] at)
                {
                    var g = NaNs(d);
                    gradient(at, n, g);
                    return g;
                }

                // Gradient: value and central differences.
                var g0 = NaNs(d);
                Exact("Gradient value", gradient(th, n, g0), f0);
                Finite("Gradient", g0);
                for (int j = 0; j < d; j++)
                {
                    int jj = j;
                    AgainstFd($"Gradient (component {j})", new[] { g0[j] }, t => new[] { value(Axpy(th, t, Unit(d, jj)), n) });
                }

                // Jvp = ∇F·v.
                double[] v = RandomVector(d);
                var derivative = new[] { double.NaN };
                Exact("Jvp value", jvp(th, n, v, derivative), f0);
                Exact("Jvp ∇F·v", derivative[0], Dot(g0, v), g0.Select((gi, i) => Math.Abs(gi * v[i])).Sum());

                // Hvp: value, gradient, and H·v against central differences of the generated gradient.
                var gH = NaNs(d);
                var hv = NaNs(d);
                Exact("Hvp value", hvp(th, n, v, gH, hv), f0);
                Exact("Hvp gradient", gH, g0);
                Finite("Hvp", hv);
                AgainstFd("Hvp", hv, t => Grad(Axpy(th, t, v)));

                // Dense Hessian: columns are Hvp(e_j); symmetric.
                var H = NaNs(d * d);
                Exact("Hessian value", hessian(th, n, H), f0);
                Finite("Hessian", H);
                for (int j = 0; j < d; j++)
                {
                    var col = NaNs(d);
                    var gj = NaNs(d);
                    hvp(th, n, Unit(d, j), gj, col);
                    for (int i = 0; i < d; i++) Exact($"Hessian[{i},{j}] vs Hvp(e_{j})", H[i * d + j], col[i]);
                    for (int i = 0; i < j; i++) Exact($"Hessian symmetry [{i},{j}]", H[i * d + j], H[j * d + i]);
                }

                // Exact diagonal = diag(H).
                var diag = NaNs(d);
                Exact("HessianDiagonal value", hessianDiagonal(th, n, diag), f0);
                Exact("HessianDiagonal", diag, Enumerable.Range(0, d).Select(j => H[j * d + j]).ToArray());

                // Becker–LeCun: an approximation; its value and finiteness are all that is exact.
                var approx = NaNs(d);
                Exact("HessianDiagonalApprox value", hessianDiagonalApprox(th, n, approx), f0);
                Finite("HessianDiagonalApprox", approx);
                if (Problems.Count > 0) return;
            }
        }

        public void Vector()
        {
            var value = Method<Action<double[], double[], double[]>>("Value");
            var jvp = Method<Action<double[], double[], double[], double[], double[]>>("Jvp");
            var vjp = Method<Action<double[], double[], double[], double[], double[]>>("Vjp");
            var loss = Method<Func<double[], double[], double[], double[], double>>("Loss");
            var lossGradient = Method<Func<double[], double[], double[], double[], double[], double>>("LossGradient");
            var lossHvp = Method<Func<double[], double[], double[], double[], double[], double[], double[], double>>("LossHvp");
            var ggnvp = Method<Func<double[], double[], double[], double[], double[], double[], double>>("Ggnvp");
            var ggnDiagonal = Method<Func<double[], double[], double[], double[], double[], double>>("GgnDiagonal");
            var lossHessianDiagonal = Method<Func<double[], double[], double[], double[], double[], double>>("LossHessianDiagonal");
            var lossHessian = Method<Func<double[], double[], double[], double[], double[], double>>("LossHessian");
            int d = _p.WLength, c = _p.OutputLength;

            for (int point = 0; point < 2; point++)
            {
                double[] w = RandomVector(d), x = RandomVector(_p.XLength), y = RandomVector(c);
                _at = $"(point {point}: w = {Fmt(w)}, x = {Fmt(x)}, y = {Fmt(y)})";
                double[] F(double[] at)
                {
                    var o = NaNs(c);
                    value(at, x, o);
                    return o;
                }
                double[] f0 = F(w);
                if (f0.Any(v => !double.IsFinite(v)))
                {
                    Fail($"primal output {Fmt(f0)} is not finite");
                    return;
                }
                double Loss(double[] f) => 0.5 * f.Select((fi, i) => (fi - y[i]) * (fi - y[i])).Sum();
                double l0 = Loss(f0);

                // Jvp: J·v against central differences of the output along v.
                double[] v = RandomVector(d);
                var o1 = NaNs(c);
                var jv = NaNs(c);
                jvp(w, x, o1, v, jv);
                Exact("Jvp output", o1, f0);
                Finite("Jvp", jv);
                AgainstFd("Jvp", jv, t => F(Axpy(w, t, v)));

                // Vjp: Jᵀu against central differences of uᵀF; uᵀ(Jv) = (Jᵀu)·v.
                double[] u = RandomVector(c);
                var o2 = NaNs(c);
                var ju = NaNs(d);
                vjp(w, x, o2, u, ju);
                Exact("Vjp output", o2, f0);
                Finite("Vjp", ju);
                for (int j = 0; j < d; j++)
                {
                    int jj = j;
                    AgainstFd($"Vjp (component {j})", new[] { ju[j] }, t => new[] { Dot(u, F(Axpy(w, t, Unit(d, jj)))) });
                }
                Exact("uᵀ(Jv) vs (Jᵀu)·v", Dot(u, jv), Dot(ju, v), u.Select((ui, i) => Math.Abs(ui * jv[i])).Sum());

                double[] VjpOf(double[] cotangent)
                {
                    var o = NaNs(c);
                    var g = NaNs(d);
                    vjp(w, x, o, cotangent, g);
                    return g;
                }
                double[] JvpOf(double[] tangent)
                {
                    var o = NaNs(c);
                    var t = NaNs(c);
                    jvp(w, x, o, tangent, t);
                    return t;
                }

                // Loss and its gradient: Jᵀ(f − y), and central differences of ℓ.
                var o3 = NaNs(c);
                Exact("Loss", loss(w, x, o3, y), l0);
                Exact("Loss output", o3, f0);
                var lg = NaNs(d);
                var o4 = NaNs(c);
                Exact("LossGradient value", lossGradient(w, x, o4, y, lg), l0);
                Exact("LossGradient output", o4, f0);
                Exact("LossGradient vs Jᵀ(f − y)", lg, VjpOf(f0.Select((fi, i) => fi - y[i]).ToArray()));
                for (int j = 0; j < d; j++)
                {
                    int jj = j;
                    AgainstFd($"LossGradient (component {j})", new[] { lg[j] }, t => new[] { Loss(F(Axpy(w, t, Unit(d, jj)))) });
                }

                // GGN·v = Jᵀ(J v) for the squared error (H_ℓ = I).
                var gv = NaNs(d);
                var o5 = NaNs(c);
                Exact("Ggnvp value", ggnvp(w, x, o5, y, v, gv), l0);
                Exact("Ggnvp output", o5, f0);
                Exact("Ggnvp vs Jᵀ(Jv)", gv, VjpOf(JvpOf(v)));

                // LossHvp against central differences of the generated LossGradient.
                var lg2 = NaNs(d);
                var lhv = NaNs(d);
                var o6 = NaNs(c);
                Exact("LossHvp value", lossHvp(w, x, o6, y, v, lg2, lhv), l0);
                Exact("LossHvp output", o6, f0);
                Exact("LossHvp gradient", lg2, lg);
                Finite("LossHvp", lhv);
                AgainstFd("LossHvp", lhv, t =>
                {
                    var g = NaNs(d);
                    lossGradient(Axpy(w, t, v), x, NaNs(c), y, g);
                    return g;
                });

                // GGN diagonal vs Ggnvp columns; dense loss Hessian vs LossHvp columns; its diagonal.
                var gd = NaNs(d);
                Exact("GgnDiagonal value", ggnDiagonal(w, x, NaNs(c), y, gd), l0);
                var H = NaNs(d * d);
                Exact("LossHessian value", lossHessian(w, x, NaNs(c), y, H), l0);
                Finite("LossHessian", H);
                for (int j = 0; j < d; j++)
                {
                    var col = NaNs(d);
                    ggnvp(w, x, NaNs(c), y, Unit(d, j), col);
                    Exact($"GgnDiagonal[{j}] vs Ggnvp(e_{j})", gd[j], col[j]);
                    var hcol = NaNs(d);
                    lossHvp(w, x, NaNs(c), y, Unit(d, j), NaNs(d), hcol);
                    for (int i = 0; i < d; i++) Exact($"LossHessian[{i},{j}] vs LossHvp(e_{j})", H[i * d + j], hcol[i]);
                }
                var hd = NaNs(d);
                Exact("LossHessianDiagonal value", lossHessianDiagonal(w, x, NaNs(c), y, hd), l0);
                Exact("LossHessianDiagonal", hd, Enumerable.Range(0, d).Select(j => H[j * d + j]).ToArray());

                // Batched members (when the model has them): a block of samples near x against the per-sample sums.
                var batch = Method<Func<int, double[], double[], double[], double[], double[], double[], double[], double>>("Batch");
                int blockSize = AutoCurv.CompilerServices.SampleBlock.Size, xl = _p.XLength;
                var xs = new double[blockSize * xl];
                var ys = new double[blockSize * c];
                for (int b = 0; b < blockSize; b++)
                {
                    for (int i = 0; i < xl; i++) xs[b * xl + i] = x[i] + 0.1 * Math.Sin(1.7 * b + 0.3 * i + 0.2);
                    for (int k = 0; k < c; k++) ys[b * c + k] = y[k] + 0.1 * Math.Cos(0.9 * b + 0.4 * k);
                }
                var os = NaNs(blockSize * c);
                double batchedLoss = batch(0, w, xs, os, ys, v, new double[d], new double[d]);
                if (double.IsNaN(batchedLoss))
                {
                    NotBatched++;
                }
                else
                {
                    double lossSum = 0;
                    var outputs = new double[blockSize * c];
                    var gSum = new double[d];
                    var hvSum = new double[d];
                    var ggnSum = new double[d];
                    for (int b = 0; b < blockSize; b++)
                    {
                        var xb = xs.AsSpan(b * xl, xl).ToArray();
                        var yb = ys.AsSpan(b * c, c).ToArray();
                        var ob = NaNs(c);
                        lossSum += loss(w, xb, ob, yb);
                        ob.CopyTo(outputs, b * c);
                        var gb = NaNs(d);
                        lossGradient(w, xb, NaNs(c), yb, gb);
                        var hb = NaNs(d);
                        lossHvp(w, xb, NaNs(c), yb, v, NaNs(d), hb);
                        var rb = NaNs(d);
                        ggnvp(w, xb, NaNs(c), yb, v, rb);
                        for (int j = 0; j < d; j++) { gSum[j] += gb[j]; hvSum[j] += hb[j]; ggnSum[j] += rb[j]; }
                    }
                    Exact("LossBatch", batchedLoss, lossSum);
                    Exact("LossBatch outputs", os, outputs);
                    var bg = new double[d];
                    Exact("LossGradientBatch value", batch(1, w, xs, NaNs(blockSize * c), ys, v, bg, new double[d]), lossSum);
                    Exact("LossGradientBatch", bg, gSum);
                    var bg2 = new double[d];
                    var bhv = new double[d];
                    Exact("LossHvpBatch value", batch(2, w, xs, NaNs(blockSize * c), ys, v, bg2, bhv), lossSum);
                    Exact("LossHvpBatch", bhv, hvSum);
                    var br = new double[d];
                    Exact("GgnvpBatch value", batch(3, w, xs, NaNs(blockSize * c), ys, v, br, new double[d]), lossSum);
                    Exact("GgnvpBatch", br, ggnSum);
                    Batched++;
                }
                if (Problems.Count > 0) return;
            }
        }
    }
}
