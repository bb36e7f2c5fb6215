using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using AutoCurv.Models;
using Xunit;
using Xunit.Abstractions;

// A namespace of its own: FirstOrderTests.Every_corpus_method_has_a_case enumerates exactly the methods of
// AutoCurv.Tests.Corpus, and LongChain.Energy is exercised here only.
namespace AutoCurv.Tests.Scale;

/// <summary>
/// The sizes of the wide model: the shared two-layer tanh perceptron <see cref="Mlp.Forward"/> (shared/Models/Mlp.cs,
/// plain loops exactly as a user would write them: layer 1 rows of d weights + bias, then layer 2 rows of hidden
/// weights + bias) at 1000 → 1000 → 10, one flat w of 1,011,010 parameters. The hidden layer (1000 values) is far over
/// the generator's stackalloc cap, so every scratch span of every generated member comes from the pool.
/// </summary>
public static class WideNet
{
    public const int Inputs = 1000, Hidden = 1000, Outputs = 10;
    public const int ParameterCount = Hidden * (Inputs + 1) + Outputs * (Hidden + 1);
}

/// <summary>
/// A scalar function of 10⁶ inputs: Σ_i log(1 + x_i²) plus Σ_i h_i of the chained recurrence
/// h_i = tanh(0.5·h_{i−1} + x_i), a dependency chain 10⁶ links long that the reverse sweep must walk back
/// (h is overwritten every step, so every old h is recorded).
/// </summary>
public static partial class LongChain
{
    public const int Length = 1_000_000;

    [Differentiable]
    public static double Energy([Wrt] ReadOnlySpan<double> x)
    {
        double sum = 0.0;
        double h = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += Math.Log(1.0 + x[i] * x[i]);
            h = Math.Tanh(0.5 * h + x[i]);
            sum += h;
        }
        return sum;
    }
}

/// <summary>Runs the scale tests alone, so their timings and memory figures are not disturbed by other test classes.</summary>
[CollectionDefinition(nameof(ScaleCollection), DisableParallelization = true)]
public sealed class ScaleCollection
{
}

/// <summary>
/// Issue 7 item 5: a model of 10⁶ parameters and a scalar function of 10⁶ inputs through every heavy generated
/// member, on a thread with a deliberately small stack (so any stack use that grows with n would overflow),
/// checked against central differences at random coordinates, with time per call, bytes allocated per call after a
/// warm-up call, and the process's peak working set written to the test output (docs/benchmarks.md, "Scale").
/// </summary>
/// <remarks>
/// Run with <c>dotnet test tests/AutoCurv.Tests --filter "FullyQualifiedName~ScaleTests" --logger "console;verbosity=detailed"</c>
/// to see the figures. Allocation is measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/> on the
/// measuring thread (exact, unaffected by other threads) and also reported as the process-wide
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/> delta.
/// </remarks>
[Trait("Category", "Scale")]
[Collection(nameof(ScaleCollection))]
public sealed class ScaleTests
{
    /// <summary>Stack of the measuring thread: a few KiB per generated frame suffice; 10⁶ of anything would not fit.</summary>
    private const int SmallStack = 256 * 1024;

    /// <summary>Relative tolerance of every comparison with finite differences (issue brief).</summary>
    private const double Tolerance = 1e-5;

    /// <summary>Measured calls per member after the warm-up call.</summary>
    private const int Calls = 5;

    /// <summary>
    /// Bytes per call that would mean a per-call buffer proportional to n (one 10⁶-double array is 8 MB): a bound far
    /// below that, far above the pool's bookkeeping.
    /// </summary>
    private const long AllocationBound = 64 * 1024;

    private readonly ITestOutputHelper _output;

