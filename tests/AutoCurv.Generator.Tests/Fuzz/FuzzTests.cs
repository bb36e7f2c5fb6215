using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace AutoCurv.Generator.Tests.Fuzz;

/// <summary>
/// Random-program testing (issue 7, item 1). <see cref="ProgramGenerator"/> writes well-typed programs in the
/// differentiable subset; each batch of <see cref="BatchSize"/> programs is compiled with the generator in one static
/// partial class, and every generated member of every program is checked at two random points against central finite
/// differences and against the other members (see <see cref="FuzzRunner"/>).
/// <para>
/// Default: <see cref="DefaultPrograms"/> programs from seed <see cref="DefaultSeed"/>. Long runs:
/// <c>AUTOCURV_FUZZ_PROGRAMS=5000 AUTOCURV_FUZZ_SEED=7 dotnet test tests/AutoCurv.Generator.Tests --filter FullyQualifiedName~Fuzz</c>.
/// A failure prints each failing program's full source, its seed and the point, ready to paste into
/// <see cref="FuzzRegressionTests"/>; <c>ProgramGenerator.Generate(seed, index)</c> regenerates it.
/// </para>
/// </summary>
public sealed class FuzzTests
{
    public const int DefaultPrograms = 500;
    public const int DefaultSeed = 20250607;
    public const int BatchSize = 50;

    /// <summary>
    /// Programs of the default run (seed <see cref="DefaultSeed"/>) that fail because of a known generator bug; they are
    /// reported, not failed. Index → bug. Remove an entry once the bug is fixed (the test says when one passes).
    /// </summary>
    public static readonly IReadOnlyDictionary<int, string> KnownFailures = new Dictionary<int, string>
    {
        // Programs 119, 157, 482 and 485 failed until e9cbab1 (FuzzRegressionTests.NestedRecordedBranches).
    };

    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    public static int ProgramCount =>
        int.TryParse(Environment.GetEnvironmentVariable("AUTOCURV_FUZZ_PROGRAMS"), out int n) && n > 0 ? n : DefaultPrograms;

    public static int RunSeed =>
        int.TryParse(Environment.GetEnvironmentVariable("AUTOCURV_FUZZ_SEED"), out int s) ? s : DefaultSeed;

    /// <summary>The batches whose number has parity <paramref name="parity"/> (two test classes run in parallel).</summary>
    public static IEnumerable<object[]> Batches(int parity)
    {
        int programs = ProgramCount;
        for (int b = parity; b * BatchSize < programs; b += 2) yield return new object[] { b };
    }

    public static IEnumerable<object[]> EvenBatches() => Batches(0);

    [Theory]
    [MemberData(nameof(EvenBatches))]
    public void Random_programs_match_finite_differences(int batch) => RunBatch(batch, _output);

    /// <summary>Runs one batch and asserts on it; shared by <see cref="FuzzTests"/> and <see cref="FuzzTestsOddBatches"/>.</summary>
    public static void RunBatch(int batch, ITestOutputHelper output)
    {
        int first = batch * BatchSize;
        int count = Math.Min(BatchSize, ProgramCount - first);
        var result = FuzzRunner.RunBatch(RunSeed, batch, first, count);
        output.WriteLine($"seed {RunSeed}, batch {batch}: {result.Summary}");
        var known = RunSeed == DefaultSeed
            ? result.Failures.Where(f => KnownFailures.ContainsKey(f.Program.Index)).ToList()
            : new List<FuzzFailure>();
        var failures = result.Failures.Except(known).ToList();
        foreach (var failure in known) output.WriteLine($"KNOWN FAILURE ({KnownFailures[failure.Program.Index]}):\n{failure}");
        foreach (var index in KnownFailures.Keys.Where(i => i >= first && i < first + count && RunSeed == DefaultSeed))
        {
            if (!result.Failures.Any(f => f.Program.Index == index)) output.WriteLine($"known failure {index} now passes: remove it from FuzzTests.KnownFailures");
        }
        foreach (var failure in failures) output.WriteLine(failure.ToString());

        Assert.True(failures.Count == 0,
            $"{failures.Count} of {count} random programs failed (seed {RunSeed}, batch {batch}):\n\n"
            + string.Join("\n", failures.Select(f => f.ToString())));
        // The kink detector must not hollow the test out.
        Assert.True(result.Skips <= 0.1 * (result.Comparisons + result.Skips),
            $"too many finite-difference comparisons skipped as kinks: {result.Summary}");
        Assert.True(result.Comparisons >= 60 * count, $"too few comparisons: {result.Summary}");
    }

