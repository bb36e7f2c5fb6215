using System;
using System.Collections.Generic;
using System.Threading;

namespace AutoCurv;

/// <summary>How <see cref="LevenbergMarquardt.Minimize"/> solves each damped Gauss–Newton system.</summary>
public enum LeastSquaresSolver
{
    /// <summary><see cref="Cholesky"/> when n ≤ <see cref="LevenbergMarquardtOptions.DenseSizeLimit"/>, else <see cref="ConjugateGradient"/>.</summary>
    Auto,

    /// <summary>Forms the dense Gauss–Newton matrix (n products per accepted step) and solves by Cholesky.</summary>
    Cholesky,

    /// <summary>Matrix-free conjugate gradients on Gauss–Newton-vector products.</summary>
    ConjugateGradient,
}

/// <summary>Settings of <see cref="LevenbergMarquardt.Minimize"/>. Every property has a working default.</summary>
public sealed record LevenbergMarquardtOptions
{
    /// <summary>
    /// τ: the first damping is λ₀ = τ · max_i G_ii (Nielsen's rule; for <see cref="ScaledDamping"/> λ₀ = τ). Positive.
    /// Default 1e-3.
    /// </summary>
    public double InitialDamping { get; init; } = 1e-3;

    /// <summary>
    /// Damp with λ·diag(G) (Marquardt's scale-invariant choice) instead of λ·I. Entries of diag(G) are floored at
    /// 1e-12 · max diag(G) so the damped matrix stays positive definite. Default false.
    /// </summary>
    public bool ScaledDamping { get; init; }

    /// <summary>Most iterations (accepted and rejected steps), at least 1. Default 200.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>Stop once max_i |∂L/∂w_i| is at most this (non-negative). Default 1e-15.</summary>
    public double GradientTolerance { get; init; } = 1e-15;

    /// <summary>Stop once an accepted step has ‖p‖₂ ≤ tol · (‖w‖₂ + tol) (non-negative). Default 1e-15.</summary>
    public double StepTolerance { get; init; } = 1e-15;

    /// <summary>
    /// A step whose predicted and actual reductions of the mean loss are both at most this fraction of the loss is
    /// below what the loss can resolve in floating point (non-negative): it is accepted if it lowers the largest
    /// gradient entry, and otherwise the run stops (<see cref="OptimizationStopReason.RelativeReduction"/>: converged
    /// to working precision). Default 1e-12.
    /// </summary>
    public double RelativeReductionTolerance { get; init; } = 1e-12;

    /// <summary>Stop once the mean loss is at most this. Default 0 (an exact fit).</summary>
    public double TargetLoss { get; init; }

    /// <summary>The linear solver. Default <see cref="LeastSquaresSolver.Auto"/>.</summary>
    public LeastSquaresSolver Solver { get; init; } = LeastSquaresSolver.Auto;

    /// <summary>The largest n that <see cref="LeastSquaresSolver.Auto"/> solves densely (at least 1). Default 300.</summary>
    public int DenseSizeLimit { get; init; } = 300;

    /// <summary>Relative residual tolerance of the CG solver (non-negative). Default 1e-12.</summary>
    public double ConjugateGradientTolerance { get; init; } = 1e-12;

    /// <summary>Most CG iterations per solve; 0 picks 10·n. Default 0.</summary>
    public int MaxConjugateGradientIterations { get; init; }

