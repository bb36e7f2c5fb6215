using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace AutoCurv.Generator.Tests.Robustness;

/// <summary>
/// Concurrency (issue 7, item 4, generated-code side): generated members called from many threads at once give
/// results bit-identical to sequential calls; curvature operators over a generated model give the same results
/// whether called concurrently or alone and whatever their degree of parallelism; generated code holds no static
/// mutable state.
/// </summary>
public sealed class ConcurrencyTests
{
    private const int Workers = 8;
    private const int Inputs = 192;

    /// <summary>A small model and a scalar function with loops, scratch, branches, a recurrence and helper calls.</summary>
    public const string Source = """
        using System;
        using AutoCurv;

        namespace Conc;

        public static partial class Net
        {
            public const int Hidden = 5;

            /// <summary>Two-layer tanh network: w = [Hidden rows of (d inputs + bias), C rows of (Hidden + bias)].</summary>
            [Differentiable]
            public static void Forward([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
            {
                Span<double> hidden = stackalloc double[Hidden];
                int d = x.Length;
                for (int j = 0; j < Hidden; j++)
                {
                    double a = w[j * (d + 1) + d];
                    for (int i = 0; i < d; i++) a += w[j * (d + 1) + i] * x[i];
                    hidden[j] = Math.Tanh(a);
                }
                int offset = Hidden * (d + 1);
                for (int k = 0; k < output.Length; k++)
                {
                    double z = w[offset + k * (Hidden + 1) + Hidden];
                    for (int j = 0; j < Hidden; j++) z += w[offset + k * (Hidden + 1) + j] * hidden[j];
                    output[k] = z;
                }
            }

            [Differentiable]
            public static double Softplus(double z) => Math.Log(1.0 + Math.Exp(z));

            [Differentiable]
            public static double Energy([Wrt] ReadOnlySpan<double> x, [Wrt] double s, int steps)
            {
                Span<double> t = stackalloc double[x.Length];
                double h = s;
                for (int k = 0; k < steps; k++)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        h = Math.Tanh(h * x[i] + s);
                        if (h > x[i]) t[i] += Softplus(h - x[i]);
                        else t[i] -= 0.5 * h * h;
                    }
                }
                double e = h * h;
                for (int i = x.Length - 1; i >= 0; i--) e += t[i] * Math.Sin(x[i] + s) + Math.Pow(1.5 + Math.Tanh(x[i]), s);
                return e;
            }
        }

        public static class Calls
        {
            public static double Energy(double[] th, int steps) => Net.Energy(th.AsSpan(0, th.Length - 1), th[^1], steps);
            public static double Gradient(double[] th, int steps, double[] g) => Net.EnergyGradient(th.AsSpan(0, th.Length - 1), th[^1], steps, g.AsSpan(0, th.Length - 1), out g[^1]);
            public static double Hvp(double[] th, int steps, double[] v, double[] g, double[] hv) => Net.EnergyHvp(th.AsSpan(0, th.Length - 1), th[^1], steps, v.AsSpan(0, v.Length - 1), v[^1], g.AsSpan(0, g.Length - 1), out g[^1], hv.AsSpan(0, hv.Length - 1), out hv[^1]);
            public static double HessianDiagonal(double[] th, int steps, double[] d) => Net.EnergyHessianDiagonal(th.AsSpan(0, th.Length - 1), th[^1], steps, d.AsSpan(0, d.Length - 1), out d[^1]);
            public static double Hessian(double[] th, int steps, double[] h) => Net.EnergyHessian(th.AsSpan(0, th.Length - 1), th[^1], steps, h);
        }
        """;

    private const int D = 3, C = 3, W = Hidden * (D + 1) + C * (Hidden + 1), X = 4, Steps = 3;
    private const int Hidden = 5;

    private readonly ITestOutputHelper _output;

    public ConcurrencyTests(ITestOutputHelper output) => _output = output;

