using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Sdk;

namespace AutoCurv.Generator.Tests.SelfTests;

/// <summary>The incremental assertions themselves, on hand-made object graphs and two tiny in-test generators.</summary>
public sealed class IncrementalAssertTests
{
    private sealed record Leaf(string Name, double Value, int[] Numbers);

    private sealed record Tree(string Name, ImmutableArray<Leaf> Leaves, (int Index, Leaf Leaf) Pair, List<object> Extra);

    private sealed class Cyclic
    {
        public Cyclic? Next;
        public object? Payload;
    }

    private sealed record Holder(object? Value);

    /// <summary>Tracks class names as "Names" and their collected list as "All": equatable strings, so caching works.</summary>
    private sealed class ClassNamesGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<string> names = context.SyntaxProvider
                .CreateSyntaxProvider(
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, _) => ((ClassDeclarationSyntax)ctx.Node).Identifier.Text)
                .WithTrackingName("Names");
            IncrementalValueProvider<ImmutableArray<string>> all = names.Collect().WithTrackingName("All");
            context.RegisterSourceOutput(all, static (spc, list) =>
                spc.AddSource("Names.g.cs", "// " + string.Join(", ", list.OrderBy(n => n, System.StringComparer.Ordinal))));
        }
    }

    /// <summary>Keeps the syntax node itself in a tracked step: the mistake NoRoslynObjectsInOutputs exists to catch.</summary>
    private sealed class LeakyGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<Holder> leaked = context.SyntaxProvider
                .CreateSyntaxProvider(
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, _) => new Holder(ctx.Node))
                .WithTrackingName("Leaky");
            context.RegisterSourceOutput(leaked, static (_, _) => { });
        }
    }

    [Fact]
    public void Clean_graph_with_arrays_tuples_collections_and_cycles_passes()
    {
        var leaf = new Leaf("a", 1.5, new[] { 1, 2, 3 });
        var cycle = new Cyclic { Payload = "p" };
        cycle.Next = new Cyclic { Next = cycle, Payload = leaf };
        var tree = new Tree("t", ImmutableArray.Create(leaf, leaf), (7, leaf), new List<object> { cycle, 3.0, "s", default(ImmutableArray<Leaf>) });

        Assert.Empty(IncrementalAssert.FindRoslynObjects(tree));
        IncrementalAssert.NoRoslynObjects(tree);
    }

    [Fact]
    public void Roslyn_objects_are_found_with_their_path()
    {
        SyntaxTree syntaxTree = CSharpSyntaxTree.ParseText("class C { }");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation("public class C { }");
        INamedTypeSymbol symbol = compilation.GetTypeByMetadataName("C")!;
        var cycle = new Cyclic { Payload = symbol };
        cycle.Next = cycle;
        var graph = new Holder(new object[]
        {
            new Leaf("ok", 0, new int[0]),
            ImmutableArray.Create(Location.None),
            (1, syntaxTree.GetRoot()),
            new List<object> { compilation },
            cycle,
            compilation.GetSemanticModel(compilation.SyntaxTrees.First()),
            syntaxTree,
        });

        IReadOnlyList<string> found = IncrementalAssert.FindRoslynObjects(graph, "root");

        Assert.Equal(6, found.Count);
        Assert.Contains(found, f => f.StartsWith("root.Value[1].array[0]: ") && f.EndsWith("(a Location)"));
        Assert.Contains(found, f => f.StartsWith("root.Value[2].Item2: ") && f.EndsWith("(a SyntaxNode)"));
        Assert.Contains(found, f => f.StartsWith("root.Value[3]._items[0]: ") && f.EndsWith("(a Compilation)"));
        Assert.Contains(found, f => f.StartsWith("root.Value[4].Payload: ") && f.EndsWith("(a ISymbol)"));
        Assert.Contains(found, f => f.StartsWith("root.Value[5]: ") && f.EndsWith("(a SemanticModel)"));
        Assert.Contains(found, f => f.StartsWith("root.Value[6]: ") && f.EndsWith("(a SyntaxTree)"));
        Assert.ThrowsAny<XunitException>(() => IncrementalAssert.NoRoslynObjects(graph));
    }

    [Fact]
    public void Unrelated_edit_leaves_steps_cached_and_a_relevant_edit_does_not()
    {
        var generator = new ClassNamesGenerator();
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("class A { }", "class B { }"), generator);
        Assert.Equal("// A, B", first.GeneratedSources["Names.g.cs"]);

        GeneratorRun unrelated = GeneratorHarness.RerunWithAddedSource(first, "// only a comment");
        IncrementalAssert.StepsAreCached(unrelated.RunResult, new[] { "Names", "All" });
        IncrementalAssert.NoRoslynObjectsInOutputs(unrelated.RunResult, new[] { "Names", "All" });

        CSharpCompilation renamed = first.InputCompilation.ReplaceSyntaxTree(
            first.InputCompilation.SyntaxTrees.First(), GeneratorHarness.Parse("class Renamed { }", "Source0.cs"));
        GeneratorRun relevant = GeneratorHarness.Rerun(first, renamed);
        Assert.Equal("// B, Renamed", relevant.GeneratedSources["Names.g.cs"]);
        var failure = Assert.ThrowsAny<XunitException>(() => IncrementalAssert.StepsAreCached(relevant.RunResult, new[] { "Names", "All" }));
        Assert.Contains("Names[", failure.Message);
        Assert.Contains("Modified", failure.Message);
    }

    [Fact]
    public void Unknown_tracking_name_fails_unless_allowed()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("class A { }"), new ClassNamesGenerator());

        var failure = Assert.ThrowsAny<XunitException>(() => IncrementalAssert.StepsAreCached(run.RunResult, new[] { "NoSuchStep" }));
        Assert.Contains("no step is tracked as 'NoSuchStep' (tracked: All, Names", failure.Message);
        IncrementalAssert.StepsAreCached(run.RunResult, new[] { "NoSuchStep" }, requireEveryStep: false);
    }

    [Fact]
    public void Leaked_syntax_node_in_a_step_output_is_reported()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("class A { }"), new LeakyGenerator());

        var failure = Assert.ThrowsAny<XunitException>(() => IncrementalAssert.NoRoslynObjectsInOutputs(run.RunResult, new[] { "Leaky" }));
        Assert.Contains("Leaky[0].Outputs[0].Value: ", failure.Message);
        Assert.Contains("ClassDeclarationSyntax (a SyntaxNode)", failure.Message);
    }

    [Fact]
    public void Tracking_names_are_read_from_const_fields()
    {
        ImmutableArray<string> names = IncrementalAssert.GeneratorTrackingNames;

        Assert.NotEmpty(names);
        Assert.Equal(names.Length, names.Distinct().Count());
        Assert.All(names, n => Assert.False(string.IsNullOrWhiteSpace(n)));
    }
}
