using System;
using System.Diagnostics;
using System.Globalization;

namespace Embedded;

/// <summary>
/// Trains a 2 → 8 → 1 tanh network on a stream, one sample per step, and proves the steady state
/// allocates nothing: allocations on this thread are counted around every training window after a
/// warm-up (printing happens between windows, outside the count). Stdout is deterministic, so the
/// trimmed self-contained build and the ordinary build must print the same bytes.
/// </summary>
public static class Program
{
    private const int WarmUpSteps = 1_000;
    private const int Windows = 10;
    private const int StepsPerWindow = 20_000;

    public static int Main()
    {
        var trainer = new Trainer(seed: 7, learningRate: 0.01, momentum: 0.9);
        var clock = Stopwatch.StartNew();

        // Warm-up: the JIT compiles the step and the runtime settles; not part of the allocation count.
        double warmUpLoss = trainer.Train(WarmUpSteps) / WarmUpSteps;
        Line($"warm-up  {WarmUpSteps,7} steps  mean loss {warmUpLoss:F6}  grid mse {trainer.GridError():F6}");

        long allocated = 0;
        double lastWindowLoss = 0.0;
        for (int window = 1; window <= Windows; window++)
        {
            if (window > Windows / 2) trainer.LearningRate *= 0.7;    // anneal the second half: the stream is noisy
            long before = GC.GetAllocatedBytesForCurrentThread();
            double lossSum = trainer.Train(StepsPerWindow);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;

            lastWindowLoss = lossSum / StepsPerWindow;
            if (window % 2 == 0 || window == 1)
            {
                Line($"step {trainer.Steps,8}  mean loss {lastWindowLoss:F6}  grid mse {trainer.GridError():F6}");
            }
        }
        clock.Stop();

        long measured = (long)Windows * StepsPerWindow;
        double checksum = 0.0;
        foreach (double w in trainer.Weights) checksum += w;

        Line($"");
        Line($"summary");
        Line($"  network              2 -> {Network.Hidden} tanh -> 1 ({Network.ParameterCount} weights)");
        Line($"  steps                {trainer.Steps} ({WarmUpSteps} warm-up + {measured} measured)");
        Line($"  final window loss    {lastWindowLoss:F6}   (noise floor 0.5*0.05^2 = 0.001250)");
        Line($"  grid mse             {trainer.GridError():F6}");
        Line($"  weight checksum      {checksum:F6}");
        Line($"  allocated (measured) {allocated} bytes, {(double)allocated / measured:F3} bytes/step");
        // Timing varies run to run: it goes to stderr so stdout stays comparable.
        Console.Error.WriteLine($"elapsed {clock.Elapsed.TotalMilliseconds:F0} ms ({(WarmUpSteps + measured) / clock.Elapsed.TotalSeconds:F0} steps/s)");
        return allocated == 0 ? 0 : 1;
    }

    private static void Line(FormattableString text) => Console.Out.WriteLine(text.ToString(CultureInfo.InvariantCulture));
}
