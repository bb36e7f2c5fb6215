using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace AutoCurv.Benchmarks;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet (default): <c>dotnet run -c Release -- --filter '*W1*'</c> (any BenchmarkDotNet option works).
    /// Quick Stopwatch run: <c>dotnet run -c Release -- --quick [--only W1,W4] [--quantity hvp] [--seconds 1] [--torch torch.json] [--json ours.json]</c>.
    /// Block kernels (the batched members' hot calls): <c>dotnet run -c Release -- --kernels [--seconds 1]</c>.
    /// W2's unavoidable memory traffic alone (<see cref="MemoryFloor"/>): <c>dotnet run -c Release -- --floor [--seconds 1]</c>.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--quick")) return Quick.Run(args);
        if (args.Contains("--kernels")) return KernelQuick.Run(args);
        if (args.Contains("--floor")) return MemoryFloor.Run(args);
        var config = DefaultConfig.Instance
            .AddJob(Job.Default
                .WithWarmupCount(3)
                .WithIterationCount(10)
                .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
                .WithLaunchCount(1)
                .WithId("Short"))
            .AddDiagnoser(MemoryDiagnoser.Default);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}

/// <summary>
/// The quick path: no BenchmarkDotNet, Stopwatch medians of batches of calls, allocation per call, the ratios to the
/// forward pass and (with --torch) to PyTorch, as markdown tables. Takes about a minute.
/// </summary>
public static class Quick
{
    private static double s_sink;

    public static readonly Dictionary<string, string> Display = new()
    {
        ["forward"] = "forward", ["model"] = "f only (user code, no loss)", ["gradient"] = "gradient", ["hvp"] = "H·v", ["ggnvp"] = "GGN·v",
        ["diag_ggn"] = "diag GGN", ["dense_h"] = "dense H", ["diag_h"] = "exact diag H",
    };

    // PyTorch speed-up targets of issue 5 (stated for the gradient).
    private static readonly Dictionary<string, double> SpeedupTarget = new()
    {
        ["W1"] = 150, ["W2"] = 7, ["W3"] = 1.3, ["W4"] = 15,
    };

