using System;
using System.Threading;

namespace AutoCurv;

/// <summary>The curvature <see cref="Influence"/> solves with.</summary>
public enum InfluenceCurvature
{
    /// <summary>The exact Hessian (<see cref="HessianOperator{TModel, TLoss}"/>); at a minimum, positive semidefinite.</summary>
    Hessian,

    /// <summary>The generalised Gauss–Newton matrix (<see cref="GgnOperator{TModel, TLoss}"/>): always positive semidefinite for convex losses.</summary>
    Ggn,
}

/// <summary>Which linear system <see cref="Influence"/> solves.</summary>
public enum InfluenceMethod
{
    /// <summary>
    /// The classical influence function (Cook and Weisberg; Koh and Liang, 2017): assumes ∇L(θ*) = 0 and keeps
    /// the first order in 1/N. Removing sample i: Δθ ≈ +(1/N) H⁻¹ ∇ℓ_i(θ*); adding z: Δθ ≈ −(1/N) H⁻¹ ∇ℓ_z(θ*).
    /// </summary>
    FirstOrder,

    /// <summary>
    /// One full Newton step on the retrained objective from θ*, which is exact retraining when the loss is
    /// quadratic in θ (for example a linear model with squared error). Removing sample i solves
    /// (H − H_i/N) Δθ = ∇ℓ_i(θ*)/N − ∇L(θ*); adding z solves (H + H_z/N) Δθ = −∇ℓ_z(θ*)/N − ∇L(θ*), with H_i the
    /// curvature of the single sample. Costs one extra per-sample product per CG iteration.
    /// </summary>
    NewtonStep,
}

/// <summary>Settings of <see cref="Influence"/>. Every property has a working default.</summary>
public sealed record InfluenceOptions
{
    /// <summary>The curvature. Default <see cref="InfluenceCurvature.Hessian"/>.</summary>
    public InfluenceCurvature Curvature { get; init; } = InfluenceCurvature.Hessian;

    /// <summary>The approximation. Default <see cref="InfluenceMethod.FirstOrder"/>.</summary>
    public InfluenceMethod Method { get; init; } = InfluenceMethod.FirstOrder;

    /// <summary>
    /// λ ≥ 0 added to the curvature in the solve, (A + λI) Δθ = b: regularises singular or indefinite H at the price
    /// of a biased (shrunk) estimate. Default 0.
    /// </summary>
    public double Damping { get; init; }

    /// <summary>CG stops once ‖r‖₂ ≤ tolerance · ‖b‖₂ (non-negative). Default 1e-10.</summary>
    public double Tolerance { get; init; } = 1e-10;

    /// <summary>Most CG iterations; 0 picks 10·n. Default 0.</summary>
    public int MaxIterations { get; init; }

    /// <summary>The most threads one pass over the data set uses; -1 for no limit. Results do not depend on it. Default -1.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    internal void Validate(string paramName)
    {
        ApplicationGuard.Option(Enum.IsDefined(Curvature), nameof(Curvature), Curvature, "pick an InfluenceCurvature value", paramName);
        ApplicationGuard.Option(Enum.IsDefined(Method), nameof(Method), Method, "pick an InfluenceMethod value", paramName);
        ApplicationGuard.Option(Damping >= 0.0 && double.IsFinite(Damping), nameof(Damping), Damping, "it must be non-negative and finite", paramName);
        ApplicationGuard.Option(Tolerance >= 0.0 && double.IsFinite(Tolerance), nameof(Tolerance), Tolerance, "it must be non-negative and finite", paramName);
        ApplicationGuard.Option(MaxIterations >= 0, nameof(MaxIterations), MaxIterations, "it must be non-negative (0 for the default)", paramName);
        ApplicationGuard.Degree(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism), paramName);
    }
}

/// <summary>A retraining estimate.</summary>
/// <param name="ParameterChange">Δθ = θ_retrained − θ*: add it to the trained parameters to estimate the retrained ones.</param>
/// <param name="Solve">How the conjugate-gradient solve ended.</param>
public sealed record InfluenceEstimate(double[] ParameterChange, ConjugateGradientResult Solve);

