using System;
using System.Buffers;

namespace AutoCurv;

/// <summary>
/// Per-sample quantities over a data set, in the manner of BackPACK's <c>BatchGrad</c>, <c>BatchL2</c> and
/// <c>Variance</c>: the gradient of every sample's loss, its squared norm, and the per-parameter variance of those
/// gradients, each computed in one pass over the data (one <see cref="IModel.LossGradient{TLoss}"/> per sample) and
/// bit-identical for every degree of parallelism.
/// </summary>
/// <typeparam name="TModel">The model (for example the generator's <c>Net.ForwardModel</c>).</typeparam>
/// <typeparam name="TLoss">The per-sample loss (a built-in loss, or the <c>LLoss</c> struct of a loss written in C#).</typeparam>
/// <remarks>
/// <para>The per-sample gradient of sample i is g_i = ∇_w ℓ(F(w, x_i), y_i), the gradient of that sample's own loss,
/// <em>not</em> scaled by 1/N; their mean (1/N) Σ_i g_i is the gradient that <see cref="Objective{TModel, TLoss}"/>
/// returns. (BackPACK's <c>BatchGrad</c> for a mean-reduced loss is g_i / N.)</para>
/// <para>Every method returns the mean loss (1/N) Σ_i ℓ_i, summed in the same order as
/// <see cref="Objective{TModel, TLoss}.Gradient"/>, so it is bit-identical to what that method returns.</para>
/// <para>Determinism: the samples are cut into the fixed chunks of the data-set operators (min(N, 64) contiguous
/// chunks, depending on N only); threads only decide where a chunk runs, never the order of any floating-point
/// operation, so the results are identical for every <c>maxDegreeOfParallelism</c>.</para>
/// </remarks>
public static class PerSample<TModel, TLoss>
    where TModel : struct, IModel
    where TLoss : struct, ILoss
{
    // Doubles of per-chunk statistics held at once by GradientVariance (chunks run in waves that fit it).
    private const long StatisticsBudget = 1L << 22;

    /// <summary>
    /// Writes the gradient of every sample's loss, g_i = ∇_w ℓ(F(w, x_i), y_i), into row i of
    /// <paramref name="gradients"/> and returns the mean loss.
    /// </summary>
    /// <param name="w">The model parameters (n values).</param>
    /// <param name="data">The data set (N samples); the model output size is <see cref="Dataset.TargetSize"/>.</param>
    /// <param name="gradients">Receives the per-sample gradients, N × n row-major: <c>gradients[i * n + j]</c> = ∂ℓ_i/∂w_j.</param>
    /// <param name="maxDegreeOfParallelism">The most threads to use; -1 (the default) for no limit. The result does not depend on it.</param>
    /// <returns>The mean loss (1/N) Σ_i ℓ_i.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares, or <paramref name="gradients"/> does not have length N·n.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static double Gradients(ReadOnlySpan<double> w, Dataset data, Span<double> gradients, int maxDegreeOfParallelism = -1)
    {
        int n = RequireParameters(w, nameof(w));
        CurvatureGuard.RequireData<TModel>(data, nameof(data));
        ChunkedReduction.ValidateDegree(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        long rows = (long)data.Count * n;
        if (gradients.Length != rows)
        {
            throw new ArgumentException(
                $"'{nameof(gradients)}' has length {gradients.Length} but the data set has {data.Count} samples of {n} parameters; pass a span of length {rows} (count × n, row-major).",
                nameof(gradients));
        }

        double[] parameters = ArrayPool<double>.Shared.Rent(n);
        double[] rowsBuffer = ArrayPool<double>.Shared.Rent((int)rows);
        try
        {
            w.CopyTo(parameters);
            Span<double> total = stackalloc double[1];
            ChunkedReduction.Sum(new GradientRowsKernel(parameters, n, data, rowsBuffer), data.Count, maxDegreeOfParallelism, total, CurvatureGuard.SamplesPerChunk);
            rowsBuffer.AsSpan(0, (int)rows).CopyTo(gradients);
            return total[0] / data.Count;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rowsBuffer);
            ArrayPool<double>.Shared.Return(parameters);
        }
    }

    /// <summary>
    /// Writes the <em>squared</em> L2 norm of every sample's gradient, ‖g_i‖² = Σ_j (∂ℓ_i/∂w_j)², into
    /// <paramref name="norms"/> (BackPACK's <c>BatchL2</c>, without its 1/N² scaling) and returns the mean loss. Holds one
    /// gradient per thread, never all of them.
    /// </summary>
    /// <param name="w">The model parameters (n values).</param>
    /// <param name="data">The data set (N samples).</param>
    /// <param name="norms">Receives the N squared norms.</param>
    /// <param name="maxDegreeOfParallelism">The most threads to use; -1 (the default) for no limit. The result does not depend on it.</param>
    /// <returns>The mean loss (1/N) Σ_i ℓ_i.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares, or <paramref name="norms"/> does not have length N.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static double GradientNorms(ReadOnlySpan<double> w, Dataset data, Span<double> norms, int maxDegreeOfParallelism = -1)
    {
        int n = RequireParameters(w, nameof(w));
        CurvatureGuard.RequireData<TModel>(data, nameof(data));
        ChunkedReduction.ValidateDegree(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        if (norms.Length != data.Count)
        {
            throw new ArgumentException(
                $"'{nameof(norms)}' has length {norms.Length} but the data set has {data.Count} samples; pass a span of length {data.Count}.",
                nameof(norms));
        }

        double[] parameters = ArrayPool<double>.Shared.Rent(n);
        double[] normsBuffer = ArrayPool<double>.Shared.Rent(data.Count);
        try
        {
            w.CopyTo(parameters);
            Span<double> total = stackalloc double[1];
            ChunkedReduction.Sum(new GradientNormKernel(parameters, n, data, normsBuffer), data.Count, maxDegreeOfParallelism, total, CurvatureGuard.SamplesPerChunk);
            normsBuffer.AsSpan(0, data.Count).CopyTo(norms);
            return total[0] / data.Count;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(normsBuffer);
            ArrayPool<double>.Shared.Return(parameters);
        }
    }

    /// <summary>
    /// Writes the per-parameter <em>population</em> variance of the per-sample gradients around their mean,
    /// Var_j = (1/N) Σ_i (g_ij − ḡ_j)² with ḡ = (1/N) Σ_i g_i (BackPACK's <c>Variance</c>, without its 1/N² scaling),
    /// into <paramref name="variance"/> and returns the mean loss.
    /// </summary>
    /// <param name="w">The model parameters (n values).</param>
    /// <param name="data">The data set (N samples); for N = 1 the variance is 0.</param>
    /// <param name="variance">Receives the n variances (population: divided by N, not N − 1; multiply by N / (N − 1) for the unbiased sample variance).</param>
    /// <param name="maxDegreeOfParallelism">The most threads to use; -1 (the default) for no limit. The result does not depend on it.</param>
    /// <returns>The mean loss (1/N) Σ_i ℓ_i.</returns>
    /// <remarks>
    /// One pass: Welford's update accumulates the mean and the sum of squared deviations within each chunk, and the
    /// chunk statistics are merged in chunk order with Chan et al.'s pairwise formula, so no cancellation of
    /// E[g²] − ḡ² occurs even when the gradients share a large common part.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares, or <paramref name="variance"/> does not have length n.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static double GradientVariance(ReadOnlySpan<double> w, Dataset data, Span<double> variance, int maxDegreeOfParallelism = -1)
    {
        int n = RequireParameters(w, nameof(w));
        CurvatureGuard.RequireLength(variance.Length, n, nameof(variance));
        double[] mean = ArrayPool<double>.Shared.Rent(n);
        try
        {
            return Moments(w, data, mean.AsSpan(0, n), variance, maxDegreeOfParallelism);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(mean);
        }
    }

    /// <summary>
    /// Writes the mean gradient ḡ = (1/N) Σ_i g_i and the per-parameter population variance
    /// (1/N) Σ_i (g_ij − ḡ_j)² of the per-sample gradients, from the same single pass, and returns the mean loss.
    /// </summary>
    /// <param name="w">The model parameters (n values).</param>
    /// <param name="data">The data set (N samples).</param>
    /// <param name="mean">Receives the mean gradient (n values; equal to <see cref="Objective{TModel, TLoss}.Gradient"/> up to rounding).</param>
    /// <param name="variance">Receives the n population variances.</param>
    /// <param name="maxDegreeOfParallelism">The most threads to use; -1 (the default) for no limit. The result does not depend on it.</param>
    /// <returns>The mean loss (1/N) Σ_i ℓ_i.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares, or <paramref name="mean"/> or <paramref name="variance"/> does not have length n.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static double GradientVariance(ReadOnlySpan<double> w, Dataset data, Span<double> mean, Span<double> variance, int maxDegreeOfParallelism = -1)
    {
        int n = RequireParameters(w, nameof(w));
        CurvatureGuard.RequireLength(mean.Length, n, nameof(mean));
        CurvatureGuard.RequireLength(variance.Length, n, nameof(variance));
        return Moments(w, data, mean, variance, maxDegreeOfParallelism);
    }

    private static double Moments(ReadOnlySpan<double> w, Dataset data, Span<double> mean, Span<double> variance, int maxDegreeOfParallelism)
    {
        int n = w.Length;
        CurvatureGuard.RequireData<TModel>(data, nameof(data));
        ChunkedReduction.ValidateDegree(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        int count = data.Count;
        int chunks = ChunkedReduction.ChunkCount(count, CurvatureGuard.SamplesPerChunk);
        int degree = maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        int stride = StatisticsKernel.Stride(n);

        // Chunks run in waves whose statistics fit the budget (but at least one chunk per thread); the merge below runs
        // in chunk order whatever the wave size, so the result depends on the chunking only.
        long fitting = StatisticsBudget / stride;
        int wave = (int)Math.Max(Math.Min(fitting, chunks), Math.Min(degree, chunks));
        wave = Math.Max(wave, 1);

        double[] parameters = ArrayPool<double>.Shared.Rent(n);
        double[] statistics = ArrayPool<double>.Shared.Rent(checked(wave * stride));
        try
        {
            w.CopyTo(parameters);
            mean.Clear();
            variance.Clear(); // holds M2 = Σ (g − ḡ)² until the end
            long merged = 0;
            double loss = 0.0;
            for (int first = 0; first < chunks; first += wave)
            {
                int last = Math.Min(chunks, first + wave);
                // One "sample" of this reduction is one chunk of the data (at most 64 of them, so each is reduced on its
                // own); each writes its statistics into its own row and nothing into the (empty) sum.
                var kernel = new StatisticsKernel(parameters, n, data, statistics, first, chunks);
                ChunkedReduction.Sum(kernel, last - first, maxDegreeOfParallelism, Span<double>.Empty);
                for (int c = first; c < last; c++)
                {
                    ReadOnlySpan<double> row = statistics.AsSpan((c - first) * stride, stride);
                    long size = (long)row[0];
                    loss += row[1];
                    Merge(merged, mean, variance, size, row.Slice(2, n), row.Slice(2 + n, n));
                    merged += size;
                }
            }
            for (int j = 0; j < n; j++) variance[j] /= count;
            return loss / count;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(statistics);
            ArrayPool<double>.Shared.Return(parameters);
        }
    }

    /// <summary>Chan et al.: merges (size b, mean b, M2 b) into (size a, mean a, M2 a).</summary>
    private static void Merge(long sizeA, Span<double> meanA, Span<double> m2A, long sizeB, ReadOnlySpan<double> meanB, ReadOnlySpan<double> m2B)
    {
        if (sizeB == 0) return;
        if (sizeA == 0)
        {
            meanB.CopyTo(meanA);
            m2B.CopyTo(m2A);
            return;
        }
        double total = sizeA + sizeB;
        double weightB = sizeB / total;
        double cross = (double)sizeA * sizeB / total;
        for (int j = 0; j < meanA.Length; j++)
        {
            double delta = meanB[j] - meanA[j];
            meanA[j] += delta * weightB;
            m2A[j] += m2B[j] + delta * delta * cross;
        }
    }

    private static int RequireParameters(ReadOnlySpan<double> w, string paramName)
    {
        CurvatureGuard.RequireParameters<TModel>(w.Length, paramName);
        return w.Length;
    }

    /// <summary>Writes each sample's gradient into its row of a buffer; sums the losses.</summary>
    private readonly struct GradientRowsKernel : IChunkKernel
    {
        private readonly double[] _w;
        private readonly int _n;
        private readonly Dataset _data;
        private readonly double[] _rows;

        public GradientRowsKernel(double[] w, int n, Dataset data, double[] rows)
        {
            _w = w;
            _n = n;
            _data = data;
            _rows = rows;
        }

        public int ScratchLength => _data.TargetSize;

        public void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch)
        {
            int n = _n;
            ReadOnlySpan<double> w = _w.AsSpan(0, n);
            Span<double> output = scratch.Slice(0, _data.TargetSize);
            double loss = 0.0;
            for (int i = start; i < end; i++)
                loss += TModel.LossGradient<TLoss>(w, _data.Input(i), output, _data.Target(i), _rows.AsSpan(i * n, n));
            accumulator[0] += loss;
        }
    }

    /// <summary>Writes each sample's squared gradient norm into its slot; sums the losses.</summary>
    private readonly struct GradientNormKernel : IChunkKernel
    {
        private readonly double[] _w;
        private readonly int _n;
        private readonly Dataset _data;
        private readonly double[] _norms;

        public GradientNormKernel(double[] w, int n, Dataset data, double[] norms)
        {
            _w = w;
            _n = n;
            _data = data;
            _norms = norms;
        }

        public int ScratchLength => _data.TargetSize + _n;

        public void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch)
        {
            int n = _n, c = _data.TargetSize;
            ReadOnlySpan<double> w = _w.AsSpan(0, n);
            Span<double> output = scratch.Slice(0, c);
            Span<double> gradient = scratch.Slice(c, n);
            double loss = 0.0;
            for (int i = start; i < end; i++)
            {
                loss += TModel.LossGradient<TLoss>(w, _data.Input(i), output, _data.Target(i), gradient);
                _norms[i] = VectorMath.Dot(gradient, gradient);
            }
            accumulator[0] += loss;
        }
    }

    /// <summary>
    /// Welford statistics of one data chunk per reduction index: row r (chunk <c>first + r</c>) receives
    /// [sample count, loss sum, mean gradient (n), Σ (g − mean)² (n)].
    /// </summary>
    private readonly struct StatisticsKernel : IChunkKernel
    {
        private readonly double[] _w;
        private readonly int _n;
        private readonly Dataset _data;
        private readonly double[] _statistics;
        private readonly int _firstChunk;
        private readonly int _chunks;

        public StatisticsKernel(double[] w, int n, Dataset data, double[] statistics, int firstChunk, int chunks)
        {
            _w = w;
            _n = n;
            _data = data;
            _statistics = statistics;
            _firstChunk = firstChunk;
            _chunks = chunks;
        }

        public static int Stride(int n) => checked(2 + 2 * n);

        public int ScratchLength => _data.TargetSize + _n;

        // The data chunks of ChunkedReduction: chunk c is samples [c·N/chunks, (c+1)·N/chunks).
        private int ChunkStart(int chunk) => (int)((long)chunk * _data.Count / _chunks);

        public void Accumulate(int chunk, int start, int end, Span<double> accumulator, Span<double> scratch)
        {
            int n = _n, c = _data.TargetSize;
            int stride = Stride(n);
            ReadOnlySpan<double> w = _w.AsSpan(0, n);
            Span<double> output = scratch.Slice(0, c);
            Span<double> gradient = scratch.Slice(c, n);
            for (int r = start; r < end; r++)
            {
                Span<double> row = _statistics.AsSpan(r * stride, stride);
                Span<double> mean = row.Slice(2, n);
                Span<double> m2 = row.Slice(2 + n, n);
                mean.Clear();
                m2.Clear();
                int dataChunk = _firstChunk + r;
                int first = ChunkStart(dataChunk), last = ChunkStart(dataChunk + 1);
                double loss = 0.0;
                for (int i = first; i < last; i++)
                {
                    loss += TModel.LossGradient<TLoss>(w, _data.Input(i), output, _data.Target(i), gradient);
                    double inverse = 1.0 / (i - first + 1);
                    for (int j = 0; j < n; j++)
                    {
                        double g = gradient[j];
                        double delta = g - mean[j];
                        mean[j] += delta * inverse;
                        m2[j] += delta * (g - mean[j]);
                    }
                }
                row[0] = last - first;
                row[1] = loss;
            }
        }
    }
}
