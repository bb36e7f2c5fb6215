using System;
using System.Buffers;
using AutoCurv.CompilerServices;

namespace AutoCurv;

/// <summary>
/// A per-sample matrix M_i of a data-set operator given by two generated members: a product M_i·v and its
/// exact diagonal. The operators that are the mean of such matrices (Hessian, GGN) share all their plumbing
/// through <see cref="SampleMean"/> and differ only in this struct.
/// </summary>
internal interface ISampleMatrix
{
    /// <summary>Extra scratch (beyond output and result) the product needs, for n parameters.</summary>
    static abstract int ProductScratch(int n);

    /// <summary>
    /// sum += M_i·v for sample (x, y); <paramref name="temp"/> has n doubles (for models without accumulating
    /// members), <paramref name="scratch"/> has <see cref="ProductScratch"/> doubles.
    /// </summary>
    static abstract void AddProduct<TModel, TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> y,
        ReadOnlySpan<double> v, Span<double> sum, Span<double> temp, Span<double> scratch) where TModel : struct, IModel where TLoss : struct, ILoss;

    /// <summary>
    /// sum += Σ_b M_b·v over a block of <see cref="SampleBlock.Size"/> samples in block layout, through the model's
    /// batched member (called only when <see cref="IModel.HasBatchedMembers"/>); <paramref name="scratch"/> has
    /// <see cref="ProductScratch"/> doubles.
    /// </summary>
    static abstract void AddProductBatch<TModel, TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> y,
        ReadOnlySpan<double> v, Span<double> sum, Span<double> scratch) where TModel : struct, IModel where TLoss : struct, ILoss;

    /// <summary>sum += diag(M_i) for sample (x, y); <paramref name="temp"/> has n doubles.</summary>
    static abstract void AddDiagonal<TModel, TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> y,
        Span<double> sum, Span<double> temp) where TModel : struct, IModel where TLoss : struct, ILoss;
}

/// <summary>The mean over a data set of a per-sample matrix: products and diagonals, deterministic chunked reduction.</summary>
internal static class SampleMean
{
    public static unsafe void Apply<TModel, TLoss, TMatrix>(double[] w, Dataset data, int maxDegreeOfParallelism, ReadOnlySpan<double> v, Span<double> result)
        where TModel : struct, IModel where TLoss : struct, ILoss where TMatrix : struct, ISampleMatrix
    {
        int n = w.Length;
        CurvatureGuard.RequireLength(v.Length, n, nameof(v));
        CurvatureGuard.RequireLength(result.Length, n, nameof(result));
        // The chunks read v (pinned, not copied) throughout the reduction, unless result shares memory with it: then
        // they read a copy. The sum builds up in result itself unless that shares memory with what else they read
        // (one parameter-sized buffer fewer to clear, stream and add from).
        bool copy = result.Overlaps(v);
        bool inPlace = !result.Overlaps(w) && !result.Overlaps(data.Inputs.Span) && !result.Overlaps(data.Targets.Span);
        double[]? vector = copy ? ArrayPool<double>.Shared.Rent(n) : null;
        double[]? total = inPlace ? null : ArrayPool<double>.Shared.Rent(n);
        try
        {
            if (vector is not null) v.CopyTo(vector);
            ReadOnlySpan<double> read = vector is not null ? vector.AsSpan(0, n) : v;
            fixed (double* pv = read)
            {
                CurvatureGuard.Mean(new ProductKernel<TModel, TLoss, TMatrix>(w, data, new PinnedVector(pv, n)), data.Count, maxDegreeOfParallelism,
                    total is not null ? total.AsSpan(0, n) : result, result, data.Count, CurvatureGuard.BlockAlignment<TModel>());
            }
        }
        finally
        {
            if (total is not null) ArrayPool<double>.Shared.Return(total);
            if (vector is not null) ArrayPool<double>.Shared.Return(vector);
        }
    }

    public static void Diagonal<TModel, TLoss, TMatrix>(double[] w, Dataset data, int maxDegreeOfParallelism, Span<double> result)
        where TModel : struct, IModel where TLoss : struct, ILoss where TMatrix : struct, ISampleMatrix
    {
        CurvatureGuard.RequireLength(result.Length, w.Length, nameof(result));
        CurvatureGuard.Mean(new DiagonalKernel<TModel, TLoss, TMatrix>(w, data), data.Count, data.Count, maxDegreeOfParallelism, result);
    }

    private readonly struct ProductKernel<TModel, TLoss, TMatrix> : IChunkKernel
        where TModel : struct, IModel where TLoss : struct, ILoss where TMatrix : struct, ISampleMatrix
    {
        private readonly double[] _w;
        private readonly Dataset _data;
        private readonly PinnedVector _v;

        public ProductKernel(double[] w, Dataset data, PinnedVector v)
        {
            _w = w;
            _data = data;
            _v = v;
        }

        public int ScratchLength => _data.TargetSize + _w.Length + TMatrix.ProductScratch(_w.Length) + ModelSums.BlockScratchLength<TModel>(_data);

        public void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch)
        {
            int n = _w.Length, c = _data.TargetSize, p = TMatrix.ProductScratch(n);
            Span<double> output = scratch.Slice(0, c);
            Span<double> temp = scratch.Slice(c, n);
            Span<double> extra = scratch.Slice(c + n, p);
            ReadOnlySpan<double> v = _v.Span;
            int i = start;
            if (TModel.HasBatchedMembers)
            {
                // Full blocks of consecutive samples through the batched member; the chunk's leftovers below.
                SampleBlocks blocks = ModelSums.Blocks(scratch.Slice(c + n + p), _data);
                for (; end - i >= SampleBlock.Size; i += SampleBlock.Size)
                {
                    blocks.Load(_data, i);
                    TMatrix.AddProductBatch<TModel, TLoss>(_w, blocks.X, blocks.Output, blocks.Target, v, accumulator, extra);
                }
            }
            for (; i < end; i++)
                TMatrix.AddProduct<TModel, TLoss>(_w, _data.Input(i), output, _data.Target(i), v, accumulator, temp, extra);
        }
    }

    private readonly struct DiagonalKernel<TModel, TLoss, TMatrix> : IChunkKernel
        where TModel : struct, IModel where TLoss : struct, ILoss where TMatrix : struct, ISampleMatrix
    {
        private readonly double[] _w;
        private readonly Dataset _data;

        public DiagonalKernel(double[] w, Dataset data)
        {
            _w = w;
            _data = data;
        }

        public int ScratchLength => _data.TargetSize + _w.Length;

        public void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch)
        {
            int n = _w.Length, c = _data.TargetSize;
            Span<double> output = scratch.Slice(0, c);
            Span<double> temp = scratch.Slice(c, n);
            for (int i = start; i < end; i++)
                TMatrix.AddDiagonal<TModel, TLoss>(_w, _data.Input(i), output, _data.Target(i), accumulator, temp);
        }
    }
}
