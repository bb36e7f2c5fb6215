using System;
using System.Globalization;
using System.IO;
using System.Linq;
using AutoCurv;
using AutoCurv.Models;
using Spectre.Console;

namespace CurvatureReportSample;

/// <summary>
/// Trains the classifier on three overlapping Gaussian blobs (so the loss keeps a non-zero minimum and the
/// curvature does not vanish), then computes a curvature report of the Hessian and of the generalised Gauss–Newton
/// matrix at the trained weights: top eigenvalues (Lanczos), trace (Hutch++), exact diagonal statistics, and the
/// spectral density (stochastic Lanczos quadrature) of the Hessian written as an SVG.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;   // the same numbers and separators everywhere
        string outputDirectory = args.Length > 0 ? args[0] : AppContext.BaseDirectory;
        Directory.CreateDirectory(outputDirectory);
        string svgPath = Path.GetFullPath(Path.Combine(outputDirectory, "spectrum.svg"));

        var data = Blobs(perClass: 80, seed: 3);
        var objective = new Objective<Mlp.ForwardModel, SoftmaxCrossEntropy>(data);
        var w = new double[Mlp.ParameterCount];
        var random = new RandomSource(seed: 17);
        for (int i = 0; i < w.Length; i++) w[i] = 0.5 * random.NextGaussian();

        AnsiConsole.MarkupLine($"[bold]Curvature report[/]: a {Mlp.Inputs} → {Mlp.Hidden} tanh → {Mlp.Classes} classifier ({Mlp.ParameterCount} weights) on {data.Count} points in 3 overlapping blobs.");

        // --- Train by Hessian-free optimisation ----------------------------------------------------------------
        const int iterations = 30;
        var optimizer = new HessianFreeOptimizer<Mlp.ForwardModel, SoftmaxCrossEntropy>(data,
            new HessianFreeOptions { MaxConjugateGradientIterations = 50, Preconditioned = true });
        HessianFreeIteration last = null!;
        var report = new (string Name, CurvatureReport Report)[2];
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var training = ctx.AddTask("Training (Hessian-free)", maxValue: iterations);
                for (int it = 1; it <= iterations; it++)
                {
                    last = optimizer.Step(w);
                    training.Increment(1);
                    if (it % 5 == 0) AnsiConsole.WriteLine($"HF  iter {it,3}  loss {last.Loss:F4}  ‖∇L‖ {last.GradientNorm:E2}");
                }

                // --- The two reports -------------------------------------------------------------------------
                var options = new CurvatureReportOptions { TopEigenvalueCount = 5, TraceMatrixVectorProducts = 90, DensitySteps = 40, DensityProbes = 10, Seed = 1 };
                ICurvatureOperator[] operators =
                {
                    new HessianOperator<Mlp.ForwardModel, SoftmaxCrossEntropy>(w, data),
                    new GgnOperator<Mlp.ForwardModel, SoftmaxCrossEntropy>(w, data),
                };
                string[] names = { "Hessian", "GGN" };
                for (int k = 0; k < operators.Length; k++)
                {
                    var task = ctx.AddTask($"Report: {names[k]}", maxValue: 4);
                    var stages = new Reporter<CurvatureReportStage>(stage =>
                    {
                        if (stage != CurvatureReportStage.TopEigenvalues) task.Increment(1);
                    });
                    report[k] = (names[k], CurvatureReport.Compute(operators[k], options, stages));
                }
            });
        AnsiConsole.WriteLine($"trained: loss {objective.Loss(w):F4}, accuracy {Accuracy(w, data):P1}");

        // --- Table ------------------------------------------------------------------------------------------
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Curvature at the trained weights[/]");
        table.AddColumn("quantity");
        foreach (var (name, _) in report) table.AddColumn(new TableColumn(name).RightAligned());
        void Row(string label, Func<CurvatureReport, string> cell) => table.AddRow(new[] { label }.Concat(report.Select(r => cell(r.Report))).ToArray());
        for (int i = 0; i < 5; i++)
        {
            int index = i;
            Row($"λ{index + 1}", r => index < r.TopEigenvalues.Length ? G(r.TopEigenvalues[index]) : "-");
        }
        Row("trace (Hutch++)", r => G(r.Trace));
        Row("trace (exact diagonal)", r => G(r.Diagonal!.Sum()));
        Row("λ1 / (trace / n)", r => (r.TopEigenvalues[0] / (r.Diagonal!.Sum() / r.Size)).ToString("F1", CultureInfo.InvariantCulture));
        Row("diagonal min", r => G(r.DiagonalStatistics!.Minimum));
        Row("diagonal median", r => G(r.DiagonalStatistics!.Quantiles[2]));
        Row("diagonal mean", r => G(r.DiagonalStatistics!.Mean));
        Row("diagonal max", r => G(r.DiagonalStatistics!.Maximum));
        Row("diagonal std", r => G(r.DiagonalStatistics!.StandardDeviation));
        Row("negative diagonal entries", r => r.DiagonalStatistics!.NegativeCount.ToString(CultureInfo.InvariantCulture));
        Row("density support", r => Markup.Escape($"[{G(r.Density.Nodes.Min())}, {G(r.Density.Nodes.Max())}]"));
        AnsiConsole.Write(table);

        var hessian = report[0].Report;
        Console.WriteLine($"top Hessian eigenvalue {G(hessian.TopEigenvalues[0])}, trace {G(hessian.Trace)}");
        hessian.WriteSvg(svgPath, new SpectralPlotOptions { Title = "Hessian spectral density (SLQ)", LogScale = true });
        Console.WriteLine($"SVG written to {svgPath}");
        return 0;
    }

    private static string G(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>Three Gaussian blobs with unit-ish spread and centres close enough to overlap.</summary>
    private static Dataset Blobs(int perClass, ulong seed)
    {
        var random = new RandomSource(seed);
        double[][] centres = { new[] { -1.0, 0.0 }, new[] { 1.0, 0.0 }, new[] { 0.0, 1.5 } };
        int count = perClass * Mlp.Classes;
        var inputs = new double[count * Mlp.Inputs];
        var targets = new double[count * Mlp.Classes];
        for (int k = 0; k < Mlp.Classes; k++)
        {
            for (int i = 0; i < perClass; i++)
            {
                int s = k * perClass + i;
                inputs[2 * s] = centres[k][0] + 0.7 * random.NextGaussian();
                inputs[2 * s + 1] = centres[k][1] + 0.7 * random.NextGaussian();
                targets[s * Mlp.Classes + k] = 1.0;
            }
        }
        return new Dataset(inputs, targets, count);
    }

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

    /// <summary>An <see cref="IProgress{T}"/> that reports synchronously, on the calling thread.</summary>
    private sealed class Reporter<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
