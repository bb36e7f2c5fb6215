using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using AutoCurv;
using AutoCurv.Models;
using Spectre.Console;

namespace HessianFree;

/// <summary>
/// Trains the classifier on three interleaved spirals with Hessian-free optimisation (Newton-CG on the
/// generalised Gauss–Newton matrix, Martens 2010), then gives plain full-batch gradient descent the same
/// wall-clock budget from the same starting weights, and compares the two.
/// </summary>
public static class Program
{
    private const int PerClass = 100;
    private const int HfIterations = 40;
    private const double LearningRate = 0.5;

    public static int Main()
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;   // the same numbers and separators everywhere
        var data = Spirals(PerClass, seed: 7);
        var initial = InitialWeights(seed: 11);
        var objective = new Objective<Mlp.ForwardModel, SoftmaxCrossEntropy>(data);

        AnsiConsole.MarkupLine($"[bold]Hessian-free vs gradient descent[/]: {data.Count} points on 3 spirals, " +
                               $"a {Mlp.Inputs} → {Mlp.Hidden} tanh → {Mlp.Classes} network ({Mlp.ParameterCount} weights), softmax cross-entropy.");
        AnsiConsole.MarkupLine($"start: loss {objective.Loss(initial):F4}, accuracy {Accuracy(initial, data):P1}");
        AnsiConsole.WriteLine();

        // Warm the JIT on both code paths so neither method pays for compilation inside its budget.
        {
            var scratch = (double[])initial.Clone();
            new HessianFreeOptimizer<Mlp.ForwardModel, SoftmaxCrossEntropy>(data).Step(scratch);
            objective.Gradient(scratch, new double[scratch.Length]);
        }

        // --- Hessian-free ---------------------------------------------------------------------------------
        var hfWeights = (double[])initial.Clone();
        var options = new HessianFreeOptions
        {
            InitialDamping = 1.0,
            MaxConjugateGradientIterations = 40,
            ConjugateGradientTolerance = 1e-4,
            Preconditioned = true,
        };
        var hf = new HessianFreeOptimizer<Mlp.ForwardModel, SoftmaxCrossEntropy>(data, options);
        var checkpoints = new List<double>();   // elapsed seconds after each HF iteration
        int cgTotal = 0, accepted = 0;
        double hfSeconds = 0.0;

        Run("Hessian-free (GGN)", HfIterations, report =>
        {
            var clock = Stopwatch.StartNew();
            for (int it = 1; it <= HfIterations; it++)
            {
                var step = hf.Step(hfWeights);
                double elapsed = clock.Elapsed.TotalSeconds;
                checkpoints.Add(elapsed);
                cgTotal += step.ConjugateGradientIterations;
                if (step.Accepted) accepted++;
                report(1, $"HF  iter {it,3}  t {elapsed,6:F2}s  loss {step.Loss:F4}  acc {Accuracy(hfWeights, data),6:P1}  " +
                          $"λ {step.Damping:G3}  CG {step.ConjugateGradientIterations,2}{(step.Accepted ? "" : "  (rejected)")}");
            }
            hfSeconds = clock.Elapsed.TotalSeconds;
        });

        // --- Gradient descent, same wall-clock budget -------------------------------------------------------
        var gdWeights = (double[])initial.Clone();
        var gradient = new double[gdWeights.Length];
        int gdSteps = 0;
        double gdLoss = double.NaN;
        Run("Gradient descent (same time)", checkpoints.Count, report =>
        {
            var clock = Stopwatch.StartNew();
            int next = 0;
            while (next < checkpoints.Count)
            {
                gdLoss = objective.Gradient(gdWeights, gradient);
                for (int j = 0; j < gdWeights.Length; j++) gdWeights[j] -= LearningRate * gradient[j];
                gdSteps++;
                double elapsed = clock.Elapsed.TotalSeconds;
                while (next < checkpoints.Count && elapsed >= checkpoints[next])
                {
                    next++;
                    report(1, $"GD  at HF iter {next,3}  t {elapsed,6:F2}s  step {gdSteps,6}  loss {objective.Loss(gdWeights):F4}  acc {Accuracy(gdWeights, data),6:P1}");
                }
            }
        });
        gdLoss = objective.Loss(gdWeights);