    public static int Run(string[] args)
    {
        string? only = Option(args, "--only");
        string? torchPath = Option(args, "--torch");
        string? jsonPath = Option(args, "--json");
        // --quantity hvp,gradient: measure only these (for profiling one case); "forward" is always measured.
        string[]? quantities = Option(args, "--quantity")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        double seconds = double.Parse(Option(args, "--seconds") ?? "1", CultureInfo.InvariantCulture);

        var workloads = new List<(string Key, Func<IWorkload> Make)>
        {
            ("W1", () => new MlpSample("W1", 4, 16, 3, dense: true)),
            ("W2", () => new MlpSample("W2", 784, 128, 10, dense: false)),
            ("W3", () => new MlpBatch("W3", threads: -1)),
            ("W3-1t", () => new MlpBatch("W3-1t", threads: 1)),
            ("W4", () => new RosenbrockPoint("W4")),
        };
        if (only is not null)
        {
            var keep = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            workloads = workloads.Where(w => keep.Any(k => w.Key.Equals(k, StringComparison.OrdinalIgnoreCase))).ToList();
        }

        JsonNode? torch = torchPath is null ? null : JsonNode.Parse(File.ReadAllText(torchPath));
        var rows = new List<Row>();
        var total = Stopwatch.StartNew();
        foreach (var (key, make) in workloads)
        {
            IWorkload workload = make();
            double forward = double.NaN;
            foreach (Case c in workload.Cases)
            {
                if (quantities is not null && c.Quantity != "forward" && !quantities.Contains(c.Quantity)) continue;
                Measurement m = Measure(c.Run, seconds);
                if (c.Quantity == "forward") forward = m.MedianUs;
                double value = c.Run();
                double[]? result = c.Result();
                double checksum = result is null ? value : Checksum(result);
                string torchKey = key == "W3-1t" ? "W3" : key;
                double torchUs = torch?["results"]?[torchKey]?[c.Quantity]?["median_us"]?.GetValue<double>() ?? double.NaN;
                double torchChecksum = torch?["results"]?[torchKey]?[c.Quantity]?["checksum"]?.GetValue<double>() ?? double.NaN;
                rows.Add(new Row(key, c.Quantity, m, m.MedianUs / forward, RatioTarget(workload, c.Quantity), value, checksum, torchUs, torchChecksum));
                Console.Error.WriteLine($"{key,-6} {Display[c.Quantity],-9} {m.MedianUs,12:F3} µs  ({m.Samples} samples × {m.Inner} calls, {m.BytesPerCall:F0} B/call)");
            }
        }

        Console.WriteLine(Table(rows, torch is not null));
        Console.WriteLine();
        Console.WriteLine(ChecksumTable(rows, torch is not null));
        Console.WriteLine();
        Console.WriteLine($"Quick run: {total.Elapsed.TotalSeconds:F1} s, {Environment.ProcessorCount} cores, Vector256<double>.Count = {Vector256<double>.Count}, " +
                          $"Vector256 hardware-accelerated = {Vector256.IsHardwareAccelerated}, .NET {Environment.Version}. (sink {s_sink:E1})");
        if (jsonPath is not null) WriteJson(jsonPath, rows);
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public sealed record Measurement(double MedianUs, double MinUs, int Samples, long Inner, double BytesPerCall);

    private sealed record Row(string Workload, string Quantity, Measurement M, double Ratio, double Target,
        double Value, double Checksum, double TorchUs, double TorchChecksum);

    /// <summary>Median over batches of calls (each batch ≈ 2 ms), after a 0.5 s warm-up that lets the JIT reach tier 1.</summary>
    public static Measurement Measure(Func<double> f, double seconds)
    {
        var sw = Stopwatch.StartNew();
        long calls = 0;
        while (sw.Elapsed.TotalSeconds < 0.5 || calls < 5)
        {
            s_sink += f();
            calls++;
        }
        double perCall = sw.Elapsed.TotalSeconds / calls;
        long inner = Math.Max(1, (long)(0.002 / perCall));

        var samples = new List<double>();
        sw.Restart();
        while ((sw.Elapsed.TotalSeconds < seconds || samples.Count < 15) && samples.Count < 5000)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (long i = 0; i < inner; i++) s_sink += f();
            long t1 = Stopwatch.GetTimestamp();
            samples.Add((t1 - t0) * 1e6 / Stopwatch.Frequency / inner);
        }
        samples.Sort();

        // Bytes allocated per call, all threads (the data-set operators run on the thread pool).
        long allocCalls = Math.Max(1, Math.Min(inner, 1000));
        long a0 = GC.GetTotalAllocatedBytes(precise: true);
        for (long i = 0; i < allocCalls; i++) s_sink += f();
        long a1 = GC.GetTotalAllocatedBytes(precise: true);
        return new Measurement(samples[samples.Count / 2], samples[0], samples.Count, inner, (double)(a1 - a0) / allocCalls);
    }

    /// <summary>Σ_i r_i (1 + i mod 7): the same weighting as bench.py.</summary>
    public static double Checksum(double[] r)
    {
        double s = 0;
        for (int i = 0; i < r.Length; i++) s += r[i] * (1 + i % 7);
        return s;
    }

    /// <summary>The issue's derivative ÷ forward targets.</summary>
    private static double RatioTarget(IWorkload w, string quantity) => quantity switch
    {
        "gradient" => 3,
        "hvp" => 5,
        "ggnvp" => 4,
        "diag_ggn" => w is MlpSample s ? s.C + 2 : double.NaN,
        "dense_h" => w is MlpSample s ? 2.0 * s.N / Vector256<double>.Count + 5 : double.NaN,
        _ => double.NaN,
    };

