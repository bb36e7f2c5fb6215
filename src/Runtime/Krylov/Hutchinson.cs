using System;
using System.Threading;

namespace AutoCurv;

/// <summary>
/// Hutchinson's stochastic estimators with Rademacher probes z (entries ±1): tr(A) ≈ mean zᵀ A z and
/// diag(A) ≈ mean z ⊙ A z. Both are unbiased; one product with the operator per probe.
/// </summary>
/// <remarks>
/// For Rademacher probes Var(zᵀ A z) = 2 (‖A‖_F² − Σ_i A_ii²), so the trace estimate has standard error
/// √(2 (‖A‖_F² − Σ A_ii²) / samples); entry i of the diagonal estimate has variance Σ_{j≠i} A_ij² / samples.
/// </remarks>
public static class Hutchinson
{
    /// <summary>Estimates tr(A) as the mean of zᵀ A z over <paramref name="samples"/> Rademacher probes.</summary>
    /// <param name="op">A square operator.</param>
    /// <param name="samples">Number of probes (products with <paramref name="op"/>), at least 1.</param>
    /// <param name="seed">Seed of the probes.</param>
    /// <param name="cancellationToken">Checked before every probe.</param>
    /// <returns>The trace estimate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="op"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is less than 1.</exception>
    public static double Trace(ILinearOperator op, int samples, int seed = 0, CancellationToken cancellationToken = default)
    {
        int n = KrylovGuard.RequireOperator(op, nameof(op));
        KrylovGuard.RequireAtLeast(samples, 1, nameof(samples));
        var random = VectorMath.CreateRandom(seed);
        var z = new double[n];
        var az = new double[n];
        double sum = 0.0;
        for (int s = 0; s < samples; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            VectorMath.FillRademacher(z, ref random);
            op.Apply(z, az);
            sum += VectorMath.Dot(z, az);
        }
        return sum / samples;
    }

    /// <summary>Estimates diag(A) as the mean of z ⊙ A z over <paramref name="samples"/> Rademacher probes.</summary>
    /// <param name="op">A square operator.</param>
    /// <param name="samples">Number of probes (products with <paramref name="op"/>), at least 1.</param>
    /// <param name="seed">Seed of the probes.</param>
    /// <param name="cancellationToken">Checked before every probe.</param>
    /// <returns>The diagonal estimate (length n).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="op"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is less than 1.</exception>
    public static double[] Diagonal(ILinearOperator op, int samples, int seed = 0, CancellationToken cancellationToken = default)
    {
        int n = KrylovGuard.RequireOperator(op, nameof(op));
        KrylovGuard.RequireAtLeast(samples, 1, nameof(samples));
        var random = VectorMath.CreateRandom(seed);
        var z = new double[n];
        var az = new double[n];
        var diagonal = new double[n];
        for (int s = 0; s < samples; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            VectorMath.FillRademacher(z, ref random);
            op.Apply(z, az);
            for (int i = 0; i < n; i++) diagonal[i] += z[i] * az[i];
        }
        VectorMath.Scale(diagonal, 1.0 / samples);
        return diagonal;
    }
}
