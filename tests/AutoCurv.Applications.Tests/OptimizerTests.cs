using AutoCurv;
using AutoCurv.Applications.Tests.Models;
using AutoCurv.Applications.Tests.Support;
using MathNet.Numerics.LinearAlgebra;

namespace AutoCurv.Applications.Tests;

public class OptimizerTests
{
    /// <summary>Linear regression whose inputs have scales 1, 10 and 100: the Hessian's condition number is ~1e4 or more.</summary>
    private static Dataset IllConditioned(int count, ulong seed)
    {
        var scales = new[] { 1.0, 10.0, 100.0 };
        var inputs = Reference.RandomVector(count * 3, seed);
        for (int i = 0; i < count; i++)
            for (int j = 0; j < 3; j++) inputs[i * 3 + j] *= scales[j];
        var targets = Reference.RandomVector(count, seed + 1);
        return new Dataset(inputs, targets, count);
    }

    /// <summary>Plain gradient descent with a fixed step; returns the iterations needed to reach the target (or the cap).</summary>
    private static int GradientDescentIterations<TModel>(double[] w, Dataset data, double step, double target, int cap) where TModel : struct, IModel
    {
        var objective = new Objective<TModel, MeanSquaredError>(data);
        var gradient = new double[w.Length];
        for (int k = 0; k < cap; k++)
        {
            double loss = objective.Gradient(w, gradient);
            if (loss <= target) return k;
            for (int p = 0; p < w.Length; p++) w[p] -= step * gradient[p];
        }
        return objective.Loss(w) <= target ? cap : int.MaxValue;
    }

    [Fact]
    public void HessianFreeBeatsGradientDescentOnIllConditionedProblem()
    {
        var data = IllConditioned(50, 1);
        var optimum = Reference.Ridge(data, 0.0);
        var objective = new Objective<LinearModel, MeanSquaredError>(data);
        double best = objective.Loss(optimum);
        var start = new double[optimum.Length];
        double target = best + 1e-8 * (objective.Loss(start) - best);

        var phi = Reference.Design(data);
        var eigen = (phi.TransposeThisAndMultiply(phi) / data.Count).Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
        double condition = eigen.Max() / eigen.Min();
        Assert.True(condition > 1e4, $"condition number {condition}");

        // Gradient descent with the optimal fixed step 2 / (λmax + λmin).
        int gd = GradientDescentIterations<LinearModel>((double[])start, data, 2.0 / (eigen.Max() + eigen.Min()), target, 20000);

        var w = (double[])start.Clone();
        var optimizer = new HessianFreeOptimizer<LinearModel, MeanSquaredError>(data, new HessianFreeOptions { TargetLoss = target, InitialDamping = 1e-3 });
        var result = optimizer.Minimize(w);
        Assert.Equal(OptimizationStopReason.TargetLoss, result.StopReason);
        Assert.True(result.Converged);
        Assert.True(result.Iterations <= 10, $"HF took {result.Iterations} iterations");
        Assert.True(gd > 100 * result.Iterations, $"GD took {gd} iterations, HF {result.Iterations}");
        Reference.AssertClose(optimum, w, 1e-3);
    }

