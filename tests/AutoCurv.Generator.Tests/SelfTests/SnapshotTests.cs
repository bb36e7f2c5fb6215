using System;
using System.IO;
using AutoCurv.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Sdk;

namespace AutoCurv.Generator.Tests.SelfTests;

/// <summary>The snapshot helper itself, on baselines in a temporary directory.</summary>
public sealed class SnapshotTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "autocurv-snapshot-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string Baseline(string name) => Snapshot.BaselinePath(_directory, name);

    [Fact]
    public void Missing_baseline_fails_writes_received_and_approves_nothing()
    {
        string baseline = Baseline("Missing");
        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.MatchFile("line 1\nline 2", baseline, update: false));
        Assert.Contains("No approved snapshot", failure.Message);
        Assert.Contains(Snapshot.UpdateVariable + "=1", failure.Message);
        Assert.False(File.Exists(baseline));
        Assert.Equal("line 1\nline 2\n", File.ReadAllText(Path.Combine(_directory, "Snapshots", "Missing.received.txt")));
    }

    [Fact]
    public void Update_writes_normalised_baseline_that_then_matches_any_line_ending()
    {
        string baseline = Baseline("Update");
        Snapshot.MatchFile("a\r\nb\rc\r\n\r\n", baseline, update: true);
        Assert.Equal("a\nb\nc\n", File.ReadAllText(baseline));
        Snapshot.MatchFile("a\nb\nc", baseline, update: false);
        Snapshot.MatchFile("a\r\nb\r\nc\r\n", baseline, update: false);
        Assert.False(File.Exists(Snapshot.ReceivedPath(baseline)));
    }

    [Fact]
    public void Mismatch_names_first_differing_line_and_writes_received()
    {
        string baseline = Baseline("Mismatch");
        Snapshot.MatchFile("same\nexpected two\nsame three", baseline, update: true);
        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.MatchFile("same\nactual two\nsame three", baseline, update: false));
        Assert.Contains("Mismatch.g.cs.txt differs at line 2 ", failure.Message);
        Assert.Contains("expected: \"expected two\"", failure.Message);
        Assert.Contains("actual:   \"actual two\"", failure.Message);
        string received = Path.Combine(_directory, "Snapshots", "Mismatch.received.txt");
        Assert.Equal(received, Snapshot.ReceivedPath(baseline));
        Assert.Equal("same\nactual two\nsame three\n", File.ReadAllText(received));
        Assert.Equal("same\nexpected two\nsame three\n", File.ReadAllText(baseline));
    }

    [Fact]
    public void Extra_line_is_reported_against_end_of_file_and_match_removes_stale_received()
    {
        string baseline = Baseline("Extra");
        Snapshot.MatchFile("one\ntwo", baseline, update: true);
        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.MatchFile("one\ntwo\nthree", baseline, update: false));
        Assert.Contains("differs at line 3 (expected 2 lines, actual 3)", failure.Message);
        Assert.Contains("expected: <end of file>", failure.Message);
        Assert.Contains("actual:   \"three\"", failure.Message);
        Assert.True(File.Exists(Snapshot.ReceivedPath(baseline)));

        Snapshot.MatchFile("one\ntwo\n", baseline, update: false);
        Assert.False(File.Exists(Snapshot.ReceivedPath(baseline)));
    }

    [Fact]
    public void Whitespace_differences_are_significant()
    {
        string baseline = Baseline("Whitespace");
        Snapshot.MatchFile("    indented", baseline, update: true);
        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.MatchFile("\tindented", baseline, update: false));
        Assert.Contains("line 1", failure.Message);
        Assert.Contains("actual:   \"\\tindented\"", failure.Message);
    }

    [Fact]
    public void Match_resolves_baseline_beside_caller_file_by_test_name()
    {
        // An approved baseline with the same text passes whether or not the update switch is set.
        string callerFile = Path.Combine(_directory, "FakeTests.cs");
        Directory.CreateDirectory(Path.Combine(_directory, "Snapshots"));
        File.WriteAllText(Path.Combine(_directory, "Snapshots", "Named.g.cs.txt"), "text\n");
        Snapshot.Match("text", "Named", callerFile);
        Assert.Equal("text\n", File.ReadAllText(Path.Combine(_directory, "Snapshots", "Named.g.cs.txt")));
    }
}
