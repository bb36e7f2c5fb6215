using System;

namespace AutoCurv;

/// <summary>
/// A discrete estimate of the spectral density of an n × n operator, φ(λ) ≈ Σ_k w_k δ(λ − θ_k), as produced by
/// <see cref="StochasticLanczosQuadrature.Density"/>. The weights sum to 1, so n·w_k estimates how many
/// eigenvalues sit near θ_k.
/// </summary>
public sealed class SpectralDensity
{
    internal SpectralDensity(double[] nodes, double[] weights, int size)
    {
        Nodes = nodes;
        Weights = weights;
        Size = size;
    }

    /// <summary>The quadrature nodes θ_k (Ritz values of every probe), ascending.</summary>
    public double[] Nodes { get; }

    /// <summary>The weights w_k of the nodes; they sum to 1.</summary>
    public double[] Weights { get; }

    /// <summary>The dimension n of the operator the density describes.</summary>
    public int Size { get; }

    /// <summary>Estimates tr f(A) = Σ_i f(λ_i) as n Σ_k w_k f(θ_k) (for example f = log for a log-determinant).</summary>
    /// <param name="function">The spectral function f.</param>
    /// <returns>The estimate of tr f(A).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public double Trace(Func<double, double> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        double sum = 0.0;
        for (int k = 0; k < Nodes.Length; k++) sum += Weights[k] * function(Nodes[k]);
        return Size * sum;
    }

    /// <summary>
    /// Evaluates the density smoothed by a Gaussian kernel of standard deviation <paramref name="bandwidth"/>:
    /// φ_σ(t) = Σ_k w_k N(t; θ_k, σ²), which integrates to 1 over the real line.
    /// </summary>
    /// <param name="grid">The points t at which to evaluate.</param>
    /// <param name="bandwidth">σ, positive.</param>
    /// <returns>φ_σ at every grid point.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bandwidth"/> is not positive and finite.</exception>
    public double[] Evaluate(ReadOnlySpan<double> grid, double bandwidth)
    {
        if (!(bandwidth > 0.0) || double.IsInfinity(bandwidth))
            throw new ArgumentOutOfRangeException(nameof(bandwidth), bandwidth, "The bandwidth must be positive and finite.");
        var result = new double[grid.Length];
        double norm = 1.0 / (bandwidth * Math.Sqrt(2.0 * Math.PI));
        for (int g = 0; g < grid.Length; g++)
        {
            double sum = 0.0;
            for (int k = 0; k < Nodes.Length; k++)
            {
                double u = (grid[g] - Nodes[k]) / bandwidth;
                sum += Weights[k] * Math.Exp(-0.5 * u * u);
            }
            result[g] = norm * sum;
        }
        return result;
    }
}
