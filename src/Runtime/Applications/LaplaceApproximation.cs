using System;
using System.Threading;

namespace AutoCurv;

/// <summary>The curvature matrix a <see cref="LaplaceApproximation{TModel, TLoss}"/> uses for the likelihood term.</summary>
public enum LaplaceCurvature
{
    /// <summary>The exact Hessian (<see cref="HessianOperator{TModel, TLoss}"/>); may be indefinite away from a minimum.</summary>
    Hessian,

    /// <summary>The generalised Gauss–Newton matrix (<see cref="GgnOperator{TModel, TLoss}"/>); positive semidefinite for convex losses.</summary>
    Ggn,

    /// <summary>The empirical Fisher (1/N) Σ g_i g_iᵀ (<see cref="EmpiricalFisherOperator{TModel, TLoss}"/>); positive semidefinite.</summary>
    EmpiricalFisher,
}

/// <summary>Which part of the curvature a <see cref="LaplaceApproximation{TModel, TLoss}"/> keeps.</summary>
public enum LaplaceStructure
{
    /// <summary>Only the exact diagonal: O(n) memory, one diagonal pass over the data set.</summary>
    Diagonal,

    /// <summary>The dense n × n matrix (n products with the operator, n² memory, an O(n³) eigendecomposition): for small n.</summary>
    Full,
}

/// <summary>Settings of a <see cref="LaplaceApproximation{TModel, TLoss}"/>. Every property has a working default.</summary>
public sealed record LaplaceOptions
{
    /// <summary>The likelihood curvature. Default <see cref="LaplaceCurvature.Ggn"/>.</summary>
    public LaplaceCurvature Curvature { get; init; } = LaplaceCurvature.Ggn;

    /// <summary>Diagonal or full curvature. Default <see cref="LaplaceStructure.Full"/>.</summary>
    public LaplaceStructure Structure { get; init; } = LaplaceStructure.Full;

    /// <summary>The initial prior precision α of the isotropic Gaussian prior N(0, α⁻¹I) (positive). Default 1.</summary>
    public double PriorPrecision { get; init; } = 1.0;

    /// <summary>
    /// When true, <see cref="LaplaceApproximation{TModel, TLoss}.LogMarginalLikelihood(double)"/> (and so
    /// <see cref="LaplaceApproximation{TModel, TLoss}.FitPriorPrecision"/>) expands around the mode moved by one
    /// Newton step for the prior precision asked for, θ̂(α) = θ* − P⁻¹ g_α with g_α = N ∇L(θ*) + α θ*, which adds
    /// ½ g_αᵀ P⁻¹ g_α to the evidence. This tracks how the posterior mode moves with α (exactly when the negative
    /// log joint is quadratic, as in Bayesian linear regression) instead of holding θ* fixed; it is zero at the α
    /// for which θ* is the exact MAP. Default false: the standard formula at θ*.
    /// </summary>
    public bool ModeCorrection { get; init; }

    /// <summary>The most threads one pass over the data set uses; -1 for no limit. Results do not depend on it. Default -1.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    internal void Validate(string paramName)
    {
        ApplicationGuard.Option(Enum.IsDefined(Curvature), nameof(Curvature), Curvature, "pick a LaplaceCurvature value", paramName);
        ApplicationGuard.Option(Enum.IsDefined(Structure), nameof(Structure), Structure, "pick a LaplaceStructure value", paramName);
        ApplicationGuard.Option(PriorPrecision > 0.0 && double.IsFinite(PriorPrecision), nameof(PriorPrecision), PriorPrecision, "it must be positive and finite", paramName);
        ApplicationGuard.Degree(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism), paramName);
    }
}