    public ScaleTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Million_parameter_model_gradient_hvp_ggn_and_ggn_diagonal()
    {
        const int n = WideNet.ParameterCount;
        Assert.True(n > 1_000_000);
        double[] w = Weights();
        double[] x = new double[WideNet.Inputs];
        for (int i = 0; i < x.Length; i++) x[i] = 0.5 + 0.5 * Math.Sin(1.3 * i + 0.2);
        double[] target = new double[WideNet.Outputs];
        target[3] = 1.0;
        double[] v = Direction(n, seed: 11);

        long peakBefore = PeakWorkingSet();
        var figures = new List<Figure>();
        double[] output = new double[WideNet.Outputs];
        double[] gradient = new double[n];
        double[] hv = new double[n];
        double[] gradientAlongHvp = new double[n];
        double[] ggnv = new double[n];
        double[] ggnDiagonal = new double[n];
        double loss = 0, lossHvp = 0;

        RunOnSmallStack(() =>
        {
            figures.Add(Measure("Mlp.ForwardLoss<SoftmaxCrossEntropy> (forward + loss)", () =>
                loss = Mlp.ForwardLoss<SoftmaxCrossEntropy>(w, x, output, target)));
            figures.Add(Measure("Mlp.ForwardLossGradient<SoftmaxCrossEntropy>", () =>
                Mlp.ForwardLossGradient<SoftmaxCrossEntropy>(w, x, output, target, gradient)));
            figures.Add(Measure("Mlp.ForwardLossHvp<SoftmaxCrossEntropy>", () =>
                lossHvp = Mlp.ForwardLossHvp<SoftmaxCrossEntropy>(w, x, output, target, v, gradientAlongHvp, hv)));
            figures.Add(Measure("Mlp.ForwardGgnvp<SoftmaxCrossEntropy>", () =>
                Mlp.ForwardGgnvp<SoftmaxCrossEntropy>(w, x, output, target, v, ggnv)));
            figures.Add(Measure("Mlp.ForwardGgnDiagonal<SoftmaxCrossEntropy>", () =>
                Mlp.ForwardGgnDiagonal<SoftmaxCrossEntropy>(w, x, output, target, ggnDiagonal)));
        });
        long peakAfter = PeakWorkingSet();
        Report($"WideNet 1000→1000 tanh→10, n = {n:N0}", figures, peakBefore, peakAfter);

        Assert.True(double.IsFinite(loss));
        Assert.Equal(loss, lossHvp, 12);
        for (int i = 0; i < n; i++)
        {
            if (gradient[i] != gradientAlongHvp[i])
                Assert.Fail($"LossHvp's gradient differs from LossGradient's at {i}: {gradient[i]} vs {gradientAlongHvp[i]}");
        }
        foreach (Figure figure in figures)
            Assert.True(figure.ThreadBytesPerCall <= AllocationBound, $"{figure.Name} allocates {figure.ThreadBytesPerCall} bytes per call after warm-up");

        // Gradient against central differences of the loss at 20 random coordinates (5 of them in the output layer).
        var random = new RandomSource(2024);
        int outputLayer = WideNet.Hidden * (WideNet.Inputs + 1);
        double[] point = (double[])w.Clone();
        double[] scratchOutput = new double[WideNet.Outputs];
        var checkedGradient = new List<string>();
        for (int k = 0; k < 20; k++)
        {
            int i = k < 15 ? random.NextInt(outputLayer) : outputLayer + random.NextInt(n - outputLayer);
            double reference = FiniteDifferences.Derivative(s =>
            {
                point[i] = w[i] + s;
                double value = Mlp.ForwardLoss<SoftmaxCrossEntropy>(point, x, scratchOutput, target);
                point[i] = w[i];
                return value;
            }, 1e-3);
            checkedGradient.Add($"g[{i}] = {gradient[i]:E6} (differences {reference:E6})");
            AssertRelative(reference, gradient[i], $"gradient[{i}]");
        }

        // H·v against central differences of the gradient along v, and G's diagonal against unit-vector GGN products.
        int[] coordinates = [random.NextInt(outputLayer), random.NextInt(outputLayer), outputLayer + random.NextInt(n - outputLayer)];
        double[] along = GradientDerivativeAlong(w, v, 1e-3, (theta, g) => Mlp.ForwardLossGradient<SoftmaxCrossEntropy>(theta, x, scratchOutput, target, g), coordinates);
        for (int k = 0; k < coordinates.Length; k++)
        {
            int i = coordinates[k];
            AssertRelative(along[k], hv[i], $"(H·v)[{i}]");
            checkedGradient.Add($"(H·v)[{i}] = {hv[i]:E6} (differences {along[k]:E6})");
        }
        double[] unit = new double[n];
        double[] column = new double[n];
        foreach (int i in coordinates)
        {
            unit[i] = 1.0;
            Mlp.ForwardGgnvp<SoftmaxCrossEntropy>(w, x, scratchOutput, target, unit, column);
            unit[i] = 0.0;
            FiniteDifferences.AssertClose(column[i], ggnDiagonal[i], 1e-10, $"diag(G)[{i}] vs (G e_{i})_{i}", floor: 1e-300);
            checkedGradient.Add($"diag(G)[{i}] = {ggnDiagonal[i]:E6} (G e_i: {column[i]:E6})");
        }
        // G is positive semidefinite for softmax cross-entropy: vᵀ G v ≥ 0.
        Assert.True(Dot(v, ggnv) >= 0.0, $"vᵀGv = {Dot(v, ggnv)} < 0");
        _output.WriteLine(string.Join(Environment.NewLine, checkedGradient));
    }