/// <summary>
/// Retraining estimates from the curvature (influence functions): how the trained parameters θ* move when one
/// sample is removed from or added to the training set, without retraining. Each estimate is one damped CG solve
/// on Hessian- (or GGN-) vector products over the data set.
/// </summary>
/// <remarks>
/// <para><b>Convention.</b> θ* minimises the mean loss L(θ) = (1/N) Σ_j ℓ_j(θ) over the N samples; H is the
/// curvature of L (a mean, as the operators are). The result is Δθ = θ_new − θ*, where θ_new minimises the mean
/// loss over the changed set. Removing sample i gives, to first order in 1/N,
/// Δθ ≈ +(1/N) H⁻¹ ∇ℓ_i(θ*) (the parameters move so that sample i's own loss goes up, by ≈ (1/N) ∇ℓ_iᵀ H⁻¹ ∇ℓ_i);
/// adding a sample z gives Δθ ≈ −(1/N) H⁻¹ ∇ℓ_z(θ*). <see cref="InfluenceMethod.NewtonStep"/> keeps the exact
/// Newton system instead, so it reproduces retraining when the loss is quadratic.</para>
/// <para>The predicted change of any differentiable quantity q(θ) (a test loss, a prediction) is ∇q(θ*)ᵀ Δθ.</para>
/// </remarks>
public static class Influence
{
    /// <summary>Estimates Δθ = θ_(−i) − θ* for retraining without sample <paramref name="index"/>.</summary>
    /// <typeparam name="TModel">The model.</typeparam>
    /// <typeparam name="TLoss">The per-sample loss.</typeparam>
    /// <param name="w">The trained parameters θ*.</param>
    /// <param name="data">The training set (at least 2 samples).</param>
    /// <param name="index">The sample to remove, 0 ≤ index &lt; N.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="cancellationToken">Checked before every CG iteration.</param>
    /// <returns>Δθ (first order: +(1/N) (H + λI)⁻¹ ∇ℓ_i(θ*)) and the solver's report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>), <paramref name="data"/> has one sample, or a property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public static InfluenceEstimate RemovalEstimate<TModel, TLoss>(ReadOnlySpan<double> w, Dataset data, int index,
        InfluenceOptions? options = null, CancellationToken cancellationToken = default)
        where TModel : struct, IModel
        where TLoss : struct, ILoss
    {
        CurvatureGuard.RequireData<TModel>(data, nameof(data));
        CurvatureGuard.RequireParameters<TModel>(w.Length, nameof(w));
        if (data.Count < 2)
            throw new ArgumentException("Removing the only sample leaves nothing to retrain on; the data set needs at least 2 samples.", nameof(data));
        if ((uint)index >= (uint)data.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The data set has {data.Count} samples.");
        options ??= new InfluenceOptions();
        options.Validate(nameof(options));
        return Estimate<TModel, TLoss>(w, data, data.Input(index), data.Target(index), removal: true, options, cancellationToken);
    }

    /// <summary>Estimates Δθ = θ_(+z) − θ* for retraining with the extra sample z = (<paramref name="input"/>, <paramref name="target"/>).</summary>
    /// <typeparam name="TModel">The model.</typeparam>
    /// <typeparam name="TLoss">The per-sample loss.</typeparam>
    /// <param name="w">The trained parameters θ*.</param>
    /// <param name="data">The training set.</param>
    /// <param name="input">The new sample's input (length <see cref="Dataset.InputSize"/>).</param>
    /// <param name="target">The new sample's target (length <see cref="Dataset.TargetSize"/>).</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="cancellationToken">Checked before every CG iteration.</param>
    /// <returns>Δθ (first order: −(1/N) (H + λI)⁻¹ ∇ℓ_z(θ*)) and the solver's report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">A span has the wrong length, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>), or a property of <paramref name="options"/> is out of range.</exception>
    public static InfluenceEstimate AdditionEstimate<TModel, TLoss>(ReadOnlySpan<double> w, Dataset data,
        ReadOnlySpan<double> input, ReadOnlySpan<double> target, InfluenceOptions? options = null, CancellationToken cancellationToken = default)
        where TModel : struct, IModel
        where TLoss : struct, ILoss
    {
        CurvatureGuard.RequireData<TModel>(data, nameof(data));
        CurvatureGuard.RequireParameters<TModel>(w.Length, nameof(w));
        ApplicationGuard.RequireLength(input.Length, data.InputSize, nameof(input), "the data set's input size");
        ApplicationGuard.RequireLength(target.Length, data.TargetSize, nameof(target), "the data set's target size");
        options ??= new InfluenceOptions();
        options.Validate(nameof(options));
        return Estimate<TModel, TLoss>(w, data, input, target, removal: false, options, cancellationToken);
    }

    private static InfluenceEstimate Estimate<TModel, TLoss>(ReadOnlySpan<double> w, Dataset data, ReadOnlySpan<double> input,
        ReadOnlySpan<double> target, bool removal, InfluenceOptions options, CancellationToken cancellationToken)
        where TModel : struct, IModel
        where TLoss : struct, ILoss
    {
        int n = w.Length, count = data.Count;
        var parameters = w.ToArray();
        ICurvatureOperator curvature = options.Curvature == InfluenceCurvature.Ggn
            ? new GgnOperator<TModel, TLoss>(parameters, data) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }
            : new HessianOperator<TModel, TLoss>(parameters, data) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };

        // b = ∓ ∇ℓ_z / N (removal +, addition −).
        var sampleGradient = new double[n];
        var output = new double[data.TargetSize];
        TModel.LossGradient<TLoss>(parameters, input, output, target, sampleGradient);
        double sign = removal ? 1.0 : -1.0;
        var rhs = new double[n];
        for (int p = 0; p < n; p++) rhs[p] = sign * sampleGradient[p] / count;

        ILinearOperator system = curvature;
        if (options.Method == InfluenceMethod.NewtonStep)
        {
            var meanGradient = new double[n];
            new Objective<TModel, TLoss>(data) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }.Gradient(parameters, meanGradient);
            for (int p = 0; p < n; p++) rhs[p] -= meanGradient[p];
            system = new SampleCorrectedOperator<TModel, TLoss>(curvature, parameters, input.ToArray(), target.ToArray(),
                -sign / count, options.Curvature == InfluenceCurvature.Ggn);
        }

        var change = new double[n];
        var solve = ConjugateGradient.Solve(system, rhs, change, options.Damping, options.Tolerance, options.MaxIterations,
            default, cancellationToken);
        return new InfluenceEstimate(change, solve);
    }

    /// <summary>A + c·H_z: the data-set curvature plus a multiple of one sample's curvature.</summary>
    private sealed class SampleCorrectedOperator<TModel, TLoss> : ILinearOperator
        where TModel : struct, IModel
        where TLoss : struct, ILoss
    {
        private readonly ILinearOperator _inner;
        private readonly double[] _w, _input, _target, _output, _gradient, _product;
        private readonly double _coefficient;
        private readonly bool _ggn;

        public SampleCorrectedOperator(ILinearOperator inner, double[] w, double[] input, double[] target, double coefficient, bool ggn)
        {
            _inner = inner;
            _w = w;
            _input = input;
            _target = target;
            _coefficient = coefficient;
            _ggn = ggn;
            _output = new double[target.Length];
            _gradient = new double[w.Length];
            _product = new double[w.Length];
        }

        public int Size => _inner.Size;

        public void Apply(ReadOnlySpan<double> v, Span<double> result)
        {
            CurvatureGuard.RequireLength(v.Length, Size, nameof(v));
            CurvatureGuard.RequireLength(result.Length, Size, nameof(result));
            if (_ggn) TModel.Ggnvp<TLoss>(_w, _input, _output, _target, v, _product);
            else TModel.LossHvp<TLoss>(_w, _input, _output, _target, v, _gradient, _product);
            _inner.Apply(v, result);
            VectorMath.AddScaled(result, _coefficient, _product);
        }
    }
}
