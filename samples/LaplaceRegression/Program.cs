using System;
using System.Globalization;
using System.IO;
using System.Text;
using AutoCurv;
using Spectre.Console;

namespace LaplaceRegression;

/// <summary>A 1 → 16 tanh → 1 regression network; AutoCurv generates <c>Net.ForwardModel : IModel</c> from it.</summary>
public static partial class Net
{
    public const int Hidden = 16;

    /// <summary>w = [Hidden rows of (weight, bias), then Hidden output weights and the output bias].</summary>
    public const int ParameterCount = 2 * Hidden + Hidden + 1;

    /// <summary>f(x) = Σ_j v_j tanh(a_j x + b_j) + c.</summary>
    [Differentiable(InputSize = 1, OutputSize = 1, ParameterCount = ParameterCount)]
    public static void Forward([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int hidden = (w.Length - 1) / 3;
        double f = w[3 * hidden];
        for (int j = 0; j < hidden; j++)
        {
            f += w[2 * hidden + j] * Math.Tanh(w[2 * j] * x[0] + w[2 * j + 1]);
        }
        output[0] = f;
    }
}

/// <summary>
/// Fits the network to noisy samples of a smooth curve (with a gap in the data) by Levenberg–Marquardt, builds the
/// Laplace approximation of the posterior with the full generalised Gauss–Newton matrix, fits the prior precision
/// by maximising the evidence, and writes the predictive mean with a ±2σ band as an SVG.
/// </summary>
public static class Program
{
    /// <summary>The standard deviation of the observation noise. Targets are divided by it, so that the sample's
    /// <see cref="MeanSquaredError"/> (½ r², the negative log likelihood of y ~ N(f, 1)) is the exact likelihood.</summary>
    private const double NoiseStd = 0.1;

    private static double Truth(double x) => Math.Sin(1.5 * x) + 0.3 * x;

    public static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;   // the same numbers and separators everywhere
        string outputDirectory = args.Length > 0 ? args[0] : AppContext.BaseDirectory;
        Directory.CreateDirectory(outputDirectory);
        string svgPath = Path.GetFullPath(Path.Combine(outputDirectory, "laplace_band.svg"));

        // Data: x in [-3, -0.8] ∪ [0.8, 3] (a gap in the middle), y = truth + noise, in units of the noise std.
        const int count = 160;
        var random = new RandomSource(seed: 2024);
        var xs = new double[count];
        var ys = new double[count];
        for (int i = 0; i < count; i++)
        {
            double u = random.NextDouble();
            xs[i] = i < count / 2 ? -3.0 + 2.2 * u : 0.8 + 2.2 * u;
            ys[i] = Truth(xs[i]) + NoiseStd * random.NextGaussian();
        }
        var scaledTargets = new double[count];
        for (int i = 0; i < count; i++) scaledTargets[i] = ys[i] / NoiseStd;
        var data = new Dataset((double[])xs.Clone(), scaledTargets, count);

        AnsiConsole.MarkupLine($"[bold]Laplace regression[/]: {count} noisy points (σ = {NoiseStd}), a 1 → {Net.Hidden} tanh → 1 network ({Net.ParameterCount} weights).");

        // Initial weights: small random input layer spread over the data range, small output layer.
        var w = new double[Net.ParameterCount];
        for (int j = 0; j < Net.Hidden; j++)
        {
            w[2 * j] = 1.5 * random.NextGaussian();
            w[2 * j + 1] = 2.0 * random.NextGaussian();
            w[2 * Net.Hidden + j] = 0.5 * random.NextGaussian();
        }