    [Fact]
    public void HessianFreeBeatsGradientDescentOnNonlinearNetwork()
    {
        const int count = 60;
        var inputs = Reference.RandomVector(count * 2, 5);
        for (int i = 0; i < count; i++) inputs[2 * i + 1] *= 20.0; // badly scaled second input
        var targets = new double[count];
        for (int i = 0; i < count; i++) targets[i] = Math.Tanh(0.8 * inputs[2 * i] - 0.05 * inputs[2 * i + 1]) + 0.3 * inputs[2 * i];
        var data = new Dataset(inputs, targets, count);
        var start = Reference.RandomVector(TanhModel.ParameterCount(2, 1), 6, 0.1);

        // The best of several fixed gradient-descent steps after 2000 iterations sets the target.
        var objective = new Objective<TanhModel, MeanSquaredError>(data);
        double target = double.PositiveInfinity;
        foreach (double step in new[] { 0.3, 0.1, 0.03, 0.01, 0.003 })
        {
            var w = (double[])start.Clone();
            GradientDescentIterations<TanhModel>(w, data, step, double.NegativeInfinity, 2000);
            double loss = objective.Loss(w);
            if (double.IsFinite(loss)) target = Math.Min(target, loss);
        }
        Assert.True(double.IsFinite(target));

        var hf = (double[])start.Clone();
        var optimizer = new HessianFreeOptimizer<TanhModel, MeanSquaredError>(data, new HessianFreeOptions { TargetLoss = target, MaxIterations = 200 });
        var result = optimizer.Minimize(hf);
        Assert.Equal(OptimizationStopReason.TargetLoss, result.StopReason);
        // Fixed seeds: HF needs 7 outer iterations (53 GGN-vector products in CG) where GD needed 2000 gradients.
        int products = result.History.Sum(s => s.ConjugateGradientIterations);
        Assert.True(result.Iterations <= 20, $"HF took {result.Iterations} iterations to reach GD's 2000-iteration loss {target}");
        Assert.True(products < 500, $"HF used {products} GGN-vector products");
    }

    [Fact]
    public void DampingFollowsTheReductionRatioAndRejectedStepsKeepParameters()
    {
        const int count = 40;
        var inputs = Reference.RandomVector(count * 2, 7);
        var targets = Reference.RandomVector(count * 2, 8);
        var data = new Dataset(inputs, targets, count);
        var w = Reference.RandomVector(TanhModel.ParameterCount(2, 2), 9, 2.0);
        var options = new HessianFreeOptions { InitialDamping = 1e-4, MaxIterations = 40, WarmStartDecay = 0.0 };
        var optimizer = new HessianFreeOptimizer<TanhModel, MeanSquaredError>(data, options);
        var objective = new Objective<TanhModel, MeanSquaredError>(data);
        var progress = new ListProgress<HessianFreeIteration>();

        double previous = objective.Loss(w);
        var result = optimizer.Minimize(w, progress);
        Assert.Equal(result.History, progress.Items);
        Assert.Equal(result.Loss, objective.Loss(w));

        for (int k = 0; k < result.History.Count; k++)
        {
            var step = result.History[k];
            Assert.Equal(k + 1, step.Iteration);
            Assert.True(step.ConjugateGradientIterations >= 1);
            if (step.Accepted) Assert.True(step.Loss < previous);
            else Assert.Equal(previous, step.Loss);
            previous = step.Loss;

            double next = k + 1 < result.History.Count ? result.History[k + 1].Damping : optimizer.Damping;
            double expected = !step.Accepted || step.ReductionRatio < 0.25 ? step.Damping * 1.5
                : step.ReductionRatio > 0.75 ? step.Damping * 2.0 / 3.0 : step.Damping;
            expected = Math.Clamp(expected, options.MinimumDamping, options.MaximumDamping);
            Assert.Equal(expected, next, 12);
        }
        Assert.Contains(result.History, s => s.ReductionRatio > 0.75);
    }

