using System;
using System.Buffers;

namespace AutoCurv;

/// <summary>
/// The empirical Fisher F_emp = (1/N) Σ_i g_i g_iᵀ with g_i = ∇_w ℓ(F(w, x_i), y_i) the per-sample gradient at the
/// data set's own labels. Positive semidefinite and cheap (one gradient per sample), but a second moment of
/// gradients, not the Fisher information: it matches the Fisher only where the model's predictive distribution
/// matches the data (see <see cref="MonteCarloFisherOperator{TModel, TLoss}"/> for the Fisher itself).
/// </summary>
/// <typeparam name="TModel">The model (for example the generator's <c>Net.ForwardModel</c>).</typeparam>
/// <typeparam name="TLoss">The per-sample loss.</typeparam>
/// <remarks>
/// The parameters are copied at construction, so the operator is a fixed matrix. Products run in parallel over a
/// fixed chunking of the samples and are bit-identical for every <see cref="MaxDegreeOfParallelism"/>.
/// </remarks>
public sealed class EmpiricalFisherOperator<TModel, TLoss> : ICurvatureOperator
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    private readonly double[] _w;
    private readonly Dataset _data;
    private int _maxDegreeOfParallelism = -1;

    /// <summary>The empirical Fisher at <paramref name="w"/> over <paramref name="data"/>.</summary>
    /// <param name="w">The model parameters (copied).</param>
    /// <param name="data">The data set; the model output size is <see cref="Dataset.TargetSize"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, or <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>).</exception>
    public EmpiricalFisherOperator(double[] w, Dataset data)
        : this(new ReadOnlyMemory<double>(w ?? throw new ArgumentNullException(nameof(w))), data)
    {
    }

    /// <summary>The empirical Fisher at <paramref name="w"/> over <paramref name="data"/>.</summary>
    /// <param name="w">The model parameters (copied).</param>
    /// <param name="data">The data set; the model output size is <see cref="Dataset.TargetSize"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, or <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>).</exception>
    public EmpiricalFisherOperator(ReadOnlyMemory<double> w, Dataset data)
    {
        _data = CurvatureGuard.RequireData<TModel>(data, nameof(data));
        _w = CurvatureGuard.CopyParameters<TModel>(w, nameof(w));
    }

    /// <inheritdoc/>
    public int Size => _w.Length;

    /// <summary>The data set the mean runs over.</summary>
    public Dataset Data => _data;

    /// <summary>The parameters the gradients are taken at.</summary>
    public ReadOnlyMemory<double> Parameters => _w;

    /// <summary>
    /// The most threads one product uses; -1 (the default) for no limit. Results are bit-identical for every value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to 0 or below -1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = ChunkedReduction.ValidateDegree(value, nameof(value));
    }

    /// <summary>Writes F_emp·v = (1/N) Σ_i (g_iᵀ v) g_i into <paramref name="result"/>.</summary>
    /// <param name="v">The vector (length <see cref="Size"/>).</param>
    /// <param name="result">Receives F_emp·v (length <see cref="Size"/>); may be the same memory as <paramref name="v"/>.</param>
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
            var kernel = new GradientOuterProductKernel<TModel, TLoss>(_w, _data, _data.TargetArray, 1, vector);
            CurvatureGuard.Mean(kernel, _data.Count, _data.Count, _maxDegreeOfParallelism, result);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(vector);
        }
    }

    /// <summary>Writes the exact diagonal (1/N) Σ_i g_i ⊙ g_i into <paramref name="result"/>.</summary>
    /// <param name="result">Receives diag(F_emp) (length <see cref="Size"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="result"/> does not have length <see cref="Size"/>.</exception>
    public void Diagonal(Span<double> result)
    {
        CurvatureGuard.RequireLength(result.Length, Size, nameof(result));
        var kernel = new GradientSquareKernel<TModel, TLoss>(_w, _data, _data.TargetArray, 1);
        CurvatureGuard.Mean(kernel, _data.Count, _data.Count, _maxDegreeOfParallelism, result);
    }

    /// <inheritdoc/>
    public double[] ToDense() => CurvatureGuard.ToDense(this);
}
