using System;
using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace AutoCurv;

/// <summary>
/// Sums per-sample vectors over a data set in parallel with a result that is bit-identical for every degree of
/// parallelism: the samples are cut into a fixed number of contiguous chunks (depending only on the sample
/// count), each chunk is reduced in sample order into its own buffer, and the chunk sums are added in chunk order.
/// Threads only decide which chunk runs where, never the order of any floating-point addition.
/// </summary>
internal static class ChunkedReduction
{
    /// <summary>The number of chunks for more than this many samples.</summary>
    public const int MaxChunks = 64;

    // Chunk buffers held at once (in doubles). Chunks run in waves that fit this budget; waves change only when
    // chunk sums are computed, not the order in which they are added, so the result does not depend on it.
    private const long BufferBudget = 1L << 22;

    /// <summary>
    /// The chunk count for <paramref name="count"/> samples with at least <paramref name="samplesPerChunk"/> in each
    /// chunk where there are enough: min(⌈count / samplesPerChunk⌉, 64). Depends on the sample count only.
    /// </summary>
    public static int ChunkCount(int count, int samplesPerChunk = 1) =>
        Math.Min((int)(((long)count + samplesPerChunk - 1) / samplesPerChunk), MaxChunks);

    /// <summary>
    /// The chunk count when chunk boundaries fall on multiples of <paramref name="alignment"/>: the samples form
    /// ⌈count / alignment⌉ units (the last one possibly short), and each chunk holds at least
    /// ⌈samplesPerChunk / alignment⌉ units where there are enough. For an alignment of 1 this is
    /// <see cref="ChunkCount(int, int)"/>.
    /// </summary>
    private static int AlignedChunkCount(int count, int samplesPerChunk, int alignment) =>
        ChunkCount(Units(count, alignment), UnitsPerChunk(samplesPerChunk, alignment));

    private static int Units(int count, int alignment) => (int)(((long)count + alignment - 1) / alignment);

    private static int UnitsPerChunk(int samplesPerChunk, int alignment) => Math.Max(1, (samplesPerChunk + alignment - 1) / alignment);

    /// <summary>
    /// First sample of chunk <paramref name="chunk"/> of <paramref name="chunks"/>: a multiple of
    /// <paramref name="alignment"/> (or <paramref name="count"/> for the end of the last chunk).
    /// </summary>
    private static int ChunkStart(int chunk, int count, int chunks, int alignment)
    {
        int units = Units(count, alignment);
        long start = (long)chunk * units / chunks * alignment;
        return (int)Math.Min(start, count);
    }

    /// <summary>Validates a MaxDegreeOfParallelism value with the semantics of <see cref="ParallelOptions"/>.</summary>
    public static int ValidateDegree(int value, string paramName)
    {
        if (value == 0 || value < -1)
            throw new ArgumentOutOfRangeException(paramName, value, "MaxDegreeOfParallelism must be positive, or -1 for no limit.");
        return value;
    }

    /// <summary>
    /// Writes Σ over samples 0..<paramref name="count"/>−1 of the kernel's contributions (a vector of
    /// <paramref name="total"/>.Length entries) into <paramref name="total"/>. Each chunk holds at least
    /// <paramref name="samplesPerChunk"/> samples where there are enough: a chunk costs one clearing and one addition
    /// of a <paramref name="total"/>-long buffer, so several samples per chunk keep that overhead small. Every chunk
    /// but the last starts and ends at a multiple of <paramref name="alignment"/> (a kernel that runs blocks of that
    /// many samples then has only full blocks, except in the last chunk). The chunking depends on
    /// <paramref name="count"/>, <paramref name="samplesPerChunk"/> and <paramref name="alignment"/> only.
    /// </summary>
    public static void Sum<TKernel>(TKernel kernel, int count, int maxDegreeOfParallelism, Span<double> total, int samplesPerChunk = 1, int alignment = 1)
        where TKernel : struct, IChunkKernel
        => Reduce(kernel, count, maxDegreeOfParallelism, total, Span<double>.Empty, 1.0, samplesPerChunk, alignment);

    /// <summary>
    /// The sum of <see cref="Sum{TKernel}"/> (same chunks, same additions) with its first <paramref name="mean"/>.Length
    /// entries divided by <paramref name="divisor"/> into <paramref name="mean"/>: the addition of the last chunk and
    /// the division in one pass over the vector, after every chunk has run (so <paramref name="mean"/> may alias what
    /// the kernel reads). <paramref name="total"/> is scratch for those entries and holds the sum of the others; it
    /// may be <paramref name="mean"/> itself when that does not alias anything the kernel reads (the sum then
    /// builds up in place and the last pass divides it there).
    /// </summary>
    public static void Mean<TKernel>(TKernel kernel, int count, int maxDegreeOfParallelism, Span<double> total, Span<double> mean, double divisor,
        int samplesPerChunk = 1, int alignment = 1)
        where TKernel : struct, IChunkKernel
    {
        if (mean.Length > total.Length) throw new ArgumentException("The mean is longer than the sum.", nameof(mean));
        Reduce(kernel, count, maxDegreeOfParallelism, total, mean, divisor, samplesPerChunk, alignment);
    }

