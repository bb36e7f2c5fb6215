using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AutoCurv.Generator.Tests.Infrastructure;

/// <summary>What one run of the generator over a compilation produced.</summary>
/// <param name="InputCompilation">The compilation the generator ran on (edit it and pass it to <see cref="GeneratorHarness.Rerun"/>).</param>
/// <param name="OutputCompilation">The input plus the generated sources.</param>
/// <param name="GeneratedSources">Generated source text by hint name (for example <c>Net.Forward.AutoCurv.g.cs</c>), ordered by hint name.</param>
/// <param name="GeneratorDiagnostics">Diagnostics the generator reported (AC ids; a generator exception shows up as CS8785).</param>
/// <param name="OutputErrors">Error diagnostics of the output compilation: generated code that does not compile lands here.</param>
/// <param name="Driver">The driver after this run: run it again on an edited compilation to test incremental caching.</param>
/// <param name="RunResult">The raw run result, with the tracked incremental steps.</param>
public sealed record GeneratorRun(
    CSharpCompilation InputCompilation,
    Compilation OutputCompilation,
    ImmutableSortedDictionary<string, string> GeneratedSources,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> OutputErrors,
    GeneratorDriver Driver,
    GeneratorDriverRunResult RunResult)
{
    /// <summary>Exceptions thrown by generators during this run (the generator must never throw).</summary>
    public ImmutableArray<Exception> Exceptions =>
        RunResult.Results.Where(r => r.Exception is not null).Select(r => r.Exception!).ToImmutableArray();

    /// <summary>The one generated source whose hint name ends with <paramref name="hintNameSuffix"/>; fails listing the hint names otherwise.</summary>
    public string Source(string hintNameSuffix)
    {
        string[] matches = GeneratedSources.Keys.Where(k => k.EndsWith(hintNameSuffix, StringComparison.Ordinal)).ToArray();
        if (matches.Length != 1)
        {
            throw new InvalidOperationException(
                $"{matches.Length} generated sources end with '{hintNameSuffix}'; generated: {string.Join(", ", GeneratedSources.Keys)}");
        }
        return GeneratedSources[matches[0]];
    }
}

/// <summary>
/// Runs the AutoCurv generator in-process through <see cref="CSharpGeneratorDriver"/> on source strings, against
/// the running .NET's framework assemblies and the AutoCurv runtime, with incremental step tracking on.
/// </summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The parse options of every test compilation (the newest language version this Roslyn knows).</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>The framework assemblies of the running .NET plus the AutoCurv runtime assembly.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    /// <summary>A library compilation of <paramref name="sources"/> (file names Source0.cs, Source1.cs, …).</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CreateCompilation(sources, "AutoCurv.GeneratorTests.Input");

    /// <summary>A library compilation of <paramref name="sources"/> named <paramref name="assemblyName"/>.</summary>
    public static CSharpCompilation CreateCompilation(IEnumerable<string> sources, string assemblyName) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((text, i) => CSharpSyntaxTree.ParseText(text, ParseOptions, path: $"Source{i}.cs", encoding: Encoding.UTF8)),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true,
                deterministic: true));

    /// <summary>A parsed syntax tree with the harness's parse options, to add to or replace in a compilation.</summary>
    public static SyntaxTree Parse(string source, string path = "Edited.cs") =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path: path, encoding: Encoding.UTF8);

    /// <summary>A driver for <paramref name="generator"/> (the AutoCurv generator when null) that tracks incremental steps.</summary>
    public static GeneratorDriver CreateDriver(IIncrementalGenerator? generator = null, bool trackIncrementalGeneratorSteps = true) =>
        CSharpGeneratorDriver.Create(
            new[] { (generator ?? new AutoCurvGenerator()).AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps));

    /// <summary>Runs the AutoCurv generator on <paramref name="sources"/>.</summary>
    public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

    /// <summary>Runs <paramref name="generator"/> (the AutoCurv generator when null) on <paramref name="compilation"/> with a new driver.</summary>
    public static GeneratorRun Run(CSharpCompilation compilation, IIncrementalGenerator? generator = null) =>
        Run(CreateDriver(generator), compilation);

    /// <summary>Runs <paramref name="driver"/> on <paramref name="compilation"/>; a driver that ran before reuses its cached steps.</summary>
    public static GeneratorRun Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();
        ImmutableSortedDictionary<string, string> sources = result.Results
            .SelectMany(r => r.GeneratedSources)
            .ToImmutableSortedDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);
        ImmutableArray<Diagnostic> errors = output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .ToImmutableArray();
        return new GeneratorRun(compilation, output, sources, diagnostics, errors, driver, result);
    }

    /// <summary>Runs the previous run's driver again on an edited compilation (for incremental-caching tests).</summary>
    public static GeneratorRun Rerun(GeneratorRun previous, CSharpCompilation edited) => Run(previous.Driver, edited);

    /// <summary>Runs the previous run's driver again on its input compilation with <paramref name="source"/> added as a new file.</summary>
    public static GeneratorRun RerunWithAddedSource(GeneratorRun previous, string source, string path = "Added.cs") =>
        Run(previous.Driver, previous.InputCompilation.AddSyntaxTrees(Parse(source, path)));

    /// <summary>
    /// Emits <paramref name="compilation"/> to memory and loads it into a new collectible
    /// <see cref="System.Runtime.Loader.AssemblyLoadContext"/> (dispose the result to unload it). Throws with the
    /// formatted diagnostics when emit fails.
    /// </summary>
    public static LoadedAssembly EmitAndLoad(Compilation compilation)
    {
        using var peStream = new MemoryStream();
        var emitResult = compilation.Emit(peStream);
        if (!emitResult.Success)
        {
            throw new InvalidOperationException(
                "Emit failed:\n" + Format(emitResult.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }
        peStream.Position = 0;
        return new LoadedAssembly(peStream, compilation.AssemblyName ?? "AutoCurv.GeneratorTests.Input");
    }

    /// <summary>One diagnostic per line, as the compiler prints them (id, location, message).</summary>
    /// <summary>Generated text cut into members: each piece starts at a <c>public static</c> or <c>private static</c> member.</summary>
    public static string[] Members(string generated) =>
        System.Text.RegularExpressions.Regex.Split(generated, @"(?=\n\s*(?:public|private) static )");

    public static string Format(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => d.ToString()));

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The trusted platform assemblies also list the test's own dependencies (Roslyn, xunit, AutoCurv);
        // keep only the shared framework's, so the test compilation sees what a user's project sees. The list
        // can name an assembly twice (System.Private.CoreLib), and a duplicate reference is an error.
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
        builder.Add(MetadataReference.CreateFromFile(typeof(AutoCurv.DifferentiableAttribute).Assembly.Location));
        return builder.ToImmutable();
    }
}

