using System;
using System.Buffers;

namespace AutoCurv;

/// <summary>
/// The Fisher information estimated by Monte Carlo: F = (1/(N·S)) Σ_i Σ_k g_ik g_ikᵀ with g_ik = ∇_w ℓ(F(w, x_i), ŷ_ik)
/// and S labels ŷ_ik ~ p(y | F(w, x_i)) drawn per sample from the model's own predictive distribution
/// (<see cref="ILoss.Sample{T}"/>). Its expectation is the true Fisher, which equals the GGN for softmax
/// cross-entropy and for squared error; it converges to it as S grows.
/// </summary>
/// <typeparam name="TModel">The model (for example the generator's <c>Net.ForwardModel</c>).</typeparam>
/// <typeparam name="TLoss">The per-sample loss; its <see cref="ILoss.Sample{T}"/> defines the predictive distribution.</typeparam>
/// <remarks>
/// The labels are drawn once, in the constructor, from a generator seeded by (<c>seed</c>, sample index), so the
/// operator is a fixed matrix, reproducible for a seed, and bit-identical for every <see cref="MaxDegreeOfParallelism"/>.
/// Memory: N·S·C doubles of labels.
/// </remarks>
public sealed class MonteCarloFisherOperator<TModel, TLoss> : ICurvatureOperator
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    private readonly double[] _w;
    private readonly Dataset _data;
    private readonly double[] _labels;
    private readonly int _samples;
    private int _maxDegreeOfParallelism = -1;

    /// <summary>Draws <paramref name="samples"/> labels per data point and builds the Monte-Carlo Fisher at <paramref name="w"/>.</summary>
    /// <param name="w">The model parameters (copied).</param>
    /// <param name="data">The data set; its targets are not used, only their size C.</param>
    /// <param name="samples">Labels drawn per data point, at least 1.</param>
    /// <param name="seed">Seed of the label draws.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, or <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is less than 1.</exception>
    public MonteCarloFisherOperator(double[] w, Dataset data, int samples = 1, int seed = 0)
        : this(new ReadOnlyMemory<double>(w ?? throw new ArgumentNullException(nameof(w))), data, samples, seed)
    {
    }

    /// <summary>Draws <paramref name="samples"/> labels per data point and builds the Monte-Carlo Fisher at <paramref name="w"/>.</summary>
    /// <param name="w">The model parameters (copied).</param>
    /// <param name="data">The data set; its targets are not used, only their size C.</param>
    /// <param name="samples">Labels drawn per data point, at least 1.</param>
    /// <param name="seed">Seed of the label draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, or <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is less than 1.</exception>
    public MonteCarloFisherOperator(ReadOnlyMemory<double> w, Dataset data, int samples = 1, int seed = 0)
    {
        _data = CurvatureGuard.RequireData<TModel>(data, nameof(data));
        _w = CurvatureGuard.CopyParameters<TModel>(w, nameof(w));
        if (samples < 1)
            throw new ArgumentOutOfRangeException(nameof(samples), samples, "Draw at least one label per data point.");
        long labelCount = (long)data.Count * samples * data.TargetSize;
        if (labelCount > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(samples), samples, $"{samples} labels per data point need {labelCount} doubles, more than one array holds; draw fewer.");
        _samples = samples;
        Seed = seed;
        _labels = new double[labelCount];
        var kernel = new SampledLabelsKernel<TModel, TLoss>(_w, _data, _labels, samples, seed);
        ChunkedReduction.Sum(kernel, data.Count, -1, Span<double>.Empty);
    }

    /// <inheritdoc/>
    public int Size => _w.Length;

    /// <summary>The data set the mean runs over.</summary>
    public Dataset Data => _data;

    /// <summary>The parameters the Fisher is taken at.</summary>
    public ReadOnlyMemory<double> Parameters => _w;

    /// <summary>Labels drawn per data point (S).</summary>
    public int Samples => _samples;

    /// <summary>The seed the labels were drawn with.</summary>
    public int Seed { get; }

    /// <summary>
    /// The sampled labels, row-major: label k of data point i is the C values at <c>(i·S + k)·C</c>.
    /// </summary>
    public ReadOnlyMemory<double> SampledLabels => _labels;

    /// <summary>
    /// The most threads one product uses; -1 (the default) for no limit. Results are bit-identical for every value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to 0 or below -1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = ChunkedReduction.ValidateDegree(value, nameof(value));
    }

    /// <summary>Writes F·v = (1/(N·S)) Σ_ik (g_ikᵀ v) g_ik into <paramref name="result"/>.</summary>
    /// <param name="v">The vector (length <see cref="Size"/>).</param>
    /// <param name="result">Receives F·v (length <see cref="Size"/>); may be the same memory as <paramref name="v"/>.</param>
    /// <exception cref="ArgumentException">A span does not have length <see cref="Size"/>.</exception>
    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        int n = Size;
        CurvatureGuard.RequireLength(v.Length, n, nameof(v));
        CurvatureGuard.RequireLength(result.Length, n, nameof(result));
        double[] vector = ArrayPool<double>.Shared.Rent(n);
        try
        {
            v.CopyTo(vector);
            var kernel = new GradientOuterProductKernel<TModel, TLoss>(_w, _data, _labels, _samples, vector);
            CurvatureGuard.Mean(kernel, _data.Count, (double)_data.Count * _samples, _maxDegreeOfParallelism, result);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(vector);
        }
    }

    /// <summary>Writes the exact diagonal (1/(N·S)) Σ_ik g_ik ⊙ g_ik of this (sampled) matrix into <paramref name="result"/>.</summary>
    /// <param name="result">Receives diag(F) (length <see cref="Size"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="result"/> does not have length <see cref="Size"/>.</exception>
    public void Diagonal(Span<double> result)
    {
        CurvatureGuard.RequireLength(result.Length, Size, nameof(result));
        var kernel = new GradientSquareKernel<TModel, TLoss>(_w, _data, _labels, _samples);
        CurvatureGuard.Mean(kernel, _data.Count, (double)_data.Count * _samples, _maxDegreeOfParallelism, result);
    }

    /// <inheritdoc/>
    public double[] ToDense() => CurvatureGuard.ToDense(this);
}