        // --- Train by Levenberg–Marquardt, with a progress bar ---------------------------------------------
        const int maxIterations = 100;
        LevenbergMarquardtResult fit = null!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("Levenberg–Marquardt", maxValue: maxIterations);
                var progress = new Reporter<LevenbergMarquardtIteration>(step =>
                {
                    task.Increment(1);
                    if (step.Iteration % 10 == 0 || step.Iteration == 1)
                        AnsiConsole.WriteLine($"LM  iter {step.Iteration,4}  mean loss {step.Loss:F4}  λ {step.Damping:G3}");
                });
                fit = LevenbergMarquardt.Minimize<Net.ForwardModel>(w, data,
                    new LevenbergMarquardtOptions { MaxIterations = maxIterations }, progress);
                task.Value = task.MaxValue;
            });
        double rms = Math.Sqrt(2.0 * fit.Loss) * NoiseStd;
        AnsiConsole.MarkupLine($"trained: {fit.Iterations} iterations ({fit.StopReason}), RMS residual {rms:F4} (noise σ {NoiseStd})");

        // --- Laplace approximation with the full GGN; evidence before and after fitting α -------------------
        var laplace = new LaplaceApproximation<Net.ForwardModel, MeanSquaredError>(w, data,
            new LaplaceOptions { Curvature = LaplaceCurvature.Ggn, Structure = LaplaceStructure.Full, PriorPrecision = 1.0 });
        double evidenceBefore = laplace.LogMarginalLikelihood();
        double alpha = laplace.FitPriorPrecision(1e-4, 1e4);
        double evidence = laplace.LogMarginalLikelihood();
        // MeanSquaredError leaves out −(N/2)·log 2π and the Jacobian of y ↦ y/σ: add them for a density in y.
        double evidenceInY = evidence - 0.5 * count * Math.Log(2.0 * Math.PI) - count * Math.Log(NoiseStd);

        var fitTable = new Table().Border(TableBorder.Rounded).Title("[bold]Laplace approximation (GGN, full)[/]");
        fitTable.AddColumn("quantity");
        fitTable.AddColumn(new TableColumn("value").RightAligned());
        fitTable.AddRow("log likelihood at θ* (targets / σ)", F(laplace.LogLikelihood));
        fitTable.AddRow("log evidence, α = 1", F(evidenceBefore));
        fitTable.AddRow("fitted prior precision α", alpha.ToString("G4", CultureInfo.InvariantCulture));
        fitTable.AddRow("log evidence, fitted α", F(evidence));
        fitTable.AddRow("log evidence as a density in y", F(evidenceInY));
        AnsiConsole.Write(fitTable);
        Console.WriteLine($"log evidence: {evidence:F3} at fitted prior precision α = {alpha:G4}");

        // --- Predictions ------------------------------------------------------------------------------------
        var mean = new double[1];
        var variance = new double[1];
        var input = new double[1];
        (double Mean, double Model, double Total) Predict(double x)
        {
            input[0] = x;
            laplace.Predict(input, mean, variance);
            double model = Math.Sqrt(variance[0]) * NoiseStd;                    // epistemic, in y units
            double total = Math.Sqrt(variance[0] + 1.0) * NoiseStd;              // plus the observation noise
            return (mean[0] * NoiseStd, model, total);
        }

        var predictions = new Table().Border(TableBorder.Rounded).Title("[bold]Predictions[/]");
        predictions.AddColumn(new TableColumn("x").RightAligned());
        predictions.AddColumn(new TableColumn("true f(x)").RightAligned());
        predictions.AddColumn(new TableColumn("mean").RightAligned());
        predictions.AddColumn(new TableColumn("σ model").RightAligned());
        predictions.AddColumn(new TableColumn("σ total").RightAligned());
        predictions.AddColumn("where");
        foreach (double x in new[] { -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0 })
        {
            var p = Predict(x);
            string where = Math.Abs(x) > 3.0 ? "outside the data" : Math.Abs(x) < 0.8 ? "in the gap" : "among the data";
            predictions.AddRow(F(x, "F1"), F(Truth(x)), F(p.Mean), F(p.Model), F(p.Total), where);
        }
        AnsiConsole.Write(predictions);

        // --- SVG --------------------------------------------------------------------------------------------
        const int points = 241;
        var gridX = new double[points];
        var gridMean = new double[points];
        var gridStd = new double[points];
        for (int k = 0; k < points; k++)
        {
            gridX[k] = -4.5 + 9.0 * k / (points - 1);
            var p = Predict(gridX[k]);
            gridMean[k] = p.Mean;
            gridStd[k] = p.Total;
        }
        File.WriteAllText(svgPath, BandSvg.Render(xs, ys, gridX, gridMean, gridStd, Truth,
            $"Laplace predictive band (GGN, α = {alpha:G3}, log evidence {evidence:F1})"), new UTF8Encoding(false));
        Console.WriteLine($"SVG written to {svgPath}");
        return 0;
    }

    private static string F(double value, string format = "F3") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>An <see cref="IProgress{T}"/> that reports synchronously, on the calling thread.</summary>
    private sealed class Reporter<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}

