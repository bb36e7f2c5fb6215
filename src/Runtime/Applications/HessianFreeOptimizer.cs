using System;
using System.Collections.Generic;
using System.Threading;

namespace AutoCurv;

/// <summary>Settings of <see cref="HessianFreeOptimizer{TModel, TLoss}"/>. Every property has a working default.</summary>
public sealed record HessianFreeOptions
{
    /// <summary>The Levenberg–Marquardt damping λ of the first step (positive). Default 1.</summary>
    public double InitialDamping { get; init; } = 1.0;

    /// <summary>λ is never lowered below this (positive). Default 1e-10.</summary>
    public double MinimumDamping { get; init; } = 1e-10;

    /// <summary>λ is never raised above this; <see cref="HessianFreeOptimizer{TModel, TLoss}.Minimize"/> stops once a step is rejected at this damping. Default 1e10.</summary>
    public double MaximumDamping { get; init; } = 1e10;

    /// <summary>Most outer (Newton) iterations of <see cref="HessianFreeOptimizer{TModel, TLoss}.Minimize"/> (at least 1). Default 100.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Most conjugate-gradient iterations (GGN-vector products) per step (at least 1). Default 100.</summary>
    public int MaxConjugateGradientIterations { get; init; } = 100;

    /// <summary>CG stops once ‖r‖₂ ≤ tolerance · ‖∇L‖₂ (non-negative). Default 1e-6.</summary>
    public double ConjugateGradientTolerance { get; init; } = 1e-6;

    /// <summary>
    /// CG starts from this multiple of the previous step (Martens' warm start), in [0, 1); 0 starts from zero.
    /// Default 0.95.
    /// </summary>
    public double WarmStartDecay { get; init; } = 0.95;

    /// <summary>Precondition CG with the exact GGN diagonal plus λ (costs one diagonal pass per step). Default false.</summary>
    public bool Preconditioned { get; init; }

    /// <summary><see cref="HessianFreeOptimizer{TModel, TLoss}.Minimize"/> stops once the mean loss is at most this. Default −∞ (never).</summary>
    public double TargetLoss { get; init; } = double.NegativeInfinity;

    /// <summary><see cref="HessianFreeOptimizer{TModel, TLoss}.Minimize"/> stops once ‖∇L‖₂ is at most this (non-negative). Default 1e-10.</summary>
    public double GradientTolerance { get; init; } = 1e-10;

    /// <summary>The most threads one pass over the data set uses; -1 for no limit. Results do not depend on it. Default -1.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    internal void Validate(string paramName)
    {
        ApplicationGuard.Option(InitialDamping > 0.0 && double.IsFinite(InitialDamping), nameof(InitialDamping), InitialDamping, "the damping must be positive and finite", paramName);
        ApplicationGuard.Option(MinimumDamping > 0.0 && double.IsFinite(MinimumDamping), nameof(MinimumDamping), MinimumDamping, "it must be positive and finite", paramName);
        ApplicationGuard.Option(MaximumDamping >= MinimumDamping && double.IsFinite(MaximumDamping), nameof(MaximumDamping), MaximumDamping, "it must be finite and at least MinimumDamping", paramName);
        ApplicationGuard.Option(MaxIterations >= 1, nameof(MaxIterations), MaxIterations, "it must be at least 1", paramName);
        ApplicationGuard.Option(MaxConjugateGradientIterations >= 1, nameof(MaxConjugateGradientIterations), MaxConjugateGradientIterations, "it must be at least 1", paramName);
        ApplicationGuard.Option(ConjugateGradientTolerance >= 0.0 && double.IsFinite(ConjugateGradientTolerance), nameof(ConjugateGradientTolerance), ConjugateGradientTolerance, "it must be non-negative and finite", paramName);
        ApplicationGuard.Option(WarmStartDecay >= 0.0 && WarmStartDecay < 1.0, nameof(WarmStartDecay), WarmStartDecay, "it must lie in [0, 1)", paramName);
        ApplicationGuard.Option(!double.IsNaN(TargetLoss), nameof(TargetLoss), TargetLoss, "it must not be NaN", paramName);
        ApplicationGuard.Option(GradientTolerance >= 0.0 && double.IsFinite(GradientTolerance), nameof(GradientTolerance), GradientTolerance, "it must be non-negative and finite", paramName);
        ApplicationGuard.Degree(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism), paramName);
    }
}

