using System;
using System.Threading;

namespace AutoCurv;

/// <summary>
/// Stochastic Lanczos quadrature (Golub–Meurant; Ubaru, Chen and Saad, 2017; Ghorbani, Krishnan and Xiao, 2019):
/// the spectral density of a large symmetric operator from a few Lanczos runs. Each run starts from a normalised
/// Rademacher probe v; the eigenvalues θ_k of its tridiagonal matrix are Gauss quadrature nodes and the squared
/// first components of its eigenvectors are weights with Σ_k τ_k g(θ_k) = vᵀ g(A) v exactly for polynomials g of
/// degree &lt; 2·steps. Averaging over probes gives the density.
/// </summary>
public static class StochasticLanczosQuadrature
{
    /// <summary>Estimates the spectral density of <paramref name="op"/>.</summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="steps">Lanczos steps per probe (at least 1; capped at n): the number of nodes each probe contributes.</param>
    /// <param name="probes">Number of independent probes (at least 1).</param>
    /// <param name="seed">Seed of the probes.</param>
    /// <param name="progress">Receives the number of completed probes after each probe.</param>
    /// <param name="cancellationToken">Checked before every Lanczos step.</param>
    /// <returns>The nodes (ascending) and weights (summing to 1).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="op"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> or <paramref name="probes"/> is less than 1.</exception>
    public static SpectralDensity Density(ILinearOperator op, int steps = 30, int probes = 10, int seed = 0,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        int n = KrylovGuard.RequireOperator(op, nameof(op));
        KrylovGuard.RequireAtLeast(steps, 1, nameof(steps));
        KrylovGuard.RequireAtLeast(probes, 1, nameof(probes));
        int m = Math.Min(steps, n);
        var random = VectorMath.CreateRandom(seed);
        var probe = new double[n];
        var nodes = new double[probes * m];
        var weights = new double[probes * m];
        int used = 0;
        for (int s = 0; s < probes; s++)
        {
            VectorMath.FillRademacher(probe, ref random);
            var process = new LanczosProcess(op, probe);
            // No restart on breakdown: an invariant Krylov space already gives exact quadrature for this probe,
            // and restart directions would carry zero weight.
            while (process.Steps < m)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!process.Step(restart: false, ref random)) break;
            }
            var (values, vectors) = process.RitzDecomposition();
            int k = values.Length;
            for (int j = 0; j < k; j++)
            {
                double first = vectors[j]; // component 0 of eigenvector j
                nodes[used] = values[j];
                weights[used] = first * first / probes;
                used++;
            }
            progress?.Report(s + 1);
        }
        Array.Resize(ref nodes, used);
        Array.Resize(ref weights, used);
        Array.Sort(nodes, weights);
        return new SpectralDensity(nodes, weights, n);
    }
}
