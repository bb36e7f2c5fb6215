using System;
using AutoCurv.CompilerServices;

namespace AutoCurv;

/// <summary>
/// The Hessian of the mean loss over a data set, H = (1/N) Σ_i ∇²_w ℓ(F(w, x_i), y_i), as an operator: each
/// product costs one forward-over-reverse pass per sample (<see cref="IModel.LossHvp{TLoss}"/>). Exact second-order
/// information including the model's own curvature, so it may be indefinite (saddles).
/// </summary>
/// <typeparam name="TModel">The model (for example the generator's <c>Net.ForwardModel</c>).</typeparam>
/// <typeparam name="TLoss">The per-sample loss.</typeparam>
/// <remarks>
/// The parameters are copied at construction, so the operator is a fixed matrix. Products run in parallel over a
/// fixed chunking of the samples and are bit-identical for every <see cref="MaxDegreeOfParallelism"/>. When
/// <typeparamref name="TModel"/> has batched members (<see cref="IModel.HasBatchedMembers"/>), every full block of
/// <see cref="AutoCurv.CompilerServices.SampleBlock.Size"/> consecutive samples goes through
/// <see cref="IModel.LossHvpBatch{TLoss}"/> and only the samples after the last full block through the per-sample member.
/// </remarks>
public sealed class HessianOperator<TModel, TLoss> : ICurvatureOperator
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    private readonly double[] _w;
    private readonly Dataset _data;
    private int _maxDegreeOfParallelism = -1;

    /// <summary>The Hessian at <paramref name="w"/> over <paramref name="data"/>.</summary>
    /// <param name="w">The model parameters (copied).</param>
    /// <param name="data">The data set; the model output size is <see cref="Dataset.TargetSize"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, or <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>).</exception>
    public HessianOperator(double[] w, Dataset data)
        : this(new ReadOnlyMemory<double>(w ?? throw new ArgumentNullException(nameof(w))), data)
    {
    }

    /// <summary>The Hessian at <paramref name="w"/> over <paramref name="data"/>.</summary>
    /// <param name="w">The model parameters (copied).</param>
    /// <param name="data">The data set; the model output size is <see cref="Dataset.TargetSize"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, or <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>).</exception>
    public HessianOperator(ReadOnlyMemory<double> w, Dataset data)
    {
        _data = CurvatureGuard.RequireData<TModel>(data, nameof(data));
        _w = CurvatureGuard.CopyParameters<TModel>(w, nameof(w));
    }

    /// <inheritdoc/>
    public int Size => _w.Length;

    /// <summary>The data set the mean runs over.</summary>
    public Dataset Data => _data;

    /// <summary>The parameters the Hessian is taken at.</summary>
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

    /// <summary>Writes H·v into <paramref name="result"/>.</summary>
    /// <param name="v">The vector (length <see cref="Size"/>).</param>
    /// <param name="result">Receives H·v (length <see cref="Size"/>); may be the same memory as <paramref name="v"/>.</param>
    /// <exception cref="ArgumentException">A span does not have length <see cref="Size"/>.</exception>
    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        SampleMean.Apply<TModel, TLoss, Matrix>(_w, _data, _maxDegreeOfParallelism, v, result);
    }

    /// <summary>Writes the exact diagonal of H (from <see cref="IModel.LossHessianDiagonal{TLoss}"/>) into <paramref name="result"/>.</summary>
    /// <param name="result">Receives diag(H) (length <see cref="Size"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="result"/> does not have length <see cref="Size"/>.</exception>
    public void Diagonal(Span<double> result)
    {
        SampleMean.Diagonal<TModel, TLoss, Matrix>(_w, _data, _maxDegreeOfParallelism, result);
    }

    /// <inheritdoc/>
    public double[] ToDense() => CurvatureGuard.ToDense(this);

    /// <summary>The per-sample matrix: its product and its exact diagonal, as generated members.</summary>
    private readonly struct Matrix : ISampleMatrix
    {
        public static int ProductScratch(int n) => n;

        public static void AddProduct<TM, TL>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> y,
            ReadOnlySpan<double> v, Span<double> sum, Span<double> temp, Span<double> scratch) where TM : struct, IModel where TL : struct, ILoss
            => ModelSums.AddLossHvp<TM, TL>(w, x, output, y, v, scratch, sum, temp);

        public static void AddProductBatch<TM, TL>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> y,
            ReadOnlySpan<double> v, Span<double> sum, Span<double> scratch) where TM : struct, IModel where TL : struct, ILoss
            => TM.LossHvpBatch<TL>(w, x, output, y, v, sum);

        public static void AddDiagonal<TM, TL>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> y,
            Span<double> sum, Span<double> temp) where TM : struct, IModel where TL : struct, ILoss
            => ModelSums.AddLossHessianDiagonal<TM, TL>(w, x, output, y, sum, temp);
    }
}
