using System;
using System.Buffers;
using AutoCurv.CompilerServices;

namespace AutoCurv;

/// <summary>
/// The training objective L(w) = (1/N) Σ_i ℓ(F(w, x_i), y_i) over a data set, with its gradient: what an optimiser
/// calls each step. Parallel over a fixed chunking of the samples, bit-identical for every
/// <see cref="MaxDegreeOfParallelism"/>.
/// </summary>
/// <remarks>
/// When <typeparamref name="TModel"/> has batched members (<see cref="IModel.HasBatchedMembers"/>), every full block
/// of <see cref="SampleBlock.Size"/> consecutive samples goes through <see cref="IModel.LossBatch{TLoss}"/> or
/// <see cref="IModel.LossGradientBatch{TLoss}"/> and only the samples left over after the last full block through the
/// per-sample members. The result is the same mean up to rounding.
/// </remarks>
/// <typeparam name="TModel">The model (for example the generator's <c>Net.ForwardModel</c>).</typeparam>
/// <typeparam name="TLoss">The per-sample loss.</typeparam>
public sealed class Objective<TModel, TLoss>
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    private readonly Dataset _data;
    private int _maxDegreeOfParallelism = -1;

    /// <summary>The mean loss over <paramref name="data"/>.</summary>
    /// <param name="data">The data set; the model output size is <see cref="Dataset.TargetSize"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">The data set's input or target size disagrees with the size <typeparamref name="TModel"/> declares.</exception>
    public Objective(Dataset data)
    {
        _data = CurvatureGuard.RequireData<TModel>(data, nameof(data));
    }

    /// <summary>The data set the mean runs over.</summary>
    public Dataset Data => _data;

    /// <summary>
    /// The most threads one evaluation uses; -1 (the default) for no limit. Results are bit-identical for every value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to 0 or below -1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = ChunkedReduction.ValidateDegree(value, nameof(value));
    }

    /// <summary>The mean loss (1/N) Σ_i ℓ(F(w, x_i), y_i).</summary>
    /// <param name="w">The model parameters.</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, or its length is not the <see cref="IModel.ParameterCount"/> <typeparamref name="TModel"/> declares.</exception>
    public unsafe double Loss(ReadOnlySpan<double> w)
    {
        CurvatureGuard.RequireParameters<TModel>(w.Length, nameof(w));
        Span<double> total = stackalloc double[1];
        // w stays pinned while the chunks read it (no copy of the parameters per call).
        fixed (double* pw = w)
        {
            CurvatureGuard.Mean(new LossKernel(new PinnedVector(pw, w.Length), _data), _data.Count, _data.Count, _maxDegreeOfParallelism, total,
                CurvatureGuard.BlockAlignment<TModel>());
        }
        return total[0];
    }

    /// <summary>Writes the mean gradient (1/N) Σ_i ∇_w ℓ into <paramref name="gradient"/> and returns the mean loss.</summary>
    /// <param name="w">The model parameters.</param>
    /// <param name="gradient">Receives the gradient (length w.Length); may be the same memory as <paramref name="w"/>.</param>
    /// <returns>The mean loss.</returns>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty or not of the declared <see cref="IModel.ParameterCount"/>, or <paramref name="gradient"/> does not have its length.</exception>
    public unsafe double Gradient(ReadOnlySpan<double> w, Span<double> gradient)
    {
        int n = w.Length;
        CurvatureGuard.RequireParameters<TModel>(n, nameof(w));
        if (gradient.Length != n)
            throw new ArgumentException($"'{nameof(gradient)}' has length {gradient.Length} but '{nameof(w)}' has {n}; pass a span of length {n}.", nameof(gradient));
        // Each chunk's loss goes to its own slot, added in chunk order afterwards: the same additions as carrying
        // it through the reduction in an extra entry of the sum, but the sum is then exactly the gradient's length.
        double[] losses = ArrayPool<double>.Shared.Rent(ChunkedReduction.MaxChunks);
        // The gradient is itself the running sum unless it shares memory with what the chunks read (it may be w):
        // one parameter-sized buffer fewer to clear, stream through the cache and add from.
        bool inPlace = !gradient.Overlaps(w) && !gradient.Overlaps(_data.Inputs.Span) && !gradient.Overlaps(_data.Targets.Span);
        double[]? temporary = inPlace ? null : ArrayPool<double>.Shared.Rent(n);
        try
        {
            Array.Clear(losses, 0, ChunkedReduction.MaxChunks);
            Span<double> sum = inPlace ? gradient : temporary.AsSpan(0, n);
            // w stays pinned while the chunks read it (no copy of the parameters per call). The mean is written only
            // after every chunk has read w, so gradient may alias w.
            fixed (double* pw = w)
            {
                CurvatureGuard.Mean(new GradientKernel(new PinnedVector(pw, n), _data, losses), _data.Count, _maxDegreeOfParallelism, sum, gradient,
                    _data.Count, CurvatureGuard.BlockAlignment<TModel>());
            }
            // Slots of chunks that did not run hold +0, which leaves a sum that starts at +0 unchanged.
            double loss = 0.0;
            for (int c = 0; c < ChunkedReduction.MaxChunks; c++) loss += losses[c];
            return loss / _data.Count;
        }
        finally
        {
            if (temporary is not null) ArrayPool<double>.Shared.Return(temporary);
            ArrayPool<double>.Shared.Return(losses);
        }
    }

    private readonly struct LossKernel : IChunkKernel
    {
        private readonly PinnedVector _w;
        private readonly Dataset _data;

        public LossKernel(PinnedVector w, Dataset data)
        {
            _w = w;
            _data = data;
        }

        public int ScratchLength => _data.TargetSize + ModelSums.BlockScratchLength<TModel>(_data);

        public void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch)
        {
            int c = _data.TargetSize;
            ReadOnlySpan<double> w = _w.Span;
            Span<double> output = scratch.Slice(0, c);
            double sum = 0.0;
            int i = start;
            if (TModel.HasBatchedMembers)
            {
                SampleBlocks blocks = ModelSums.Blocks(scratch.Slice(c), _data);
                for (; end - i >= SampleBlock.Size; i += SampleBlock.Size)
                {
                    blocks.Load(_data, i);
                    sum += TModel.LossBatch<TLoss>(w, blocks.X, blocks.Output, blocks.Target);
                }
            }
            for (; i < end; i++)
                sum += TModel.Loss<TLoss>(w, _data.Input(i), output, _data.Target(i));
            accumulator[0] += sum;
        }
    }

    private readonly struct GradientKernel : IChunkKernel
    {
        private readonly PinnedVector _w;
        private readonly int _n;
        private readonly Dataset _data;
        private readonly double[] _losses;

        /// <param name="w">The parameters.</param>
        /// <param name="data">The data set.</param>
        /// <param name="losses">Receives 0 + (the chunk's loss sum) at each chunk's index.</param>
        public GradientKernel(PinnedVector w, Dataset data, double[] losses)
        {
            _w = w;
            _n = w.Length;
            _data = data;
            _losses = losses;
        }

        public int ScratchLength => _data.TargetSize + _n + ModelSums.BlockScratchLength<TModel>(_data);

        public void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch)
        {
            int n = _n, c = _data.TargetSize;
            ReadOnlySpan<double> w = _w.Span;
            Span<double> output = scratch.Slice(0, c);
            Span<double> gradient = scratch.Slice(c, n);
            Span<double> sum = accumulator;
            double loss = 0.0;
            int i = start;
            if (TModel.HasBatchedMembers)
            {
                SampleBlocks blocks = ModelSums.Blocks(scratch.Slice(c + n), _data);
                for (; end - i >= SampleBlock.Size; i += SampleBlock.Size)
                {
                    blocks.Load(_data, i);
                    loss += TModel.LossGradientBatch<TLoss>(w, blocks.X, blocks.Output, blocks.Target, sum);
                }
            }
            for (; i < end; i++)
                loss += ModelSums.AddLossGradient<TModel, TLoss>(w, _data.Input(i), output, _data.Target(i), sum, gradient);
            _losses[chunk] = 0.0 + loss;
        }
    }
}