    [Fact]
    public void Million_input_scalar_function_gradient_and_hvp()
    {
        const int n = LongChain.Length;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = 0.8 * Math.Sin(0.37 * i + 0.1);
        double[] v = Direction(n, seed: 12);

        long peakBefore = PeakWorkingSet();
        var figures = new List<Figure>();
        double[] gradient = new double[n];
        double[] gradientAlongHvp = new double[n];
        double[] hv = new double[n];
        double value = 0, valueGradient = 0, valueHvp = 0;
        RunOnSmallStack(() =>
        {
            figures.Add(Measure("LongChain.Energy (primal)", () => value = LongChain.Energy(x)));
            figures.Add(Measure("LongChain.EnergyGradient", () => valueGradient = LongChain.EnergyGradient(x, gradient)));
            figures.Add(Measure("LongChain.EnergyHvp", () => valueHvp = LongChain.EnergyHvp(x, v, gradientAlongHvp, hv)));
        });
        long peakAfter = PeakWorkingSet();
        Report($"LongChain Σ log(1+x²) + tanh recurrence, n = {n:N0}", figures, peakBefore, peakAfter);

        Assert.Equal(value, valueGradient, 12);
        Assert.Equal(value, valueHvp, 12);
        foreach (Figure figure in figures)
            Assert.True(figure.ThreadBytesPerCall <= AllocationBound, $"{figure.Name} allocates {figure.ThreadBytesPerCall} bytes per call after warm-up");

        var random = new RandomSource(77);
        double[] point = (double[])x.Clone();
        var lines = new List<string>();
        // Coordinates 0 and n−1 (the two ends of the chain) and 18 random ones.
        int[] coordinates = new int[20];
        coordinates[0] = 0;
        coordinates[1] = n - 1;
        for (int k = 2; k < coordinates.Length; k++) coordinates[k] = random.NextInt(n);
        foreach (int i in coordinates)
        {
            double reference = FiniteDifferences.Derivative(s =>
            {
                point[i] = x[i] + s;
                double f = LongChain.Energy(point);
                point[i] = x[i];
                return f;
            }, 1e-2);
            lines.Add($"g[{i}] = {gradient[i]:E6} (differences {reference:E6})");
            AssertRelative(reference, gradient[i], $"gradient[{i}]");
        }

        int[] hvCoordinates = [random.NextInt(n), random.NextInt(n), n - 1];
        double[] along = GradientDerivativeAlong(x, v, 1e-2, (theta, g) => LongChain.EnergyGradient(theta, g), hvCoordinates);
        for (int k = 0; k < hvCoordinates.Length; k++)
        {
            int i = hvCoordinates[k];
            lines.Add($"(H·v)[{i}] = {hv[i]:E6} (differences {along[k]:E6})");
            AssertRelative(along[k], hv[i], $"(H·v)[{i}]");
        }
        _output.WriteLine(string.Join(Environment.NewLine, lines));
    }

    /// <summary>What one member cost.</summary>
    private sealed record Figure(string Name, double MillisecondsPerCall, double FirstCallMilliseconds, long ThreadBytesPerCall, long ProcessBytesPerCall, long FirstCallBytes);

