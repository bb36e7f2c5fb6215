using System;
using System.IO;
using Xunit;

namespace AutoCurv.Package.Tests.Infrastructure;

/// <summary>
/// A temporary folder shared by the Package tests. Every CLI build goes to its own artifacts path here,
/// never to the repository's bin/obj, so these tests neither race the outer build nor read its output;
/// the runtime and generator built once (by pack) are reused by the publish and run steps.
/// </summary>
public sealed class BuildSandbox : IDisposable
{
    /// <summary>Creates the folder under the system temp path.</summary>
    public BuildSandbox()
    {
        Root = Path.Combine(Path.GetTempPath(), "autocurv-package-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        ArtifactsPath = Path.Combine(Root, "artifacts");
    }

    /// <summary>The sandbox folder.</summary>
    public string Root { get; }

    /// <summary>The --artifacts-path every build in the sandbox uses.</summary>
    public string ArtifactsPath { get; }

    /// <summary>A new subfolder of the sandbox.</summary>
    public string CreateDirectory(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    /// <inheritdoc />
    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("AUTOCURV_KEEP_PACKAGE_SANDBOX") == "1") return;
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test run over it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>The Package tests share one sandbox and run one after another (they are CPU-bound CLI builds).</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<BuildSandbox>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Package";
}
