using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace AutoCurv.Generator.Tests.Fuzz;

/// <summary>The two program shapes the fuzzer writes.</summary>
public enum FuzzKind
{
    /// <summary><c>double F([Wrt] ReadOnlySpan&lt;double&gt; x, [Wrt] double s, int n)</c>.</summary>
    Scalar,

    /// <summary><c>void G([Wrt] ReadOnlySpan&lt;double&gt; w, ReadOnlySpan&lt;double&gt; x, Span&lt;double&gt; output)</c>.</summary>
    Vector,
}

/// <summary>
/// One random program: its <c>[Differentiable]</c> method (named <see cref="Name"/>) and the helper methods it calls
/// (named <c>{Name}H{k}</c>), as members of a static partial class, plus the sizes it is evaluated at.
/// </summary>
/// <param name="Name">The method's name: <c>F{index}</c> (scalar) or <c>G{index}</c> (vector).</param>
/// <param name="Kind">Scalar or vector function.</param>
/// <param name="Seed">The seed that regenerates exactly this program (<see cref="ProgramGenerator.Generate"/>).</param>
/// <param name="Members">The C# text of the helpers and the method (class members, 4-space indented).</param>
/// <param name="N">Scalar: the value passed for <c>n</c>.</param>
/// <param name="XLength">The length of <c>x</c>.</param>
/// <param name="WLength">Vector: the length of <c>w</c>.</param>
/// <param name="OutputLength">Vector: the length of <c>output</c>.</param>
public sealed record FuzzProgram(string Name, FuzzKind Kind, int Seed, int Index, string Members, int N, int XLength, int WLength, int OutputLength)
{
    /// <summary>The number of Wrt inputs θ (scalar: x then s; vector: w).</summary>
    public int Dimension => Kind == FuzzKind.Scalar ? XLength + 1 : WLength;

    /// <summary>A self-contained file holding only this program (what a regression test pastes).</summary>
    public string StandaloneSource(string className = "Programs") =>
        ProgramGenerator.FileHeader + $"public static partial class {className}\n{{\n{Members}}}\n";

    /// <summary>The program, its sizes and its seed, for an assertion message.</summary>
    public string Describe() =>
        $"// {Name}: seed {Seed}, " + (Kind == FuzzKind.Scalar
            ? $"x.Length = {XLength}, n = {N}"
            : $"w.Length = {WLength}, x.Length = {XLength}, output.Length = {OutputLength}")
        + "\n" + StandaloneSource();
}

/// <summary>
/// A seeded generator of random well-typed programs in AutoCurv's differentiable subset (docs/supported-subset.md):
/// nested <c>for</c> loops counting up or down by 1 or 2 with bounds from lengths, <c>n</c>, literals or outer
/// counters; <c>if</c>/<c>else</c> on comparisons of computed values; locals, scratch spans and the output overwritten
/// inside loops; all compound assignments; every supported <c>Math</c> function on a safe domain; calls to
/// <c>[Differentiable]</c> scalar, span and vector helpers; early returns. Values stay bounded (assignments inside loops
/// contract or add bounded increments; products have one bounded factor), so derivatives are O(1) and finite
/// differences are accurate. Every index is provably in range for any lengths ≥ 1.
/// </summary>
public static class ProgramGenerator
{
    /// <summary>The usings and namespace every fuzz source starts with.</summary>
    public const string FileHeader = "using System;\nusing AutoCurv;\n\nnamespace Fuzz;\n\n";

    /// <summary>The seed of program <paramref name="index"/> of a run with <paramref name="runSeed"/>.</summary>
    public static int ProgramSeed(int runSeed, int index)
    {
        unchecked
        {
            uint h = (uint)runSeed * 0x9E3779B1u ^ (uint)index * 0x85EBCA77u;
            h ^= h >> 15;
            h *= 0x2C1B3C6Du;
            h ^= h >> 12;
            return (int)(h & 0x7FFFFFFF);
        }
    }

    /// <summary>Program number <paramref name="index"/> (its name) generated from <paramref name="seed"/>; same inputs, same program.</summary>
    public static FuzzProgram Generate(int seed, int index)
    {
        var random = new Random(seed);
        var kind = random.NextDouble() < 0.55 ? FuzzKind.Scalar : FuzzKind.Vector;
        string name = (kind == FuzzKind.Scalar ? "F" : "G") + index;
        var writer = new Writer(random, name);
        string members = kind == FuzzKind.Scalar ? writer.Scalar() : writer.Vector();
        return kind == FuzzKind.Scalar
            ? new FuzzProgram(name, kind, seed, index, members, N: random.Next(1, 4), XLength: random.Next(2, 5), WLength: 0, OutputLength: 0)
            : new FuzzProgram(name, kind, seed, index, members, N: 0, XLength: random.Next(1, 4), WLength: random.Next(2, 6), OutputLength: random.Next(1, 4));
    }