/// <summary>Writes a self-contained SVG: data points, the true curve, the predictive mean and a ±2σ band.</summary>
internal static class BandSvg
{
    public static string Render(double[] xs, double[] ys, double[] gridX, double[] mean, double[] std, Func<double, double> truth, string title)
    {
        const double width = 720, height = 440, left = 60, right = 20, top = 50, bottom = 50;
        double plotW = width - left - right, plotH = height - top - bottom;
        double xMin = gridX[0], xMax = gridX[^1];
        double yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        // The y range follows the data (the band may leave it far from the data, where it is clipped).
        foreach (double y in ys) { yMin = Math.Min(yMin, y); yMax = Math.Max(yMax, y); }
        yMin = Math.Floor(yMin - 1.0); yMax = Math.Ceiling(yMax + 1.0);
        double X(double x) => left + (x - xMin) / (xMax - xMin) * plotW;
        double Y(double y) => top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
        static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" font-family=\"sans-serif\">");
        svg.AppendLine($"  <title>{Escape(title)}</title>");
        svg.AppendLine($"  <rect x=\"0\" y=\"0\" width=\"{N(width)}\" height=\"{N(height)}\" fill=\"white\"/>");
        svg.AppendLine($"  <text x=\"{N(width / 2)}\" y=\"28\" font-size=\"15\" text-anchor=\"middle\">{Escape(title)}</text>");

        // Grid, ticks and axes.
        for (double t = Math.Ceiling(xMin); t <= xMax + 1e-9; t += 1)
        {
            svg.AppendLine($"  <line x1=\"{N(X(t))}\" y1=\"{N(top)}\" x2=\"{N(X(t))}\" y2=\"{N(top + plotH)}\" stroke=\"#eeeeee\"/>");
            svg.AppendLine($"  <text x=\"{N(X(t))}\" y=\"{N(top + plotH + 18)}\" font-size=\"11\" text-anchor=\"middle\">{N(t)}</text>");
        }
        double yStep = (yMax - yMin) > 6 ? 2 : 1;
        for (double t = yMin; t <= yMax + 1e-9; t += yStep)
        {
            svg.AppendLine($"  <line x1=\"{N(left)}\" y1=\"{N(Y(t))}\" x2=\"{N(left + plotW)}\" y2=\"{N(Y(t))}\" stroke=\"#eeeeee\"/>");
            svg.AppendLine($"  <text x=\"{N(left - 8)}\" y=\"{N(Y(t) + 4)}\" font-size=\"11\" text-anchor=\"end\">{N(t)}</text>");
        }
        svg.AppendLine($"  <rect x=\"{N(left)}\" y=\"{N(top)}\" width=\"{N(plotW)}\" height=\"{N(plotH)}\" fill=\"none\" stroke=\"black\"/>");
        svg.AppendLine($"  <text x=\"{N(left + plotW / 2)}\" y=\"{N(height - 12)}\" font-size=\"12\" text-anchor=\"middle\">x</text>");
        svg.AppendLine($"  <text x=\"16\" y=\"{N(top + plotH / 2)}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 {N(top + plotH / 2)})\">y</text>");

