using AutoCurv;
using BenchmarkDotNet.Attributes;

namespace AutoCurv.Benchmarks;

// Job: Config.Short (Program.cs) — 3 warm-up and 10 measured iterations of 250 ms, one launch.
// Filter by workload: dotnet run -c Release -- --filter '*W1*'

[MemoryDiagnoser]
public class W1
{
    private readonly MlpSample _s = new("W1", 4, 16, 3, dense: true);

    [Benchmark(Baseline = true)] public double Forward() => _s.Forward();
    [Benchmark] public double ModelOnly() => _s.Model();
    [Benchmark] public double Gradient() => _s.Grad();
    [Benchmark] public double Hvp() => _s.Hvp();
    [Benchmark] public double Ggnvp() => _s.Ggnvp();
    [Benchmark] public double GgnDiagonal() => _s.GgnDiag();
    [Benchmark] public double DenseHessian() => _s.DenseHessian();
}

[MemoryDiagnoser]
public class W2
{
    private readonly MlpSample _s = new("W2", 784, 128, 10, dense: false);

    [Benchmark(Baseline = true)] public double Forward() => _s.Forward();
    [Benchmark] public double ModelOnly() => _s.Model();
    [Benchmark] public double Gradient() => _s.Grad();
    [Benchmark] public double Hvp() => _s.Hvp();
    [Benchmark] public double Ggnvp() => _s.Ggnvp();
    [Benchmark] public double GgnDiagonal() => _s.GgnDiag();
}

[MemoryDiagnoser]
public class W3
{
    private readonly MlpBatch _s = new("W3", threads: -1);

    [Benchmark(Baseline = true)] public double Forward() => _s.Forward();
    [Benchmark] public double Gradient() => _s.Grad();
    [Benchmark] public double Hvp() => _s.Hvp();
    [Benchmark] public double Ggnvp() => _s.Ggnvp();
}

[MemoryDiagnoser]
public class W4
{
    private readonly RosenbrockPoint _s = new("W4");

    [Benchmark(Baseline = true)] public double Forward() => _s.Forward();
    [Benchmark] public double Gradient() => _s.Grad();
    [Benchmark] public double Hvp() => _s.Hvp();
}