    /// <summary>
    /// Array-taking wrappers (reflection cannot pass spans) in class <paramref name="wrapperClass"/> calling the
    /// program's generated members in <paramref name="programClass"/>. Scalar programs pack θ = [x…, s] in one array.
    /// </summary>
    public static string Wrappers(FuzzProgram p, string programClass)
    {
        string c = programClass, n = p.Name;
        var sb = new StringBuilder();
        if (p.Kind == FuzzKind.Scalar)
        {
            sb.Append($"    public static double {n}_Value(double[] th, int n) => {c}.{n}(X(th), th[^1], n);\n");
            sb.Append($"    public static double {n}_Gradient(double[] th, int n, double[] g) => {c}.{n}Gradient(X(th), th[^1], n, XW(g), out g[^1]);\n");
            sb.Append($"    public static double {n}_Jvp(double[] th, int n, double[] v, double[] d) => {c}.{n}Jvp(X(th), th[^1], n, X(v), v[^1], out d[0]);\n");
            sb.Append($"    public static double {n}_Hvp(double[] th, int n, double[] v, double[] g, double[] hv) => {c}.{n}Hvp(X(th), th[^1], n, X(v), v[^1], XW(g), out g[^1], XW(hv), out hv[^1]);\n");
            sb.Append($"    public static double {n}_HessianDiagonal(double[] th, int n, double[] d) => {c}.{n}HessianDiagonal(X(th), th[^1], n, XW(d), out d[^1]);\n");
            sb.Append($"    public static double {n}_HessianDiagonalApprox(double[] th, int n, double[] d) => {c}.{n}HessianDiagonalApprox(X(th), th[^1], n, XW(d), out d[^1]);\n");
            sb.Append($"    public static double {n}_Hessian(double[] th, int n, double[] h) => {c}.{n}Hessian(X(th), th[^1], n, h);\n");
        }
        else
        {
            const string A = "double[] w, double[] x, double[] o";
            sb.Append($"    public static void {n}_Value({A}) => {c}.{n}(w, x, o);\n");
            sb.Append($"    public static void {n}_Jvp({A}, double[] v, double[] ot) => {c}.{n}Jvp(w, x, o, v, ot);\n");
            sb.Append($"    public static void {n}_Vjp({A}, double[] u, double[] g) => {c}.{n}Vjp(w, x, o, u, g);\n");
            sb.Append($"    public static double {n}_Loss({A}, double[] y) => {c}.{n}Loss<MeanSquaredError>(w, x, o, y);\n");
            sb.Append($"    public static double {n}_LossGradient({A}, double[] y, double[] g) => {c}.{n}LossGradient<MeanSquaredError>(w, x, o, y, g);\n");
            sb.Append($"    public static double {n}_LossHvp({A}, double[] y, double[] v, double[] g, double[] hv) => {c}.{n}LossHvp<MeanSquaredError>(w, x, o, y, v, g, hv);\n");
            sb.Append($"    public static double {n}_Ggnvp({A}, double[] y, double[] v, double[] r) => {c}.{n}Ggnvp<MeanSquaredError>(w, x, o, y, v, r);\n");
            sb.Append($"    public static double {n}_GgnDiagonal({A}, double[] y, double[] d) => {c}.{n}GgnDiagonal<MeanSquaredError>(w, x, o, y, d);\n");
            sb.Append($"    public static double {n}_LossHessianDiagonal({A}, double[] y, double[] d) => {c}.{n}LossHessianDiagonal<MeanSquaredError>(w, x, o, y, d);\n");
            sb.Append($"    public static double {n}_LossHessian({A}, double[] y, double[] h) => {c}.{n}LossHessian<MeanSquaredError>(w, x, o, y, h);\n");
            sb.Append($"    public static double {n}_Batch(int m, double[] w, double[] xs, double[] os, double[] ys, double[] v, double[] r1, double[] r2) => Batched<{c}.{n}Model>(m, w, xs, os, ys, v, r1, r2);\n");
        }
        return sb.ToString();
    }

    /// <summary>The span helpers every wrapper class needs.</summary>
    public const string WrapperPrelude =
        "    private static ReadOnlySpan<double> X(double[] a) => a.AsSpan(0, a.Length - 1);\n" +
        "    private static Span<double> XW(double[] a) => a.AsSpan(0, a.Length - 1);\n" +
        // A model's batched members over SampleBlock.Size samples (rows of xs, ys, os); NaN when it has none.
        "    private static double Batched<TModel>(int m, double[] w, double[] xs, double[] os, double[] ys, double[] v, double[] r1, double[] r2) where TModel : IModel\n" +
        "    {\n" +
        "        if (!TModel.HasBatchedMembers) return double.NaN;\n" +
        "        const int B = AutoCurv.CompilerServices.SampleBlock.Size;\n" +
        "        int d = xs.Length / B, c = ys.Length / B;\n" +
        "        var x = new AutoCurv.CompilerServices.SampleBlock[d];\n" +
        "        var y = new AutoCurv.CompilerServices.SampleBlock[c];\n" +
        "        var o = new AutoCurv.CompilerServices.SampleBlock[c];\n" +
        "        AutoCurv.CompilerServices.SampleBlock.Load(xs, d, 0, x);\n" +
        "        AutoCurv.CompilerServices.SampleBlock.Load(ys, c, 0, y);\n" +
        "        double r = m switch\n" +
        "        {\n" +
        "            0 => TModel.LossBatch<MeanSquaredError>(w, x, o, y),\n" +
        "            1 => TModel.LossGradientBatch<MeanSquaredError>(w, x, o, y, r1),\n" +
        "            2 => TModel.LossHvpBatch<MeanSquaredError>(w, x, o, y, v, r2),\n" +
        "            _ => TModel.GgnvpBatch<MeanSquaredError>(w, x, o, y, v, r1),\n" +
        "        };\n" +
        "        for (int b = 0; b < B; b++) for (int k = 0; k < c; k++) os[b * c + k] = o[k][b];\n" +
        "        return r;\n" +
        "    }\n";

