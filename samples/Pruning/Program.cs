using System;
using System.Globalization;
using AutoCurv;
using Spectre.Console;

namespace PruningSample;

/// <summary>A 4 → 8 tanh → 1 regression network; AutoCurv generates <c>Net.ForwardModel : IModel</c> from it.</summary>
public static partial class Net
{
    public const int Inputs = 4, Hidden = 8;

    /// <summary>w = [Hidden rows of (Inputs weights + bias), then Hidden output weights and the output bias].</summary>
    public const int ParameterCount = Hidden * (Inputs + 1) + Hidden + 1;

    /// <summary>f(x) = Σ_j v_j tanh(a_j·x + b_j) + c.</summary>
    [Differentiable(InputSize = Inputs, OutputSize = 1, ParameterCount = ParameterCount)]
    public static void Forward([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int d = x.Length;
        int hidden = (w.Length - 1) / (d + 2);
        int offset = hidden * (d + 1);
        double f = w[offset + hidden];
        for (int j = 0; j < hidden; j++)
        {
            double a = w[j * (d + 1) + d];
            for (int i = 0; i < d; i++) a += w[j * (d + 1) + i] * x[i];
            f += w[offset + j] * Math.Tanh(a);
        }
        output[0] = f;
    }
}

/// <summary>
/// Trains the network by Levenberg–Marquardt, then removes 10%, 25% and 50% of its weights in two ways:
/// Optimal Brain Damage (saliency ½ H_qq w_q² from the exact Hessian diagonal, weights simply zeroed) and
/// Optimal Brain Surgeon (saliency w_q² / 2[H⁻¹]_qq from the inverse Gauss–Newton outer product built by
/// Sherman–Morrison updates, with the compensating update of the remaining weights), and reports the actual loss
/// increase of each.
/// </summary>
public static class Program
{
    public static int Main()
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;   // the same numbers and separators everywhere
        // Data: y = sin(2 x₁) cos(x₂) + 0.5 x₂ + small noise on [-1.5, 1.5]², with inputs (x₁, x₂, x₁', x₂') where
        // x₁', x₂' are noisy copies. A weight on a copy can be removed almost for free if its value moves onto the
        // original: OBS finds that update from the inverse curvature, OBD (which only zeroes weights) cannot.
        const int count = 200;
        var random = new RandomSource(seed: 5);
        var inputs = new double[count * Net.Inputs];
        var targets = new double[count];
        for (int i = 0; i < count; i++)
        {
            double x1 = -1.5 + 3.0 * random.NextDouble(), x2 = -1.5 + 3.0 * random.NextDouble();
            inputs[4 * i] = x1;
            inputs[4 * i + 1] = x2;
            inputs[4 * i + 2] = x1 + 0.05 * random.NextGaussian();   // a noisy copy of x₁
            inputs[4 * i + 3] = x2 + 0.05 * random.NextGaussian();   // a noisy copy of x₂
            targets[i] = Math.Sin(2.0 * x1) * Math.Cos(x2) + 0.5 * x2 + 0.02 * random.NextGaussian();
        }
        var data = new Dataset(inputs, targets, count);
        var objective = new Objective<Net.ForwardModel, MeanSquaredError>(data);
        int n = Net.ParameterCount;

        var w = new double[n];
        for (int j = 0; j < Net.Hidden; j++)
        {
            for (int i = 0; i <= Net.Inputs; i++) w[j * (Net.Inputs + 1) + i] = 0.7 * random.NextGaussian();
            w[Net.Hidden * (Net.Inputs + 1) + j] = 0.3 * random.NextGaussian();
        }

        AnsiConsole.MarkupLine($"[bold]OBD vs OBS pruning[/]: a {Net.Inputs} → {Net.Hidden} tanh → 1 network ({n} weights), {count} samples, mean squared error.");

