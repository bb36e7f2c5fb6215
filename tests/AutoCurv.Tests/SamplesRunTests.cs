using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using Xunit;
using Xunit.Abstractions;

namespace AutoCurv.Tests;

/// <summary>
/// Runs every sample under samples/ the way the README tells a reader to (<c>dotnet run --project samples/X</c>,
/// here with <c>-c Release</c>) from the repository root, and checks that it exits with 0 and prints its key line.
/// The samples build on first use, so these are slow: filter them out with <c>--filter Category!=Samples</c>.
/// </summary>
/// <remarks>One class, so xunit runs the samples one after another rather than building them side by side.</remarks>
[Trait("Category", "Samples")]
public sealed class SamplesRunTests
{
    /// <summary>Generous: a cold build of a sample with its runtime and generator takes a minute on two cores.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);

    private readonly ITestOutputHelper _output;

    public SamplesRunTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Quickstart_runs()
    {
        string output = RunSample("Quickstart");
        Assert.Contains("parameter   fitted     true", output);
    }

    [Fact]
    public void Embedded_runs_with_zero_allocations_per_step()
    {
        string output = RunSample("Embedded");
        Assert.Contains("allocated (measured) 0 bytes", output);
    }

    [Fact]
    public void CustomLoss_runs()
    {
        string output = RunSample("CustomLoss");
        Assert.Contains("RMSE against the clean curve", output);
    }

    [Fact]
    public void HessianFree_runs()
    {
        string output = RunSample("HessianFree");
        Assert.Contains("HF  iter   1", output);
        Assert.Contains("reached the lower loss in the same wall-clock time", output);
    }

    [Fact]
    public void LaplaceRegression_runs_and_writes_its_svg()
    {
        string directory = TemporaryDirectory();
        try
        {
            string output = RunSample("LaplaceRegression", directory);
            Assert.Contains("log evidence:", output);
            Assert.Contains("SVG written to", output);
            AssertSvg(Path.Combine(directory, "laplace_band.svg"), "polygon");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Pruning_runs_and_OBS_is_never_worse_than_OBD()
    {
        string output = RunSample("Pruning");
        Assert.Contains("pruned 50", output);
        Assert.Contains("OBS <= OBD at every pruning level", output);
    }

    [Fact]
    public void CurvatureReport_runs_and_writes_its_svg()
    {
        string directory = TemporaryDirectory();
        try
        {
            string output = RunSample("CurvatureReport", directory);
            Assert.Contains("top Hessian eigenvalue", output);
            Assert.Contains("SVG written to", output);
            AssertSvg(Path.Combine(directory, "spectrum.svg"), "polyline");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Runs <c>dotnet run --project samples/NAME -c Release [-- argument]</c> from the repository root.</summary>
    private string RunSample(string name, string? argument = null)
    {
        string root = RepositoryRoot();
        string project = Path.Combine("samples", name);
        Assert.True(Directory.Exists(Path.Combine(root, project)), $"{project} does not exist under {root}");

        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string arg in new[] { "run", "--project", project, "-c", "Release", "-p:UseSharedCompilation=false" })
            start.ArgumentList.Add(arg);
        if (argument is not null)
        {
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(argument);
        }
        // A clean environment: nothing MSBuild or VSTest set for the outer `dotnet test`, no build servers or MSBuild
        // nodes left behind by the child, and no first-run banners in the output.
        foreach (string variable in start.Environment.Keys.ToList())
        {
            if (variable.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || variable.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || variable.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase) || variable == "DOTNET_HOST_PATH")
            {
                start.Environment.Remove(variable);
            }
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"dotnet run --project {project} did not finish within {Timeout.TotalMinutes} minutes.\n{stdout}\n{stderr}");
        }
        process.WaitForExit(); // drains the asynchronous readers

        string output;
        lock (stdout) output = stdout.ToString();
        string errors;
        lock (stderr) errors = stderr.ToString();
        _output.WriteLine($"dotnet run --project {project} -c Release: exit {process.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s");
        _output.WriteLine(output);
        if (errors.Length > 0) _output.WriteLine("stderr:\n" + errors);
        Assert.True(process.ExitCode == 0, $"dotnet run --project {project} exited with {process.ExitCode}.\n{output}\n{errors}");
        return output;
    }

    /// <summary>The folder holding AutoCurv.sln, found by walking up from the test assembly.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AutoCurv.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} contains AutoCurv.sln.");
    }

    /// <summary>The dotnet host running these tests (so the child uses the same SDK), else "dotnet" from PATH.</summary>
    private static string DotnetHost()
    {
        string? fromRuntime = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(typeof(object).Assembly.Location))));
        foreach (string? directory in new[] { Environment.GetEnvironmentVariable("DOTNET_ROOT"), fromRuntime })
        {
            if (directory is null) continue;
            string candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            if (File.Exists(candidate)) return candidate;
        }
        return "dotnet";
    }

    private static string TemporaryDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "autocurv-samples-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The file exists, parses as XML with an &lt;svg&gt; root in the SVG namespace, and holds an element named <paramref name="element"/>.</summary>
    private static void AssertSvg(string path, string element)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        var document = new XmlDocument();
        document.Load(path);
        Assert.Equal("svg", document.DocumentElement!.LocalName);
        Assert.Equal("http://www.w3.org/2000/svg", document.DocumentElement.NamespaceURI);
        Assert.True(document.GetElementsByTagName(element).Count > 0, $"{path} has no <{element}>");
    }
}