        svg.AppendLine($"  <defs><clipPath id=\"plot\"><rect x=\"{N(left)}\" y=\"{N(top)}\" width=\"{N(plotW)}\" height=\"{N(plotH)}\"/></clipPath></defs>");
        svg.AppendLine("  <g clip-path=\"url(#plot)\">");

        // ±2σ band: upper edge left to right, lower edge right to left.
        var band = new StringBuilder();
        for (int k = 0; k < gridX.Length; k++) band.Append($"{N(X(gridX[k]))},{N(Y(mean[k] + 2 * std[k]))} ");
        for (int k = gridX.Length - 1; k >= 0; k--) band.Append($"{N(X(gridX[k]))},{N(Y(mean[k] - 2 * std[k]))} ");
        svg.AppendLine($"  <polygon class=\"band\" points=\"{band.ToString().TrimEnd()}\" fill=\"#1f77b4\" fill-opacity=\"0.2\" stroke=\"none\"/>");

        var truthLine = new StringBuilder();
        var meanLine = new StringBuilder();
        for (int k = 0; k < gridX.Length; k++)
        {
            truthLine.Append($"{N(X(gridX[k]))},{N(Y(truth(gridX[k])))} ");
            meanLine.Append($"{N(X(gridX[k]))},{N(Y(mean[k]))} ");
        }
        svg.AppendLine($"  <polyline class=\"truth\" points=\"{truthLine.ToString().TrimEnd()}\" fill=\"none\" stroke=\"#888888\" stroke-width=\"1.2\" stroke-dasharray=\"5,4\"/>");
        svg.AppendLine($"  <polyline class=\"mean\" points=\"{meanLine.ToString().TrimEnd()}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>");
        for (int i = 0; i < xs.Length; i++)
            svg.AppendLine($"  <circle class=\"data\" cx=\"{N(X(xs[i]))}\" cy=\"{N(Y(ys[i]))}\" r=\"3\" fill=\"#d62728\"/>");

        svg.AppendLine("  </g>");

        // Legend.
        double lx = left + 12, ly = top + 14;
        svg.AppendLine($"  <rect x=\"{N(lx - 6)}\" y=\"{N(ly - 12)}\" width=\"190\" height=\"74\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>");
        svg.AppendLine($"  <circle cx=\"{N(lx + 10)}\" cy=\"{N(ly)}\" r=\"3\" fill=\"#d62728\"/><text x=\"{N(lx + 26)}\" y=\"{N(ly + 4)}\" font-size=\"11\">data</text>");
        svg.AppendLine($"  <line x1=\"{N(lx)}\" y1=\"{N(ly + 18)}\" x2=\"{N(lx + 20)}\" y2=\"{N(ly + 18)}\" stroke=\"#1f77b4\" stroke-width=\"2\"/><text x=\"{N(lx + 26)}\" y=\"{N(ly + 22)}\" font-size=\"11\">predictive mean</text>");
        svg.AppendLine($"  <rect x=\"{N(lx)}\" y=\"{N(ly + 30)}\" width=\"20\" height=\"10\" fill=\"#1f77b4\" fill-opacity=\"0.2\"/><text x=\"{N(lx + 26)}\" y=\"{N(ly + 40)}\" font-size=\"11\">±2σ (model + noise)</text>");
        svg.AppendLine($"  <line x1=\"{N(lx)}\" y1=\"{N(ly + 54)}\" x2=\"{N(lx + 20)}\" y2=\"{N(ly + 54)}\" stroke=\"#888888\" stroke-dasharray=\"5,4\"/><text x=\"{N(lx + 26)}\" y=\"{N(ly + 58)}\" font-size=\"11\">true function</text>");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
