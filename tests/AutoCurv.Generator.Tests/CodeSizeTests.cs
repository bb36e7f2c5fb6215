using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutoCurv.Generator.Tests.Fuzz;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// Issue 7: the size of the generated code grows linearly with the depth of the user's expressions, in every member.
/// Derivative rules copy parts of the primal expression (a product's other factor, sin′(u) = cos(u), tanh′ = 1 − tanh²
/// of the call itself); before the Splitter bound those parts to temporaries, nested Tanh(e·y + x) of depth 20 gave
/// 1.1 MB of C# and depth 40 gave 7.7 MB. Each shape is generated at depths 10, 20, 40 and 80; every member must grow
/// by less than <see cref="MaxGrowth"/>× per doubling of the depth, and every member is checked at every depth against
/// finite differences and the other members (the fuzzer's checks, <see cref="FuzzRunner"/>).
/// </summary>
/// <remarks>
/// <c>dotnet test tests/AutoCurv.Generator.Tests --filter FullyQualifiedName~CodeSize --logger "console;verbosity=detailed"</c>
/// prints the sizes per member.
/// </remarks>
public sealed class CodeSizeTests
{
    /// <summary>The largest size ratio allowed between depth 2d and depth d (2 is linear; quadratic would be 4).</summary>
    private const double MaxGrowth = 2.5;

    private static readonly int[] s_depths = { 10, 20, 40, 80 };

    private const string ScalarSignature = "public static double {0}([Wrt] ReadOnlySpan<double> x, [Wrt] double s, int n)";

    private const string VectorSignature = "public static void {0}([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)";

    /// <summary>
    /// A program shape at a given depth: the method's body, given the depth and the method's name (chosen by the test),
    /// and members the method calls.
    /// </summary>
    private sealed record Shape(string Name, FuzzKind Kind, Func<int, string, string> Body, Func<string, string>? Helpers = null)
    {
        public Shape(string name, FuzzKind kind, Func<int, string> body)
            : this(name, kind, (d, _) => body(d))
        {
        }
    }

    private static string Nest(int depth, string seed, Func<string, string> wrap)
    {
        string e = seed;
        for (int i = 0; i < depth; i++) e = wrap(e);
        return e;
    }

    private static string Product(int factors, string a, string b) =>
        string.Join(" * ", Enumerable.Range(0, factors).Select(i => i % 2 == 0 ? $"(1.0 + 0.01 * {a})" : $"(1.0 - 0.01 * {b})"));

    private static readonly Shape[] s_shapes =
    {
        new("nested Tanh(e * s + x0)", FuzzKind.Scalar, d => $"=> {Nest(d, "x[0]", e => $"Math.Tanh({e} * s + x[0])")};"),
        new("nested Sin", FuzzKind.Scalar, d => $"=> {Nest(d, "x[0] * s", e => $"Math.Sin({e})")};"),
        new("product of factors", FuzzKind.Scalar, d => $"=> {Product(d, "x[0]", "s")};"),
        // A deep expression of a loop-carried value: temporaries inside a loop, recorded or recomputed by the reverse sweep.
        new("nested Tanh in a recurrence", FuzzKind.Scalar, d => $$"""
            {
                double h = s;
                for (int i = 0; i < x.Length; i++) h = {{Nest(d, "h", e => $"Math.Tanh({e} * x[i] + 0.5 * s)")}};
                return h;
            }
            """),
        // Temporaries of plain arithmetic on inputs inside a loop: the reverse sweep recomputes them instead of recording them.
        new("product in a loop", FuzzKind.Scalar, d => $$"""
            {
                double acc = 0.0;
                for (int i = 0; i < x.Length; i++) acc += {{Product(d, "x[i]", "s")}};
                return acc;
            }
            """),
        // ?: whose branches need temporaries: they become if/else, so a branch's temporaries run only when it is taken.
        new("?: of two nests", FuzzKind.Scalar, d =>
            $"=> (x[1] > 0.0 ? {Nest(d, "x[0] * s", e => $"Math.Sqrt(1.1 + Math.Sin({e}))")} : {Nest(d, "x[2]", e => $"Math.Log(2.0 + Math.Cos({e} * s))")}) * s;"),
        // Nested ?: : the reverse sweep nests one if per level, so the code was quadratic in characters through its
        // indentation alone until SourceWriter capped the indent.
        new("nested ?:", FuzzKind.Scalar, d => $"=> {Nest(d, "x[0] * s", e => $"(x[1] > -5.0 ? {e} + 0.01 * x[2] : s)")};"),
        // A function with a [DerivativeOf] rule that calls the function itself: its partials copy the argument.
        new("nested rule-backed sigmoid", FuzzKind.Scalar,
            (d, name) => $"=> {Nest(d, "x[0] * s", e => $"{name}Sigmoid({e} * s + x[1])")};",
            name => $$"""
                public static double {{name}}Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

                [DerivativeOf(nameof({{name}}Sigmoid))]
                public static double {{name}}SigmoidTangent(double z, double dz) => {{name}}Sigmoid(z) * (1.0 - {{name}}Sigmoid(z)) * dz;

            """),
        new("vector: nested Tanh and a product", FuzzKind.Vector, d => $$"""
            {
                output[0] = {{Nest(d, "w[0]", e => $"Math.Tanh({e} * w[1] + x[0])")}};
                output[1] = {{Product(d, "w[0]", "w[1]")}} * x[0];
            }
            """),
    };

    private readonly ITestOutputHelper _output;

    public CodeSizeTests(ITestOutputHelper output) => _output = output;

