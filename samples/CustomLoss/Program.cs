using System;
using System.Linq;
using AutoCurv;

namespace CustomLoss;

/// <summary>
/// A softplus activation AutoCurv does not know, taught to it with one [DerivativeOf] tangent rule.
/// </summary>
public static class Activations
{
    /// <summary>softplus(x) = log(1 + eˣ), without overflow for large |x|.</summary>
    public static double Softplus(double x) => x > 0 ? x + Math.Log(1.0 + Math.Exp(-x)) : Math.Log(1.0 + Math.Exp(x));

    /// <summary>The tangent rule: d softplus = σ(x)·dx, each branch free of overflow. Gradients, GGN products and
    /// Hessians all come from this one line.</summary>
    [DerivativeOf(nameof(Softplus))]
    public static double SoftplusTangent(double x, double dx) =>
        x >= 0 ? dx / (1.0 + Math.Exp(-x)) : dx * Math.Exp(x) / (1.0 + Math.Exp(x));
}

/// <summary>
/// Fits a one-hidden-layer softplus network to data with 15% gross outliers, by damped Gauss–Newton on a Huber
/// loss written in C#, and compares it with the same fit on the squared error.
/// </summary>
public static partial class Program
{
    private const int Hidden = 10;

    /// <summary>The model: f(x) = b + Σ_j v_j softplus(a_j x + c_j); w = [a_j, c_j (pairs)…, v_j…, b].</summary>
    [Differentiable]
    public static void Net([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int hidden = (w.Length - 1) / 3;
        double f = w[3 * hidden];
        for (int j = 0; j < hidden; j++)
            f += w[2 * hidden + j] * Activations.Softplus(w[2 * j] * x[0] + w[2 * j + 1]);
        output[0] = f;
    }

    /// <summary>
    /// The Huber loss, Σ_c h(f_c − y_c) with h(r) = ½r² for |r| ≤ 1 and |r| − ½ beyond: quadratic for inliers,
    /// linear (bounded gradient) for outliers. Being a [Differentiable] (output, target) function, it gets a
    /// nested <c>HuberLoss : ILoss</c> that every operator accepts.
    /// </summary>
    [Differentiable]
    public static double Huber([Wrt] ReadOnlySpan<double> output, ReadOnlySpan<double> target)
    {
        double total = 0.0;
        for (int c = 0; c < output.Length; c++)
        {
            double r = output[c] - target[c];
            double a = Math.Abs(r);
            total += a <= 1.0 ? 0.5 * r * r : a - 0.5;
        }
        return total;
    }

    private static double Truth(double x) => Math.Sin(1.5 * x) + 0.5 * x;

    public static void Main()
    {
        // 200 noisy samples of Truth, 30 of them replaced by gross outliers; fixed seed, same numbers every run.
        const int count = 200;
        var random = new RandomSource(seed: 7);
        var inputs = new double[count];
        var targets = new double[count];
        int outliers = 0;
        for (int i = 0; i < count; i++)
        {
            inputs[i] = -3.0 + 6.0 * random.NextDouble();
            targets[i] = Truth(inputs[i]) + 0.1 * random.NextGaussian();
            if (i % 20 < 3)
            {
                targets[i] += (random.NextDouble() < 0.5 ? -1 : 1) * (4.0 + 4.0 * random.NextDouble());
                outliers++;
            }
        }
        var data = new Dataset(inputs, targets, count);

        var initial = new double[3 * Hidden + 1];
        for (int j = 0; j < Hidden; j++)
        {
            initial[2 * j] = random.NextGaussian();
            initial[2 * j + 1] = random.NextGaussian();
            initial[2 * Hidden + j] = 0.3 * random.NextGaussian();
        }

        Console.WriteLine($"{count} samples, {outliers} outliers, {initial.Length} parameters, softplus via a [DerivativeOf] rule");
        Console.WriteLine();
        Console.WriteLine("Huber loss (written in C#), damped Gauss–Newton:");
        double[] huber = Train<HuberLoss>(initial, data, epochs: 25);
        Console.WriteLine();
        Console.WriteLine("Squared error (built-in MeanSquaredError), same optimiser:");
        double[] squared = Train<MeanSquaredError>(initial, data, epochs: 25, print: false);

        // Per-sample squared gradient norms at the Huber fit, one pass each (BackPACK's BatchL2): under the Huber loss
        // an outlier pulls with |∂ℓ/∂f| ≤ 1; under the squared error it would pull with its whole residual.
        var huberNorms = new double[count];
        var squaredNorms = new double[count];
        PerSample<NetModel, HuberLoss>.GradientNorms(huber, data, huberNorms);
        PerSample<NetModel, MeanSquaredError>.GradientNorms(huber, data, squaredNorms);
        bool IsOutlier(int i) => i % 20 < 3;
        double huberOutliers = huberNorms.Where((_, i) => IsOutlier(i)).Average();
        double squaredOutliers = squaredNorms.Where((_, i) => IsOutlier(i)).Average();
        var variance = new double[huber.Length];
        PerSample<NetModel, HuberLoss>.GradientVariance(huber, data, variance);

        Console.WriteLine();
        Console.WriteLine("Summary");
        Console.WriteLine($"  RMSE against the clean curve, Huber:         {CleanError(huber):F4}");
        Console.WriteLine($"  RMSE against the clean curve, squared error: {CleanError(squared):F4}");
        Console.WriteLine($"  Mean outlier ‖∇ℓ_i‖² at the Huber fit: {huberOutliers:F2} under Huber, {squaredOutliers:F2} under squared error");
        Console.WriteLine($"  Total per-sample gradient variance at the Huber fit: {variance.Sum():F3}");
        Console.WriteLine($"  Negative curvature clipped from H_ℓ at a sample: {HuberLoss.NegativeCurvature(new[] { 0.0 }, new[] { 0.3 })} (Huber is convex)");
    }

    /// <summary>
    /// Damped Gauss–Newton: each epoch solves (G + λI) d = −∇L with conjugate gradients on the GGN of the mean loss
    /// (G = mean Jᵀ H_ℓ J, H_ℓ from the loss's generated Hessian), accepts the step if the loss drops (λ /= 3) or
    /// rejects it (λ *= 4).
    /// </summary>
    private static double[] Train<TLoss>(double[] initial, Dataset data, int epochs, bool print = true)
        where TLoss : struct, ILoss
    {
        double[] w = (double[])initial.Clone();
        int n = w.Length;
        var objective = new Objective<NetModel, TLoss>(data);
        var gradient = new double[n];
        var step = new double[n];
        var trial = new double[n];
        double damping = 1.0;
        double loss = objective.Gradient(w, gradient);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var ggn = new GgnOperator<NetModel, TLoss>(w, data);
            for (int j = 0; j < n; j++) gradient[j] = -gradient[j];
            Array.Clear(step);
            ConjugateGradient.Solve(ggn, gradient, step, damping, tolerance: 1e-6, maxIterations: 50);
            for (int j = 0; j < n; j++) trial[j] = w[j] + step[j];
            double trialLoss = objective.Loss(trial);
            bool accepted = trialLoss < loss;
            if (accepted)
            {
                Array.Copy(trial, w, n);
                damping = Math.Max(damping / 3.0, 1e-6);
            }
            else
            {
                damping *= 4.0;
            }
            loss = objective.Gradient(w, gradient);
            if (print)
                Console.WriteLine($"  epoch {epoch,3}: loss {loss:F5}  damping {damping:E1}{(accepted ? "" : "  (step rejected)")}");
        }
        if (!print) Console.WriteLine($"  after {epochs} epochs: loss {loss:F5}");
        return w;
    }

    /// <summary>Root-mean-square distance of the fit from the outlier-free curve on a grid over [−3, 3].</summary>
    private static double CleanError(double[] w)
    {
        double sum = 0;
        var output = new double[1];
        const int points = 121;
        for (int k = 0; k < points; k++)
        {
            double x = -3.0 + 6.0 * k / (points - 1);
            Net(w, new[] { x }, output);
            sum += (output[0] - Truth(x)) * (output[0] - Truth(x));
        }
        return Math.Sqrt(sum / points);
    }
}