/// <summary>What one Hessian-free step did.</summary>
/// <param name="Iteration">1-based step number (counting rejected steps).</param>
/// <param name="Loss">The mean loss after the step (unchanged when the step was rejected).</param>
/// <param name="GradientNorm">‖∇L‖₂ at the start of the step.</param>
/// <param name="Damping">The damping λ the step was solved with.</param>
/// <param name="ConjugateGradientIterations">GGN-vector products CG spent on the step.</param>
/// <param name="ReductionRatio">
/// ρ = (L(w) − L(w + p)) / (−gᵀp − ½ pᵀ G p): actual over predicted reduction under the undamped Gauss–Newton
/// model; NaN when the model predicts no reduction.
/// </param>
/// <param name="Accepted">True when the loss decreased and w moved to w + p.</param>
public sealed record HessianFreeIteration(int Iteration, double Loss, double GradientNorm, double Damping,
    int ConjugateGradientIterations, double ReductionRatio, bool Accepted);

/// <summary>Why <see cref="HessianFreeOptimizer{TModel, TLoss}.Minimize"/> or <see cref="LevenbergMarquardt.Minimize"/> stopped.</summary>
public enum OptimizationStopReason
{
    /// <summary>The iteration limit was reached.</summary>
    MaxIterations,

    /// <summary>The loss reached the target.</summary>
    TargetLoss,

    /// <summary>The gradient norm fell below its tolerance.</summary>
    GradientTolerance,

    /// <summary>The step became negligible relative to the parameters.</summary>
    StepTolerance,

    /// <summary>A step was rejected at the maximum damping: no further progress is possible.</summary>
    DampingLimit,

    /// <summary>The predicted and actual reductions of the loss fell below their relative tolerance.</summary>
    RelativeReduction,
}

/// <summary>The outcome of <see cref="HessianFreeOptimizer{TModel, TLoss}.Minimize"/>.</summary>
/// <param name="Loss">The mean loss at the returned parameters.</param>
/// <param name="Iterations">The steps taken (accepted and rejected).</param>
/// <param name="StopReason">Why the loop stopped.</param>
/// <param name="History">Every step's statistics, in order.</param>
public sealed record HessianFreeResult(double Loss, int Iterations, OptimizationStopReason StopReason, IReadOnlyList<HessianFreeIteration> History)
{
    /// <summary>True when the loss target or the gradient tolerance was met.</summary>
    public bool Converged => StopReason is OptimizationStopReason.TargetLoss or OptimizationStopReason.GradientTolerance;
}