    private static FuzzProgram Program(Shape shape, int depth, int index)
    {
        string name = (shape.Kind == FuzzKind.Scalar ? "F" : "G") + index;
        string signature = string.Format(CultureInfo.InvariantCulture, shape.Kind == FuzzKind.Scalar ? ScalarSignature : VectorSignature, name);
        string helpers = shape.Helpers is null ? "" : "    " + shape.Helpers(name).Replace("\n", "\n    ").TrimEnd(' ');
        string members = $"{helpers}    [Differentiable]\n    {signature}\n    {shape.Body(depth, name).Replace("\n", "\n    ")}\n";
        return shape.Kind == FuzzKind.Scalar
            ? new FuzzProgram(name, shape.Kind, 7000 + index, index, members, N: 1, XLength: 3, WLength: 0, OutputLength: 0)
            : new FuzzProgram(name, shape.Kind, 7000 + index, index, members, N: 0, XLength: 2, WLength: 3, OutputLength: 2);
    }

    /// <summary>Characters of each generated member (helpers included), by member name without the program's (Gradient, LossHvp).</summary>
    private static Dictionary<string, int> MemberSizes(FuzzProgram program)
    {
        // Only the generator runs here; Every_member_is_right_at_every_depth compiles and checks the same programs.
        var result = GeneratorHarness.CreateDriver(trackIncrementalGeneratorSteps: false)
            .RunGenerators(GeneratorHarness.CreateCompilation(program.StandaloneSource())).GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        Assert.True(result.Diagnostics.IsEmpty, GeneratorHarness.Format(result.Diagnostics));
        var sizes = new Dictionary<string, int>();
        foreach (var tree in result.GeneratedTrees)
        {
            foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                string name = Strip(method.Identifier.Text);
                sizes[name] = sizes.TryGetValue(name, out int size) ? size + method.FullSpan.Length : method.FullSpan.Length;
            }
        }
        Assert.NotEmpty(sizes);
        return sizes;
    }

    [Fact]
    public void Every_member_grows_linearly_with_expression_depth()
    {
        var failures = new List<string>();
        int index = 0;
        foreach (var shape in s_shapes)
        {
            var sizes = s_depths.Select(d => MemberSizes(Program(shape, d, ++index))).ToList();
            _output.WriteLine($"{shape.Name}: total characters at depths {string.Join(", ", s_depths)}: " +
                              string.Join(", ", sizes.Select(s => s.Values.Sum().ToString(CultureInfo.InvariantCulture))));
            foreach (string member in sizes[0].Keys.OrderBy(k => k, StringComparer.Ordinal))
            {
                var row = sizes.Select(s => s[member]).ToList();
                _output.WriteLine($"    {member,-24} {string.Join(" ", row.Select(r => r.ToString(CultureInfo.InvariantCulture).PadLeft(8)))}");
                for (int k = 1; k < row.Count; k++)
                {
                    double growth = (double)row[k] / row[k - 1];
                    if (growth >= MaxGrowth)
                        failures.Add($"{shape.Name}, {member}: {row[k - 1]} characters at depth {s_depths[k - 1]}, {row[k]} at depth {s_depths[k]} ({growth:F2}×)");
                }
            }
        }
        Assert.True(failures.Count == 0, "generated code grows faster than linearly:\n" + string.Join("\n", failures));
    }

    /// <summary>A generated member's name without its program's name (F12Gradient → Gradient; model members stay as they are).</summary>
    private static string Strip(string member)
    {
        if (member.Length < 2 || member[0] is not ('F' or 'G') || !char.IsDigit(member[1])) return member;
        int k = 1;
        while (k < member.Length && char.IsDigit(member[k])) k++;
        return member.Substring(k);
    }

    /// <summary>
    /// Statements are split only when their rules would copy more than 40 nodes: ordinary statements keep their shape
    /// (the largest statements of the snapshots and of the test corpus, a softplus), a deep one is split.
    /// </summary>
    [Theory]
    [InlineData("0.5 * c * a * a + Math.Sin(a) / (1.0 + Math.Exp(-c))", false)]
    [InlineData("-(a - b) * (-c + a) / (2.0 - -b) + - -a", false)]
    [InlineData("Math.Log(1.0 + Math.Exp(a * b - c)) * c", false)]
    [InlineData("100.0 * (b - a * a) * (b - a * a) + (1.0 - a) * (1.0 - a)", false)]
    [InlineData("Math.Sin(Math.Sin(Math.Sin(Math.Sin(Math.Sin(Math.Sin(Math.Sin(a * b)))))))", true)]
    [InlineData("(1.0 + a) * (1.0 + b) * (1.0 + c) * (1.0 + a * b) * (1.0 + b * c) * (1.0 + c * a)", true)]
    public void Only_statements_whose_rules_copy_much_are_split(string expression, bool split)
    {
        var run = GeneratorHarness.Run($"using System; using AutoCurv; namespace N; public static partial class C {{ [Differentiable] public static double F(double a, double b, double c) => {expression}; }}");
        Assert.True(run.GeneratorDiagnostics.IsEmpty && run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics.Concat(run.OutputErrors)));
        string code = run.Source("N.C.F.AutoCurv.g.cs");
        Assert.Equal(split, code.Contains(" _e1 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_member_is_right_at_every_depth()
    {
        int index = 0;
        var programs = s_shapes.SelectMany(shape => s_depths.Select(d => Program(shape, d, ++index))).ToList();
        var result = FuzzRunner.RunPrograms(programs, "DeepExpressions");
        _output.WriteLine(result.Summary);
        Assert.True(result.Failures.Count == 0, string.Join("\n", result.Failures.Select(f => f.ToString())));
        Assert.True(result.Comparisons >= 50 * programs.Count, result.Summary);
    }
}
