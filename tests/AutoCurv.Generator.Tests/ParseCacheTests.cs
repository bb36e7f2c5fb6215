using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// The parse cache (<c>Parsing/ParseCache.cs</c>) reuses the lowering of a [Differentiable] method across
/// compilations, and moves it when only its position changed. A stale reuse would be a silent wrong derivative, so
/// every test here runs one long-lived driver (whose generator keeps its cache) through edits and compares its
/// output, generated files and diagnostics, with what a fresh driver produces for the same edited compilation with a
/// generator that lowers every method without the cache: that comparison is the oracle. Each edit below must
/// regenerate something; the tests check that it did, that the cache reused or moved the methods the edit cannot
/// have changed, and that the output equals the fresh one.
/// </summary>
public sealed class ParseCacheTests
{
    /// <summary>Source0.cs: methods that inline callees of other files, read a const and are split across files.</summary>
    private const string NetSource = """
        using System;
        using AutoCurv;
        using static Sample.Helpers;

        namespace Sample;

        public static partial class Net
        {
            [Differentiable]
            public static double Energy([Wrt] ReadOnlySpan<double> x, double scale)
            {
                double s = 0.0;
                for (int i = 0; i < x.Length; i++)
                {
                    double a = Consts.K * x[i] + scale;
                    s += Math.Exp(-a * a) + Helpers.Square(a);
                }
                return s;
            }

            [Differentiable]
            public static double Scaled(double x) => Act.Softsign(x) * Square(x) + Cube(x);

            [Differentiable]
            public static double Cube(double x) => x * x * x;

            [Differentiable]
            public static double Branchy(double x, double y)
            {
        #if FAST
                return x * y;
        #else
                if (x > y) return Math.Tanh(x - y) * Consts.K;
                return Math.Log(1.0 + y * y) + x;
        #endif
            }

            [Differentiable]
            public static partial double Part(double x);

            public static int Unrelated(int a)
            {
                return a + 1;
            }
        }
        """;

    /// <summary>Source1.cs: a callee, a const, a function with a [DerivativeOf] rule.</summary>
    private const string HelperSource = """
        using System;
        using AutoCurv;

        namespace Sample;

        public static partial class Helpers
        {
            [Differentiable]
            public static double Square(double z) => z * z;
        }

        public static class Consts
        {
            public const double K = 1.5;
        }

        public static class Act
        {
            public static double Softsign(double x) => x / (1.0 + Math.Abs(x));

            [DerivativeOf(nameof(Softsign))]
            public static double SoftsignTangent(double x, double dx) => dx / ((1.0 + Math.Abs(x)) * (1.0 + Math.Abs(x)));
        }
        """;

    /// <summary>Source2.cs: the implementation of the partial method, and room for members added by the edits.</summary>
    private const string PartSource = """
        using System;
        using AutoCurv;

        namespace Sample;

        public static partial class Net
        {
            public static partial double Part(double x) => Math.Sin(x) * Cube(x);
        }
        """;

    /// <summary>A class named Math in the methods' namespace: `Math.Exp` etc. then bind to it instead of System.Math.</summary>
    private const string MathShadowSource = """
        using AutoCurv;

        namespace Sample;

        public static partial class Math
        {
            [Differentiable] public static double Exp(double x) => 1.0 + x + 0.5 * x * x;
            [Differentiable] public static double Tanh(double x) => x / (1.0 + x * x);
            [Differentiable] public static double Log(double x) => x - 0.5 * x * x;
            [Differentiable] public static double Sin(double x) => x - x * x * x / 6.0;
            [Differentiable] public static double Abs(double x) => x * x;
        }
        """;

    private const int Methods = 6; // Energy, Scaled, Cube, Branchy, Part, Square

    private static readonly CSharpParseOptions s_plain = GeneratorHarness.ParseOptions;
    private static readonly CSharpParseOptions s_fast = GeneratorHarness.ParseOptions.WithPreprocessorSymbols("FAST");

    private readonly ITestOutputHelper _output;

    public ParseCacheTests(ITestOutputHelper output) => _output = output;

