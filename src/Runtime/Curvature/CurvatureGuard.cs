using System;
using System.Buffers;
using AutoCurv.CompilerServices;

namespace AutoCurv;

/// <summary>Argument checks and small shared steps of the data-set operators; every failure names the parameter.</summary>
internal static class CurvatureGuard
{
    /// <summary>
    /// Copies the parameters (the operator then is a fixed matrix) after checking they are non-empty and, when <typeparamref name="TModel"/> declares its
    /// <see cref="IModel.ParameterCount"/>, that they have that length.
    /// </summary>
    public static double[] CopyParameters<TModel>(ReadOnlyMemory<double> w, string paramName) where TModel : IModel
    {
        RequireParameters<TModel>(w.Length, paramName);
        return w.ToArray();
    }

    /// <summary>Throws if <paramref name="data"/> is null.</summary>
    public static Dataset RequireData(Dataset data, string paramName) => data ?? throw new ArgumentNullException(paramName);

    /// <summary>
    /// Throws if <paramref name="data"/> is null, or if its <see cref="Dataset.InputSize"/> or
    /// <see cref="Dataset.TargetSize"/> disagrees with the <see cref="IModel.InputSize"/> or
    /// <see cref="IModel.OutputSize"/> that <typeparamref name="TModel"/> declares (a size of -1 is not known and
    /// accepts any data set).
    /// </summary>
    public static Dataset RequireData<TModel>(Dataset data, string paramName) where TModel : IModel
    {
        RequireData(data, paramName);
        int inputSize = TModel.InputSize, outputSize = TModel.OutputSize;
        if (inputSize >= 0 && data.InputSize != inputSize)
        {
            throw new ArgumentException(
                $"'{paramName}' has inputs of {data.InputSize} values but the model {ModelName<TModel>()} declares InputSize = {inputSize}; pass a data set whose inputs have {inputSize} values per sample.",
                paramName);
        }
        if (outputSize >= 0 && data.TargetSize != outputSize)
        {
            throw new ArgumentException(
                $"'{paramName}' has targets of {data.TargetSize} values but the model {ModelName<TModel>()} declares OutputSize = {outputSize}; pass a data set whose targets have {outputSize} values per sample (one per model output).",
                paramName);
        }
        return data;
    }

    /// <summary>
    /// Throws unless a parameter vector of <paramref name="length"/> values is non-empty and, when
    /// <typeparamref name="TModel"/> declares its <see cref="IModel.ParameterCount"/>, has that length.
    /// </summary>
    public static void RequireParameters<TModel>(int length, string paramName) where TModel : IModel
    {
        if (length == 0) throw new ArgumentException($"'{paramName}' is empty; pass the model's parameter vector.", paramName);
        int count = TModel.ParameterCount;
        if (count >= 0 && length != count)
        {
            throw new ArgumentException(
                $"'{paramName}' has length {length} but the model {ModelName<TModel>()} declares ParameterCount = {count}; pass a parameter vector of length {count}.",
                paramName);
        }
    }

    private static string ModelName<TModel>() => (typeof(TModel).FullName ?? typeof(TModel).Name).Replace('+', '.');

    /// <summary>Throws unless a span has the operator's size n.</summary>
    public static void RequireLength(int length, int size, string paramName)
    {
        if (length != size)
            throw new ArgumentException($"'{paramName}' has length {length} but the operator has Size {size} (the number of parameters); pass a span of length {size}.", paramName);
    }

    /// <summary>
    /// Data-set means cut the samples into chunks of at least this many (at most 64 chunks): the per-sample members add
    /// straight into their chunk's buffer, and each chunk costs one clearing and one addition of the result vector.
    /// </summary>
    public const int SamplesPerChunk = 8;

    /// <summary>
    /// Runs <paramref name="kernel"/> over the samples and writes the sum divided by <paramref name="divisor"/> into
    /// <paramref name="result"/>. Chunk boundaries fall on multiples of <paramref name="alignment"/> (see
    /// <see cref="ChunkedReduction.Sum{TKernel}"/>); kernels that run batched members pass <see cref="BlockAlignment{TModel}"/>.
    /// </summary>
    public static void Mean<TKernel>(TKernel kernel, int count, double divisor, int maxDegreeOfParallelism, Span<double> result, int alignment = 1)
        where TKernel : struct, IChunkKernel
    {
        int n = result.Length;
        // The sum goes to a temporary: the result may alias the operator's inputs (the direction of a product).
        double[] total = ArrayPool<double>.Shared.Rent(Math.Max(n, 1));
        try
        {
            Mean(kernel, count, maxDegreeOfParallelism, total.AsSpan(0, n), result, divisor, alignment);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(total);
        }
    }

    /// <summary>
    /// Runs <paramref name="kernel"/> over the samples into <paramref name="total"/> (which must not alias the
    /// kernel's inputs, and may be <paramref name="mean"/> itself) and writes its first <paramref name="mean"/>.Length entries divided by
    /// <paramref name="divisor"/> into <paramref name="mean"/> (which may); <paramref name="total"/> keeps the sum of
    /// the other entries (<see cref="ChunkedReduction.Mean{TKernel}"/>; chunking as in
    /// <see cref="Mean{TKernel}(TKernel, int, double, int, Span{double}, int)"/>).
    /// </summary>
    public static void Mean<TKernel>(TKernel kernel, int count, int maxDegreeOfParallelism, Span<double> total, Span<double> mean, double divisor, int alignment)
        where TKernel : struct, IChunkKernel
    {
        // Batched models get chunks of at least two blocks: each chunk costs a clearing and an addition of n doubles.
        int samplesPerChunk = alignment > 1 ? 2 * alignment : SamplesPerChunk;
        ChunkedReduction.Mean(kernel, count, maxDegreeOfParallelism, total, mean, divisor, samplesPerChunk, alignment);
    }

    /// <summary>
    /// The chunk alignment of a data-set mean over <typeparamref name="TModel"/>'s members: <see cref="SampleBlock.Size"/>
    /// when the model has batched members (so that every chunk but the last is whole blocks), otherwise 1. A static
    /// property of a struct type argument: the JIT folds it to a constant.
    /// </summary>
    public static int BlockAlignment<TModel>() where TModel : IModel => TModel.HasBatchedMembers ? SampleBlock.Size : 1;

    /// <summary>
    /// n·n, after checking that a dense n × n matrix fits in one array (n·n computed in <c>int</c> would wrap around
    /// beyond n = 46340); <paramref name="instead"/> completes the message with what to use instead.
    /// </summary>
    public static int DenseLength(int n, string instead)
    {
        if ((long)n * n > Array.MaxLength)
            throw new InvalidOperationException($"A dense {n} × {n} matrix does not fit in one array; {instead}.");
        return n * n;
    }

    /// <summary>Forms the dense matrix of <paramref name="op"/> column by column, then symmetrises it.</summary>
    public static double[] ToDense(ILinearOperator op)
    {
        int n = op.Size;
        var dense = new double[DenseLength(n, "use Apply or the Krylov tools instead")];
        var unit = new double[n];
        var column = new double[n];
        for (int j = 0; j < n; j++)
        {
            unit[j] = 1.0;
            op.Apply(unit, column);
            unit[j] = 0.0;
            for (int i = 0; i < n; i++) dense[i * n + j] = column[i];
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double average = 0.5 * (dense[i * n + j] + dense[j * n + i]);
                dense[i * n + j] = average;
                dense[j * n + i] = average;
            }
        }
        return dense;
    }
}
