using System;
using System.Buffers;

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
/// fixed chunking of the samples and are bit-identical for every <see cref="MaxDegreeOfParallelism"/>.
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
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty.</exception>
    public HessianOperator(double[] w, Dataset data)
        : this(new ReadOnlyMemory<double>(w ?? throw new ArgumentNullException(nameof(w))), data)
    {
    }

    /// <summary>The Hessian at <paramref name="w"/> over <paramref name="data"/>.</summary>
    /// <param name="w">The model parameters (copied).</param>
    /// <param name="data">The data set; the model output size is <see cref="Dataset.TargetSize"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty.</exception>
    public HessianOperator(ReadOnlyMemory<double> w, Dataset data)
    {
        _data = CurvatureGuard.RequireData(data, nameof(data));
        _w = CurvatureGuard.CopyParameters(w, nameof(w));
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
        int n = Size;
        CurvatureGuard.RequireLength(v.Length, n, nameof(v));
        CurvatureGuard.RequireLength(result.Length, n, nameof(result));
        double[] vector = ArrayPool<double>.Shared.Rent(n);
        try
        {
            v.CopyTo(vector);
            CurvatureGuard.Mean(new ApplyKernel(_w, _data, vector), _data.Count, _data.Count, _maxDegreeOfParallelism, result);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(vector);
        }
    }

    /// <summary>Writes the exact diagonal of H (from <see cref="IModel.LossHessianDiagonal{TLoss}"/>) into <paramref name="result"/>.</summary>
    /// <param name="result">Receives diag(H) (length <see cref="Size"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="result"/> does not have length <see cref="Size"/>.</exception>
    public void Diagonal(Span<double> result)
    {
        CurvatureGuard.RequireLength(result.Length, Size, nameof(result));
        CurvatureGuard.Mean(new DiagonalKernel(_w, _data), _data.Count, _data.Count, _maxDegreeOfParallelism, result);
    }

    /// <inheritdoc/>
    public double[] ToDense() => CurvatureGuard.ToDense(this);

    private readonly struct ApplyKernel : IChunkKernel
    {
        private readonly double[] _w;
        private readonly Dataset _data;
        private readonly double[] _v;

        public ApplyKernel(double[] w, Dataset data, double[] v)
        {
            _w = w;
            _data = data;
            _v = v;
        }

        public int ScratchLength => _data.TargetSize + 2 * _w.Length;

        public void Accumulate(int start, int end, Span<double> accumulator, Span<double> scratch)
        {
            int n = _w.Length, c = _data.TargetSize;
            Span<double> output = scratch.Slice(0, c);
            Span<double> gradient = scratch.Slice(c, n);
            Span<double> product = scratch.Slice(c + n, n);
            ReadOnlySpan<double> v = _v.AsSpan(0, n);
            for (int i = start; i < end; i++)
            {
                TModel.LossHvp<TLoss>(_w, _data.Input(i), output, _data.Target(i), v, gradient, product);
                VectorMath.Add(accumulator, product);
            }
        }
    }

    private readonly struct DiagonalKernel : IChunkKernel
    {
        private readonly double[] _w;
        private readonly Dataset _data;

        public DiagonalKernel(double[] w, Dataset data)
        {
            _w = w;
            _data = data;
        }

        public int ScratchLength => _data.TargetSize + _w.Length;

        public void Accumulate(int start, int end, Span<double> accumulator, Span<double> scratch)
        {
            int n = _w.Length, c = _data.TargetSize;
            Span<double> output = scratch.Slice(0, c);
            Span<double> diagonal = scratch.Slice(c, n);
            for (int i = start; i < end; i++)
            {
                TModel.LossHessianDiagonal<TLoss>(_w, _data.Input(i), output, _data.Target(i), diagonal);
                VectorMath.Add(accumulator, diagonal);
            }
        }
    }
}