    private static readonly Lazy<(LoadedAssembly Loaded, GeneratorRun Run)> s_compiled = new(() =>
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        Assert.Empty(run.Exceptions);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        return (GeneratorHarness.EmitAndLoad(run.OutputCompilation), run);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Everything one input produces, as one flat vector (compared bit for bit).</summary>
    private delegate double[] Work(int input);

    private static double[] RandomVector(Random r, int n) => Enumerable.Range(0, n).Select(_ => 2 * r.NextDouble() - 1).ToArray();

    /// <summary>Runs <paramref name="work"/> on every input sequentially, then from <see cref="Workers"/> threads released together, several rounds.</summary>
    private void AssertParallelMatchesSequential(string what, Work work)
    {
        var sequential = Enumerable.Range(0, Inputs).Select(i => work(i)).ToArray();
        for (int round = 0; round < 3; round++)
        {
            var parallel = new double[Inputs][];
            using var start = new Barrier(Workers);
            var threads = Enumerable.Range(0, Workers).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                // Interleave: thread t takes inputs t, t + Workers, ... in a rotated order each round.
                for (int k = 0; k < Inputs / Workers; k++)
                {
                    int i = ((k + round * 7) % (Inputs / Workers)) * Workers + t;
                    parallel[i] = work(i);
                }
            })).ToList();
            threads.ForEach(th => th.Start());
            threads.ForEach(th => th.Join());
            for (int i = 0; i < Inputs; i++)
            {
                Assert.True(parallel[i] is not null, $"{what}: input {i} not computed");
                Assert.True(sequential[i].Length == parallel[i].Length && sequential[i].Zip(parallel[i]).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second)),
                    $"{what}, round {round}, input {i}: parallel result differs from the sequential one\nsequential: {string.Join(", ", sequential[i])}\nparallel:   {string.Join(", ", parallel[i])}");
            }
        }
        // Parallel.For as well (thread-pool threads, work stealing).
        var pooled = new double[Inputs][];
        Parallel.For(0, Inputs, new ParallelOptions { MaxDegreeOfParallelism = Workers }, i => pooled[i] = work(i));
        for (int i = 0; i < Inputs; i++)
        {
            Assert.True(sequential[i].Zip(pooled[i]).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second)), $"{what} (Parallel.For), input {i}: differs");
        }
        _output.WriteLine($"{what}: {Inputs} inputs × ({3 * Workers} threads in 3 rounds + Parallel.For) bit-identical to sequential");
    }

    [Fact]
    public void Scalar_members_from_many_threads_match_sequential_calls()
    {
        var t = s_compiled.Value.Loaded.GetType("Conc.Calls");
        T M<T>(string name) where T : Delegate => t.GetMethod(name)!.CreateDelegate<T>();
        var energy = M<Func<double[], int, double>>("Energy");
        var gradient = M<Func<double[], int, double[], double>>("Gradient");
        var hvp = M<Func<double[], int, double[], double[], double[], double>>("Hvp");
        var diagonal = M<Func<double[], int, double[], double>>("HessianDiagonal");
        var hessian = M<Func<double[], int, double[], double>>("Hessian");
        int n = X + 1;
        var points = Enumerable.Range(0, Inputs).Select(i => (Th: RandomVector(new Random(1000 + i), n), V: RandomVector(new Random(5000 + i), n))).ToArray();

        AssertParallelMatchesSequential("Energy members", i =>
        {
            var (th, v) = points[i];
            var results = new List<double> { energy(th, Steps) };
            var g = new double[n];
            results.Add(gradient(th, Steps, g));
            results.AddRange(g);
            var g2 = new double[n];
            var hv = new double[n];
            results.Add(hvp(th, Steps, v, g2, hv));
            results.AddRange(g2);
            results.AddRange(hv);
            var d = new double[n];
            results.Add(diagonal(th, Steps, d));
            results.AddRange(d);
            var h = new double[n * n];
            results.Add(hessian(th, Steps, h));
            results.AddRange(h);
            return results.ToArray();
        });
    }

    /// <summary>The generated IModel struct's members, called through the interface's static abstract members.</summary>
    public interface IModelCalls
    {
        double[] All(double[] w, double[] x, double[] y, double[] v, double[] u);
    }

    public sealed class ModelCalls<TModel> : IModelCalls where TModel : struct, IModel
    {
        public double[] All(double[] w, double[] x, double[] y, double[] v, double[] u)
        {
            var r = new List<double>();
            var o = new double[y.Length];
            TModel.Forward(w, x, o);
            r.AddRange(o);
            var ot = new double[y.Length];
            TModel.Jvp(w, x, o, v, ot);
            r.AddRange(ot);
            var g = new double[w.Length];
            TModel.Vjp(w, x, o, u, g);
            r.AddRange(g);
            r.Add(TModel.LossGradient<SoftmaxCrossEntropy>(w, x, o, y, g));
            r.AddRange(g);
            var hv = new double[w.Length];
            r.Add(TModel.LossHvp<SoftmaxCrossEntropy>(w, x, o, y, v, g, hv));
            r.AddRange(hv);
            r.Add(TModel.Ggnvp<MeanSquaredError>(w, x, o, y, v, hv));
            r.AddRange(hv);
            r.Add(TModel.GgnDiagonal<SoftmaxCrossEntropy>(w, x, o, y, hv));
            r.AddRange(hv);
            r.Add(TModel.LossHessianDiagonal<SigmoidBinaryCrossEntropy>(w, x, o, y, hv));
            r.AddRange(hv);
            return r.ToArray();
        }
    }

    private static Type ModelType => s_compiled.Value.Loaded.GetType("Conc.Net+ForwardModel");

    [Fact]
    public void Model_members_from_many_threads_match_sequential_calls()
    {
        var calls = (IModelCalls)Activator.CreateInstance(typeof(ModelCalls<>).MakeGenericType(ModelType))!;
        var inputs = Enumerable.Range(0, Inputs).Select(i =>
        {
            var r = new Random(77 + i);
            var y = RandomVector(r, C).Select(Math.Abs).ToArray();
            double sum = y.Sum();
            return (W: RandomVector(r, W), X: RandomVector(r, D), Y: y.Select(v => v / sum).ToArray(), V: RandomVector(r, W), U: RandomVector(r, C));
        }).ToArray();
        AssertParallelMatchesSequential("ForwardModel members", i => calls.All(inputs[i].W, inputs[i].X, inputs[i].Y, inputs[i].V, inputs[i].U));
    }

    [Fact]
    public void Operators_over_a_generated_model_are_thread_safe_and_deterministic()
    {
        const int count = 64;
        var r = new Random(3);
        double[] w = RandomVector(r, W);
        double[] xs = RandomVector(r, count * D);
        double[] ys = new double[count * C];
        for (int i = 0; i < count; i++) ys[i * C + r.Next(C)] = 1.0;
        var data = new Dataset(xs, ys, count);
        var operatorTypes = new[] { typeof(HessianOperator<,>), typeof(GgnOperator<,>), typeof(EmpiricalFisherOperator<,>) };
        foreach (var open in operatorTypes)
        {
            var type = open.MakeGenericType(ModelType, typeof(SoftmaxCrossEntropy));
            ICurvatureOperator Create(int degree)
            {
                var op = (ICurvatureOperator)Activator.CreateInstance(type, w, data)!;
                type.GetProperty("MaxDegreeOfParallelism")?.SetValue(op, degree);
                return op;
            }
            var vectors = Enumerable.Range(0, 48).Select(i => RandomVector(new Random(900 + i), W)).ToArray();
            double[] Apply(ICurvatureOperator op, double[] v)
            {
                var result = new double[W];
                op.Apply(v, result);
                return result;
            }

            // Reference: one thread inside the operator, called alone.
            var single = Create(1);
            var reference = vectors.Select(v => Apply(single, v)).ToArray();
            var referenceDiagonal = new double[W];
            single.Diagonal(referenceDiagonal);

            // The same results whatever the operator's own degree of parallelism ...
            foreach (int degree in new[] { -1, 2, 3, 8 })
            {
                var op = Create(degree);
                for (int k = 0; k < vectors.Length; k++) AssertBitIdentical($"{open.Name} degree {degree}, vector {k}", reference[k], Apply(op, vectors[k]));
                var diagonal = new double[W];
                op.Diagonal(diagonal);
                AssertBitIdentical($"{open.Name} degree {degree}, diagonal", referenceDiagonal, diagonal);
            }

            // ... and when one shared instance is called from many threads at once.
            var shared = Create(-1);
            var concurrent = new double[vectors.Length][];
            var diagonals = new double[Workers][];
            Parallel.For(0, vectors.Length + Workers, new ParallelOptions { MaxDegreeOfParallelism = Workers }, k =>
            {
                if (k < vectors.Length) concurrent[k] = Apply(shared, vectors[k]);
                else
                {
                    var diagonal = new double[W];
                    shared.Diagonal(diagonal);
                    diagonals[k - vectors.Length] = diagonal;
                }
            });
            for (int k = 0; k < vectors.Length; k++) AssertBitIdentical($"{open.Name} shared instance, vector {k}", reference[k], concurrent[k]);
            foreach (var diagonal in diagonals) AssertBitIdentical($"{open.Name} shared instance, diagonal", referenceDiagonal, diagonal);
            _output.WriteLine($"{open.Name}: Apply/Diagonal bit-identical across degrees 1, -1, 2, 3, 8 and {Workers} concurrent callers");
        }
    }

    private static void AssertBitIdentical(string what, double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]),
                $"{what}[{i}]: {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    [Fact]
    public void Generated_types_hold_no_static_mutable_state()
    {
        var (loaded, run) = s_compiled.Value;
        AssertNoStaticMutableState(loaded.Assembly, run);
    }

    /// <summary>The same check over the numeric test corpus (tests/AutoCurv.Tests/Corpus), compiled with the generator here.</summary>
    [Fact]
    public void Generated_code_for_the_test_corpus_holds_no_static_mutable_state()
    {
        string? corpus = FindCorpus();
        if (corpus is null)
        {
            _output.WriteLine("tests/AutoCurv.Tests/Corpus not found next to the build output: nothing to check");
            return;
        }
        var sources = Directory.GetFiles(corpus, "*.cs").OrderBy(p => p, StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(sources, "Corpus"));
        Assert.Empty(run.Exceptions);
        if (!run.OutputErrors.IsEmpty)
        {
            // The corpus is edited by other work in progress; only a compiling corpus says something about the generator.
            _output.WriteLine("corpus does not compile here, skipped:\n" + GeneratorHarness.Format(run.OutputErrors.Take(5)));
            return;
        }
        using var loaded = GeneratorHarness.EmitAndLoad(run.OutputCompilation);
        AssertNoStaticMutableState(loaded.Assembly, run);
        _output.WriteLine($"{run.GeneratedSources.Count} generated files, {loaded.Assembly.GetTypes().Length} types checked");
    }

    private static void AssertNoStaticMutableState(Assembly assembly, GeneratorRun run)
    {
        // Reflection: every static field of every type (the generated members live in the user's partial types and in
        // nested model structs) is readonly or const. Compiler-synthesised holders (<PrivateImplementationDetails>) keep
        // read-only data and are skipped.
        var mutable = assembly.GetTypes()
            .Where(t => !t.Name.StartsWith("<PrivateImplementationDetails>", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => !f.IsInitOnly && !f.IsLiteral)
                .Select(f => $"{t.FullName}.{f.Name} ({(t.IsDefined(typeof(CompilerGeneratedAttribute)) ? "compiler-generated" : "declared")})"))
            .ToList();
        Assert.True(mutable.Count == 0, "static mutable fields:\n" + string.Join("\n", mutable));

        // Syntax: the generated files declare no static field that is not readonly/const, and no [ThreadStatic].
        var offending = run.OutputCompilation.SyntaxTrees
            .Where(tree => run.GeneratedSources.Keys.Any(hint => tree.FilePath.EndsWith(hint, StringComparison.Ordinal)))
            .SelectMany(tree => tree.GetRoot().DescendantNodes().OfType<FieldDeclarationSyntax>()
                .Where(f => f.Modifiers.Any(SyntaxKind.StaticKeyword) && !f.Modifiers.Any(SyntaxKind.ReadOnlyKeyword) && !f.Modifiers.Any(SyntaxKind.ConstKeyword)
                            || f.AttributeLists.SelectMany(a => a.Attributes).Any(a => a.Name.ToString().Contains("ThreadStatic", StringComparison.Ordinal)))
                .Select(f => $"{Path.GetFileName(tree.FilePath)}: {f}"))
            .ToList();
        Assert.True(offending.Count == 0, "generated static mutable fields:\n" + string.Join("\n", offending));
        Assert.NotEmpty(run.GeneratedSources);
    }

    private static string? FindCorpus()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "AutoCurv.Tests", "Corpus");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