    private static string F(double x) => double.IsNaN(x) ? "—" : x >= 1000 ? x.ToString("N0", CultureInfo.InvariantCulture)
        : x >= 10 ? x.ToString("F1", CultureInfo.InvariantCulture) : x.ToString("F3", CultureInfo.InvariantCulture);

    private static string Table(List<Row> rows, bool withTorch)
    {
        var sb = new StringBuilder();
        sb.Append("| workload | quantity | ours median µs | ÷ forward | target | met | bytes/call |");
        if (withTorch) sb.Append(" PyTorch µs | ours ÷ PyTorch speed-up | target | met |");
        sb.AppendLine();
        sb.Append("|---|---|---:|---:|---:|---|---:|");
        if (withTorch) sb.Append("---:|---:|---:|---|");
        sb.AppendLine();
        foreach (Row r in rows)
        {
            bool isForward = r.Quantity == "forward";
            string ratio = isForward ? "1" : r.Ratio.ToString("F2", CultureInfo.InvariantCulture);
            string target = double.IsNaN(r.Target) ? "—" : "≤ " + r.Target.ToString("0.#", CultureInfo.InvariantCulture);
            string met = double.IsNaN(r.Target) ? "" : r.Ratio <= r.Target ? "met" : "**not met**";
            sb.Append($"| {r.Workload} | {Display[r.Quantity]} | {F(r.M.MedianUs)} | {ratio} | {target} | {met} | {r.M.BytesPerCall:F0} |");
            if (withTorch)
            {
                double speedup = r.TorchUs / r.M.MedianUs;
                string wk = r.Workload == "W3-1t" ? "W3" : r.Workload;
                bool hasTarget = r.Quantity == "gradient" && SpeedupTarget.ContainsKey(wk);
                string st = hasTarget ? "≥ " + SpeedupTarget[wk].ToString("0.#", CultureInfo.InvariantCulture) : "—";
                string smet = !hasTarget || double.IsNaN(speedup) ? "" : speedup >= SpeedupTarget[wk] ? "met" : "**not met**";
                sb.Append($" {F(r.TorchUs)} | {(double.IsNaN(speedup) ? "—" : speedup.ToString("F2", CultureInfo.InvariantCulture) + "×")} | {st} | {smet} |");
            }
            sb.AppendLine();
        }
        return sb.ToString().TrimEnd();
    }

    private static string ChecksumTable(List<Row> rows, bool withTorch)
    {
        var sb = new StringBuilder();
        sb.AppendLine(withTorch ? "| workload | quantity | loss | checksum (ours) | checksum (PyTorch) | rel. diff |" : "| workload | quantity | loss | checksum |");
        sb.AppendLine(withTorch ? "|---|---|---:|---:|---:|---:|" : "|---|---|---:|---:|");
        foreach (Row r in rows)
        {
            string line = $"| {r.Workload} | {Display[r.Quantity]} | {r.Value.ToString("R", CultureInfo.InvariantCulture)} | {r.Checksum.ToString("E10", CultureInfo.InvariantCulture)} |";
            if (withTorch)
            {
                double rel = Math.Abs(r.Checksum - r.TorchChecksum) / Math.Max(Math.Abs(r.TorchChecksum), 1e-300);
                line += $" {r.TorchChecksum.ToString("E10", CultureInfo.InvariantCulture)} | {rel:E1} |";
            }
            sb.AppendLine(line);
        }
        return sb.ToString().TrimEnd();
    }

    private static void WriteJson(string path, List<Row> rows)
    {
        var results = new JsonObject();
        foreach (Row r in rows)
        {
            if (results[r.Workload] is not JsonObject w) results[r.Workload] = w = new JsonObject();
            w[r.Quantity] = new JsonObject
            {
                ["median_us"] = r.M.MedianUs, ["min_us"] = r.M.MinUs, ["bytes_per_call"] = r.M.BytesPerCall,
                ["loss"] = r.Value, ["checksum"] = r.Checksum,
            };
        }
        var root = new JsonObject { ["implementation"] = "AutoCurv", ["results"] = results };
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
