using System;

namespace AutoCurv;

/// <summary>
/// Small dense symmetric linear algebra for the applications (row-major n × n, n up to a few hundred): Cholesky
/// factorisation and solves, and the full eigendecomposition (Householder tridiagonalisation, EISPACK <c>tred2</c>,
/// followed by the implicit QL of <see cref="SymmetricTridiagonalEigen"/>). Plain loops in a fixed order, so
/// results depend only on the inputs.
/// </summary>
internal static class DenseSymmetric
{
    /// <summary>
    /// Overwrites the lower triangle of <paramref name="matrix"/> with L such that A = L Lᵀ (the strict upper triangle
    /// is cleared). Returns false, leaving the matrix partly overwritten, if A is not numerically positive definite.
    /// </summary>
    public static bool TryCholesky(Span<double> matrix, int n)
    {
        for (int j = 0; j < n; j++)
        {
            int rowJ = j * n;
            double diagonal = matrix[rowJ + j];
            for (int k = 0; k < j; k++) diagonal -= matrix[rowJ + k] * matrix[rowJ + k];
            if (!(diagonal > 0.0) || double.IsInfinity(diagonal)) return false;
            double pivot = Math.Sqrt(diagonal);
            matrix[rowJ + j] = pivot;
            for (int i = j + 1; i < n; i++)
            {
                int rowI = i * n;
                double sum = matrix[rowI + j];
                for (int k = 0; k < j; k++) sum -= matrix[rowI + k] * matrix[rowJ + k];
                matrix[rowI + j] = sum / pivot;
            }
            for (int k = j + 1; k < n; k++) matrix[rowJ + k] = 0.0;
        }
        return true;
    }

    /// <summary>Solves L Lᵀ x = b in place (<paramref name="x"/> holds b on entry) with the factor from <see cref="TryCholesky"/>.</summary>
    public static void CholeskySolve(ReadOnlySpan<double> factor, int n, Span<double> x)
    {
        for (int i = 0; i < n; i++)
        {
            double sum = x[i];
            int row = i * n;
            for (int k = 0; k < i; k++) sum -= factor[row + k] * x[k];
            x[i] = sum / factor[row + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int k = i + 1; k < n; k++) sum -= factor[k * n + i] * x[k];
            x[i] = sum / factor[i * n + i];
        }
    }

    /// <summary>y = A x for a row-major n × n matrix.</summary>
    public static void Multiply(ReadOnlySpan<double> matrix, int n, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < n; i++)
        {
            double sum = 0.0;
            int row = i * n;
            for (int j = 0; j < n; j++) sum += matrix[row + j] * x[j];
            y[i] = sum;
        }
    }

    /// <summary>
    /// Eigendecomposition A = V diag(λ) Vᵀ of a symmetric matrix. Returns the eigenvalues ascending and the
    /// eigenvectors as the columns of a row-major n × n matrix (component k of vector j at <c>k * n + j</c>).
    /// </summary>
    public static (double[] Values, double[] Vectors) Eigen(ReadOnlySpan<double> matrix, int n)
    {
        // V[i][j] lives at v[i * n + j], as in JAMA's tred2.
        var v = matrix.ToArray();
        var d = new double[n];
        var e = new double[n];
        Tridiagonalize(v, d, e, n);

        // tred2 leaves the coupling of rows i − 1 and i in e[i].
        var offDiagonal = new double[Math.Max(n - 1, 0)];
        for (int i = 1; i < n; i++) offDiagonal[i - 1] = e[i];
        var values = new double[n];
        var z = new double[n * n];
        SymmetricTridiagonalEigen.Decompose(d, offDiagonal, values, z);

        // Eigenvectors of A are V Z.
        var vectors = new double[n * n];
        var row = new double[n];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(row);
            for (int k = 0; k < n; k++)
            {
                double vik = v[i * n + k];
                if (vik == 0.0) continue;
                int zRow = k * n;
                for (int j = 0; j < n; j++) row[j] += vik * z[zRow + j];
            }
            Array.Copy(row, 0, vectors, i * n, n);
        }
        return (values, vectors);
    }

    /// <summary>Householder reduction to tridiagonal form (EISPACK tred2, as in JAMA), accumulating the transform in <paramref name="v"/>.</summary>
    private static void Tridiagonalize(double[] v, double[] d, double[] e, int n)
    {
        for (int j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];

        for (int i = n - 1; i > 0; i--)
        {
            double scale = 0.0;
            double h = 0.0;
            for (int k = 0; k < i; k++) scale += Math.Abs(d[k]);
            if (scale == 0.0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0.0;
                    v[j * n + i] = 0.0;
                }
            }
            else
            {
                for (int k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.Sqrt(h);
                if (f > 0) g = -g;
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++) e[j] = 0.0;

                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    v[j * n + i] = f;
                    g = e[j] + v[j * n + j] * f;
                    for (int k = j + 1; k <= i - 1; k++)
                    {
                        g += v[k * n + j] * d[k];
                        e[k] += v[k * n + j] * f;
                    }
                    e[j] = g;
                }
                f = 0.0;
                for (int j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) e[j] -= hh * d[j];
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0.0;
                }
            }
            d[i] = h;
        }

        for (int i = 0; i < n - 1; i++)
        {
            v[(n - 1) * n + i] = v[i * n + i];
            v[i * n + i] = 1.0;
            double h = d[i + 1];
            if (h != 0.0)
            {
                for (int k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
                for (int j = 0; j <= i; j++)
                {
                    double g = 0.0;
                    for (int k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
                    for (int k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
                }
            }
            for (int k = 0; k <= i; k++) v[k * n + i + 1] = 0.0;
        }
        for (int j = 0; j < n; j++)
        {
            d[j] = v[(n - 1) * n + j];
            v[(n - 1) * n + j] = 0.0;
        }
        v[(n - 1) * n + n - 1] = 1.0;
        e[0] = 0.0;
    }
}
