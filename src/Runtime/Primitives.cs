using System;
using AutoCurv.CompilerServices;

namespace AutoCurv;

/// <summary>
/// Dense linear-algebra primitives that <c>[Differentiable]</c> code may call (arguments: spans of the
/// method or their <c>Slice</c>s, ints, the element type). The generator expands each call into plain
/// loops of the IR, so every mode differentiates it with no rule of its own, and its SIMD kernels take
/// over again in the generated code. Called directly, they run those kernels. Matrices are row-major.
/// </summary>
public static class Primitives
{
    /// <summary>Σ x[i]·y[i].</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Kernels.Dot(x, y);

    /// <summary>Σ x[i]·y[i].</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => Kernels.Dot(x, y);

    /// <summary>y = M·x for M (rows × cols); overwrites y.</summary>
    public static void MatVec(ReadOnlySpan<double> matrix, int rows, int cols, ReadOnlySpan<double> x, Span<double> y)
    {
        CheckMatrix(matrix.Length, rows, cols, x.Length, cols, y.Length, rows);
        for (int r = 0; r < rows; r++) y[r] = Kernels.Dot(matrix.Slice(r * cols, cols), x);
    }

    /// <summary>y = Mᵀ·x for M (rows × cols); overwrites y.</summary>
    public static void MatTVec(ReadOnlySpan<double> matrix, int rows, int cols, ReadOnlySpan<double> x, Span<double> y)
    {
        CheckMatrix(matrix.Length, rows, cols, x.Length, rows, y.Length, cols);
        y.Clear();
        for (int r = 0; r < rows; r++) Kernels.Axpy(x[r], matrix.Slice(r * cols, cols), y);
    }

    /// <summary>y += a·x.</summary>
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        if (y.Length != x.Length) throw new ArgumentException($"Expected length {x.Length}, got {y.Length}.", nameof(y));
        Kernels.Axpy(a, x, y);
    }

    /// <summary>M += a·x·yᵀ for M (x.Length × y.Length).</summary>
    public static void Rank1Update(double a, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> matrix)
    {
        if (matrix.Length != (long)x.Length * y.Length) throw new ArgumentException($"Expected length {(long)x.Length * y.Length}, got {matrix.Length}.", nameof(matrix));
        for (int r = 0; r < x.Length; r++) Kernels.Axpy(a * x[r], y, matrix.Slice(r * y.Length, y.Length));
    }

    /// <summary>C = A·B for A (m × k), B (k × n), C (m × n); overwrites C.</summary>
    public static void MatMul(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), "Must not be negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), "Must not be negative.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), "Must not be negative.");
        if (a.Length != (long)m * k) throw new ArgumentException($"Expected length {(long)m * k}, got {a.Length}.", nameof(a));
        if (b.Length != (long)k * n) throw new ArgumentException($"Expected length {(long)k * n}, got {b.Length}.", nameof(b));
        if (c.Length != (long)m * n) throw new ArgumentException($"Expected length {(long)m * n}, got {c.Length}.", nameof(c));
        c.Clear();
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++) Kernels.Axpy(a[i * k + p], b.Slice(p * n, n), c.Slice(i * n, n));
        }
    }

    private static void CheckMatrix(int length, int rows, int cols, int xLength, int xExpected, int yLength, int yExpected)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), "Must not be negative.");
        if (cols < 0) throw new ArgumentOutOfRangeException(nameof(cols), "Must not be negative.");
        if (length != (long)rows * cols) throw new ArgumentException($"Expected length {(long)rows * cols}, got {length}.", "matrix");
        if (xLength != xExpected) throw new ArgumentException($"Expected length {xExpected}, got {xLength}.", "x");
        if (yLength != yExpected) throw new ArgumentException($"Expected length {yExpected}, got {yLength}.", "y");
    }
}
