using System;
using System.Buffers;

namespace AutoCurv;

/// <summary>Argument checks and small shared steps of the data-set operators; every failure names the parameter.</summary>
internal static class CurvatureGuard
{
    /// <summary>Copies the parameters after checking they are non-empty (the operator then is a fixed matrix).</summary>
    public static double[] CopyParameters(ReadOnlyMemory<double> w, string paramName)
    {
        if (w.IsEmpty) throw new ArgumentException($"'{paramName}' is empty; pass the model's parameter vector.", paramName);
        return w.ToArray();
    }

    /// <summary>Throws if <paramref name="data"/> is null.</summary>
    public static Dataset RequireData(Dataset data, string paramName) => data ?? throw new ArgumentNullException(paramName);

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
    /// <paramref name="result"/>.
    /// </summary>
    public static void Mean<TKernel>(TKernel kernel, int count, double divisor, int maxDegreeOfParallelism, Span<double> result)
        where TKernel : struct, IChunkKernel
    {
        int n = result.Length;
        double[] total = ArrayPool<double>.Shared.Rent(Math.Max(n, 1));
        try
        {
            Span<double> sum = total.AsSpan(0, n);
            ChunkedReduction.Sum(kernel, count, maxDegreeOfParallelism, sum, SamplesPerChunk);
            for (int i = 0; i < n; i++) result[i] = sum[i] / divisor;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(total);
        }
    }

    /// <summary>Forms the dense matrix of <paramref name="op"/> column by column, then symmetrises it.</summary>
    public static double[] ToDense(ILinearOperator op)
    {
        int n = op.Size;
        if ((long)n * n > Array.MaxLength)
            throw new InvalidOperationException($"A dense {n} × {n} matrix does not fit in one array; use Apply or the Krylov tools instead.");
        var dense = new double[n * n];
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