    private enum HelperKind { Scalar, Span, Vector }

    private sealed record Helper(string Name, HelperKind Kind);

    /// <summary>A loop counter: always ≥ 0; when <see cref="Bound"/> is set, also &lt; Bound.Length (and ≥ 1 when <see cref="AtLeastOne"/>).</summary>
    private sealed record Counter(string Name, string? Bound, bool AtLeastOne);

    private sealed class Scope
    {
        public readonly List<string> Reals = new();      // readable double scalars
        public readonly List<string> Assignable = new(); // double locals
        public readonly List<string> Ints = new();       // readable ints, all ≥ 0
        public readonly List<string> MutableInts = new();// int locals (only ever increased)
        public readonly List<string> Bools = new();
        public int Declared;
    }

    private sealed class Writer
    {
        private static readonly string[] s_literals = { "0.5", "1.5", "-0.75", "2.0", "0.25", "-1.25", "3.0", "0.1", "-0.5" };
        private static readonly string[] s_counterNames = { "i", "j", "k", "l" };

        private readonly Random _r;
        private readonly string _name;
        private readonly List<Helper> _helpers = new();
        private StringBuilder _sb = new();
        private int _indent;

        // Context of the method being written.
        private List<Scope> _scopes = new();
        private List<Counter> _counters = new();
        private List<string> _readSpans = new();
        private List<string> _writeSpans = new();
        private Dictionary<string, string> _lengthClass = new();
        private List<Helper> _callable = new();
        private bool _hasN;
        private bool _returnsValue;
        private int _loopDepth;
        private int _blockDepth;
        private int _budget;

        public Writer(Random random, string name)
        {
            _r = random;
            _name = name;
        }

        private bool Chance(double p) => _r.NextDouble() < p;

        private T Pick<T>(IReadOnlyList<T> items) => items[_r.Next(items.Count)];

        private void Line(string text) => _sb.Append(' ', 4 * _indent).Append(text).Append('\n');

        private void Reset(int budget)
        {
            _scopes = new List<Scope> { new() };
            _counters = new List<Counter>();
            _readSpans = new List<string>();
            _writeSpans = new List<string>();
            _lengthClass = new Dictionary<string, string>();
            _hasN = false;
            _loopDepth = 0;
            _blockDepth = 0;
            _budget = budget;
        }

        private Scope Top => _scopes[^1];

        private IEnumerable<string> Reals => _scopes.SelectMany(s => s.Reals);

        private List<string> Assignable => _scopes.SelectMany(s => s.Assignable).ToList();

        private List<string> Ints => _scopes.SelectMany(s => s.Ints).Concat(_counters.Select(c => c.Name)).ToList();

        private List<string> MutableInts => _scopes.SelectMany(s => s.MutableInts).ToList();

        private List<string> Bools => _scopes.SelectMany(s => s.Bools).ToList();

        private string NewLocal(string prefix) => $"{prefix}{_blockDepth}_{++Top.Declared}";

        // ---------------------------------------------------------------- methods

        public string Scalar()
        {
            var sb = new StringBuilder();
            WriteHelpers(sb);
            Reset(_r.Next(6, 19));
            _sb = new StringBuilder();
            _indent = 1;
            _hasN = true;
            _returnsValue = true;
            _callable = _helpers.ToList();
            Top.Reals.Add("s");
            Top.Ints.Add("n");
            _readSpans.Add("x");
            _lengthClass["x"] = "x.Length";
            bool wrt = Chance(0.85);
            Line("[Differentiable]");
            Line(wrt
                ? $"public static double {_name}([Wrt] ReadOnlySpan<double> x, [Wrt] double s, int n)"
                : $"public static double {_name}(ReadOnlySpan<double> x, double s, int n)");
            Line("{");
            _indent++;
            WriteScratch(new[] { "x.Length", "x.Length", "n + 1", "3", "x.Length + n", "2 * x.Length" });
            int count = _r.Next(2, 7);
            for (int k = 0; k < count && _budget > 0; k++)
            {
                if (Chance(0.08))
                {
                    EarlyReturn();
                }
                Statement();
            }
            // The result reads everything still in scope at the top level, so no work is dead.
            var terms = new List<string> { E(3) };
            foreach (string v in Top.Assignable) terms.Add(Chance(0.5) ? v : $"0.5 * {v}");
            foreach (string t in _writeSpans) terms.Add($"{t}[{IndexInto(t)}]");
            Line($"return {string.Join(" + ", terms)};");
            _indent--;
            Line("}");
            sb.Append(_sb);
            return sb.ToString();
        }

