using System;
using System.IO;
using Xunit;

namespace AutoCurv.Package.Tests.Infrastructure;

/// <summary>
/// Packs src/Runtime once per test run into a folder feed inside the sandbox; every test that needs the
/// package shares the result (and the failure transcript, if pack failed).
/// </summary>
public static class PackedFeed
{
    private static readonly object s_gate = new();
    private static (string Feed, ProcessResult Pack)? s_result;

    /// <summary>The package version the runtime project declares.</summary>
    public const string Version = "0.1.0";

    /// <summary>The feed folder holding AutoCurv.0.1.0.nupkg, packing first if this run has not yet.</summary>
    public static string Get(BuildSandbox sandbox)
    {
        lock (s_gate)
        {
            if (s_result is null)
            {
                string feed = sandbox.CreateDirectory("feed");
                var pack = DotNet.Run(Repository.Root, "pack", Repository.Path("src", "Runtime", "AutoCurv.csproj"),
                    "-c", "Release", "-o", feed, "--artifacts-path", sandbox.ArtifactsPath, "-tl:off", "-nologo");
                s_result = (feed, pack);
            }
            var (path, result) = s_result.Value;
            Assert.True(result.ExitCode == 0, "dotnet pack failed:\n" + result.Transcript);
            return path;
        }
    }

    /// <summary>The transcript of the pack command (after <see cref="Get"/>).</summary>
    public static ProcessResult Transcript => s_result?.Pack ?? throw new InvalidOperationException("not packed yet");

    /// <summary>Path of the .nupkg in <paramref name="feed"/>.</summary>
    public static string Package(string feed) => Path.Combine(feed, $"AutoCurv.{Version}.nupkg");
}