    /// <summary>The most threads one pass over the data set uses; -1 for no limit. Results do not depend on it. Default -1.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    internal void Validate(string paramName)
    {
        ApplicationGuard.Option(InitialDamping > 0.0 && double.IsFinite(InitialDamping), nameof(InitialDamping), InitialDamping, "it must be positive and finite", paramName);
        ApplicationGuard.Option(MaxIterations >= 1, nameof(MaxIterations), MaxIterations, "it must be at least 1", paramName);
        ApplicationGuard.Option(GradientTolerance >= 0.0 && double.IsFinite(GradientTolerance), nameof(GradientTolerance), GradientTolerance, "it must be non-negative and finite", paramName);
        ApplicationGuard.Option(StepTolerance >= 0.0 && double.IsFinite(StepTolerance), nameof(StepTolerance), StepTolerance, "it must be non-negative and finite", paramName);
        ApplicationGuard.Option(RelativeReductionTolerance >= 0.0 && double.IsFinite(RelativeReductionTolerance), nameof(RelativeReductionTolerance), RelativeReductionTolerance, "it must be non-negative and finite", paramName);
        ApplicationGuard.Option(!double.IsNaN(TargetLoss), nameof(TargetLoss), TargetLoss, "it must not be NaN", paramName);
        ApplicationGuard.Option(Enum.IsDefined(Solver), nameof(Solver), Solver, "pick a LeastSquaresSolver value", paramName);
        ApplicationGuard.Option(DenseSizeLimit >= 1, nameof(DenseSizeLimit), DenseSizeLimit, "it must be at least 1", paramName);
        ApplicationGuard.Option(ConjugateGradientTolerance >= 0.0 && double.IsFinite(ConjugateGradientTolerance), nameof(ConjugateGradientTolerance), ConjugateGradientTolerance, "it must be non-negative and finite", paramName);
        ApplicationGuard.Option(MaxConjugateGradientIterations >= 0, nameof(MaxConjugateGradientIterations), MaxConjugateGradientIterations, "it must be non-negative (0 for the default)", paramName);
        ApplicationGuard.Degree(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism), paramName);
    }
}

/// <summary>What one Levenberg–Marquardt iteration did.</summary>
/// <param name="Iteration">1-based iteration number (counting rejected steps).</param>
/// <param name="Loss">
/// The mean loss after the iteration (unchanged when the step was rejected; it may rise within rounding when a step
/// below the loss's resolution is accepted on its gradient, see <see cref="LevenbergMarquardtOptions.RelativeReductionTolerance"/>).
/// </param>
/// <param name="Damping">The damping λ the step was solved with.</param>
/// <param name="ReductionRatio">ρ = actual / predicted reduction of the mean loss (NaN if the solve failed or the step was judged on its gradient).</param>
/// <param name="Accepted">True when the loss decreased and w moved.</param>
/// <param name="ConjugateGradientIterations">CG iterations of the solve (0 for Cholesky).</param>
public sealed record LevenbergMarquardtIteration(int Iteration, double Loss, double Damping, double ReductionRatio, bool Accepted, int ConjugateGradientIterations);

/// <summary>The outcome of <see cref="LevenbergMarquardt.Minimize"/>.</summary>
/// <param name="Loss">The mean loss (1/N) Σ_i ½‖f(w, x_i) − y_i‖² at the returned parameters.</param>
/// <param name="GradientNorm">max_i |∂L/∂w_i| at the returned parameters (NaN if the loop stopped before computing it).</param>
/// <param name="Iterations">Iterations run (accepted and rejected steps).</param>
/// <param name="StopReason">Why the loop stopped.</param>
/// <param name="History">Every iteration's statistics, in order.</param>
public sealed record LevenbergMarquardtResult(double Loss, double GradientNorm, int Iterations, OptimizationStopReason StopReason, IReadOnlyList<LevenbergMarquardtIteration> History)
{
    /// <summary>True unless the iteration limit or the damping limit ended the run.</summary>
    public bool Converged => StopReason is not (OptimizationStopReason.MaxIterations or OptimizationStopReason.DampingLimit);
}