        // --- Train ------------------------------------------------------------------------------------------
        const int maxIterations = 300;
        LevenbergMarquardtResult fit = null!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("Training (Levenberg–Marquardt)", maxValue: maxIterations);
                fit = LevenbergMarquardt.Minimize<Net.ForwardModel>(w, data,
                    new LevenbergMarquardtOptions { MaxIterations = maxIterations, GradientTolerance = 1e-10 },
                    new Reporter<LevenbergMarquardtIteration>(step =>
                    {
                        task.Increment(1);
                        if (step.Iteration % 25 == 0)
                            AnsiConsole.WriteLine($"LM  iter {step.Iteration,4}  mean loss {step.Loss:E3}");
                    }));
                task.Value = task.MaxValue;
            });
        double baseLoss = objective.Loss(w);
        var gradient = new double[n];
        objective.Gradient(w, gradient);
        double gradientNorm = 0.0;
        foreach (double g in gradient) gradientNorm = Math.Max(gradientNorm, Math.Abs(g));
        AnsiConsole.WriteLine($"trained: {fit.Iterations} iterations ({fit.StopReason}), mean loss {baseLoss:E3}, max |∇L| {gradientNorm:E1}");

        // --- Curvature --------------------------------------------------------------------------------------
        var hessian = new HessianOperator<Net.ForwardModel, MeanSquaredError>(w, data);
        var diagonal = new double[n];
        hessian.Diagonal(diagonal);                                   // exact diag(H), no dense matrix
        // α keeps the compensating update out of the nearly flat directions, where the loss is far from quadratic.
        const double damping = 1e-4;
        var inverse = AutoCurv.Pruning.InverseOuterProduct<Net.ForwardModel, MeanSquaredError>(
            w, data, damping, OuterProductCurvature.GaussNewton);       // (G + αI)⁻¹ by Sherman–Morrison
        int negative = 0;
        foreach (double h in diagonal) if (h < 0) negative++;
        AnsiConsole.WriteLine($"curvature: exact Hessian diagonal ({negative} negative entries), inverse Gauss–Newton outer product + {damping:G1}·I");

        // --- Prune ------------------------------------------------------------------------------------------
        var fractions = new[] { 0.10, 0.25, 0.50 };
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Loss increase after pruning[/]");
        table.AddColumn(new TableColumn("pruned").RightAligned());
        table.AddColumn(new TableColumn("OBD est.").RightAligned());
        table.AddColumn(new TableColumn("OBD actual").RightAligned());
        table.AddColumn(new TableColumn("OBS est.").RightAligned());
        table.AddColumn(new TableColumn("OBS actual").RightAligned());
        table.AddColumn(new TableColumn("OBD ÷ OBS").RightAligned());
        bool obsNeverWorse = true;
        foreach (double fraction in fractions)
        {
            int prune = (int)Math.Round(fraction * n);

            var obd = (double[])w.Clone();
            var obdResult = AutoCurv.Pruning.PruneOptimalBrainDamage(obd, diagonal, prune);
            double obdIncrease = objective.Loss(obd) - baseLoss;

            var obs = (double[])w.Clone();
            var obsResult = AutoCurv.Pruning.OptimalBrainSurgeon(obs, inverse, prune);
            double obsIncrease = objective.Loss(obs) - baseLoss;
            obsNeverWorse &= obsIncrease <= obdIncrease;

            table.AddRow($"{fraction:P0} ({prune})", E(obdResult.EstimatedLossIncrease), E(obdIncrease),
                E(obsResult.EstimatedLossIncrease), E(obsIncrease), Ratio(obdIncrease, obsIncrease));
            Console.WriteLine($"pruned {fraction:P0}: OBD loss increase {E(obdIncrease)}, OBS loss increase {E(obsIncrease)}");
        }
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"base mean loss {baseLoss:E3}; est. = sum of saliencies (quadratic model), actual = L(pruned) − L(trained).");
        Console.WriteLine(obsNeverWorse
            ? "OBS <= OBD at every pruning level: the compensating update pays off."
            : "OBS > OBD at some pruning level: the quadratic model broke down there.");
        return 0;
    }

    private static string Ratio(double a, double b) =>
        b <= 0 ? "-" : (a / b).ToString(a / b >= 100 ? "F0" : "F1", CultureInfo.InvariantCulture) + "×";

    private static string E(double value) => value.ToString("E2", CultureInfo.InvariantCulture);

    /// <summary>An <see cref="IProgress{T}"/> that reports synchronously, on the calling thread.</summary>
    private sealed class Reporter<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
