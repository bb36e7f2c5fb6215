using System;
using System.ComponentModel;

namespace AutoCurv.CompilerServices;

/// <summary>
/// Factors a symmetric C × C matrix H (a user loss's Hessian) as S Sᵀ through a cyclic Jacobi
/// eigen-decomposition, S = V diag(√max(λ, 0)). Negative eigenvalues are clipped to zero, so the GGN
/// built from S stays positive semidefinite; the clipped mass is returned so callers can report it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SymmetricFactor
{
    /// <summary>Writes S (row-major, C × C) and returns Σ |λ| over the clipped negative eigenvalues.</summary>
    public static double Factor(ReadOnlySpan<double> hessian, int c, Span<double> factor) => Factor(hessian, c, factor, default);

    /// <summary>
    /// With <paramref name="signs"/> (length C): writes S = V diag(√|λ|) and σ = sign(λ), so H = S diag(σ) Sᵀ
    /// exactly (nothing clipped); without it, S = V diag(√max(λ, 0)). Returns Σ |λ| over negative eigenvalues.
    /// </summary>
    public static double Factor(ReadOnlySpan<double> hessian, int c, Span<double> factor, Span<double> signs)
    {
        if (!signs.IsEmpty && signs.Length != c) throw new ArgumentException($"Expected length {c}.", nameof(signs));
        if (c < 0) throw new ArgumentOutOfRangeException(nameof(c));
        if (hessian.Length != c * c) throw new ArgumentException($"Expected length {c * c}.", nameof(hessian));
        if (factor.Length != c * c) throw new ArgumentException($"Expected length {c * c}.", nameof(factor));
        double[] a = new double[c * c];
        double[] v = new double[c * c];
        for (int i = 0; i < c; i++)
        {
            for (int j = 0; j < c; j++) a[i * c + j] = 0.5 * (hessian[i * c + j] + hessian[j * c + i]);
            v[i * c + i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < c; p++) for (int q = p + 1; q < c; q++) off += a[p * c + q] * a[p * c + q];
            if (off < 1e-30) break;
            for (int p = 0; p < c; p++)
            {
                for (int q = p + 1; q < c; q++)
                {
                    double apq = a[p * c + q];
                    if (apq == 0) continue;
                    double theta = (a[q * c + q] - a[p * c + p]) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double cs = 1 / Math.Sqrt(t * t + 1), sn = t * cs;
                    for (int k = 0; k < c; k++)
                    {
                        double akp = a[k * c + p], akq = a[k * c + q];
                        a[k * c + p] = cs * akp - sn * akq;
                        a[k * c + q] = sn * akp + cs * akq;
                    }
                    for (int k = 0; k < c; k++)
                    {
                        double apk = a[p * c + k], aqk = a[q * c + k];
                        a[p * c + k] = cs * apk - sn * aqk;
                        a[q * c + k] = sn * apk + cs * aqk;
                    }
                    for (int k = 0; k < c; k++)
                    {
                        double vkp = v[k * c + p], vkq = v[k * c + q];
                        v[k * c + p] = cs * vkp - sn * vkq;
                        v[k * c + q] = sn * vkp + cs * vkq;
                    }
                }
            }
        }
        double clipped = 0;
        for (int j = 0; j < c; j++)
        {
            double lambda = a[j * c + j];
            if (lambda < 0) clipped -= lambda;
            double s = signs.IsEmpty ? Math.Sqrt(Math.Max(lambda, 0)) : Math.Sqrt(Math.Abs(lambda));
            if (!signs.IsEmpty) signs[j] = lambda < 0 ? -1 : 1;
            for (int i = 0; i < c; i++) factor[i * c + j] = v[i * c + j] * s;
        }
        return clipped;
    }
}
