using System;

namespace AutoCurv;

/// <summary>
/// Draws the Monte-Carlo Fisher's labels: for sample i, <c>labelsPerSample</c> labels y ~ p(y | F(w, x_i)) from a
/// generator seeded by (seed, i) alone, so the labels never depend on chunking or thread count. Writes into the
/// label array (disjoint rows per sample) and adds nothing to the accumulator.
/// </summary>
internal readonly struct SampledLabelsKernel<TModel, TLoss> : IChunkKernel
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    private readonly double[] _w;
    private readonly Dataset _data;
    private readonly double[] _labels;
    private readonly int _labelsPerSample;
    private readonly int _seed;

    public SampledLabelsKernel(double[] w, Dataset data, double[] labels, int labelsPerSample, int seed)
    {
        _w = w;
        _data = data;
        _labels = labels;
        _labelsPerSample = labelsPerSample;
        _seed = seed;
    }

    public int ScratchLength => _data.TargetSize;

    public void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch)
    {
        int c = _data.TargetSize;
        Span<double> output = scratch.Slice(0, c);
        for (int i = start; i < end; i++)
        {
            TModel.Forward(_w, _data.Input(i), output);
            var random = new RandomSource(((ulong)(uint)_seed << 32) | (uint)i);
            for (int k = 0; k < _labelsPerSample; k++)
                TLoss.Sample<double>(output, ref random, _labels.AsSpan((i * _labelsPerSample + k) * c, c));
        }
    }
}
