using System.Linq;
using System.Threading.Tasks;
using AutoCurv.CodeFixes;
using AutoCurv.Package.Tests.Infrastructure;

namespace AutoCurv.Package.Tests;

/// <summary>
/// Each code fix applied to real generator diagnostics: the fixed text is exactly what a user would
/// write by hand, and the generator accepts it (no AC diagnostic, no compile error).
/// </summary>
public sealed class CodeFixTests
{
    [Fact]
    public async Task AC0002_makes_the_reported_type_and_every_containing_type_partial()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Demo;

            public class Outer
            {
                // Holds the model.
                internal static class Net
                {
                    [Differentiable]
                    public static double Square([Wrt] ReadOnlySpan<double> x)
                    {
                        return x[0] * x[0];
                    }
                }
            }
            """;
        const string expected = """
            using System;
            using AutoCurv;

            namespace Demo;

            public partial class Outer
            {
                // Holds the model.
                internal static partial class Net
                {
                    [Differentiable]
                    public static double Square([Wrt] ReadOnlySpan<double> x)
                    {
                        return x[0] * x[0];
                    }
                }
            }
            """;
        // The generator reports Net and Outer; fixing either one fixes the whole chain.
        for (int occurrence = 0; occurrence < 2; occurrence++)
        {
            var (titles, fixedText) = await CodeFixHarness.ApplyAsync(new MakeContainingTypesPartialCodeFixProvider(), source, "AC0002", occurrence);
            Assert.Equal(new[] { "Make containing types partial" }, titles);
            Assert.Equal(expected, fixedText);
        }
        await CodeFixHarness.AssertCleanAsync(expected);
    }

    [Fact]
    public async Task AC0002_gives_partial_the_indentation_of_a_type_without_modifiers()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Demo;

            [Serializable]
            class Net
            {
                [Differentiable]
                public static double Square(double x)
                {
                    return x * x;
                }
            }
            """;
        var (_, fixedText) = await CodeFixHarness.ApplyAsync(new MakeContainingTypesPartialCodeFixProvider(), source, "AC0002");
        Assert.Equal(source.Replace("\nclass Net", "\npartial class Net"), fixedText);
        await CodeFixHarness.AssertCleanAsync(fixedText!);
    }

    [Theory]
    [InlineData("public double Square", "public static double Square")]
    [InlineData("double Square", "static double Square")]
    [InlineData("new public double Square", "new public static double Square")]
    public async Task AC0001_adds_static_after_the_accessibility(string declaration, string expectedDeclaration)
    {
        string source = $$"""
            using System;
            using AutoCurv;

            namespace Demo;

            public class Base
            {
                public double Square(double x) => x;
            }

            public partial class Net : Base
            {
                [Differentiable]
                {{declaration}}([Wrt] ReadOnlySpan<double> x)
                {
                    return x[0] * x[0];
                }
            }
            """;
        var (titles, fixedText) = await CodeFixHarness.ApplyAsync(new MakeMethodStaticCodeFixProvider(), source, "AC0001");
        Assert.Equal(new[] { "Make the method static" }, titles);
        Assert.Equal(CodeFixHarness.Normalize(source.Replace(declaration + "([Wrt]", expectedDeclaration + "([Wrt]")), fixedText);
        await CodeFixHarness.AssertCleanAsync(fixedText!);
    }

    [Fact]
    public async Task AC0019_renames_a_reserved_parameter_and_its_uses()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Demo;

            public static partial class Net
            {
                [Differentiable]
                public static double SumOfSquares([Wrt] ReadOnlySpan<double> _x)
                {
                    double sum = 0.0;
                    for (int i = 0; i < _x.Length; i++)
                    {
                        sum += _x[i] * _x[i];
                    }
                    return sum;
                }
            }
            """;
        var (titles, fixedText) = await CodeFixHarness.ApplyAsync(new RenameReservedIdentifierCodeFixProvider(), source, "AC0019");
        Assert.Equal(new[] { "Rename '_x' to 'x'" }, titles);
        Assert.Equal(CodeFixHarness.Normalize(source.Replace("_x", "x")), fixedText);
        await CodeFixHarness.AssertCleanAsync(fixedText!);
    }

    [Fact]
    public async Task AC0019_renames_a_reserved_local_to_a_free_name_when_the_plain_one_is_taken()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Demo;

            public static partial class Net
            {
                [Differentiable]
                public static double Scaled([Wrt] ReadOnlySpan<double> x, double scale)
                {
                    double _scale = 2.0 * scale;
                    return _scale * x[0];
                }
            }
            """;
        var (titles, fixedText) = await CodeFixHarness.ApplyAsync(new RenameReservedIdentifierCodeFixProvider(), source, "AC0019");
        Assert.Equal(new[] { "Rename '_scale' to 'scale2'" }, titles);
        Assert.Equal(CodeFixHarness.Normalize(source.Replace("_scale", "scale2")), fixedText);
        await CodeFixHarness.AssertCleanAsync(fixedText!);
    }

    [Fact]
    public async Task AC0010_rewrites_foreach_over_a_span_as_an_index_loop()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Demo;

            public static partial class Net
            {
                [Differentiable]
                public static double SumOfSquares([Wrt] ReadOnlySpan<double> x)
                {
                    double sum = 0.0;
                    // every coordinate
                    foreach (double v in x)
                    {
                        sum += v * v;
                    }
                    return sum;
                }
            }
            """;
        const string expected = """
            using System;
            using AutoCurv;

            namespace Demo;

            public static partial class Net
            {
                [Differentiable]
                public static double SumOfSquares([Wrt] ReadOnlySpan<double> x)
                {
                    double sum = 0.0;
                    // every coordinate
                    for (int i = 0; i < x.Length; i++)
                    {
                        double v = x[i];
                        sum += v * v;
                    }
                    return sum;
                }
            }
            """;
        var (titles, fixedText) = await CodeFixHarness.ApplyAsync(new ForEachToForCodeFixProvider(), source, "AC0010");
        Assert.Equal(new[] { "Convert to an index-based for loop" }, titles);
        Assert.Equal(expected, fixedText);
        await CodeFixHarness.AssertCleanAsync(expected);
    }

    [Fact]
    public async Task AC0010_rewrites_foreach_over_an_array_with_a_free_index_and_a_statement_body()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Demo;

            public static partial class Net
            {
                [Differentiable]
                public static double Weighted([Wrt] double[] w, int i)
                {
                    double sum = i;
                    foreach (var v in w)
                        sum += v * v;
                    return sum;
                }
            }
            """;
        const string expected = """
            using System;
            using AutoCurv;

            namespace Demo;

            public static partial class Net
            {
                [Differentiable]
                public static double Weighted([Wrt] double[] w, int i)
                {
                    double sum = i;
                    for (int j = 0; j < w.Length; j++)
                    {
                        var v = w[j];
                        sum += v * v;
                    }
                    return sum;
                }
            }
            """;
        var (_, fixedText) = await CodeFixHarness.ApplyAsync(new ForEachToForCodeFixProvider(), source, "AC0010");
        Assert.Equal(expected, fixedText);
        await CodeFixHarness.AssertCleanAsync(expected);
    }

    [Fact]
    public async Task AC0010_offers_no_rewrite_for_statements_without_a_mechanical_one()
    {
        const string source = """
            using System;
            using AutoCurv;

            namespace Demo;

            public static partial class Net
            {
                [Differentiable]
                public static double Halve([Wrt] double x)
                {
                    double y = x;
                    while (y > 1.0)
                    {
                        y = y * 0.5;
                    }
                    return y;
                }
            }
            """;
        var (titles, fixedText) = await CodeFixHarness.ApplyAsync(new ForEachToForCodeFixProvider(), source, "AC0010");
        Assert.Empty(titles);
        Assert.Null(fixedText);
    }

    [Fact]
    public async Task Every_fixable_id_is_one_the_generator_declares()
    {
        var providers = new Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider[]
        {
            new MakeContainingTypesPartialCodeFixProvider(), new MakeMethodStaticCodeFixProvider(),
            new RenameReservedIdentifierCodeFixProvider(), new ForEachToForCodeFixProvider(),
        };
        var declared = typeof(AutoCurv.Generator.AutoCurvGenerator).Assembly
            .GetType("AutoCurv.Generator.Diagnostics.DiagnosticDescriptors", throwOnError: true)!
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.GetValue(null))
            .OfType<Microsoft.CodeAnalysis.DiagnosticDescriptor>()
            .Select(d => d.Id)
            .ToHashSet();
        foreach (string id in providers.SelectMany(p => p.FixableDiagnosticIds))
        {
            Assert.Contains(id, declared);
        }
        await Task.CompletedTask;
    }
}