/// <summary>
/// Hessian-free (truncated Newton-CG) training in the style of Martens (2010): each step minimises the damped
/// Gauss–Newton model L(w) + gᵀp + ½ pᵀ(G + λI)p by conjugate gradients, using only GGN-vector products
/// (<see cref="GgnOperator{TModel, TLoss}"/>) over the whole data set, never the matrix.
/// </summary>
/// <typeparam name="TModel">The model (for example the generator's <c>Net.ForwardModel</c>).</typeparam>
/// <typeparam name="TLoss">The per-sample loss; the objective is the mean loss of <see cref="Objective{TModel, TLoss}"/>.</typeparam>
/// <remarks>
/// <para>Levenberg–Marquardt damping: after each step the reduction ratio ρ (actual over predicted reduction of the
/// mean loss, predicted by the undamped model −gᵀp − ½pᵀGp) updates λ ← λ·2/3 if ρ &gt; 3/4 and λ ← λ·3/2 if
/// ρ &lt; 1/4, clamped to [<see cref="HessianFreeOptions.MinimumDamping"/>, <see cref="HessianFreeOptions.MaximumDamping"/>].
/// A step is accepted only if the loss strictly decreases; otherwise w is left unchanged.</para>
/// <para>CG is warm-started from <see cref="HessianFreeOptions.WarmStartDecay"/> times the previous step, and restarted
/// from zero if that start ends with a worse model value than p = 0. The optimizer keeps λ and the previous step
/// between calls, so calling <see cref="Step"/> in a loop and calling <see cref="Minimize"/> are equivalent.
/// Not thread-safe.</para>
/// </remarks>
public sealed class HessianFreeOptimizer<TModel, TLoss>
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    private readonly Dataset _data;
    private readonly Objective<TModel, TLoss> _objective;
    private double[] _previousStep = Array.Empty<double>();
    private int _iterations;

    /// <summary>An optimizer of the mean loss over <paramref name="data"/>.</summary>
    /// <param name="data">The training set.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> disagrees with the <see cref="IModel.InputSize"/> or <see cref="IModel.OutputSize"/> <typeparamref name="TModel"/> declares, or a property of <paramref name="options"/> is out of range (the message names it).</exception>
    public HessianFreeOptimizer(Dataset data, HessianFreeOptions? options = null)
    {
        CurvatureGuard.RequireData<TModel>(data, nameof(data));
        options ??= new HessianFreeOptions();
        options.Validate(nameof(options));
        _data = data;
        Options = options;
        Damping = options.InitialDamping;
        _objective = new Objective<TModel, TLoss>(data) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
    }

    /// <summary>The settings.</summary>
    public HessianFreeOptions Options { get; }

    /// <summary>The training set.</summary>
    public Dataset Data => _data;

    /// <summary>The current damping λ, used by the next step.</summary>
    public double Damping { get; private set; }

    /// <summary>
    /// Takes one damped Gauss–Newton step: solves (G + λI) p = −∇L by CG, then moves <paramref name="w"/> to
    /// w + p if that lowers the mean loss, and updates λ from the reduction ratio. At an exactly zero gradient no
    /// step is taken (the result reports 0 CG iterations, not accepted, and λ is unchanged).
    /// </summary>
    /// <param name="w">The parameters, updated in place when the step is accepted.</param>
    /// <param name="cancellationToken">Checked before every CG iteration.</param>
    /// <returns>The step's statistics.</returns>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty or not of the <see cref="IModel.ParameterCount"/> <typeparamref name="TModel"/> declares.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; <paramref name="w"/> is unchanged.</exception>
    public HessianFreeIteration Step(Span<double> w, CancellationToken cancellationToken = default)
    {
        CurvatureGuard.RequireParameters<TModel>(w.Length, nameof(w));
        return Iterate(w, double.NegativeInfinity, 0.0, cancellationToken, out _);
    }

    /// <summary>
    /// Runs steps until the loss reaches <see cref="HessianFreeOptions.TargetLoss"/>, the gradient norm falls to
    /// <see cref="HessianFreeOptions.GradientTolerance"/>, a step is rejected at the maximum damping, or
    /// <see cref="HessianFreeOptions.MaxIterations"/> steps have run.
    /// </summary>
    /// <param name="w">The initial parameters, overwritten with the result.</param>
    /// <param name="progress">Receives each step's statistics.</param>
    /// <param name="cancellationToken">Checked before every step and every CG iteration.</param>
    /// <returns>The final loss, the step count, why it stopped and the per-step history.</returns>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty or not of the <see cref="IModel.ParameterCount"/> <typeparamref name="TModel"/> declares.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; <paramref name="w"/> holds the last accepted parameters.</exception>
    public HessianFreeResult Minimize(Span<double> w, IProgress<HessianFreeIteration>? progress = null, CancellationToken cancellationToken = default)
    {
        CurvatureGuard.RequireParameters<TModel>(w.Length, nameof(w));
        var history = new List<HessianFreeIteration>();
        OptimizationStopReason reason = OptimizationStopReason.MaxIterations;
        double loss = double.NaN;
        for (int k = 0; k < Options.MaxIterations; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = Iterate(w, Options.TargetLoss, Options.GradientTolerance, cancellationToken, out OptimizationStopReason? stop);
            loss = step.Loss;
            if (stop is { } early)
            {
                reason = early;
                break;
            }
            history.Add(step);
            progress?.Report(step);
            if (step.Accepted && step.Loss <= Options.TargetLoss)
            {
                reason = OptimizationStopReason.TargetLoss;
                break;
            }
            if (!step.Accepted && step.Damping >= Options.MaximumDamping)
            {
                reason = OptimizationStopReason.DampingLimit;
                break;
            }
        }
        if (double.IsNaN(loss)) loss = _objective.Loss(w);
        return new HessianFreeResult(loss, history.Count, reason, history);
    }

    private HessianFreeIteration Iterate(Span<double> w, double targetLoss, double gradientTolerance, CancellationToken cancellationToken, out OptimizationStopReason? stop)
    {
        int n = w.Length;
        var parameters = w.ToArray();
        var gradient = new double[n];
        double loss = _objective.Gradient(parameters, gradient);
        double gradientNorm = VectorMath.Norm(gradient);
        stop = null;
        if (loss <= targetLoss) stop = OptimizationStopReason.TargetLoss;
        else if (gradientNorm <= gradientTolerance) stop = OptimizationStopReason.GradientTolerance;
        if (stop is not null) return new HessianFreeIteration(_iterations, loss, gradientNorm, Damping, 0, double.NaN, false);

        double lambda = Damping;
        double solveDamping = lambda;
        var ggn = new GgnOperator<TModel, TLoss>(parameters, _data) { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism };
        double[]? preconditioner = null;
        if (Options.Preconditioned)
        {
            preconditioner = new double[n];
            ggn.Diagonal(preconditioner);
            for (int i = 0; i < n; i++) preconditioner[i] = Math.Max(preconditioner[i], 0.0) + lambda;
        }

        var rhs = new double[n];
        for (int i = 0; i < n; i++) rhs[i] = -gradient[i];
        var p = new double[n];
        bool warm = Options.WarmStartDecay > 0.0 && _previousStep.Length == n;
        if (warm)
            for (int i = 0; i < n; i++) p[i] = Options.WarmStartDecay * _previousStep[i];

        var solve = ConjugateGradient.Solve(ggn, rhs, p, lambda, Options.ConjugateGradientTolerance,
            Options.MaxConjugateGradientIterations, preconditioner, cancellationToken);
        int cgIterations = solve.Iterations;
        var gp = new double[n];
        ggn.Apply(p, gp);
        if (warm && DampedModel(gradient, p, gp, lambda) >= 0.0)
        {
            // The warm start led CG somewhere no better than p = 0: solve again from zero.
            Array.Clear(p);
            solve = ConjugateGradient.Solve(ggn, rhs, p, lambda, Options.ConjugateGradientTolerance,
                Options.MaxConjugateGradientIterations, preconditioner, cancellationToken);
            cgIterations += solve.Iterations;
            ggn.Apply(p, gp);
        }

        double predicted = -(VectorMath.Dot(gradient, p) + 0.5 * VectorMath.Dot(p, gp));
        var candidate = new double[n];
        for (int i = 0; i < n; i++) candidate[i] = parameters[i] + p[i];
        double newLoss = _objective.Loss(candidate);
        double rho = predicted > 0.0 ? (loss - newLoss) / predicted : double.NaN;
        bool accepted = newLoss < loss; // false for NaN

        // A rejected step always raises λ (its ρ ≤ 0 whenever the model predicted a reduction).
        if (!accepted || rho < 0.25) lambda *= 1.5;
        else if (rho > 0.75) lambda *= 2.0 / 3.0;
        Damping = Math.Clamp(lambda, Options.MinimumDamping, Options.MaximumDamping);
        _previousStep = p;
        _iterations++;

        if (accepted) candidate.CopyTo(w);
        return new HessianFreeIteration(_iterations, accepted ? newLoss : loss, gradientNorm, solveDamping, cgIterations, rho, accepted);
    }

    private static double DampedModel(ReadOnlySpan<double> g, ReadOnlySpan<double> p, ReadOnlySpan<double> gp, double lambda)
        => VectorMath.Dot(g, p) + 0.5 * (VectorMath.Dot(p, gp) + lambda * VectorMath.Dot(p, p));
}
