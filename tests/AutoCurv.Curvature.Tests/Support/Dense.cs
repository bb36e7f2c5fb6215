using AutoCurv;
using MathNet.Numerics.LinearAlgebra;

namespace AutoCurv.Curvature.Tests.Support;

/// <summary>Dense helpers and independent references (MathNet for eigenvalues and solves).</summary>
public static class Dense
{
    public static double[] RandomVector(int n, ulong seed, double scale = 1.0)
    {
        var random = new RandomSource(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * random.NextGaussian();
        return v;
    }

    /// <summary>Q diag(λ) Qᵀ with Q a random orthogonal matrix (QR of a Gaussian matrix).</summary>
    public static double[] WithSpectrum(double[] eigenvalues, ulong seed)
    {
        int n = eigenvalues.Length;
        var g = Matrix<double>.Build.DenseOfRowMajor(n, n, RandomVector(n * n, seed));
        var q = g.QR().Q;
        var a = q * Matrix<double>.Build.DenseOfDiagonalArray(eigenvalues) * q.Transpose();
        a = 0.5 * (a + a.Transpose());
        return a.ToRowMajorArray();
    }

    public static double[] RandomSymmetric(int n, ulong seed)
    {
        var a = RandomVector(n * n, seed);
        var s = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
        return s;
    }

    /// <summary>Eigenvalues of a symmetric matrix, descending, from MathNet's dense solver.</summary>
    public static double[] EigenvaluesDescending(double[] matrix, int n)
    {
        var m = Matrix<double>.Build.DenseOfRowMajor(n, n, matrix);
        var values = m.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
        Array.Sort(values);
        Array.Reverse(values);
        return values;
    }

    /// <summary>Distinct values (gaps above <paramref name="tolerance"/>·max|λ|), keeping order.</summary>
    public static double[] Distinct(double[] descending, double tolerance = 1e-9)
    {
        double scale = descending.Max(Math.Abs);
        var result = new List<double>();
        foreach (double v in descending)
            if (result.Count == 0 || result[^1] - v > tolerance * scale) result.Add(v);
        return result.ToArray();
    }

    public static double[] Multiply(double[] matrix, int n, ReadOnlySpan<double> v)
    {
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0.0;
            for (int j = 0; j < n; j++) s += matrix[i * n + j] * v[j];
            r[i] = s;
        }
        return r;
    }

    public static double Trace(double[] matrix, int n)
    {
        double t = 0.0;
        for (int i = 0; i < n; i++) t += matrix[i * n + i];
        return t;
    }

    public static double FrobeniusSquared(double[] matrix) => matrix.Sum(x => x * x);

    public static double MaxAbs(ReadOnlySpan<double> values)
    {
        double m = 0.0;
        foreach (double v in values) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    public static double MaxAbsDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        Assert.Equal(a.Length, b.Length);
        double m = 0.0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    /// <summary>Asserts max |a − b| ≤ relative · max(1e-300, max |b|).</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double relative)
    {
        double scale = Math.Max(MaxAbs(expected), 1e-300);
        double error = MaxAbsDifference(expected, actual);
        Assert.True(error <= relative * scale, $"max abs error {error:E3} exceeds {relative:E1} × {scale:E3}");
    }

    public static void AssertBitIdentical(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]),
                $"entry {i}: {expected[i]:R} vs {actual[i]:R}");
    }
}
