using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AutoCurv.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AutoCurv.Package.Tests.Infrastructure;

/// <summary>
/// Applies a code fix the way the IDE does: the source goes into an AdhocWorkspace, the real generator
/// runs over its compilation to produce the AC diagnostics, the provider registers its actions for the
/// chosen diagnostic, and the first action's changed solution gives the fixed text.
/// </summary>
public static class CodeFixHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The generator's diagnostics for <paramref name="source"/>, plus the compiler's errors.</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(string source)
    {
        using var workspace = new AdhocWorkspace();
        var document = CreateDocument(workspace, source);
        return await RunGeneratorAsync(document.Project).ConfigureAwait(false);
    }

    /// <summary>
    /// The titles of the actions <paramref name="provider"/> offers for the <paramref name="occurrence"/>-th
    /// diagnostic <paramref name="id"/> in <paramref name="source"/>, and the text after applying the first.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Titles, string? Fixed)> ApplyAsync(CodeFixProvider provider, string source, string id, int occurrence = 0)
    {
        using var workspace = new AdhocWorkspace();
        var document = CreateDocument(workspace, source);
        var diagnostics = await RunGeneratorAsync(document.Project).ConfigureAwait(false);
        var matching = diagnostics.Where(d => d.Id == id).OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.True(matching.Count > occurrence,
            $"expected at least {occurrence + 1} {id} diagnostic(s); the generator reported:\n{string.Join("\n", diagnostics)}");
        Assert.Contains(id, provider.FixableDiagnosticIds);

        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, matching[occurrence], (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context).ConfigureAwait(false);
        if (actions.Count == 0) return (Array.Empty<string>(), null);

        var operations = await actions[0].GetOperationsAsync(CancellationToken.None).ConfigureAwait(false);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        var text = await changed.GetDocument(document.Id)!.GetTextAsync().ConfigureAwait(false);
        return (actions.Select(a => a.Title).ToList(), Normalize(text.ToString()));
    }

    /// <summary>Asserts that <paramref name="source"/> compiles and the generator reports nothing for it.</summary>
    public static async Task AssertCleanAsync(string source)
    {
        var diagnostics = await DiagnosticsAsync(source).ConfigureAwait(false);
        var problems = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || d.Id.StartsWith("AC", StringComparison.Ordinal)).ToList();
        Assert.True(problems.Count == 0, "the fixed code still has diagnostics:\n" + string.Join("\n", problems) + "\n---\n" + source);
    }

    /// <summary>Line endings as \n, so expected texts written in C# raw strings compare on any OS.</summary>
    public static string Normalize(string text) => text.Replace("\r\n", "\n");

    private static Document CreateDocument(AdhocWorkspace workspace, string source)
    {
        var projectId = ProjectId.CreateNewId();
        var documentId = DocumentId.CreateNewId(projectId);
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Create(), "Demo", "Demo", LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                metadataReferences: s_references.Value))
            .AddDocument(documentId, "Demo.cs", SourceText.From(Normalize(source)), filePath: Path.Combine(Path.GetTempPath(), "Demo.cs"));
        Assert.True(workspace.TryApplyChanges(solution));
        return workspace.CurrentSolution.GetDocument(documentId)!;
    }

    private static async Task<ImmutableArray<Diagnostic>> RunGeneratorAsync(Project project)
    {
        var compilation = await project.GetCompilationAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException("no compilation");
        var parseOptions = (CSharpParseOptions)project.ParseOptions!;
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new AutoCurvGenerator().AsSourceGenerator() }, parseOptions: parseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return generatorDiagnostics
            .AddRange(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The shared framework's assemblies (not the test's own dependencies) and the AutoCurv runtime:
        // what a user's project compiles against.
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("TRUSTED_PLATFORM_ASSEMBLIES is not set");
        var builder = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (string path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal))
        {
            if (string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal))
            {
                builder.Add(MetadataReference.CreateFromFile(path));
            }
        }
        builder.Add(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location));
        return builder.ToImmutable();
    }
}