/// <summary>
/// An emitted test compilation loaded into its own collectible load context; its references (the framework,
/// AutoCurv) resolve to the test process's copies. Dispose to unload.
/// </summary>
public sealed class LoadedAssembly : IDisposable
{
    private readonly AssemblyLoadContext _context;

    internal LoadedAssembly(Stream peStream, string name)
    {
        _context = new AssemblyLoadContext($"{name}.{Guid.NewGuid():N}", isCollectible: true);
        Assembly = _context.LoadFromStream(peStream);
    }

    /// <summary>The loaded assembly.</summary>
    public Assembly Assembly { get; }

    /// <summary>The type named <paramref name="fullName"/> (namespace-qualified; nested types as <c>Outer+Inner</c>).</summary>
    public Type GetType(string fullName) =>
        Assembly.GetType(fullName, throwOnError: false)
        ?? throw new InvalidOperationException($"type {fullName} not found; types: {string.Join(", ", Assembly.GetTypes().Select(t => t.FullName))}");

    /// <summary>The one public static method <paramref name="methodName"/> of <paramref name="typeName"/> taking <paramref name="parameterCount"/> parameters.</summary>
    public MethodInfo GetMethod(string typeName, string methodName, int parameterCount)
    {
        MethodInfo[] candidates = GetType(typeName)
            .GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == methodName && m.GetParameters().Length == parameterCount)
            .ToArray();
        return candidates.Length == 1
            ? candidates[0]
            : throw new InvalidOperationException($"{candidates.Length} public static methods {typeName}.{methodName} with {parameterCount} parameters");
    }

    /// <summary>
    /// Invokes the public static method <paramref name="methodName"/> of <paramref name="typeName"/> with
    /// <paramref name="arguments"/> (reflection cannot pass spans: test sources expose array wrappers), rethrowing
    /// the method's own exception. <c>out</c> results are written back into <paramref name="arguments"/>.
    /// </summary>
    public object? Invoke(string typeName, string methodName, params object?[] arguments)
    {
        MethodInfo method = GetMethod(typeName, methodName, arguments.Length);
        try
        {
            return method.Invoke(null, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Unloads the load context (collected once nothing references its types).</summary>
    public void Dispose() => _context.Unload();
}