        // --- Summary ----------------------------------------------------------------------------------------
        double hfLoss = objective.Loss(hfWeights);
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Summary[/]");
        table.AddColumn("method");
        table.AddColumn(new TableColumn("steps").RightAligned());
        table.AddColumn(new TableColumn("CG products").RightAligned());
        table.AddColumn(new TableColumn("time (s)").RightAligned());
        table.AddColumn(new TableColumn("final loss").RightAligned());
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        table.AddRow("Hessian-free", $"{HfIterations} ({accepted} ok)", $"{cgTotal}", $"{hfSeconds:F2}", $"{hfLoss:F4}", $"{Accuracy(hfWeights, data):P1}");
        table.AddRow($"gradient descent", $"{gdSteps}", "-", $"{checkpoints[^1]:F2}", $"{gdLoss:F4}", $"{Accuracy(gdWeights, data):P1}");
        AnsiConsole.Write(table);

        string verdict = hfLoss < gdLoss ? "Hessian-free reached the lower loss" : "gradient descent reached the lower loss";
        Console.WriteLine($"{verdict} in the same wall-clock time: {hfLoss:F4} (Hessian-free) vs {gdLoss:F4} (gradient descent).");
        return 0;
    }

    /// <summary>Runs <paramref name="body"/> under a Spectre progress bar; <c>report(k, line)</c> advances it by k and prints a line above it.</summary>
    private static void Run(string title, int total, Action<Action<int, string>> body)
    {
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: total);
                body((k, line) =>
                {
                    AnsiConsole.WriteLine(line);
                    task.Increment(k);
                });
                task.Value = task.MaxValue;
            });
        AnsiConsole.WriteLine();
    }

    /// <summary>Three noisy spiral arms in the plane, one per class, with one-hot targets.</summary>
    private static Dataset Spirals(int perClass, ulong seed)
    {
        var random = new RandomSource(seed);
        int count = perClass * Mlp.Classes;
        var inputs = new double[count * Mlp.Inputs];
        var targets = new double[count * Mlp.Classes];
        for (int k = 0; k < Mlp.Classes; k++)
        {
            for (int i = 0; i < perClass; i++)
            {
                int s = k * perClass + i;
                double t = (i + 0.5) / perClass;                   // 0 … 1 along the arm
                double angle = 2.0 * Math.PI * k / Mlp.Classes + 5.0 * t + 0.1 * random.NextGaussian();
                inputs[s * 2] = t * Math.Cos(angle);
                inputs[s * 2 + 1] = t * Math.Sin(angle);
                targets[s * Mlp.Classes + k] = 1.0;
            }
        }
        return new Dataset(inputs, targets, count);
    }

    /// <summary>Gaussian weights scaled by 1/√fan-in, zero biases.</summary>
    private static double[] InitialWeights(ulong seed)
    {
        var random = new RandomSource(seed);
        var w = new double[Mlp.ParameterCount];
        for (int j = 0; j < Mlp.Hidden; j++)
            for (int i = 0; i < Mlp.Inputs; i++) w[j * (Mlp.Inputs + 1) + i] = 2.0 * random.NextGaussian() / Math.Sqrt(Mlp.Inputs);
        int offset = Mlp.Hidden * (Mlp.Inputs + 1);
        for (int k = 0; k < Mlp.Classes; k++)
            for (int j = 0; j < Mlp.Hidden; j++) w[offset + k * (Mlp.Hidden + 1) + j] = random.NextGaussian() / Math.Sqrt(Mlp.Hidden);
        return w;
    }

    /// <summary>The fraction of points whose largest logit is their class.</summary>
    private static double Accuracy(double[] w, Dataset data)
    {
        Span<double> logits = stackalloc double[Mlp.Classes];
        int correct = 0;
        for (int s = 0; s < data.Count; s++)
        {
            Mlp.Forward(w, data.Input(s), logits);
            int best = 0;
            for (int k = 1; k < Mlp.Classes; k++) if (logits[k] > logits[best]) best = k;
            if (data.Target(s)[best] == 1.0) correct++;
        }
        return (double)correct / data.Count;
    }
}