    /// <summary>
    /// total = Σ chunk sums in chunk order; with a non-empty <paramref name="mean"/>, the last addition into its
    /// entries writes (total + chunk) / divisor there instead (<see cref="Finish"/>).
    /// </summary>
    private static void Reduce<TKernel>(TKernel kernel, int count, int maxDegreeOfParallelism, Span<double> total, Span<double> mean, double divisor,
        int samplesPerChunk, int alignment)
        where TKernel : struct, IChunkKernel
    {
        if (alignment < 1) throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "The chunk alignment must be at least 1.");
        int width = total.Length;
        int chunks = AlignedChunkCount(count, samplesPerChunk, alignment);
        int scratchLength = kernel.ScratchLength;
        int degree = maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;

        if (degree <= 1 || chunks <= 1)
        {
            total.Clear();
            double[] accumulator = ArrayPool<double>.Shared.Rent(Math.Max(width, 1));
            double[] scratch = ArrayPool<double>.Shared.Rent(Math.Max(scratchLength, 1));
            try
            {
                Span<double> acc = accumulator.AsSpan(0, width);
                for (int c = 0; c < chunks; c++)
                {
                    // Chunk 0 sums straight into the cleared total: the same additions as 0 + its sum, one clearing
                    // and one n-long addition fewer.
                    Span<double> into = c == 0 ? total : acc;
                    if (c > 0) acc.Clear();
                    kernel.Accumulate(c, ChunkStart(c, count, chunks, alignment), ChunkStart(c + 1, count, chunks, alignment), into, scratch.AsSpan(0, scratchLength));
                    if (c > 0) AddChunk(total, acc, mean, divisor, c == chunks - 1);
                }
                if (chunks <= 1) Finish(total, mean, divisor);
            }
            finally
            {
                ArrayPool<double>.Shared.Return(scratch);
                ArrayPool<double>.Shared.Return(accumulator);
            }
            return;
        }
        ReduceInParallel(kernel, count, maxDegreeOfParallelism, degree, total, mean, divisor, chunks, alignment);
    }

    /// <summary>
    /// The chunks of <see cref="Reduce{TKernel}"/> on several threads, in waves of buffers. A method of its own: the
    /// closure its lambdas share is allocated on entry, which the one-thread path above then never pays.
    /// </summary>
    /// <remarks>
    /// Each wave is one parallel loop of workers. A worker claims chunks until none is left, then waits until every
    /// chunk of the wave has finished (each one claimed is running on some worker, so the wait ends), then claims
    /// slices of the vector and adds the wave's chunk sums into the total over its slice, in chunk order: the additions
    /// of the one-thread path element by element, with the n-long passes shared by the threads instead of run on one
    /// after the parallel part. Chunk 0 sums straight into the total, as on one thread (the total does not alias what
    /// the kernel reads).
    /// </remarks>
    private static void ReduceInParallel<TKernel>(TKernel kernel, int count, int maxDegreeOfParallelism, int degree, Span<double> total, Span<double> mean,
        double divisor, int chunks, int alignment)
        where TKernel : struct, IChunkKernel
    {
        int width = total.Length;
        int scratchLength = kernel.ScratchLength;
        long fitting = BufferBudget / Math.Max(width, 1);
        int wave = (int)Math.Max(Math.Min(fitting, chunks), Math.Min(degree, chunks));
        double[] buffers = ArrayPool<double>.Shared.Rent(Math.Max(checked(wave * width), 1));
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        // Spans cannot be captured: the workers reach the total and the mean through pointers (both pinned here).
        unsafe
        {
            fixed (double* pTotal = total)
            fixed (double* pMean = mean)
            {
                var shared = new WaveState(pTotal, width, pMean, mean.Length, buffers, divisor, chunks);
                try
                {
                    for (int first = 0; first < chunks; first += wave)
                    {
                        shared.Begin(first, Math.Min(chunks, first + wave));
                        int workers = Math.Min(degree, shared.Last - first);
                        Parallel.For(0, workers, options, _ =>
                        {
                            double[]? scratch = null;
                            try
                            {
                                for (int c; (c = shared.ClaimChunk()) >= 0;)
                                {
                                    try
                                    {
                                        scratch ??= ArrayPool<double>.Shared.Rent(Math.Max(scratchLength, 1));
                                        Span<double> into = shared.ChunkSum(c);
                                        into.Clear();
                                        kernel.Accumulate(c, ChunkStart(c, count, chunks, alignment), ChunkStart(c + 1, count, chunks, alignment), into,
                                            scratch.AsSpan(0, scratchLength));
                                    }
                                    catch
                                    {
                                        shared.Failed = true;
                                        throw;
                                    }
                                    finally
                                    {
                                        shared.ChunkDone();
                                    }
                                }
                            }
                            finally
                            {
                                if (scratch is not null) ArrayPool<double>.Shared.Return(scratch);
                            }
                            if (!shared.WaitForChunks()) return;
                            for (int slice; (slice = shared.ClaimSlice()) >= 0;) shared.Combine(slice);
                        });
                    }
                }
                catch (AggregateException e) when (e.InnerExceptions.Count > 0)
                {
                    // Misuse inside a model (a span of the wrong length) must surface as the ArgumentException it is.
                    ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                    throw;
                }
                finally
                {
                    ArrayPool<double>.Shared.Return(buffers);
                }
            }
        }
    }

    /// <summary>
    /// What the workers of one wave share: the chunks and slices still to claim, the chunks finished, and where each
    /// chunk's sum lives (chunk 0 in the total itself, the others in their buffer of the wave).
    /// </summary>
    private sealed unsafe class WaveState
    {
        /// <summary>Doubles per combining slice (64 KB): small enough to share the additions evenly, large enough to stream.</summary>
        private const int SliceLength = 1 << 13;

        private readonly double* _total;
        private readonly int _width;
        private readonly double* _mean;
        private readonly int _meanLength;
        private readonly double[] _buffers;
        private readonly double _divisor;
        private readonly int _chunks;
        private readonly int _slices;
        private int _first, _nextChunk, _done, _nextSlice;

        public WaveState(double* total, int width, double* mean, int meanLength, double[] buffers, double divisor, int chunks)
        {
            _total = total;
            _width = width;
            _mean = mean;
            _meanLength = meanLength;
            _buffers = buffers;
            _divisor = divisor;
            _chunks = chunks;
            _slices = (width + SliceLength - 1) / SliceLength;
        }

        /// <summary>One past the last chunk of the current wave.</summary>
        public int Last { get; private set; }

        /// <summary>Set when a chunk threw: the waiting workers then skip the combining.</summary>
        public volatile bool Failed;

        /// <summary>Starts the wave of chunks [<paramref name="first"/>, <paramref name="last"/>).</summary>
        public void Begin(int first, int last)
        {
            _first = first;
            Last = last;
            _nextChunk = first;
            _done = 0;
            _nextSlice = 0;
        }

        /// <summary>The next chunk of the wave nobody has claimed, or −1.</summary>
        public int ClaimChunk()
        {
            int c = Interlocked.Increment(ref _nextChunk) - 1;
            return c < Last ? c : -1;
        }

        public void ChunkDone() => Interlocked.Increment(ref _done);

        /// <summary>Where chunk <paramref name="c"/> of the wave sums.</summary>
        public Span<double> ChunkSum(int c) => c == 0 ? new Span<double>(_total, _width) : _buffers.AsSpan((c - _first) * _width, _width);

        /// <summary>Waits until every chunk of the wave has finished; false when one of them threw.</summary>
        public bool WaitForChunks()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) < Last - _first) spin.SpinOnce(sleep1Threshold: -1);
            return !Failed;
        }

        /// <summary>The next slice nobody has claimed, or −1.</summary>
        public int ClaimSlice()
        {
            int s = Interlocked.Increment(ref _nextSlice) - 1;
            return s < _slices ? s : -1;
        }

        /// <summary>total += the wave's chunk sums in chunk order over slice <paramref name="slice"/> (the last chunk's additions into the mean, <see cref="AddChunk"/>).</summary>
        public void Combine(int slice)
        {
            int from = slice * SliceLength, length = Math.Min(SliceLength, _width - from);
            var total = new Span<double>(_total + from, length);
            // The part of this slice that lies inside the mean, and that part of the mean.
            int m = Math.Clamp(_meanLength - from, 0, length);
            var mean = new Span<double>(_mean + from, m);
            for (int c = Math.Max(_first, 1); c < Last; c++)
                AddChunk(total, _buffers.AsSpan((c - _first) * _width + from, length), mean, _divisor, c == _chunks - 1);
        }
    }

    /// <summary>total += chunk; for the last chunk, the entries of <paramref name="mean"/> go there as (total + chunk) / divisor.</summary>
    private static void AddChunk(Span<double> total, ReadOnlySpan<double> chunk, Span<double> mean, double divisor, bool last)
    {
        int m = last ? mean.Length : 0;
        if (m > 0) VectorMath.AddDivide(mean, total.Slice(0, m), chunk.Slice(0, m), divisor);
        VectorMath.Add(total.Slice(m), chunk.Slice(m));
    }

    /// <summary>mean = total / divisor over its entries, when there was no second chunk to add.</summary>
    private static void Finish(Span<double> total, Span<double> mean, double divisor)
    {
        if (mean.Length > 0) VectorMath.Divide(mean, total.Slice(0, mean.Length), divisor);
    }
}