        public string Vector()
        {
            var sb = new StringBuilder();
            WriteHelpers(sb);
            Reset(_r.Next(6, 19));
            _sb = new StringBuilder();
            _indent = 1;
            _returnsValue = false;
            _callable = _helpers.ToList();
            _readSpans.Add("w");
            _readSpans.Add("x");
            _lengthClass["w"] = "w.Length";
            _lengthClass["x"] = "x.Length";
            Line("[Differentiable]");
            Line($"public static void {_name}([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)");
            Line("{");
            _indent++;
            WriteScratch(new[] { "w.Length", "w.Length", "x.Length", "x.Length + 1", "3", "output.Length", "w.Length + x.Length" });
            int before = _r.Next(0, 3);
            for (int k = 0; k < before && _budget > 0; k++) Statement();
            // Every output element is written before anything reads it.
            string c = s_counterNames[0];
            Line(Chance(0.5)
                ? $"for (int {c} = 0; {c} < output.Length; {c}++)"
                : $"for (int {c} = output.Length - 1; {c} >= 0; {c}--)");
            Line("{");
            _indent++;
            _counters.Add(new Counter(c, "output", false));
            _loopDepth++;
            Line($"output[{c}] = {E(3)};");
            _loopDepth--;
            _counters.RemoveAt(_counters.Count - 1);
            _indent--;
            Line("}");
            _readSpans.Add("output");
            _writeSpans.Add("output");
            _lengthClass["output"] = "output.Length";
            int after = _r.Next(2, 7);
            for (int k = 0; k < after && _budget > 0; k++) Statement();
            if (Chance(0.5))
            {
                Line($"for (int {c} = 0; {c} < output.Length; {c}++)");
                Line("{");
                _indent++;
                _counters.Add(new Counter(c, "output", false));
                _loopDepth++;
                var terms = new List<string> { $"output[{c}]", Bounded(2) };
                foreach (string v in Top.Assignable.Take(3)) terms.Add($"0.5 * {v}");
                Line($"output[{c}] = {string.Join(" + ", terms)};");
                _loopDepth--;
                _counters.RemoveAt(_counters.Count - 1);
                _indent--;
                Line("}");
            }
            _indent--;
            Line("}");
            sb.Append(_sb);
            return sb.ToString();
        }

        private void WriteScratch(string[] lengths)
        {
            int scratch = _r.Next(0, 3);
            for (int k = 0; k < scratch; k++)
            {
                string t = "t" + k;
                string length = Pick(lengths);
                if (Chance(0.8))
                {
                    // Zeroed by the program itself: the batches compile with SkipLocalsInit (FuzzRunner.RunBatch),
                    // so that a generated member that skips a clear it needed reads stale stack, not zeros.
                    Line($"Span<double> {t} = stackalloc double[{length}];");
                    Line($"for (int z{k} = 0; z{k} < {length}; z{k}++) {t}[z{k}] = 0.0;");
                }
                else Line($"double[] {t} = new double[{length}];");
                _lengthClass[t] = length;
                _readSpans.Add(t);
                _writeSpans.Add(t);
            }
        }

        private void EarlyReturn()
        {
            if (!_returnsValue || _loopDepth > 0) return;
            if (Chance(0.5))
            {
                Line($"if ({Cond(2)}) return {E(2)};");
                return;
            }
            Line($"if ({Cond(2)})");
            Line("{");
            _indent++;
            _blockDepth++;
            _scopes.Add(new Scope());
            int count = _r.Next(1, 3);
            for (int k = 0; k < count && _budget > 0; k++) Statement();
            Line($"return {E(2)};");
            _scopes.RemoveAt(_scopes.Count - 1);
            _blockDepth--;
            _indent--;
            Line("}");
        }

        private void WriteHelpers(StringBuilder sb)
        {
            int count = _r.NextDouble() switch { < 0.35 => 0, < 0.75 => 1, < 0.92 => 2, _ => 3 };
            for (int k = 1; k <= count; k++)
            {
                var kind = (HelperKind)_r.Next(3);
                string name = $"{_name}H{k}";
                Reset(_r.Next(2, 6));
                _sb = new StringBuilder();
                _indent = 1;
                _callable = _helpers.ToList();
                Line("[Differentiable]");
                switch (kind)
                {
                    case HelperKind.Scalar:
                        Top.Reals.Add("a");
                        Top.Reals.Add("b");
                        _returnsValue = true;
                        if (Chance(0.3))
                        {
                            Line($"public static double {name}(double a, double b) => {E(3)};");
                            break;
                        }
                        Line($"public static double {name}(double a, double b)");
                        HelperBody(returns: true);
                        break;
                    case HelperKind.Span:
                        Top.Reals.Add("a");
                        _readSpans.Add("v");
                        _returnsValue = true;
                        Line($"public static double {name}(ReadOnlySpan<double> v, double a)");
                        HelperBody(returns: true);
                        break;
                    default:
                        Top.Reals.Add("a");
                        _readSpans.Add("v");
                        _readSpans.Add("o");
                        _writeSpans.Add("o");
                        _returnsValue = false;
                        Line($"public static void {name}(ReadOnlySpan<double> v, double a, Span<double> o)");
                        HelperBody(returns: false);
                        break;
                }
                sb.Append(_sb);
                _helpers.Add(new Helper(name, kind));
            }
        }