/// <summary>
/// The Levenberg–Marquardt method for nonlinear least squares: minimises the mean squared error
/// L(w) = (1/N) Σ_i ½ ‖f(w, x_i) − y_i‖² (<see cref="MeanSquaredError"/>) of a model by damped Gauss–Newton steps
/// (G + λD) p = −∇L, with G = (1/N) Σ_i J_iᵀ J_i the Gauss–Newton matrix (<see cref="GgnOperator{TModel, TLoss}"/>)
/// and D = I or diag(G).
/// </summary>
/// <remarks>
/// Damping follows Nielsen (1999): with ρ the ratio of the actual to the predicted reduction −gᵀp − ½pᵀGp, an
/// accepted step (ρ &gt; 0 and a lower loss) sets λ ← λ · max(1/3, 1 − (2ρ − 1)³) and ν ← 2; a rejected one sets
/// λ ← λ·ν, ν ← 2ν. Near a zero-residual solution this is Gauss–Newton, so convergence is quadratic. The dense
/// Gauss–Newton matrix is formed only after accepted steps, so rejected steps cost one loss evaluation plus a solve.
/// </remarks>
public static class LevenbergMarquardt
{
    /// <summary>Fits <paramref name="w"/> to <paramref name="data"/> by Levenberg–Marquardt.</summary>
    /// <typeparam name="TModel">The model f(w, x), output size <see cref="Dataset.TargetSize"/>.</typeparam>
    /// <param name="w">The initial parameters, overwritten with the result.</param>
    /// <param name="data">The data set: inputs x_i and targets y_i.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="progress">Receives each iteration's statistics.</param>
    /// <param name="cancellationToken">Checked before every iteration (and every CG iteration).</param>
    /// <returns>The final loss and gradient norm, the iteration count, why it stopped and the history.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>), or a property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; <paramref name="w"/> holds the last accepted parameters.</exception>
    /// <exception cref="InvalidOperationException">The Cholesky solver's dense n × n matrix does not fit in one array.</exception>
    public static LevenbergMarquardtResult Minimize<TModel>(Span<double> w, Dataset data, LevenbergMarquardtOptions? options = null,
        IProgress<LevenbergMarquardtIteration>? progress = null, CancellationToken cancellationToken = default)
        where TModel : struct, IModel
    {
        CurvatureGuard.RequireData<TModel>(data, nameof(data));
        CurvatureGuard.RequireParameters<TModel>(w.Length, nameof(w));
        options ??= new LevenbergMarquardtOptions();
        options.Validate(nameof(options));

        int n = w.Length;
        bool dense = options.Solver == LeastSquaresSolver.Cholesky
            || (options.Solver == LeastSquaresSolver.Auto && n <= options.DenseSizeLimit);
        var objective = new Objective<TModel, MeanSquaredError>(data) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        var history = new List<LevenbergMarquardtIteration>();

        var parameters = w.ToArray();
        var gradient = new double[n];
        var step = new double[n];
        var candidate = new double[n];
        var gp = new double[n];
        var candidateGradient = new double[n];
        var rhs = new double[n];
        var diagonal = new double[n];
        var factor = dense ? new double[CurvatureGuard.DenseLength(n, "use LeastSquaresSolver.ConjugateGradient")] : Array.Empty<double>();

        double loss = double.NaN, gradientNorm = double.NaN;
        double lambda = 0.0, nu = 2.0;
        double[] denseG = Array.Empty<double>();
        GgnOperator<TModel, MeanSquaredError>? ggn = null;
        bool fresh = true; // G, ∇L and the loss must be (re)computed at the current parameters
        var reason = OptimizationStopReason.MaxIterations;

        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (fresh)
            {
                loss = objective.Gradient(parameters, gradient);
                gradientNorm = MaxAbs(gradient);
                if (loss <= options.TargetLoss) { reason = OptimizationStopReason.TargetLoss; break; }
                if (gradientNorm <= options.GradientTolerance) { reason = OptimizationStopReason.GradientTolerance; break; }
                ggn = new GgnOperator<TModel, MeanSquaredError>(parameters, data) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
                if (dense)
                {
                    denseG = ggn.ToDense();
                    for (int i = 0; i < n; i++) diagonal[i] = denseG[i * n + i];
                }
                else
                {
                    ggn.Diagonal(diagonal);
                }
                double maxDiagonal = 0.0;
                foreach (double d in diagonal) maxDiagonal = Math.Max(maxDiagonal, d);
                if (options.ScaledDamping)
                {
                    double floor = Math.Max(1e-12 * maxDiagonal, double.Epsilon);
                    for (int i = 0; i < n; i++) diagonal[i] = Math.Max(diagonal[i], floor);
                }
                if (iteration == 1)
                    lambda = options.ScaledDamping ? options.InitialDamping : options.InitialDamping * (maxDiagonal > 0.0 ? maxDiagonal : 1.0);
                fresh = false;
            }

            for (int i = 0; i < n; i++) rhs[i] = -gradient[i];
            bool solved;
            int cgIterations = 0;
            if (dense)
            {
                denseG.AsSpan().CopyTo(factor);
                for (int i = 0; i < n; i++) factor[i * n + i] += lambda * (options.ScaledDamping ? diagonal[i] : 1.0);
                solved = DenseSymmetric.TryCholesky(factor, n);
                if (solved)
                {
                    rhs.AsSpan().CopyTo(step);
                    DenseSymmetric.CholeskySolve(factor, n, step);
                    DenseSymmetric.Multiply(denseG, n, step, gp);
                }
            }
            else
            {
                Array.Clear(step);
                ConjugateGradientResult result;
                if (options.ScaledDamping)
                {
                    var shift = new double[n];
                    for (int i = 0; i < n; i++) shift[i] = lambda * diagonal[i];
                    result = ConjugateGradient.Solve(new DiagonalShiftOperator(ggn!, shift), rhs, step, 0.0,
                        options.ConjugateGradientTolerance, options.MaxConjugateGradientIterations, default, cancellationToken);
                }
                else
                {
                    result = ConjugateGradient.Solve(ggn!, rhs, step, lambda, options.ConjugateGradientTolerance,
                        options.MaxConjugateGradientIterations, default, cancellationToken);
                }
                cgIterations = result.Iterations;
                solved = !result.NegativeCurvature;
                ggn!.Apply(step, gp);
            }

            double usedLambda = lambda;
            double rho = double.NaN;
            bool accepted = false;
            double stepNorm = double.NaN;
            bool flat = false;
            if (solved)
            {
                double predicted = -(Dot(gradient, step) + 0.5 * Dot(step, gp));
                for (int i = 0; i < n; i++) candidate[i] = parameters[i] + step[i];
                double newLoss = objective.Loss(candidate);
                rho = predicted > 0.0 ? (loss - newLoss) / predicted : double.NaN;
                accepted = newLoss < loss && rho > 0.0;
                stepNorm = Math.Sqrt(Dot(step, step));
                double tolerance = options.RelativeReductionTolerance * loss;
                flat = Math.Abs(predicted) <= tolerance && Math.Abs(loss - newLoss) <= tolerance;
                if (flat && !accepted)
                {
                    // Below what the loss can resolve: let the (accurately computed) gradient decide.
                    objective.Gradient(candidate, candidateGradient);
                    accepted = MaxAbs(candidateGradient) < gradientNorm;
                    rho = double.NaN;
                }
                if (accepted)
                {
                    candidate.AsSpan().CopyTo(parameters);
                    parameters.AsSpan().CopyTo(w);
                    loss = newLoss;
                    double t = double.IsNaN(rho) ? 1.0 : 2.0 * rho - 1.0;
                    lambda *= Math.Max(1.0 / 3.0, 1.0 - t * t * t);
                    nu = 2.0;
                    fresh = true;
                }
            }
            if (!accepted)
            {
                lambda *= nu;
                nu *= 2.0;
            }

            var record = new LevenbergMarquardtIteration(iteration, loss, usedLambda, rho, accepted, cgIterations);
            history.Add(record);
            progress?.Report(record);

            if (flat && !accepted)
            {
                reason = OptimizationStopReason.RelativeReduction;
                break;
            }
            if (accepted && stepNorm <= options.StepTolerance * (Math.Sqrt(Dot(parameters, parameters)) + options.StepTolerance))
            {
                reason = OptimizationStopReason.StepTolerance;
                break;
            }
            if (!double.IsFinite(lambda) || lambda > 1e300)
            {
                reason = OptimizationStopReason.DampingLimit;
                break;
            }
        }

        if (fresh && reason is OptimizationStopReason.MaxIterations or OptimizationStopReason.StepTolerance or OptimizationStopReason.RelativeReduction)
        {
            loss = objective.Gradient(parameters, gradient);
            gradientNorm = MaxAbs(gradient);
        }
        return new LevenbergMarquardtResult(loss, gradientNorm, history.Count, reason, history);
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => VectorMath.Dot(a, b);

    private static double MaxAbs(ReadOnlySpan<double> values)
    {
        double max = 0.0;
        foreach (double v in values) max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
