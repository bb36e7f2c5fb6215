using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using AutoCurv.Package.Tests.Infrastructure;

namespace AutoCurv.Package.Tests;

/// <summary>
/// samples/Embedded published trimmed and self-contained builds with no trim warning and prints exactly
/// what the ordinary build prints, allocation count included.
/// </summary>
[Collection(PackageCollection.Name)]
[Trait("Category", "Package")]
public sealed class TrimmingTests
{
    private readonly BuildSandbox _sandbox;

    public TrimmingTests(BuildSandbox sandbox) => _sandbox = sandbox;

    [Fact]
    public void Embedded_sample_published_trimmed_prints_what_the_untrimmed_build_prints()
    {
        string project = Repository.Path("samples", "Embedded", "Embedded.csproj");
        string publishDir = _sandbox.CreateDirectory("embedded-trimmed");

        var publish = DotNet.Run(Repository.Root, "publish", project, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier,
            "--self-contained", "-p:PublishTrimmed=true", "-o", publishDir, "--artifacts-path", _sandbox.ArtifactsPath, "-tl:off", "-nologo");
        Assert.True(publish.ExitCode == 0, publish.Transcript);
        Assert.DoesNotMatch(new Regex(@"\b(IL[23]\d{3})\b"), publish.StandardOutput + publish.StandardError);
        // Trimmed for real: a full self-contained publish carries System.Private.Xml, which nothing here uses.
        Assert.False(File.Exists(Path.Combine(publishDir, "System.Private.Xml.dll")), "the publish was not trimmed:\n" + publish.Transcript);

        string executable = Path.Combine(publishDir, OperatingSystem.IsWindows() ? "Embedded.exe" : "Embedded");
        var trimmed = DotNet.Exec(executable, publishDir);
        Assert.True(trimmed.ExitCode == 0, trimmed.Transcript);

        var build = DotNet.Run(Repository.Root, "build", project, "-c", "Release", "--artifacts-path", _sandbox.ArtifactsPath, "-tl:off", "-nologo");
        Assert.True(build.ExitCode == 0, build.Transcript);
        var untrimmed = DotNet.Run(Repository.Root, "run", "--project", project, "-c", "Release", "--no-build", "--artifacts-path", _sandbox.ArtifactsPath);
        Assert.True(untrimmed.ExitCode == 0, untrimmed.Transcript);

        Assert.Contains("allocated (measured) 0 bytes", untrimmed.StandardOutput);
        Assert.Equal(untrimmed.StandardOutput, trimmed.StandardOutput);
    }
}