    /// <summary>One warm-up call (timed and its allocation counted separately), then <see cref="Calls"/> measured calls.</summary>
    private static Figure Measure(string name, Action call)
    {
        long firstBytes = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        call();
        double first = watch.Elapsed.TotalMilliseconds;
        firstBytes = GC.GetAllocatedBytesForCurrentThread() - firstBytes;

        var times = new double[Calls];
        long threadBefore = GC.GetAllocatedBytesForCurrentThread();
        long processBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int k = 0; k < Calls; k++)
        {
            watch.Restart();
            call();
            times[k] = watch.Elapsed.TotalMilliseconds;
        }
        long threadBytes = GC.GetAllocatedBytesForCurrentThread() - threadBefore;
        long processBytes = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
        Array.Sort(times);
        return new Figure(name, times[Calls / 2], first, threadBytes / Calls, processBytes / Calls, firstBytes);
    }

    private void Report(string title, List<Figure> figures, long peakBefore, long peakAfter)
    {
        _output.WriteLine(title);
        _output.WriteLine($"  peak working set: {peakBefore / 1048576.0:F1} MiB before, {peakAfter / 1048576.0:F1} MiB after (+{(peakAfter - peakBefore) / 1048576.0:F1} MiB)");
        foreach (Figure f in figures)
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {f.Name}: {f.MillisecondsPerCall:F2} ms/call (median of {Calls}; first call {f.FirstCallMilliseconds:F1} ms, {f.FirstCallBytes:N0} B), " +
                $"{f.ThreadBytesPerCall:N0} B/call on the calling thread, {f.ProcessBytesPerCall:N0} B/call process-wide"));
        }
    }

    /// <summary>d/ds g(θ + s v) at s = 0 for the listed coordinates of g, by the four-point stencil with step h.</summary>
    private static double[] GradientDerivativeAlong(double[] theta, double[] v, double h, Action<double[], double[]> gradient, int[] coordinates)
    {
        int n = theta.Length;
        double[] shifted = new double[n];
        double[] g = new double[n];
        double[] Coordinates(double s)
        {
            for (int i = 0; i < n; i++) shifted[i] = theta[i] + s * v[i];
            gradient(shifted, g);
            return coordinates.Select(c => g[c]).ToArray();
        }
        double[] plus = Coordinates(h), minus = Coordinates(-h), plus2 = Coordinates(2 * h), minus2 = Coordinates(-2 * h);
        var result = new double[coordinates.Length];
        for (int k = 0; k < result.Length; k++)
            result[k] = (8.0 * (plus[k] - minus[k]) - (plus2[k] - minus2[k])) / (12.0 * h);
        return result;
    }

    /// <summary>Relative error against the difference quotient; the floor only guards an exactly zero reference.</summary>
    private static void AssertRelative(double expected, double actual, string context) =>
        FiniteDifferences.AssertClose(expected, actual, Tolerance, context, floor: 1e-8);

    /// <summary>
    /// Runs <paramref name="body"/> on a new thread with a 256 KiB stack: any stack use growing with n (a stackalloc of
    /// the parameter count, a recursion per element) would overflow it.
    /// </summary>
    private static void RunOnSmallStack(Action body)
    {
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, SmallStack);
        thread.Start();
        thread.Join();
        failure?.Throw();
    }

    private static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    /// <summary>Weights of the wide net: 2·sin(0.37 i + 0.1)/√(fan-in), as the benchmarks' MLP inputs.</summary>
    private static double[] Weights()
    {
        var w = new double[WideNet.ParameterCount];
        int offset = WideNet.Hidden * (WideNet.Inputs + 1);
        for (int i = 0; i < w.Length; i++)
        {
            double scale = i < offset ? 1.0 / Math.Sqrt(WideNet.Inputs) : 1.0 / Math.Sqrt(WideNet.Hidden);
            w[i] = 2.0 * scale * Math.Sin(0.37 * i + 0.1);
        }
        return w;
    }

    /// <summary>A random direction with entries N(0, 1/1000), the scale of the weights, so a step of 1e-3 along it is small.</summary>
    private static double[] Direction(int n, ulong seed)
    {
        var random = new RandomSource(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = random.NextGaussian() / Math.Sqrt(1000.0);
        return v;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0.0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