    [Fact]
    public void StepMatchesMinimizeAndHonoursCancellation()
    {
        var data = IllConditioned(30, 11);
        var a = new double[4];
        var b = new double[4];
        var first = new HessianFreeOptimizer<LinearModel, MeanSquaredError>(data, new HessianFreeOptions { MaxIterations = 3, GradientTolerance = 0 });
        var second = new HessianFreeOptimizer<LinearModel, MeanSquaredError>(data, new HessianFreeOptions { MaxIterations = 3, GradientTolerance = 0 });
        var minimized = first.Minimize(a);
        for (int k = 0; k < minimized.Iterations; k++) Assert.Equal(minimized.History[k], second.Step(b));
        Assert.Equal(a, b);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var c = new double[4];
        Assert.Throws<OperationCanceledException>(() => second.Minimize(c, cancellationToken: cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => second.Step(c, cancelled.Token));
        Assert.All(c, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void PreconditionedHessianFreeConverges()
    {
        var data = IllConditioned(50, 13);
        var optimum = Reference.Ridge(data, 0.0);
        var w = new double[optimum.Length];
        var optimizer = new HessianFreeOptimizer<LinearModel, MeanSquaredError>(data,
            new HessianFreeOptions { Preconditioned = true, InitialDamping = 1e-6, GradientTolerance = 1e-9, MaxIterations = 50 });
        var result = optimizer.Minimize(w);
        Assert.True(result.Converged, result.StopReason.ToString());
        Reference.AssertClose(optimum, w, 1e-6);
    }

    public static TheoryData<LeastSquaresSolver, bool> Solvers => new()
    {
        { LeastSquaresSolver.Cholesky, false },
        { LeastSquaresSolver.Cholesky, true },
        { LeastSquaresSolver.ConjugateGradient, false },
        { LeastSquaresSolver.ConjugateGradient, true },
        { LeastSquaresSolver.Auto, false },
    };

    [Theory]
    [MemberData(nameof(Solvers))]
    public void LevenbergMarquardtSolvesExponentialFit(LeastSquaresSolver solver, bool scaled)
    {
        // y = 2.5 e^{−1.3 t} + 0.7 sampled exactly: a zero-residual nonlinear least-squares problem.
        const int count = 25;
        var t = new double[count];
        var y = new double[count];
        for (int i = 0; i < count; i++)
        {
            t[i] = 0.1 * i;
            y[i] = 2.5 * Math.Exp(-1.3 * t[i]) + 0.7;
        }
        var data = new Dataset(t, y, count);
        var w = new[] { 1.0, 0.0, 0.0 };
        var progress = new ListProgress<LevenbergMarquardtIteration>();
        var result = LevenbergMarquardt.Minimize<DenseModel<ExponentialDefinition>>(w, data,
            new LevenbergMarquardtOptions { Solver = solver, ScaledDamping = scaled }, progress);
        Assert.True(result.Converged, $"{result.StopReason} after {result.Iterations}");
        Assert.Equal(result.History, progress.Items);
        Assert.True(Math.Abs(w[0] - 2.5) < 1e-10 && Math.Abs(w[1] + 1.3) < 1e-10 && Math.Abs(w[2] - 0.7) < 1e-10, string.Join(", ", w));
        Assert.True(result.Loss < 1e-20);
        if (solver == LeastSquaresSolver.Cholesky) Assert.All(result.History, s => Assert.Equal(0, s.ConjugateGradientIterations));
    }

    [Fact]
    public void LevenbergMarquardtSolvesRosenbrock()
    {
        var data = new Dataset(new[] { 0.0, 1.0 }, new[] { 0.0, 0.0 }, 2);
        var w = new[] { -1.2, 1.0 };
        var result = LevenbergMarquardt.Minimize<DenseModel<RosenbrockDefinition>>(w, data);
        Assert.True(result.Converged, result.StopReason.ToString());
        Assert.True(Math.Abs(w[0] - 1.0) < 1e-10 && Math.Abs(w[1] - 1.0) < 1e-10, string.Join(", ", w));
        Assert.Contains(result.History, s => !s.Accepted || s.Damping > 0);
        // The loss never increases (beyond rounding of the loss itself).
        double previous = double.PositiveInfinity;
        foreach (var step in result.History)
        {
            Assert.True(step.Loss <= previous * (1 + 1e-12));
            previous = step.Loss;
        }
    }

    [Fact]
    public void LevenbergMarquardtOnLinearModelReachesLeastSquares()
    {
        var data = IllConditioned(40, 17);
        var w = new double[4];
        var result = LevenbergMarquardt.Minimize<LinearModel>(w, data);
        Assert.True(result.Converged, result.StopReason.ToString());
        Reference.AssertClose(Reference.Ridge(data, 0.0), w, 1e-9);
    }
}
