using System;

namespace AutoCurv;

/// <summary>
/// Σ over samples and labels of g gᵀ v, with g = ∇_w ℓ(F(w, x_i), y) for each of <c>labelsPerSample</c> labels y of
/// sample i (the data set's targets for the empirical Fisher, sampled labels for the Monte-Carlo Fisher).
/// </summary>
internal readonly struct GradientOuterProductKernel<TModel, TLoss> : IChunkKernel
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    private readonly double[] _w;
    private readonly Dataset _data;
    private readonly double[] _labels;
    private readonly int _labelsPerSample;
    private readonly double[] _v;

    /// <summary>Label k of sample i is <c>labels[(i·labelsPerSample + k)·C ..]</c>, C = <see cref="Dataset.TargetSize"/>.</summary>
    public GradientOuterProductKernel(double[] w, Dataset data, double[] labels, int labelsPerSample, double[] v)
    {
        _w = w;
        _data = data;
        _labels = labels;
        _labelsPerSample = labelsPerSample;
        _v = v;
    }

    public int ScratchLength => _data.TargetSize + _w.Length;

    public void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch)
    {
        int n = _w.Length, c = _data.TargetSize;
        Span<double> output = scratch.Slice(0, c);
        Span<double> gradient = scratch.Slice(c, n);
        ReadOnlySpan<double> v = _v.AsSpan(0, n);
        for (int i = start; i < end; i++)
        {
            ReadOnlySpan<double> x = _data.Input(i);
            for (int k = 0; k < _labelsPerSample; k++)
            {
                ReadOnlySpan<double> label = _labels.AsSpan((i * _labelsPerSample + k) * c, c);
                TModel.LossGradient<TLoss>(_w, x, output, label, gradient);
                VectorMath.AddScaled(accumulator, VectorMath.Dot(gradient, v), gradient);
            }
        }
    }
}
