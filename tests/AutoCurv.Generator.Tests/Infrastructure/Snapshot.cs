using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace AutoCurv.Generator.Tests.Infrastructure;

/// <summary>
/// Approved-file snapshots without a snapshot library: the expected text of a test lives in
/// <c>Snapshots/{TestName}.g.cs.txt</c> beside the test's source file (the .txt keeps it out of the build).
/// </summary>
/// <remarks>
/// Line endings are normalised to \n and trailing newlines at the end of the text are ignored; everything else
/// is compared line by line. On a mismatch the actual text is written to <c>{TestName}.received.txt</c> beside
/// the baseline (git-ignored) and the test fails naming the first differing line. A missing baseline fails too,
/// so CI never approves anything silently. Setting the environment variable <c>AUTOCURV_UPDATE_SNAPSHOTS=1</c>
/// rewrites the baselines instead of comparing (see the project's README.md).
/// </remarks>
public static class Snapshot
{
    /// <summary>The environment variable that, set to 1, makes <see cref="Match"/> write baselines instead of comparing.</summary>
    public const string UpdateVariable = "AUTOCURV_UPDATE_SNAPSHOTS";

    /// <summary>True when <see cref="UpdateVariable"/> is set to 1 (or true).</summary>
    public static bool UpdateRequested
    {
        get
        {
            string? value = Environment.GetEnvironmentVariable(UpdateVariable);
            return value == "1" || string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>
    /// Compares <paramref name="actual"/> with <c>Snapshots/{name}.g.cs.txt</c> in the directory of the calling
    /// source file. <paramref name="name"/> defaults to the calling test's name; pass one explicitly when a test
    /// checks several snapshots.
    /// </summary>
    public static void Match(string actual, [CallerMemberName] string name = "", [CallerFilePath] string file = "")
    {
        string? directory = Path.GetDirectoryName(file);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            Assert.Fail($"Snapshot.Match: the caller's source directory '{directory}' does not exist (was the build path-mapped?)");
        }
        MatchFile(actual, BaselinePath(directory!, name), UpdateRequested);
    }

    /// <summary>The baseline path of snapshot <paramref name="name"/> for tests in <paramref name="sourceDirectory"/>.</summary>
    public static string BaselinePath(string sourceDirectory, string name) =>
        Path.Combine(sourceDirectory, "Snapshots", name + ".g.cs.txt");

    /// <summary>The received-file path beside <paramref name="baselinePath"/> (<c>{name}.received.txt</c>).</summary>
    public static string ReceivedPath(string baselinePath)
    {
        const string suffix = ".g.cs.txt";
        string path = baselinePath.EndsWith(suffix, StringComparison.Ordinal)
            ? baselinePath[..^suffix.Length]
            : Path.ChangeExtension(baselinePath, null);
        return path + ".received.txt";
    }

    /// <summary>
    /// The comparison behind <see cref="Match"/>, with the baseline path and the update switch explicit
    /// (so it can be tested without touching the process environment).
    /// </summary>
    public static void MatchFile(string actual, string baselinePath, bool update)
    {
        string normalized = Normalize(actual);
        string received = ReceivedPath(baselinePath);
        if (update)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(baselinePath)!);
            File.WriteAllText(baselinePath, normalized + "\n");
            File.Delete(received);
            return;
        }

        if (!File.Exists(baselinePath))
        {
            WriteReceived(received, normalized);
            Assert.Fail(
                $"No approved snapshot {baselinePath}.\nThe actual text was written to {received}; " +
                $"review it, then run the tests with {UpdateVariable}=1 to approve it.");
        }

        string[] expectedLines = Normalize(File.ReadAllText(baselinePath)).Split('\n');
        string[] actualLines = normalized.Split('\n');
        int common = Math.Min(expectedLines.Length, actualLines.Length);
        int line = 0;
        while (line < common && expectedLines[line] == actualLines[line]) line++;
        if (line == common && expectedLines.Length == actualLines.Length)
        {
            File.Delete(received);
            return;
        }

        WriteReceived(received, normalized);
        string expectedLine = line < expectedLines.Length ? Quote(expectedLines[line]) : "<end of file>";
        string actualLine = line < actualLines.Length ? Quote(actualLines[line]) : "<end of file>";
        Assert.Fail(
            $"Snapshot {Path.GetFileName(baselinePath)} differs at line {line + 1} " +
            $"(expected {expectedLines.Length} lines, actual {actualLines.Length}):\n" +
            $"  expected: {expectedLine}\n" +
            $"  actual:   {actualLine}\n" +
            $"The actual text was written to {received}; diff it against the baseline, and if the change is intended " +
            $"run the tests with {UpdateVariable}=1 to approve it.");
    }

    /// <summary>\r\n and \r become \n; newlines at the very end are dropped.</summary>
    public static string Normalize(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').TrimEnd('\n');

    private static void WriteReceived(string path, string normalized)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, normalized + "\n");
    }

    private static string Quote(string line) => "\"" + line.Replace("\t", "\\t", StringComparison.Ordinal) + "\"";
}
