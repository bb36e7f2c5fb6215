using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AutoCurv.Package.Tests.Infrastructure;

namespace AutoCurv.Package.Tests;

/// <summary>
/// `dotnet pack` of the runtime yields the one AutoCurv package, and a brand-new console project that
/// references it from a folder feed (no project reference) compiles a [Differentiable] method and runs
/// its generated gradient: `dotnet add package AutoCurv` is all a user needs.
/// </summary>
[Collection(PackageCollection.Name)]
[Trait("Category", "Package")]
public sealed class PackageTests
{
    private readonly BuildSandbox _sandbox;

    public PackageTests(BuildSandbox sandbox) => _sandbox = sandbox;

    [Fact]
    public void Package_holds_the_runtime_in_lib_and_the_generator_and_code_fixes_in_analyzers()
    {
        string feed = PackedFeed.Get(_sandbox);
        string nupkg = PackedFeed.Package(feed);
        Assert.True(File.Exists(nupkg), "no package at " + nupkg + "\n" + PackedFeed.Transcript.Transcript);
        Assert.True(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), "no symbol package beside " + nupkg);

        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);
        string listing = string.Join("\n", entries.OrderBy(e => e, StringComparer.Ordinal));

        foreach (string expected in new[]
        {
            "lib/net8.0/AutoCurv.dll",
            "lib/net8.0/AutoCurv.xml",
            "analyzers/dotnet/cs/AutoCurv.Generator.dll",
            "analyzers/dotnet/cs/AutoCurv.CodeFixes.dll",
            "PACKAGE.md",
        })
        {
            Assert.True(entries.Contains(expected), $"missing {expected}; the package holds:\n{listing}");
        }
        // The compiler and the IDE provide Roslyn; shipping a copy would shadow theirs.
        Assert.DoesNotContain(entries, e => Path.GetFileName(e).StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal)
            && e is not ("analyzers/dotnet/cs/AutoCurv.Generator.dll" or "analyzers/dotnet/cs/AutoCurv.CodeFixes.dll"));
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && !e.StartsWith("lib/net8.0/AutoCurv.", StringComparison.Ordinal));

        var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XDocument nuspec;
        using (var stream = nuspecEntry.Open()) nuspec = XDocument.Load(stream);
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Get(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

        Assert.Equal("AutoCurv", Get("id"));
        Assert.Equal(PackedFeed.Version, Get("version"));
        Assert.Equal("MIT", Get("license"));
        Assert.Equal("PACKAGE.md", Get("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Get("description")));
        Assert.False(string.IsNullOrWhiteSpace(Get("authors")));
        Assert.NotNull(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository"));
        // No package dependencies: the generator and code fixes are inside, Roslyn comes with the compiler.
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string?)e.Attribute("id")).ToList();
        Assert.Empty(dependencies);
    }

    [Fact]
    public void New_console_project_referencing_the_package_from_a_folder_feed_runs_a_generated_gradient()
    {
        string feed = PackedFeed.Get(_sandbox);
        string consumer = _sandbox.CreateDirectory("consumer");
        // A packages folder of its own: the AutoCurv just packed can never come stale from the global cache.
        string packages = Path.Combine(_sandbox.Root, "consumer-packages");

        File.WriteAllText(Path.Combine(consumer, "nuget.config"), NuGetConfig(feed, DefaultSourceKeys(consumer)));
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <RestorePackagesPath>{packages}</RestorePackagesPath>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AutoCurv" Version="{PackedFeed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), ConsumerProgram);

        var build = DotNet.Run(consumer, "build", "-c", "Release", "-tl:off", "-nologo");
        Assert.True(build.ExitCode == 0, build.Transcript);
        // The analyzers folder loaded cleanly: no analyzer load failures, no newer-compiler complaints, no AC diagnostics.
        Assert.DoesNotMatch(new Regex(@"\b(CS8032|CS8033|CS8034|CS9057|AD0001|AC\d{4})\b"), build.StandardOutput + build.StandardError);
        Assert.True(Directory.Exists(Path.Combine(packages, "autocurv", PackedFeed.Version)), "AutoCurv was not restored into " + packages);
        string generated = Path.Combine(consumer, "obj", "Release", "net10.0", "generated");
        Assert.True(Directory.Exists(generated) && Directory.EnumerateFiles(generated, "*.g.cs", SearchOption.AllDirectories).Any(),
            "the generator from the package wrote no source under " + generated);

        var run = DotNet.Run(consumer, Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll"));
        Assert.True(run.ExitCode == 0, run.Transcript);

        // f(x) = Σ x_i² + sin(k x0 x1):  ∂f/∂x_i = 2 x_i, plus k x1 cos(k x0 x1) for i = 0 and k x0 cos(k x0 x1) for i = 1.
        double[] x = { 1.5, -2.0, 0.25, 3.0 };
        const double k = 0.7;
        double c = Math.Cos(k * x[0] * x[1]);
        double expectedValue = x.Sum(v => v * v) + Math.Sin(k * x[0] * x[1]);
        double[] expectedGradient = x.Select(v => 2 * v).ToArray();
        expectedGradient[0] += k * x[1] * c;
        expectedGradient[1] += k * x[0] * c;

        var printed = ParseValues(run.StandardOutput);
        AssertClose(expectedValue, printed["f"], "f", run.Transcript);
        for (int i = 0; i < x.Length; i++)
        {
            AssertClose(expectedGradient[i], printed[$"g{i}"], $"g{i}", run.Transcript);
        }
    }

    private const string ConsumerProgram = """
        using System;
        using System.Globalization;
        using AutoCurv;

        namespace Consumer;

        public static partial class Functions
        {
            [Differentiable]
            public static double Energy([Wrt] ReadOnlySpan<double> x, double k)
            {
                double sum = 0.0;
                for (int i = 0; i < x.Length; i++)
                {
                    sum += x[i] * x[i];
                }
                return sum + Math.Sin(k * x[0] * x[1]);
            }
        }

        public static class Program
        {
            public static void Main()
            {
                double[] x = { 1.5, -2.0, 0.25, 3.0 };
                double[] gradient = new double[x.Length];
                double f = Functions.EnergyGradient(x, 0.7, gradient);
                Console.WriteLine("f=" + f.ToString("R", CultureInfo.InvariantCulture));
                for (int i = 0; i < gradient.Length; i++)
                {
                    Console.WriteLine("g" + i + "=" + gradient[i].ToString("R", CultureInfo.InvariantCulture));
                }
            }
        }
        """;

    /// <summary>
    /// The feed on top of the machine's own sources (no &lt;clear/&gt;), with source mapping so AutoCurv
    /// can only come from the feed while anything else it may need still comes from the usual sources.
    /// </summary>
    private static string NuGetConfig(string feed, IReadOnlyList<string> defaultSources)
    {
        var configuration = new XElement("configuration",
            new XElement("packageSources",
                new XElement("add", new XAttribute("key", "autocurv-local"), new XAttribute("value", feed))));
        if (defaultSources.Count > 0)
        {
            configuration.Add(new XElement("packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", "autocurv-local"),
                    new XElement("package", new XAttribute("pattern", "AutoCurv"))),
                defaultSources.Select(key => new XElement("packageSource", new XAttribute("key", key),
                    new XElement("package", new XAttribute("pattern", "*"))))));
        }
        return new XDocument(new XDeclaration("1.0", "utf-8", null), configuration).ToString();
    }

    /// <summary>The keys of the package sources configured for <paramref name="directory"/> (user and machine config).</summary>
    private static IReadOnlyList<string> DefaultSourceKeys(string directory)
    {
        var list = DotNet.Run(directory, "nuget", "list", "source", "--format", "Detailed");
        if (list.ExitCode != 0) return Array.Empty<string>();
        return Regex.Matches(list.StandardOutput, @"^\s*\d+\.\s+(?<key>.+?)\s+\[(Enabled|Disabled)\]\s*$", RegexOptions.Multiline)
            .Select(m => m.Groups["key"].Value)
            .ToList();
    }

    private static Dictionary<string, double> ParseValues(string output)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = line.IndexOf('=');
            if (eq > 0) values[line[..eq]] = double.Parse(line[(eq + 1)..], CultureInfo.InvariantCulture);
        }
        return values;
    }

    private static void AssertClose(double expected, double actual, string name, string transcript)
    {
        double tolerance = 1e-12 * Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{name}: expected {expected:R}, printed {actual:R}\n{transcript}");
    }
}
