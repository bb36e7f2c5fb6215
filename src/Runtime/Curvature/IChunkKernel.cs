using System;

namespace AutoCurv;

/// <summary>
/// The per-sample work of one data-set reduction. Implemented by readonly structs so that
/// <see cref="ChunkedReduction"/> is specialised per kernel (and per model and loss) with no virtual calls.
/// </summary>
internal interface IChunkKernel
{
    /// <summary>Doubles of scratch one chunk needs (output, gradient and product buffers).</summary>
    int ScratchLength { get; }

    /// <summary>
    /// Adds the contributions of samples [<paramref name="start"/>, <paramref name="end"/>) to
    /// <paramref name="accumulator"/> (zeroed by the caller), in sample order. <paramref name="chunk"/> is the
    /// chunk's index (chunks run once each, in any order and on any thread): a kernel may keep a per-chunk value
    /// outside the accumulator by it.
    /// </summary>
    void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch);
}