        private void HelperBody(bool returns)
        {
            Line("{");
            _indent++;
            if (!returns)
            {
                // A vector helper always writes its whole output (it may read the caller's previous values first).
                string c = s_counterNames[0];
                Line($"for (int {c} = 0; {c} < o.Length; {c}++)");
                Line("{");
                _indent++;
                _counters.Add(new Counter(c, "o", false));
                _loopDepth++;
                Line($"o[{c}] = {(Chance(0.5) ? $"0.5 * o[{c}] + " : "")}{Bounded(2)};");
                _loopDepth--;
                _counters.RemoveAt(_counters.Count - 1);
                _indent--;
                Line("}");
            }
            int count = _r.Next(1, 4);
            for (int k = 0; k < count && _budget > 0; k++)
            {
                if (returns && Chance(0.15)) EarlyReturn();
                Statement();
            }
            if (returns)
            {
                var terms = new List<string> { E(2) };
                foreach (string v in Top.Assignable) terms.Add(v);
                Line($"return {string.Join(" + ", terms)};");
            }
            _indent--;
            Line("}");
        }

        // ---------------------------------------------------------------- statements

        private void Statement()
        {
            _budget--;
            bool inLoop = _loopDepth > 0;
            var options = new List<(int Weight, Action Write)>
            {
                (20, DeclareReal),
                (6, DeclareIntOrBool),
            };
            if (Assignable.Count > 0) options.Add((22, AssignReal));
            if (_writeSpans.Count > 0) options.Add((22, WriteSpan));
            if (MutableInts.Count > 0) options.Add((4, UpdateInt));
            if (_loopDepth < 3 && _budget > 1) options.Add((inLoop ? 10 : 18, For));
            if (_blockDepth < 5 && _budget > 1) options.Add((10, If));
            if (_writeSpans.Count > 0 && _callable.Any(h => h.Kind == HelperKind.Vector)) options.Add((6, CallVectorHelper));
            if (_loopDepth == 0 && _lengthClass.Count > 0) options.Add((8, DotOrAxpy));
            int total = options.Sum(o => o.Weight);
            int pick = _r.Next(total);
            foreach (var (weight, write) in options)
            {
                if (pick < weight)
                {
                    write();
                    return;
                }
                pick -= weight;
            }
        }

        private void DeclareReal()
        {
            string v = NewLocal("v");
            Line($"double {v} = {(Chance(0.5) ? $"Math.Tanh({E(3)})" : E(2))};");
            Top.Reals.Add(v);
            Top.Assignable.Add(v);
        }

        private void DeclareIntOrBool()
        {
            if (Chance(0.6))
            {
                string m = NewLocal("m");
                Line($"int {m} = {IntExpr()};");
                Top.Ints.Add(m);
                Top.MutableInts.Add(m);
            }
            else
            {
                string b = NewLocal("b");
                Line($"bool {b} = {Cond(2)};");
                Top.Bools.Add(b);
            }
        }

        private void UpdateInt()
        {
            string m = Pick(MutableInts);
            Line(_r.Next(4) switch
            {
                0 => $"{m}++;",
                1 => $"++{m};",
                2 => $"{m} += {_r.Next(1, 3)};",
                _ => $"{m} = {IntExpr()};",
            });
        }

        /// <summary>Right-hand sides that keep a variable bounded even when repeated every iteration.</summary>
        private string UpdateStatement(string target)
        {
            bool free = _loopDepth == 0;
            return _r.Next(free ? 11 : 8) switch
            {
                0 => $"{target} = Math.Tanh({E(3)});",
                1 => $"{target} = 0.5 * {target} + 0.5 * Math.Sin({E(3)});",
                2 => $"{target} += 0.25 * Math.Tanh({E(3)});",
                3 => $"{target} -= 0.5 * Math.Sin({E(3)});",
                4 => $"{target} *= 0.8 + 0.2 * Math.Cos({E(3)});",
                5 => $"{target} /= 2.0 + Math.Tanh({E(3)});",
                6 => $"{target} = Math.Atan({E(3)});",
                7 => $"{target} = {Bounded(3)} - 0.5 * {target};",
                8 => $"{target} = {E(2)};",
                9 => $"{target} += {E(2)};",
                _ => $"{target} *= {Bounded(2)};",
            };
        }

        private void AssignReal() => Line(UpdateStatement(Pick(Assignable)));

        private void WriteSpan()
        {
            string t = Pick(_writeSpans);
            Line(UpdateStatement($"{t}[{IndexInto(t)}]"));
        }

        private void CallVectorHelper()
        {
            var helper = Pick(_callable.Where(h => h.Kind == HelperKind.Vector).ToList());
            string into = Pick(_writeSpans);
            string from = Pick(_readSpans);
            Line($"{helper.Name}({from}, {E(2)}, {into});");
        }

