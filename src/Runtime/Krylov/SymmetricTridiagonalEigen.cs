using System;

namespace AutoCurv;

/// <summary>
/// Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by the implicit QL algorithm with Wilkinson-type
/// shifts (the EISPACK <c>tql2</c> procedure, as in JAMA). Small dense work (m ≤ a few hundred): the Lanczos
/// matrices <see cref="Lanczos"/> and <see cref="StochasticLanczosQuadrature"/> produce.
/// </summary>
internal static class SymmetricTridiagonalEigen
{
    /// <summary>
    /// Decomposes T with diagonal <paramref name="diagonal"/> (length m) and off-diagonal <paramref name="offDiagonal"/>
    /// (length m − 1, entry i couples rows i and i + 1).
    /// </summary>
    /// <param name="diagonal">The diagonal of T.</param>
    /// <param name="offDiagonal">The sub/super-diagonal of T.</param>
    /// <param name="eigenvalues">Receives the eigenvalues in ascending order (length m).</param>
    /// <param name="eigenvectors">Receives the eigenvectors as columns, row-major m × m: component k of vector j is at <c>k * m + j</c>.</param>
    public static void Decompose(ReadOnlySpan<double> diagonal, ReadOnlySpan<double> offDiagonal, Span<double> eigenvalues, Span<double> eigenvectors)
    {
        int n = diagonal.Length;
        if (n == 0) return;
        Span<double> d = eigenvalues;
        diagonal.CopyTo(d);
        double[] e = new double[n];
        offDiagonal.Slice(0, n - 1).CopyTo(e);
        Span<double> v = eigenvectors;
        v.Clear();
        for (int i = 0; i < n; i++) v[i * n + i] = 1.0;

        double f = 0.0;
        double tst1 = 0.0;
        const double eps = 2.220446049250313e-16; // 2^-52
        for (int l = 0; l < n; l++)
        {
            // Find a negligible off-diagonal entry: T splits there.
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n)
            {
                if (Math.Abs(e[m]) <= eps * tst1) break;
                m++;
            }
            if (m == n) m = n - 1; // e[n - 1] is 0, so this only guards the loop bound

            if (m > l)
            {
                int iterations = 0;
                do
                {
                    if (++iterations > 100 * n + 100)
                        throw new InvalidOperationException("The tridiagonal QL iteration did not converge (non-finite input?).");

                    // Implicit shift from the leading 2 × 2 block.
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2.0 * e[l]);
                    double r = Hypot(p, 1.0);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;

                    // Implicit QL transformation, chasing the bulge from m up to l.
                    p = d[m];
                    double c = 1.0, c2 = c, c3 = c;
                    double el1 = e[l + 1];
                    double s = 0.0, s2 = 0.0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        for (int k = 0; k < n; k++)
                        {
                            int row = k * n;
                            h = v[row + i + 1];
                            v[row + i + 1] = s * v[row + i] + c * h;
                            v[row + i] = c * v[row + i] - s * h;
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                }
                while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0.0;
        }

        // Selection sort into ascending order, carrying the vectors along.
        for (int i = 0; i < n - 1; i++)
        {
            int k = i;
            double p = d[i];
            for (int j = i + 1; j < n; j++)
            {
                if (d[j] < p)
                {
                    k = j;
                    p = d[j];
                }
            }
            if (k != i)
            {
                d[k] = d[i];
                d[i] = p;
                for (int j = 0; j < n; j++)
                {
                    int row = j * n;
                    (v[row + i], v[row + k]) = (v[row + k], v[row + i]);
                }
            }
        }
    }

    /// <summary>√(a² + b²) without destructive underflow or overflow.</summary>
    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y) (x, y) = (y, x);
        if (x == 0.0) return 0.0;
        double t = y / x;
        return x * Math.Sqrt(1.0 + t * t);
    }
}