/// <summary>
/// The Laplace approximation of the posterior over a model's parameters around a trained mode θ*: a Gaussian
/// N(θ*, P⁻¹) with the evidence (log marginal likelihood) it implies, prior-precision fitting, and the predictive
/// mean and variance of the model's outputs through the model linearised at θ*.
/// </summary>
/// <typeparam name="TModel">The model (for example the generator's <c>Net.ForwardModel</c>).</typeparam>
/// <typeparam name="TLoss">The per-sample loss, read as a negative log likelihood.</typeparam>
/// <remarks>
/// <para><b>Scaling.</b> With N samples and ℓ_i(θ) = ℓ(f(θ, x_i), y_i), the log likelihood is
/// log p(D | θ) = −Σ_i ℓ_i(θ): the loss <em>summed</em> over the data set, taken as the exact negative log
/// likelihood. For <see cref="MeanSquaredError"/> (y ~ N(f, I)) this leaves out the constant −(N·C/2)·log 2π, which
/// depends on neither θ nor α (add it to compare with a normalised density); for the cross-entropy losses it is exact.
/// The prior is p(θ) = N(0, α⁻¹ I). The operators are means over the data set, so with C(θ*) the chosen mean
/// curvature (Hessian, GGN or empirical Fisher) the posterior precision is</para>
/// <para><c>P = N · C(θ*) + α I</c>  (<see cref="LaplaceStructure.Diagonal"/>: P = diag(N · diag C(θ*)) + α I).</para>
/// <para><b>Evidence.</b> With n parameters,</para>
/// <para><c>log p(D) ≈ log p(D | θ*) + log p(θ*) − ½ log det(P / 2π)
///   = −Σ_i ℓ_i(θ*) − (α/2)‖θ*‖² + (n/2) log α − ½ log det P</c>,</para>
/// <para>since log p(θ*) = (n/2) log(α / 2π) − (α/2)‖θ*‖². It is exact when −log p(D | θ) is quadratic in θ and
/// θ* is the MAP for α (Bayesian linear regression). See <see cref="LaplaceOptions.ModeCorrection"/> for the
/// variant that follows the mode as α changes.</para>
/// <para>The curvature is computed once, at construction (for <see cref="LaplaceStructure.Full"/> with its
/// eigendecomposition N·C = V diag(λ) Vᵀ, so every α afterwards costs O(n)). P must be positive definite, that is
/// α + min λ &gt; 0; the Hessian can violate this away from a minimum, and then the members that need P⁻¹ or
/// log det P throw <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public sealed class LaplaceApproximation<TModel, TLoss>
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    private readonly double[] _w;
    private readonly Dataset _data;
    private readonly double _logLikelihood;
    private readonly double _modeNormSquared;
    private readonly double[] _eigenvalues;      // of N·C (Full) or N·diag C (Diagonal)
    private readonly double[]? _eigenvectors;    // columns of V, row-major n × n (Full only)
    private readonly double[] _gradientProjection; // Vᵀ N ∇L(θ*)
    private readonly double[] _modeProjection;     // Vᵀ θ*
    private double _priorPrecision;

    /// <summary>Builds the approximation at the mode <paramref name="w"/>.</summary>
    /// <param name="w">The trained parameters θ* (copied).</param>
    /// <param name="data">The training set the likelihood runs over.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>), or a property of <paramref name="options"/> is out of range.</exception>
    public LaplaceApproximation(double[] w, Dataset data, LaplaceOptions? options = null)
        : this(new ReadOnlyMemory<double>(w ?? throw new ArgumentNullException(nameof(w))), data, options)
    {
    }

    /// <summary>Builds the approximation at the mode <paramref name="w"/>.</summary>
    /// <param name="w">The trained parameters θ* (copied).</param>
    /// <param name="data">The training set the likelihood runs over.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>), or a property of <paramref name="options"/> is out of range.</exception>
    public LaplaceApproximation(ReadOnlyMemory<double> w, Dataset data, LaplaceOptions? options = null)
    {
        CurvatureGuard.RequireData<TModel>(data, nameof(data));
        CurvatureGuard.RequireParameters<TModel>(w.Length, nameof(w));
        options ??= new LaplaceOptions();
        options.Validate(nameof(options));
        Options = options;
        _w = w.ToArray();
        _data = data;
        _priorPrecision = options.PriorPrecision;
        int n = _w.Length, count = data.Count;

        var objective = new Objective<TModel, TLoss>(data) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        var gradient = new double[n];
        double meanLoss = objective.Gradient(_w, gradient);
        _logLikelihood = -count * meanLoss;
        for (int i = 0; i < n; i++) gradient[i] *= count;
        _modeNormSquared = VectorMath.Dot(_w, _w);

        ICurvatureOperator op = options.Curvature switch
        {
            LaplaceCurvature.Hessian => new HessianOperator<TModel, TLoss>(_w, data) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            LaplaceCurvature.EmpiricalFisher => new EmpiricalFisherOperator<TModel, TLoss>(_w, data) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            _ => new GgnOperator<TModel, TLoss>(_w, data) { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
        };

        if (options.Structure == LaplaceStructure.Full)
        {
            var dense = op.ToDense();
            for (int i = 0; i < dense.Length; i++) dense[i] *= count;
            (_eigenvalues, var vectors) = DenseSymmetric.Eigen(dense, n);
            _eigenvectors = vectors;
            _gradientProjection = ProjectTransposed(vectors, n, gradient);
            _modeProjection = ProjectTransposed(vectors, n, _w);
        }
        else
        {
            _eigenvalues = new double[n];
            op.Diagonal(_eigenvalues);
            for (int i = 0; i < n; i++) _eigenvalues[i] *= count;
            _gradientProjection = gradient;
            _modeProjection = (double[])_w.Clone();
        }
    }

    /// <summary>The settings the approximation was built with.</summary>
    public LaplaceOptions Options { get; }

    /// <summary>The mode θ* the approximation is centred on.</summary>
    public ReadOnlyMemory<double> Mode => _w;

    /// <summary>The training set.</summary>
    public Dataset Data => _data;

    /// <summary>The number of parameters n.</summary>
    public int Size => _w.Length;

    /// <summary>The model output size C (= <see cref="Dataset.TargetSize"/>).</summary>
    public int OutputSize => _data.TargetSize;

    /// <summary>log p(D | θ*) = −Σ_i ℓ_i(θ*) (see the class remarks for the scaling).</summary>
    public double LogLikelihood => _logLikelihood;

    /// <summary>
    /// The eigenvalues of N·C(θ*), ascending (<see cref="LaplaceStructure.Full"/>), or the diagonal N·diag C(θ*) in
    /// parameter order (<see cref="LaplaceStructure.Diagonal"/>): P has eigenvalues (or diagonal) these plus α.
    /// </summary>
    public ReadOnlyMemory<double> CurvatureSpectrum => _eigenvalues;

    /// <summary>The prior precision α used by the members that take none; set by <see cref="FitPriorPrecision"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not positive and finite.</exception>
    public double PriorPrecision
    {
        get => _priorPrecision;
        set => _priorPrecision = ApplicationGuard.RequirePositive(value, nameof(value));
    }

    /// <summary>The log marginal likelihood at the current <see cref="PriorPrecision"/>.</summary>
    /// <returns>log p(D) under the approximation (see the class remarks).</returns>
    /// <exception cref="InvalidOperationException">The posterior precision is not positive definite.</exception>
    public double LogMarginalLikelihood() => LogMarginalLikelihood(_priorPrecision);

    /// <summary>
    /// The log marginal likelihood for prior precision α:
    /// −Σ_i ℓ_i(θ*) − (α/2)‖θ*‖² + (n/2) log α − ½ log det P, with P = N·C(θ*) + αI
    /// (plus ½ g_αᵀ P⁻¹ g_α when <see cref="LaplaceOptions.ModeCorrection"/> is on).
    /// </summary>
    /// <param name="priorPrecision">α, positive.</param>
    /// <returns>log p(D) under the approximation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="priorPrecision"/> is not positive and finite.</exception>
    /// <exception cref="InvalidOperationException">P is not positive definite for this α.</exception>
    public double LogMarginalLikelihood(double priorPrecision)
    {
        ApplicationGuard.RequirePositive(priorPrecision, nameof(priorPrecision));
        double value = Evidence(priorPrecision);
        if (double.IsNaN(value)) ThrowNotPositiveDefinite(priorPrecision);
        return value;
    }

    /// <summary>
    /// Sets <see cref="PriorPrecision"/> to the α in [<paramref name="minimum"/>, <paramref name="maximum"/>] that
    /// maximises <see cref="LogMarginalLikelihood(double)"/>, and returns it. Searches on log α: a grid of 81
    /// log-spaced points finds the best bracket, then golden-section search refines it to a relative precision of
    /// about 1e-9 in α. Values of α for which P is not positive definite are skipped.
    /// </summary>
    /// <param name="minimum">The smallest α considered (positive).</param>
    /// <param name="maximum">The largest α considered (greater than <paramref name="minimum"/>).</param>
    /// <param name="cancellationToken">Checked before every evaluation.</param>
    /// <returns>The fitted α (a bound when the maximum lies outside the range).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not positive and finite, or <paramref name="maximum"/> ≤ <paramref name="minimum"/>.</exception>
    /// <exception cref="InvalidOperationException">P is not positive definite anywhere in the range.</exception>
    public double FitPriorPrecision(double minimum = 1e-6, double maximum = 1e6, CancellationToken cancellationToken = default)
    {
        ApplicationGuard.RequirePositive(minimum, nameof(minimum));
        ApplicationGuard.RequirePositive(maximum, nameof(maximum));
        if (!(maximum > minimum))
            throw new ArgumentOutOfRangeException(nameof(maximum), maximum, $"'{nameof(maximum)}' must exceed '{nameof(minimum)}' = {minimum}.");

        const int gridPoints = 81;
        double lo = Math.Log(minimum), hi = Math.Log(maximum);
        double h = (hi - lo) / (gridPoints - 1);
        int best = -1;
        double bestValue = double.NegativeInfinity;
        for (int k = 0; k < gridPoints; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double value = Score(k == gridPoints - 1 ? hi : lo + k * h);
            if (value > bestValue)
            {
                bestValue = value;
                best = k;
            }
        }
        if (best < 0)
            throw new InvalidOperationException($"The posterior precision N·C + αI is not positive definite for any α in [{minimum}, {maximum}] (smallest curvature eigenvalue {MinimumEigenvalue()}); use the GGN or empirical-Fisher curvature, or allow larger α.");

        double a = lo + Math.Max(best - 1, 0) * h, b = lo + Math.Min(best + 1, gridPoints - 1) * h;
        double invPhi = (Math.Sqrt(5.0) - 1.0) / 2.0;
        double c = b - invPhi * (b - a), d = a + invPhi * (b - a);
        double fc = Score(c), fd = Score(d);
        while (b - a > 1e-10 * Math.Max(1.0, Math.Abs(a)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (fc >= fd)
            {
                b = d; d = c; fd = fc;
                c = b - invPhi * (b - a);
                fc = Score(c);
            }
            else
            {
                a = c; c = d; fc = fd;
                d = a + invPhi * (b - a);
                fd = Score(d);
            }
        }
        double u = 0.5 * (a + b);
        double fu = Score(u);
        double gridU = best == gridPoints - 1 ? hi : lo + best * h;
        if (!(fu >= bestValue)) u = gridU;
        _priorPrecision = Math.Clamp(Math.Exp(u), minimum, maximum);
        return _priorPrecision;

        double Score(double logAlpha)
        {
            double value = Evidence(Math.Exp(logAlpha));
            return double.IsNaN(value) ? double.NegativeInfinity : value;
        }
    }

    /// <summary>Writes the marginal posterior variances diag(P⁻¹) at the current <see cref="PriorPrecision"/>.</summary>
    /// <param name="result">Receives diag(P⁻¹) (length <see cref="Size"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="result"/> does not have length <see cref="Size"/>.</exception>
    /// <exception cref="InvalidOperationException">P is not positive definite.</exception>
    public void PosteriorVariance(Span<double> result)
    {
        int n = Size;
        ApplicationGuard.RequireLength(result.Length, n, nameof(result), "the parameter count");
        double alpha = RequirePositiveDefinite();
        if (_eigenvectors is null)
        {
            for (int q = 0; q < n; q++) result[q] = 1.0 / (_eigenvalues[q] + alpha);
            return;
        }
        for (int q = 0; q < n; q++)
        {
            double sum = 0.0;
            int row = q * n;
            for (int i = 0; i < n; i++) sum += _eigenvectors[row + i] * _eigenvectors[row + i] / (_eigenvalues[i] + alpha);
            result[q] = sum;
        }
    }

    /// <summary>The posterior covariance Σ = P⁻¹ as a dense row-major n × n matrix, at the current <see cref="PriorPrecision"/>.</summary>
    /// <returns>Σ (diagonal for <see cref="LaplaceStructure.Diagonal"/>).</returns>
    /// <exception cref="InvalidOperationException">P is not positive definite, or an n × n matrix does not fit in one array.</exception>
    public double[] PosteriorCovariance()
    {
        int n = Size;
        double alpha = RequirePositiveDefinite();
        var sigma = new double[CurvatureGuard.DenseLength(n, "use PosteriorVariance for the diagonal")];
        if (_eigenvectors is null)
        {
            for (int q = 0; q < n; q++) sigma[q * n + q] = 1.0 / (_eigenvalues[q] + alpha);
            return sigma;
        }
        var scaled = new double[n];
        for (int i = 0; i < n; i++) scaled[i] = 1.0 / (_eigenvalues[i] + alpha);
        for (int p = 0; p < n; p++)
        {
            for (int q = p; q < n; q++)
            {
                double sum = 0.0;
                for (int i = 0; i < n; i++) sum += _eigenvectors[p * n + i] * scaled[i] * _eigenvectors[q * n + i];
                sigma[p * n + q] = sum;
                sigma[q * n + p] = sum;
            }
        }
        return sigma;
    }

    /// <summary>
    /// The predictive mean and variance of the model output at <paramref name="input"/> under the linearised model
    /// f(θ, x) ≈ f(θ*, x) + J(x)(θ − θ*) with θ ~ N(θ*, P⁻¹): mean f(θ*, x) and variances diag(J P⁻¹ Jᵀ), J = ∂f/∂θ
    /// (C × n, rows from <see cref="IModel.Vjp"/>). This is the variance of the model output (epistemic) only; for
    /// the predictive variance of a target add the likelihood's noise (1 per output for <see cref="MeanSquaredError"/>).
    /// </summary>
    /// <param name="input">One input x (length <see cref="Dataset.InputSize"/>).</param>
    /// <param name="mean">Receives f(θ*, x) (length C).</param>
    /// <param name="variance">Receives the output variances (length C).</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">P is not positive definite.</exception>
    public void Predict(ReadOnlySpan<double> input, Span<double> mean, Span<double> variance)
    {
        int c = OutputSize;
        ApplicationGuard.RequireLength(variance.Length, c, nameof(variance), "the output size C");
        var covariance = new double[c * c];
        PredictCovariance(input, mean, covariance);
        for (int k = 0; k < c; k++) variance[k] = covariance[k * c + k];
    }

    /// <summary>
    /// The predictive mean f(θ*, x) and the full output covariance J P⁻¹ Jᵀ (C × C, row-major) under the linearised
    /// model; see <see cref="Predict"/>.
    /// </summary>
    /// <param name="input">One input x (length <see cref="Dataset.InputSize"/>).</param>
    /// <param name="mean">Receives f(θ*, x) (length C).</param>
    /// <param name="covariance">Receives J P⁻¹ Jᵀ (length C·C).</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">P is not positive definite.</exception>
    public void PredictCovariance(ReadOnlySpan<double> input, Span<double> mean, Span<double> covariance)
    {
        int n = Size, c = OutputSize;
        ApplicationGuard.RequireLength(input.Length, _data.InputSize, nameof(input), "the data set's input size");
        ApplicationGuard.RequireLength(mean.Length, c, nameof(mean), "the output size C");
        ApplicationGuard.RequireLength(covariance.Length, (long)c * c, nameof(covariance), "C·C");
        double alpha = RequirePositiveDefinite();

        // Row k of J is Jᵀ e_k; project it on the eigenvectors (Full) so Σ is diagonal.
        var rows = new double[c * n];
        var unit = new double[c];
        var jRow = new double[n];
        for (int k = 0; k < c; k++)
        {
            unit[k] = 1.0;
            TModel.Vjp(_w, input, mean, unit, jRow);
            unit[k] = 0.0;
            if (_eigenvectors is null) jRow.AsSpan().CopyTo(rows.AsSpan(k * n, n));
            else ProjectTransposed(_eigenvectors, n, jRow).AsSpan().CopyTo(rows.AsSpan(k * n, n));
        }
        for (int a = 0; a < c; a++)
        {
            for (int b = a; b < c; b++)
            {
                double sum = 0.0;
                for (int i = 0; i < n; i++) sum += rows[a * n + i] * rows[b * n + i] / (_eigenvalues[i] + alpha);
                covariance[a * c + b] = sum;
                covariance[b * c + a] = sum;
            }
        }
    }

    /// <summary>The evidence at α, or NaN when P is not positive definite.</summary>
    private double Evidence(double alpha)
    {
        int n = Size;
        double logDet = 0.0, correction = 0.0;
        for (int i = 0; i < n; i++)
        {
            double eigenvalue = _eigenvalues[i] + alpha;
            if (!(eigenvalue > 0.0)) return double.NaN;
            logDet += Math.Log(eigenvalue);
            if (Options.ModeCorrection)
            {
                double g = _gradientProjection[i] + alpha * _modeProjection[i];
                correction += g * g / eigenvalue;
            }
        }
        return _logLikelihood - 0.5 * alpha * _modeNormSquared + 0.5 * n * Math.Log(alpha) - 0.5 * logDet + 0.5 * correction;
    }

    private double RequirePositiveDefinite()
    {
        double alpha = _priorPrecision;
        if (!(MinimumEigenvalue() + alpha > 0.0)) ThrowNotPositiveDefinite(alpha);
        return alpha;
    }

    private double MinimumEigenvalue()
    {
        double min = double.PositiveInfinity;
        foreach (double v in _eigenvalues) min = Math.Min(min, v);
        return min;
    }

    private void ThrowNotPositiveDefinite(double alpha) =>
        throw new InvalidOperationException($"The posterior precision N·C + αI is not positive definite at α = {alpha} (smallest curvature eigenvalue {MinimumEigenvalue()}); use the GGN or empirical-Fisher curvature, or a larger prior precision.");

    /// <summary>Vᵀ x for V with its eigenvectors as columns (row-major n × n).</summary>
    private static double[] ProjectTransposed(double[] vectors, int n, ReadOnlySpan<double> x)
    {
        var result = new double[n];
        for (int k = 0; k < n; k++)
        {
            double xk = x[k];
            if (xk == 0.0) continue;
            int row = k * n;
            for (int i = 0; i < n; i++) result[i] += vectors[row + i] * xk;
        }
        return result;
    }
}