        /// <summary>
        /// Unit-stride dot products and axpy updates (the loops the emitter turns into SIMD kernels, in every mode) and
        /// the same through <c>AutoCurv.Primitives</c>, over spans whose lengths are equal by construction.
        /// </summary>
        private void DotOrAxpy()
        {
            var classes = _lengthClass.GroupBy(kv => kv.Value).Select(g => g.Select(kv => kv.Key).ToList()).ToList();
            var withTarget = classes.Where(m => m.Count >= 2 && m.Any(_writeSpans.Contains)).ToList();
            string a, b, c = s_counterNames[0];
            var targets = new List<string>();
            int form;
            if (withTarget.Count > 0 && Chance(0.6))
            {
                var members = Pick(withTarget);
                targets.Add(Pick(members.Where(_writeSpans.Contains).ToList()));
                var others = members.Where(m => m != targets[0]).ToList();
                a = Pick(others);
                b = Pick(others);
                form = 3 + _r.Next(4);
            }
            else
            {
                var members = Pick(classes);
                a = Pick(members);
                b = Pick(members);
                form = Chance(0.25) ? 7 : _r.Next(3);
            }
            string v = NewLocal("v");
            switch (form)
            {
                case 0:
                    Line($"double {v} = 0.0;");
                    Line(Chance(0.5) ? $"for (int {c} = 0; {c} < {a}.Length; {c}++) {v} += {a}[{c}] * {b}[{c}];" : $"for (int {c} = {a}.Length - 1; {c} >= 0; {c}--) {v} -= {a}[{c}] * {b}[{c}];");
                    break;
                case 1:
                    Line($"double {v} = {Bounded(1)};");
                    Line($"for (int {c} = 1; {c} < {a}.Length; {c}++) {v} += {b}[{c} - 1] * {a}[{c}];");
                    break;
                case 2:
                    Line($"double {v} = Primitives.Dot({a}, {b});");
                    break;
                case 3:
                    Line($"for (int {c} = 0; {c} < {targets[0]}.Length; {c}++) {targets[0]}[{c}] += {Bounded(1)} * {a}[{c}];");
                    return;
                case 4:
                    Line($"Primitives.Axpy({Bounded(1)}, {a}, {Pick(targets)});");
                    return;
                case 5:
                    Line($"double {v} = 0.0;");
                    Line($"for (int {c} = 0; {c} < {a}.Length; {c}++)");
                    Line("{");
                    Line($"    {v} += {a}[{c}] * {b}[{c}];");
                    Line($"    {Pick(targets)}[{c}] -= {Pick(s_literals)} * {b}[{c}];");
                    Line("}");
                    break;
                case 6:
                    // A two-term axpy (Kernels.Axpy2), its scales read before the loop.
                    Line($"for (int {c} = 0; {c} < {a}.Length; {c}++) {targets[0]}[{c}] += {Bounded(1)} * {a}[{c}] + {b}[{c}] * {Pick(s_literals)};");
                    return;
                default:
                {
                    // Dots sharing an operand (Kernels.Dot2 pairs them), the pair's operands in swapped order.
                    string w = NewLocal("v");
                    Line($"double {v} = 0.0;");
                    Line($"double {w} = 0.0;");
                    Line($"for (int {c} = 0; {c} < {a}.Length; {c}++)");
                    Line("{");
                    Line($"    {v} += {a}[{c}] * {b}[{c}];");
                    Line($"    {w} += {b}[{c}] * {a}[{c}];");
                    Line("}");
                    Line($"{v} = {v} - 0.5 * Math.Sin({w});");
                    break;
                }
            }
            Top.Reals.Add(v);
            Top.Assignable.Add(v);
        }

        private void For()
        {
            string c = s_counterNames[_loopDepth];
            var spans = _readSpans.Concat(_writeSpans).Distinct().ToList();
            string S = spans.Count > 0 ? Pick(spans) : "";
            var outer = _counters.Count > 0 ? Pick(_counters) : null;
            string header;
            Counter counter;
            int form = spans.Count == 0 ? 7 + _r.Next(2) : _r.Next(outer is null ? 9 : 11);
            switch (form)
            {
                case 0:
                case 1:
                    header = $"int {c} = 0; {c} < {S}.Length; {c}++";
                    counter = new Counter(c, S, false);
                    break;
                case 2:
                    header = $"int {c} = {S}.Length - 1; {c} >= 0; {c}--";
                    counter = new Counter(c, S, false);
                    break;
                case 3:
                    header = $"int {c} = 0; {c} < {S}.Length; {c} += 2";
                    counter = new Counter(c, S, false);
                    break;
                case 4:
                    header = $"int {c} = {S}.Length - 1; {c} >= 0; {c} -= 2";
                    counter = new Counter(c, S, false);
                    break;
                case 5:
                    header = $"int {c} = 1; {c} < {S}.Length; ++{c}";
                    counter = new Counter(c, S, true);
                    break;
                case 6:
                    if (_hasN)
                    {
                        header = Chance(0.5) ? $"int {c} = 0; {c} < n; {c}++" : $"int {c} = n; {c} > 0; {c}--";
                        counter = new Counter(c, null, false);
                    }
                    else
                    {
                        header = $"int {c} = 0; {S}.Length > {c}; {c}++";
                        counter = new Counter(c, S, false);
                    }
                    break;
                case 7:
                    header = _hasN && Chance(0.5) ? $"int {c} = 0; {c} <= n; {c} += 2" : $"int {c} = 0; 3 > {c}; {c}++";
                    counter = new Counter(c, null, false);
                    break;
                case 8:
                    header = $"int {c} = 2; {c} >= 1; {c}--";
                    counter = new Counter(c, null, true);
                    break;
                case 9:
                    header = $"int {c} = {outer!.Name}; {c} < {S}.Length; {c}++";
                    counter = new Counter(c, S, false);
                    break;
                default:
                    header = $"int {c} = 0; {c} < {outer!.Name}; {c}++";
                    counter = new Counter(c, outer.Bound, false);
                    break;
            }
            Line($"for ({header})");
            Line("{");
            _indent++;
            _blockDepth++;
            _loopDepth++;
            _counters.Add(counter);
            _scopes.Add(new Scope());
            int count = _r.Next(1, 4);
            for (int k = 0; k < count && _budget > 0; k++) Statement();
            if (count == 0 || _budget <= 0) Statement();
            _scopes.RemoveAt(_scopes.Count - 1);
            _counters.RemoveAt(_counters.Count - 1);
            _loopDepth--;
            _blockDepth--;
            _indent--;
            Line("}");
        }