    /// <summary>A driver whose generator keeps its parse cache across runs, and what it last produced.</summary>
    private sealed class Session
    {
        public Session(CSharpCompilation compilation)
        {
            Generator = new AutoCurvGenerator();
            Driver = GeneratorHarness.CreateDriver(Generator, trackIncrementalGeneratorSteps: false);
            Compilation = compilation;
            Output = Run(compilation);
        }

        public AutoCurvGenerator Generator { get; }
        public GeneratorDriver Driver { get; private set; }
        public CSharpCompilation Compilation { get; private set; }
        public string Output { get; private set; }

        /// <summary>Methods the last run lowered (cache misses).</summary>
        public int Lowered { get; private set; }

        /// <summary>Parses the last run reused, moved or not.</summary>
        public int Reused { get; private set; }

        /// <summary>Of <see cref="Reused"/>, the parses the last run moved to new positions.</summary>
        public int Moved { get; private set; }

        /// <summary>Runs the long-lived driver on <paramref name="edited"/>, asserts its output equals a fresh driver's, and returns it.</summary>
        public string Step(CSharpCompilation edited, CSharpParseOptions? driverParseOptions = null)
        {
            if (driverParseOptions is not null) Driver = Driver.WithUpdatedParseOptions(driverParseOptions);
            Compilation = edited;
            Output = Run(edited);
            AssertSameOutput(Fresh(edited, driverParseOptions), Output);
            return Output;
        }

        private string Run(CSharpCompilation compilation)
        {
            int misses = Generator.ParseCache.Misses, hits = Generator.ParseCache.Hits, moves = Generator.ParseCache.Moves;
            Driver = Driver.RunGenerators(compilation);
            Lowered = Generator.ParseCache.Misses - misses;
            Reused = Generator.ParseCache.Hits - hits;
            Moved = Generator.ParseCache.Moves - moves;
            return Describe(Driver.GetRunResult());
        }

        /// <summary>Replaces the text of <paramref name="path"/>, re-parsed with the tree's own parse options.</summary>
        public string Edit(string path, string oldText, string newText) =>
            Step(Replace(Compilation, path, oldText, newText));
    }

