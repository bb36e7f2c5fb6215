using System;

namespace AutoCurv;

/// <summary>
/// Σ over samples and labels of g ⊙ g, the diagonal of Σ g gᵀ; the labels are laid out as in
/// <see cref="GradientOuterProductKernel{TModel, TLoss}"/>.
/// </summary>
internal readonly struct GradientSquareKernel<TModel, TLoss> : IChunkKernel
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    private readonly double[] _w;
    private readonly Dataset _data;
    private readonly double[] _labels;
    private readonly int _labelsPerSample;

    public GradientSquareKernel(double[] w, Dataset data, double[] labels, int labelsPerSample)
    {
        _w = w;
        _data = data;
        _labels = labels;
        _labelsPerSample = labelsPerSample;
    }

    public int ScratchLength => _data.TargetSize + _w.Length;

    public void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch)
    {
        int n = _w.Length, c = _data.TargetSize;
        Span<double> output = scratch.Slice(0, c);
        Span<double> gradient = scratch.Slice(c, n);
        for (int i = start; i < end; i++)
        {
            ReadOnlySpan<double> x = _data.Input(i);
            for (int k = 0; k < _labelsPerSample; k++)
            {
                ReadOnlySpan<double> label = _labels.AsSpan((i * _labelsPerSample + k) * c, c);
                TModel.LossGradient<TLoss>(_w, x, output, label, gradient);
                VectorMath.AddSquares(accumulator, gradient);
            }
        }
    }
}