    [Fact]
    public void Program_generator_is_deterministic_and_varied()
    {
        var a = Enumerable.Range(0, 60).Select(i => ProgramGenerator.Generate(ProgramGenerator.ProgramSeed(DefaultSeed, i), i)).ToList();
        var b = Enumerable.Range(0, 60).Select(i => ProgramGenerator.Generate(ProgramGenerator.ProgramSeed(DefaultSeed, i), i)).ToList();
        Assert.Equal(a.Select(p => p.Members), b.Select(p => p.Members));
        Assert.Equal(60, a.Select(p => p.Members).Distinct().Count());
        // The features over the first 150 programs (the suite runs 500).
        string all = string.Concat(Enumerable.Range(0, 150).Select(i => ProgramGenerator.Generate(ProgramGenerator.ProgramSeed(DefaultSeed, i), i).Members));
        foreach (string feature in new[]
                 {
                     "Math.Exp", "Math.Log", "Math.Sqrt", "Math.Sin", "Math.Cos", "Math.Tan(", "Math.Tanh", "Math.Sinh", "Math.Cosh",
                     "Math.Atan", "Math.Pow", "Math.Abs", "Math.Max", "Math.Min", "stackalloc", "new double[", "--)", "+= 2)", "-= 2)",
                     "+=", "-=", "*=", "/=", " ? ", "else", "return", "H1(", "&&", "||", "!(", "Primitives.Dot(", "Primitives.Axpy(",
                 })
        {
            Assert.Contains(feature, all);
        }
        Assert.Contains(a, p => p.Kind == FuzzKind.Scalar);
        Assert.Contains(a, p => p.Kind == FuzzKind.Vector);
    }

    [Fact]
    public void Kink_detector_skips_a_kink_inside_the_stencil_and_keeps_smooth_points()
    {
        // |t − c| with the kink at distance d from the point: inside the stencil (d < h) it must be flagged.
        foreach (double d in new[] { 1e-7, 3e-5, 0.7e-4 })
        {
            var (_, kink) = FuzzRunner.CentralDifference(t => Math.Abs(t + d), FuzzRunner.Step);
            Assert.True(kink, $"kink at distance {d} not detected");
        }
        // Exactly at the kink the stencil is symmetric: not flagged, and the estimate is the tie's 0.
        Assert.Equal((0.0, false), FuzzRunner.CentralDifference(t => Math.Abs(t), FuzzRunner.Step));
        // A jump (a branch on a computed value) inside the stencil.
        Assert.True(FuzzRunner.CentralDifference(t => t + 2e-5 > 0 ? 1.0 + t : t, FuzzRunner.Step).Kink);
        // Smooth, even with large third derivatives, is compared, accurately.
        var (estimate, flagged) = FuzzRunner.CentralDifference(t => Math.Exp(3 * (t + 0.2)) + Math.Tan(1.2 * Math.Tanh(t + 0.3)), FuzzRunner.Step);
        Assert.False(flagged);
        double exact = 3 * Math.Exp(0.6) + 1.2 * (1 - Math.Pow(Math.Tanh(0.3), 2)) / Math.Pow(Math.Cos(1.2 * Math.Tanh(0.3)), 2);
        Assert.True(Math.Abs(estimate - exact) <= 1e-9 * Math.Abs(exact), $"{estimate} vs {exact}");
    }
}

/// <summary>The odd-numbered batches, in their own class so xunit runs them in parallel with <see cref="FuzzTests"/>.</summary>
public sealed class FuzzTestsOddBatches
{
    private readonly ITestOutputHelper _output;

    public FuzzTestsOddBatches(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> OddBatches() => FuzzTests.Batches(1);

    [Theory]
    [MemberData(nameof(OddBatches))]
    public void Random_programs_match_finite_differences(int batch) => FuzzTests.RunBatch(batch, _output);
}