    /// <summary>The output of a new driver with a generator that lowers every method without the parse cache.</summary>
    private static string Fresh(CSharpCompilation compilation, CSharpParseOptions? driverParseOptions = null)
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver(new AutoCurvGenerator(reuseParses: false), trackIncrementalGeneratorSteps: false);
        if (driverParseOptions is not null) driver = driver.WithUpdatedParseOptions(driverParseOptions);
        return Describe(driver.RunGenerators(compilation).GetRunResult());
    }

    /// <summary>Every generated file (hint name and text) and every diagnostic (id, location, message) of a run, in a fixed order.</summary>
    private static string Describe(GeneratorDriverRunResult result)
    {
        var text = new StringBuilder();
        foreach (GeneratorRunResult r in result.Results)
        {
            Assert.Null(r.Exception);
            foreach (GeneratedSourceResult source in r.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal))
            {
                text.Append("=== ").Append(source.HintName).Append('\n').Append(source.SourceText.ToString().Replace("\r\n", "\n", StringComparison.Ordinal)).Append('\n');
            }
        }
        // The span too: ToString shows only the line and column of a location.
        foreach (string diagnostic in result.Diagnostics.Select(d => $"{d} {d.Location.SourceSpan}").OrderBy(d => d, StringComparer.Ordinal))
        {
            text.Append("!!! ").Append(diagnostic).Append('\n');
        }
        return text.ToString();
    }

    private static void AssertSameOutput(string fresh, string cached)
    {
        if (fresh == cached) return;
        string[] a = fresh.Split('\n'), b = cached.Split('\n');
        int line = 0;
        while (line < a.Length && line < b.Length && a[line] == b[line]) line++;
        string header = a.Take(line).LastOrDefault(l => l.StartsWith("=== ", StringComparison.Ordinal)) ?? "(before the first file)";
        Assert.Fail($"the long-lived driver's output differs from a fresh driver's at line {line + 1} of the combined output, in {header}:\n"
            + $"  fresh : {(line < a.Length ? a[line] : "<end>")}\n  cached: {(line < b.Length ? b[line] : "<end>")}");
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, string path, string oldText, string newText)
    {
        SyntaxTree tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        string text = tree.GetText().ToString();
        Assert.Contains(oldText, text, StringComparison.Ordinal);
        return compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(text.Replace(oldText, newText, StringComparison.Ordinal), (CSharpParseOptions)tree.Options, path, Encoding.UTF8));
    }

    /// <summary>Every tree re-parsed with <paramref name="options"/> (what a change of LangVersion or of the defines does).</summary>
    private static CSharpCompilation WithParseOptions(CSharpCompilation compilation, CSharpParseOptions options) =>
        compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees.Select(t =>
            CSharpSyntaxTree.ParseText(t.GetText(), options, t.FilePath)));

    private static Session Start()
    {
        var session = new Session(GeneratorHarness.CreateCompilation(NetSource, HelperSource, PartSource));
        Assert.Equal(Fresh(session.Compilation), session.Output);
        Assert.DoesNotContain("!!! ", session.Output, StringComparison.Ordinal); // the fixture itself is clean
        Assert.Equal(Methods, Regex.Matches(session.Output, "^=== ", RegexOptions.Multiline).Count);
        Assert.Equal(Methods, session.Lowered);
        return session;
    }

    /// <summary>The generated file of <paramref name="method"/> (hint name Sample.{Type}.{method}.AutoCurv.g.cs) within a run's output.</summary>
    private static string FileOf(string output, string type, string method)
    {
        string header = $"=== Sample.{type}.{method}.AutoCurv.g.cs\n";
        int start = output.IndexOf(header, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no generated file for {type}.{method}");
        int end = output.IndexOf("\n=== ", start + header.Length, StringComparison.Ordinal);
        return end < 0 ? output.Substring(start) : output.Substring(start, end - start);
    }

    private static int[] LineComments(string file) =>
        Regex.Matches(file, @"// line (\d+):").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().OrderBy(n => n).ToArray();

    [Fact]
    public void Re_parsing_a_file_without_changes_reuses_every_parse()
    {
        Session session = Start();
        string before = session.Output;
        // A new tree with the same text makes a new compilation, so the Parse stage runs for every method again.
        session.Edit("Source0.cs", "return a + 1;", "return a + 1;");

        Assert.Equal(before, session.Output);
        Assert.Equal(0, session.Lowered);
        Assert.Equal(Methods, session.Reused);
    }

    [Fact]
    public void Editing_one_body_lowers_that_method_alone()
    {
        Session session = Start();
        string before = session.Output;
        session.Edit("Source0.cs", "return Math.Log(1.0 + y * y) + x;", "return Math.Log(2.0 + y * y) + x;");

        Assert.Equal(1, session.Lowered);
        Assert.Equal(Methods - 1, session.Reused);
        Assert.NotEqual(FileOf(before, "Net", "Branchy"), FileOf(session.Output, "Net", "Branchy"));
        Assert.Equal(FileOf(before, "Net", "Energy"), FileOf(session.Output, "Net", "Energy"));
    }

    [Fact]
    public void Editing_an_ordinary_method_body_lowers_nothing()
    {
        Session session = Start();
        string before = session.Output;
        session.Edit("Source0.cs", "return a + 1;", "return a * 3 - 7;");

        Assert.Equal(before, session.Output);
        Assert.Equal(0, session.Lowered);
    }

    [Fact]
    public void Editing_a_callee_in_another_file_regenerates_its_callers()
    {
        Session session = Start();
        string before = session.Output;
        session.Edit("Source1.cs", "public static double Square(double z) => z * z;", "public static double Square(double z) => z * z * 3.5;");

        // Square itself and the two methods that inline it; Cube, Branchy and Part are reused.
        Assert.Equal(3, session.Lowered);
        Assert.DoesNotContain("3.5", FileOf(before, "Net", "Energy"), StringComparison.Ordinal);
        Assert.Contains("3.5", FileOf(session.Output, "Net", "Energy"), StringComparison.Ordinal);
        Assert.Contains("3.5", FileOf(session.Output, "Net", "Scaled"), StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_a_callee_of_a_callee_regenerates_every_caller_up_the_chain()
    {
        Session session = Start();
        session.Edit("Source0.cs", "public static double Cube(double x) => x * x * x;", "public static double Cube(double x) => x * x * x * 0.25;");

        // Cube, Scaled (inlines Cube) and Part (its implementation in Source2.cs inlines Cube); Branchy starts 7
        // characters further down the file now, and is moved there.
        Assert.Equal(3, session.Lowered);
        Assert.Equal(1, session.Moved);
        Assert.Contains("0.25", FileOf(session.Output, "Net", "Part"), StringComparison.Ordinal);
        Assert.Contains("0.25", FileOf(session.Output, "Net", "Scaled"), StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_a_partial_methods_implementation_regenerates_it()
    {
        Session session = Start();
        session.Edit("Source2.cs", "=> Math.Sin(x) * Cube(x);", "=> Math.Cos(x) * Cube(x);");

        Assert.Equal(1, session.Lowered);
        Assert.Contains("Cos", FileOf(session.Output, "Net", "Part"), StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_a_const_regenerates_the_methods_that_read_it()
    {
        Session session = Start();
        session.Edit("Source1.cs", "public const double K = 1.5;", "public const double K = 2.75;");

        Assert.Contains("2.75", FileOf(session.Output, "Net", "Energy"), StringComparison.Ordinal);
        Assert.Contains("2.75", FileOf(session.Output, "Net", "Branchy"), StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_class_named_Math_in_another_file_rebinds_every_Math_call()
    {
        Session session = Start();
        string before = session.Output;
        // Into a file that exists (a new file would change the list of trees, which the key holds as well).
        session.Edit("Source1.cs", "public static class Consts", MathShadowSource.Substring(MathShadowSource.IndexOf("public static partial class Math", StringComparison.Ordinal)) + "\n\npublic static class Consts");

        Assert.NotEqual(FileOf(before, "Net", "Energy"), FileOf(session.Output, "Net", "Energy"));
        Assert.Contains("inlined Math.Exp", FileOf(session.Output, "Net", "Energy"), StringComparison.Ordinal);
        Assert.Contains("inlined Math.Tanh", FileOf(session.Output, "Net", "Branchy"), StringComparison.Ordinal);

        // And back: System.Math again (the first parses may be reused now, and must be right).
        session.Edit("Source1.cs", MathShadowSource.Substring(MathShadowSource.IndexOf("public static partial class Math", StringComparison.Ordinal)) + "\n\n", "");
        Assert.Equal(before, session.Output);
        Assert.Equal(0, session.Lowered);

        // As a file of its own.
        session.Step(session.Compilation.AddSyntaxTrees(GeneratorHarness.Parse(MathShadowSource, "Source3.cs")));
        Assert.Contains("inlined Math.Exp", FileOf(session.Output, "Net", "Energy"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_diagnostic_at_another_declaration_follows_it_when_it_moves()
    {
        Session session = Start();
        // AC0013: Cube would generate CubeGradient, which Source2.cs declares; the error points at that declaration,
        // outside Cube's own text, so Cube's parse must not be reused when only Source2.cs moves.
        session.Edit("Source2.cs", "=> Math.Sin(x) * Cube(x);\n", "=> Math.Sin(x) * Cube(x);\n\n    public static double CubeGradient(double x) => x;\n");
        string diagnostic = Assert.Single(session.Output.Split('\n'), l => l.StartsWith("!!! ", StringComparison.Ordinal) && l.Contains("AC0013", StringComparison.Ordinal));
        Assert.Contains("Source2.cs(10,", diagnostic, StringComparison.Ordinal);

        session.Edit("Source2.cs", "public static partial class Net\n{\n", "public static partial class Net\n{\n\n\n");
        diagnostic = Assert.Single(session.Output.Split('\n'), l => l.StartsWith("!!! ", StringComparison.Ordinal) && l.Contains("AC0013", StringComparison.Ordinal));
        Assert.Contains("Source2.cs(12,", diagnostic, StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_method_that_shadows_a_callee_rebinds_the_call()
    {
        Session session = Start();
        // Scaled calls Square unqualified through `using static Sample.Helpers`; a Net.Square declared in another
        // file is found first by member lookup.
        session.Edit("Source2.cs", "public static partial double Part(double x) => Math.Sin(x) * Cube(x);",
            "public static partial double Part(double x) => Math.Sin(x) * Cube(x);\n\n    [Differentiable]\n    public static double Square(double z) => 4.0 * z;");

        Assert.Contains("inlined Net.Square", FileOf(session.Output, "Net", "Scaled"), StringComparison.Ordinal);
        Assert.Contains("inlined Helpers.Square", FileOf(session.Output, "Net", "Energy"), StringComparison.Ordinal); // qualified: unchanged
    }

    [Fact]
    public void Changing_a_derivative_rule_regenerates_the_method_that_uses_it()
    {
        Session session = Start();
        session.Edit("Source1.cs", "=> dx / ((1.0 + Math.Abs(x)) * (1.0 + Math.Abs(x)));", "=> dx / ((1.0 + Math.Abs(x)) * (1.0 + Math.Abs(x))) * 0.75;");

        Assert.Equal(0, session.Lowered); // the rule is parsed by its own stage; the methods' parses are unchanged
        Assert.Contains("0.75", FileOf(session.Output, "Net", "Scaled"), StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_the_defines_regenerates_a_method_whose_text_did_not_change()
    {
        Session session = Start();
        string before = FileOf(session.Output, "Net", "Branchy");
        session.Step(WithParseOptions(session.Compilation, s_fast), s_fast);

        Assert.Equal(Methods, session.Lowered); // new parse options: nothing is reused
        Assert.NotEqual(before, FileOf(session.Output, "Net", "Branchy"));
        Assert.DoesNotContain("Tanh", FileOf(session.Output, "Net", "Branchy"), StringComparison.Ordinal);

        session.Step(WithParseOptions(session.Compilation, s_plain), s_plain);
        Assert.Equal(before, FileOf(session.Output, "Net", "Branchy"));
    }

    [Fact]
    public void A_define_in_the_file_regenerates_a_method_whose_text_and_position_did_not_change()
    {
        Session session = Start();
        session.Edit("Source0.cs", "using System;\n", "//efine FAST\nusing System;\n");
        string before = FileOf(session.Output, "Net", "Branchy");

        // Same length, same lines: only a directive differs, and it changes how Branchy's body parses.
        session.Edit("Source0.cs", "//efine FAST\n", "#define FAST\n");
        Assert.NotEqual(before, FileOf(session.Output, "Net", "Branchy"));
        Assert.DoesNotContain("Tanh", FileOf(session.Output, "Net", "Branchy"), StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_the_language_version_lowers_every_method_again()
    {
        Session session = Start();
        CSharpParseOptions older = GeneratorHarness.ParseOptions.WithLanguageVersion(LanguageVersion.CSharp8);
        session.Step(WithParseOptions(session.Compilation, older), older);

        Assert.Equal(Methods, session.Lowered);
        Assert.Equal(0, session.Reused);
    }

    [Fact]
    public void Changing_the_compilation_options_or_references_lowers_every_method_again()
    {
        Session session = Start();
        session.Step(session.Compilation.WithOptions(session.Compilation.Options.WithOverflowChecks(true)));
        Assert.Equal(Methods, session.Lowered);

        session.Step(session.Compilation.WithReferences(session.Compilation.References.Take(session.Compilation.References.Count() - 1)
            .Append(MetadataReference.CreateFromFile(typeof(AutoCurv.DifferentiableAttribute).Assembly.Location))));
        Assert.Equal(Methods, session.Lowered);
    }

    [Fact]
    public void Inserting_lines_above_a_method_moves_its_line_comments()
    {
        Session session = Start();
        string before = FileOf(session.Output, "Net", "Branchy");
        int[] linesBefore = LineComments(before);
        Assert.True(linesBefore.Length >= 2, before);

        session.Edit("Source0.cs", "public static partial class Net\n{\n", "public static partial class Net\n{\n    // three lines\n\n\n");
        string after = FileOf(session.Output, "Net", "Branchy");
        Assert.Equal(linesBefore.Select(l => l + 3).ToArray(), LineComments(after));
        Assert.Equal(before, Shift(after, -3)); // nothing else changed
        // The new lines are the leading trivia of Energy, whose text changed: it is lowered again. The other methods of
        // the file are moved; Square, in another file, is reused as it was.
        Assert.Equal(1, session.Lowered);
        Assert.Equal(4, session.Moved);
        Assert.Equal(Methods - 1, session.Reused);

        // A line inside the body moves the statements after it only.
        session.Edit("Source0.cs", "        if (x > y) return Math.Tanh(x - y) * Consts.K;\n", "        if (x > y) return Math.Tanh(x - y) * Consts.K;\n\n");
        Assert.Equal(linesBefore.Select(l => l + 3 + (l > linesBefore[0] ? 1 : 0)).ToArray(), LineComments(FileOf(session.Output, "Net", "Branchy")));
        Assert.Equal(1, session.Lowered);
        Assert.Equal(1, session.Moved); // Part, below Branchy
    }

    [Fact]
    public void A_moved_method_keeps_the_lines_of_the_callees_it_inlined_from_other_files()
    {
        Session session = Start();
        string before = FileOf(session.Output, "Net", "Energy");
        // Two lines above every declaration of Source0.cs: each method there moves, Square (Source1.cs) does not, and
        // Energy's own statements (lines 9-19) and Square's (line 9) share line numbers.
        session.Edit("Source0.cs", "using System;\n", "using System;\n\n\n");
        string after = FileOf(session.Output, "Net", "Energy");

        Assert.Equal(0, session.Lowered);
        Assert.Equal(5, session.Moved);
        Assert.NotEqual(before, after);
        string squareLine = Regex.Match(after, @"// line (\d+): Square: z \* z").Groups[1].Value;
        Assert.Equal(Regex.Match(before, @"// line (\d+): Square: z \* z").Groups[1].Value, squareLine);
        Assert.Equal(
            Regex.Matches(before, @"// line (\d+): double a =").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 2),
            Regex.Matches(after, @"// line (\d+): double a =").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_parse_that_holds_a_caller_line_number_is_lowered_again_when_it_moves()
    {
        var session = new Session(GeneratorHarness.CreateCompilation("""
            using System;
            using System.Runtime.CompilerServices;
            using AutoCurv;

            namespace Sample;

            public static partial class Tagged
            {
                [Differentiable]
                public static double First(double x) => x * x;

                [Differentiable]
                public static double UsesLine(double x) => Scale(x);

                [Differentiable]
                public static double Scale(double x, [CallerLineNumber] int line = 0) => x * line;
            }
            """));
        Assert.Equal(Fresh(session.Compilation), session.Output);
        string before = FileOf(session.Output, "Tagged", "UsesLine");
        Assert.Matches(@"_line = 13;", before); // the call is on line 13
        session.Edit("Source0.cs", "public static partial class Tagged\n{\n", "public static partial class Tagged\n{\n\n\n");

        Assert.Matches(@"_line = 15;", FileOf(session.Output, "Tagged", "UsesLine"));
        Assert.Equal(2, session.Lowered); // First (its leading trivia changed) and UsesLine (its value of line changed)
        Assert.Equal(1, session.Moved); // Scale
    }

    [Fact]
    public void A_moved_method_reports_its_differentiation_diagnostics_where_it_is_now()
    {
        Session session = Start();
        // Cube no longer [Differentiable]: Scaled's call of it becomes a function without a rule, which the
        // Differentiate stage reports (AC0012) at the call site recorded in Scaled's parse.
        session.Edit("Source0.cs", "    [Differentiable]\n    public static double Cube(", "    public static double Cube(");
        string diagnostic = Assert.Single(session.Output.Split('\n'), l => l.Contains("Source0.cs", StringComparison.Ordinal) && l.Contains("AC0012", StringComparison.Ordinal));

        // Characters (not lines) added above Scaled: its parse is moved, and the diagnostic's span with it.
        session.Edit("Source0.cs", "double s = 0.0;", "double s = 0.000;");
        Assert.Equal(1, session.Lowered); // Energy
        Assert.Equal(3, session.Moved); // Scaled, Branchy, Part
        string moved = Assert.Single(session.Output.Split('\n'), l => l.Contains("Source0.cs", StringComparison.Ordinal) && l.Contains("AC0012", StringComparison.Ordinal));
        Assert.NotEqual(diagnostic, moved);
    }

    [Fact]
    public void A_method_that_starts_mid_line_is_lowered_again_when_its_column_changes()
    {
        var session = new Session(GeneratorHarness.CreateCompilation("""
            using AutoCurv;

            namespace Sample;

            public static partial class Inline
            {
                public static double Plain(double v) => v; [Differentiable] public static double OneLine(double x) => Plain(x) * x;
            }
            """));
        Assert.Equal(Fresh(session.Compilation), session.Output);
        Assert.Contains("AC0012", session.Output, StringComparison.Ordinal); // Plain has no rule: reported at the call

        // OneLine's text is unchanged, but every position on its first line moves right.
        session.Edit("Source0.cs", "Plain(double v) => v;", "Plain(double v) => v * 1.0;");
        Assert.Equal(1, session.Lowered);
        Assert.Equal(0, session.Moved);
    }

    [Fact]
    public void Moving_a_callee_down_moves_the_line_comments_its_callers_inlined()
    {
        Session session = Start();
        string before = FileOf(session.Output, "Net", "Scaled");
        session.Edit("Source0.cs", "    [Differentiable]\n    public static double Cube(", "\n\n    [Differentiable]\n    public static double Cube(");

        Assert.NotEqual(before, FileOf(session.Output, "Net", "Scaled"));
    }

    /// <summary>
    /// The oracle at scale: many random edits, each checked against a fresh driver. The edits reach every input the
    /// parse cache keys on: method bodies (numbers, compile errors, unsupported statements), blank and comment lines
    /// anywhere (positions), callee bodies in other files, a const, a [DerivativeOf] rule, a shadowing class Math
    /// and a shadowing Square, the [Differentiable] attribute, a using directive, the defines and the language
    /// version. Values come from small sets so states recur and the cache has earlier parses to (wrongly) reuse.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_edits_give_what_a_fresh_driver_gives(int seed)
    {
        const int steps = 80;
        var random = new Random(seed);
        CSharpParseOptions[] parseOptions =
        {
            s_plain, s_fast,
            s_plain.WithLanguageVersion(LanguageVersion.CSharp10), s_fast.WithLanguageVersion(LanguageVersion.CSharp10),
        };
        var toggles = new (string Path, string Off, string On)[]
        {
            ("Source1.cs", "public static double Square(double z) => z * z;", "public static double Square(double z) => z * zz;"),
            ("Source1.cs", "public static double Square(double z) => z * z;", "public static double Square(double z) => z * z * 0.5;"),
            ("Source1.cs", "(1.0 + Math.Abs(x)));", "(1.0 + Math.Abs(x))) * 0.75;"),
            ("Source1.cs", "    public const double K = 1.5;\n", "    public const double K = 1.5;\n    public static double Extra(double q) => q;\n"),
            ("Source0.cs", "    [Differentiable]\n    public static double Cube(", "    public static double Cube("),
            ("Source0.cs", "using static Sample.Helpers;\n", ""),
            ("Source0.cs", "        double s = 0.0;\n", "        double s = 0.0;\n        foreach (double v in x) s += v;\n"),
            ("Source2.cs", "=> Math.Sin(x) * Cube(x);\n", "=> Math.Sin(x) * Cube(x);\n\n    [Differentiable]\n    public static double Square(double z) => 4.0 * z;\n"),
            ("Source2.cs", "public static partial class Net\n{\n", "public static partial class Net\n{\n    public static double CubeGradient(double x) => x;\n"),
        };
        string[] numbers = { "0.5", "1.5", "2.0", "2.75" };

        Session session = Start();
        int options = 0;
        int lowered = 0, reused = 0;
        var log = new List<string>();
        for (int step = 0; step < steps; step++)
        {
            CSharpCompilation c = session.Compilation;
            CSharpParseOptions? driverOptions = null;
            string what;
            // Body-level edits (numbers, lines) are the common ones; declaration-level ones make everything miss.
            int kind = new[] { 0, 0, 0, 1, 1, 1, 2, 3, 4, 5, 6 }[random.Next(11)];
            string[] paths = c.SyntaxTrees.Select(t => t.FilePath)
                .Where(p => p != "Source3.cs" && (kind != 0 || Regex.IsMatch(c.SyntaxTrees.Single(t => t.FilePath == p).GetText().ToString(), @"\b\d+\.\d+\b")))
                .ToArray();
            string path = paths[random.Next(paths.Length)];
            SyntaxTree tree = c.SyntaxTrees.Single(t => t.FilePath == path);
            string text = tree.GetText().ToString();
            switch (kind)
            {
                case 0: // a number in a body, a const or a rule
                {
                    var matches = Regex.Matches(text, @"\b\d+\.\d+\b");
                    var m = matches[random.Next(matches.Count)];
                    string value = numbers[random.Next(numbers.Length)];
                    text = text.Substring(0, m.Index) + value + text.Substring(m.Index + m.Length);
                    what = $"{path}: number at {m.Index} {m.Value} -> {value}";
                    c = c.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(text, (CSharpParseOptions)tree.Options, path, Encoding.UTF8));
                    break;
                }
                case 1: // a blank or comment line inserted anywhere, or a blank line removed
                {
                    var lines = text.Split('\n').ToList();
                    var blank = Enumerable.Range(0, lines.Count).Where(i => lines[i].Trim().Length == 0 || lines[i].Trim() == "// note").ToList();
                    if (blank.Count > 4 && random.Next(2) == 0)
                    {
                        int at = blank[random.Next(blank.Count)];
                        lines.RemoveAt(at);
                        what = $"{path}: line {at + 1} removed";
                    }
                    else
                    {
                        int at = random.Next(lines.Count);
                        lines.Insert(at, random.Next(2) == 0 ? "" : "// note");
                        what = $"{path}: line inserted at {at + 1}";
                    }
                    c = c.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(string.Join("\n", lines), (CSharpParseOptions)tree.Options, path, Encoding.UTF8));
                    break;
                }
                case 2 or 3: // a structural toggle
                {
                    var (togglePath, off, on) = toggles[random.Next(toggles.Length)];
                    SyntaxTree target = c.SyntaxTrees.Single(t => t.FilePath == togglePath);
                    string targetText = target.GetText().ToString();
                    string? edited = targetText.Contains(on, StringComparison.Ordinal) && on.Length > 0 ? targetText.Replace(on, off, StringComparison.Ordinal)
                        : targetText.Contains(off, StringComparison.Ordinal) ? targetText.Replace(off, on, StringComparison.Ordinal)
                        : null;
                    what = $"{togglePath}: toggle '{off.Trim()}'" + (edited is null ? " (not applicable)" : "");
                    if (edited is not null) c = c.ReplaceSyntaxTree(target, CSharpSyntaxTree.ParseText(edited, (CSharpParseOptions)target.Options, togglePath, Encoding.UTF8));
                    break;
                }
                case 4: // the class Math that shadows System.Math, in or out
                {
                    SyntaxTree? shadow = c.SyntaxTrees.SingleOrDefault(t => t.FilePath == "Source3.cs");
                    c = shadow is null
                        ? c.AddSyntaxTrees(CSharpSyntaxTree.ParseText(MathShadowSource, parseOptions[options], "Source3.cs", Encoding.UTF8))
                        : c.RemoveSyntaxTrees(shadow);
                    what = shadow is null ? "Source3.cs: class Math added" : "Source3.cs: class Math removed";
                    break;
                }
                case 5: // defines or language version
                {
                    options = random.Next(parseOptions.Length);
                    c = WithParseOptions(c, parseOptions[options]);
                    driverOptions = parseOptions[options];
                    what = $"parse options {options}";
                    break;
                }
                default: // nothing changed but the tree objects of one file
                    c = c.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(text, (CSharpParseOptions)tree.Options, path, Encoding.UTF8));
                    what = $"{path}: re-parsed";
                    break;
            }
            log.Add(what);
            try
            {
                session.Step(c, driverOptions);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"seed {seed}, step {step}; edits:\n  " + string.Join("\n  ", log), e);
            }
            lowered += session.Lowered;
            reused += session.Reused;
        }
        _output.WriteLine($"seed {seed}: {steps} edits, {lowered} methods lowered, {reused} parses reused");
        // The oracle only means something if the cache was used: on average more than one parse per edit reused.
        Assert.True(reused > steps, $"{reused} parses reused, {lowered} lowered");
    }

    /// <summary>Shifts every "// line N:" comment of <paramref name="file"/> by <paramref name="delta"/>.</summary>
    private static string Shift(string file, int delta) =>
        Regex.Replace(file, @"// line (\d+):", m => "// line " + (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + delta).ToString(System.Globalization.CultureInfo.InvariantCulture) + ":");
}