        private void If()
        {
            bool braces = Chance(0.7);
            Line($"if ({Cond(2)})");
            Branch(braces);
            if (Chance(0.5))
            {
                if (Chance(0.3) && _blockDepth < 4)
                {
                    // else if chain
                    Line($"else if ({Cond(2)})");
                    Branch(true);
                    if (Chance(0.5))
                    {
                        Line("else");
                        Branch(true);
                    }
                }
                else
                {
                    Line("else");
                    Branch(braces);
                }
            }
        }

        private void Branch(bool braces)
        {
            _blockDepth++;
            _scopes.Add(new Scope());
            if (braces)
            {
                Line("{");
                _indent++;
                int count = _r.Next(1, 4);
                for (int k = 0; k < count && _budget > 0; k++) Statement();
                if (_budget <= 0 && count == 0) Statement();
                _indent--;
                Line("}");
            }
            else
            {
                // A single embedded statement: no declaration allowed here.
                _indent++;
                var assignable = Assignable;
                if (assignable.Count > 0 && (Chance(0.5) || _writeSpans.Count == 0))
                {
                    Line(UpdateStatement(Pick(assignable)));
                }
                else if (_writeSpans.Count > 0)
                {
                    string t = Pick(_writeSpans);
                    Line(UpdateStatement($"{t}[{IndexInto(t)}]"));
                }
                else
                {
                    Line(";");
                }
                _indent--;
            }
            _scopes.RemoveAt(_scopes.Count - 1);
            _blockDepth--;
        }

        // ---------------------------------------------------------------- expressions

        /// <summary>A nonnegative int expression.</summary>
        private string IntAtom()
        {
            var ints = Ints;
            return _r.Next(5) switch
            {
                0 => _r.Next(0, 4).ToString(),
                1 when _readSpans.Count > 0 => $"{Pick(_readSpans)}.Length",
                _ when ints.Count > 0 => Pick(ints),
                _ => _r.Next(0, 4).ToString(),
            };
        }

        /// <summary>A small nonnegative int (a loop counter, n or a literal 0..3): safe as an exponent.</summary>
        private string SmallInt() => _counters.Count > 0 && Chance(0.6)
            ? Pick(_counters).Name
            : _hasN && Chance(0.3) ? "n" : _r.Next(0, 4).ToString();

        private string IntExpr() => _r.Next(5) switch
        {
            0 => $"{IntAtom()} + {IntAtom()}",
            1 => $"{IntAtom()} * {_r.Next(1, 4)}",
            2 => $"{IntAtom()} + 1",
            _ => IntAtom(),
        };

        /// <summary>An in-range index into span <paramref name="span"/>.</summary>
        private string IndexInto(string span)
        {
            var bounded = _counters.Where(c => c.Bound == span).ToList();
            if (bounded.Count > 0 && Chance(0.65))
            {
                var c = Pick(bounded);
                return _r.Next(6) switch
                {
                    0 when c.AtLeastOne => $"{c.Name} - 1",
                    1 => $"{span}.Length - 1 - {c.Name}",
                    _ => c.Name,
                };
            }
            return _r.Next(6) switch
            {
                0 => "0",
                1 => $"{span}.Length - 1",
                2 when _counters.Count > 0 => $"{Pick(_counters).Name} % {span}.Length",
                _ => $"({IntExpr()}) % {span}.Length",
            };
        }

        private string Leaf()
        {
            var reals = Reals.ToList();
            int pick = _r.Next(100);
            if (pick < 12) return Pick(s_literals);
            if (pick < 45 && reals.Count > 0) return Pick(reals);
            if (pick < 88 && _readSpans.Count > 0) return SpanRead();
            if (pick < 91 && _readSpans.Count > 0) return $"{SpanRead()} * 2";
            if (pick < 91) return Pick(s_literals);
            return _r.Next(3) switch
            {
                0 => $"0.25 * {IntAtom()}",
                1 => $"(double){IntAtom()} / ({IntAtom()} + 2)",
                _ => $"1.0 / ({IntAtom()} + 1)",
            };
        }

        private string SpanRead()
        {
            string span = Pick(_readSpans);
            return $"{span}[{IndexInto(span)}]";
        }

        /// <summary>An expression bounded by a small constant whatever its operands.</summary>
        private string Bounded(int depth) => _r.Next(6) switch
        {
            0 => $"Math.Tanh({E(depth)})",
            1 => $"Math.Sin({E(depth)})",
            2 => $"Math.Cos({E(depth)})",
            3 => $"0.5 * Math.Atan({E(depth)})",
            4 => Pick(s_literals),
            _ => InputRead(),
        };

        /// <summary>An element of an input span (values in [-1, 1]); a literal when the method has none.</summary>
        private string InputRead()
        {
            var inputs = _readSpans.Where(s => s is "x" or "w" or "v").ToList();
            if (inputs.Count == 0) return Pick(s_literals);
            string span = Pick(inputs);
            return $"{span}[{IndexInto(span)}]";
        }

        private static string Square(string a) => $"{a} * {a}";

        private string E(int depth)
        {
            if (depth <= 0 || Chance(0.22)) return Leaf();
            int d = depth - 1;
            int pick = _r.Next(36);
            switch (pick)
            {
                case 0: case 1: case 2: return $"({E(d)} + {E(d)})";
                case 3: case 4: return $"({E(d)} - {E(d)})";
                case 5: case 6: case 7: return Chance(0.5) ? $"{E(d)} * {Bounded(d)}" : $"({Bounded(d)} * {E(d)})";
                case 8: return $"-({Leaf()})";
                case 9: return $"-({E(d)})";
                case 10: return $"{E(d)} / (2.0 + Math.Sin({E(d)}))";
                case 11: return $"{E(d)} / (1.0 + {Square(Leaf())})";
                case 12: return $"Math.Exp({Bounded(d)})";
                case 13: return _r.Next(3) switch
                {
                    0 => $"Math.Log(1.0 + {Square(Leaf())})",
                    1 => $"Math.Log(Math.Exp({Bounded(d)}) + 0.5)",
                    _ => $"Math.Log(2.0 + Math.Sin({E(d)}))",
                };
                case 14: return _r.Next(3) switch
                {
                    0 => $"Math.Sqrt(1.0 + {Square(Leaf())})",
                    1 => $"Math.Sqrt(Math.Exp({Bounded(d)}))",
                    _ => $"Math.Sqrt(2.0 + Math.Cos({E(d)}))",
                };
                case 15: return $"Math.Sin({E(d)})";
                case 16: return $"Math.Cos({E(d)})";
                case 17: case 18: return $"Math.Tanh({E(d)})";
                case 19: return $"Math.Tan(1.2 * Math.Tanh({E(d)}))";
                case 20: return $"Math.Sinh({Bounded(d)})";
                case 21: return $"Math.Cosh({Bounded(d)})";
                case 22: return $"Math.Atan({E(d)})";
                case 23: return _r.Next(5) switch
                {
                    4 => $"Math.Pow({Bounded(d)}, {SmallInt()})",
                    0 => $"Math.Pow(1.5 + Math.Tanh({E(d)}), {Bounded(d)})",
                    1 => $"Math.Pow({Bounded(d)}, 2.0)",
                    2 => $"Math.Pow({Bounded(d)}, {(_hasN ? "n" : "3")})",
                    _ => $"Math.Pow(Math.Exp({Bounded(d)}), {Pick(new[] { "0.5", "1.5", "-1.0", "2" })})",
                };
                case 24: return $"Math.Abs({E(d)})";
                case 25: return $"Math.Max({E(d)}, {E(d)})";
                case 26: return $"Math.Min({E(d)}, {E(d)})";
                case 27: case 28: return $"({Cond(d)} ? {E(d)} : {E(d)})";
                case 29: case 30: case 31:
                {
                    var callable = _callable.Where(h => h.Kind != HelperKind.Vector).ToList();
                    if (callable.Count == 0) return Leaf();
                    var h = Pick(callable);
                    return h.Kind == HelperKind.Scalar
                        ? $"{h.Name}({E(d)}, {E(d)})"
                        : _readSpans.Count > 0 ? $"{h.Name}({Pick(_readSpans)}, {E(d)})" : Leaf();
                }
                default: return Leaf();
            }
        }

        private string Cond(int depth)
        {
            int pick = _r.Next(depth > 0 ? 14 : 8);
            string[] ops = { "<", ">", "<=", ">=" };
            var bools = Bools;
            switch (pick)
            {
                case 0: case 1: case 2: case 3: case 4:
                    return $"{E(Math.Min(depth, 1))} {Pick(ops)} {E(Math.Min(depth, 1))}";
                case 5:
                    return $"{IntExpr()} % 2 == 0";
                case 6:
                    return $"{IntAtom()} {Pick(new[] { "<", ">=", "!=", "==" })} {IntAtom()}";
                case 7:
                    return bools.Count > 0 ? Pick(bools) : $"{Leaf()} > {Leaf()}";
                case 8: case 9:
                    return $"({Cond(depth - 1)}) && ({Cond(depth - 1)})";
                case 10: case 11:
                    return $"{Cond(depth - 1)} || {Cond(depth - 1)}";
                default:
                    return $"!({Cond(depth - 1)})";
            }
        }
    }
}
