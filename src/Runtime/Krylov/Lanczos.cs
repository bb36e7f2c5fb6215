using System;
using System.Collections.Generic;
using System.Threading;

namespace AutoCurv;

/// <summary>
/// Extreme eigenvalues of a symmetric operator by the Lanczos method with full reorthogonalisation: one product
/// with the operator per step, and the eigenvalues of a small tridiagonal matrix (solved by implicit QL) as
/// estimates. Converges first to the ends of the spectrum, so a handful of the largest eigenvalues of a
/// Hessian or GGN costs tens of Hessian-vector products.
/// </summary>
/// <remarks>
/// A single Krylov start sees each eigenspace once, so a repeated eigenvalue is reported once: the results are
/// the largest <em>distinct</em> eigenvalues resolved. When the Krylov space becomes invariant the iteration
/// restarts from a fresh random direction orthogonal to the basis, so eigenvalues the start vector missed can
/// still be found. Every random choice comes from <c>seed</c>, so results are reproducible.
/// </remarks>
public static class Lanczos
{
    /// <summary>Default relative tolerance on the Ritz residual ‖A y − θ y‖ ≤ tolerance · ‖A‖.</summary>
    public const double DefaultTolerance = 1e-10;

    /// <summary>Returns the largest algebraic distinct eigenvalues of <paramref name="op"/>, largest first.</summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="count">How many eigenvalues to return (at least 1). Fewer come back if the operator has fewer distinct eigenvalues.</param>
    /// <param name="seed">Seed of the random start vector.</param>
    /// <param name="maxIterations">Most Lanczos steps (products with <paramref name="op"/>); 0 picks <c>min(n, 10·count + 50)</c>.</param>
    /// <param name="tolerance">Relative residual tolerance; the iteration stops once the top <paramref name="count"/> pairs meet it.</param>
    /// <param name="progress">Receives the number of completed steps after each step.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The eigenvalues, largest first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="op"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static double[] TopEigenvalues(ILinearOperator op, int count, int seed = 0, int maxIterations = 0,
        double tolerance = DefaultTolerance, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
        => Run(op, count, seed, maxIterations, tolerance, progress, cancellationToken, vectors: false).Eigenvalues;

    /// <summary>Returns the largest algebraic distinct eigenvalues of <paramref name="op"/>, largest first, with unit eigenvectors.</summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="count">How many eigenpairs to return (at least 1).</param>
    /// <param name="seed">Seed of the random start vector.</param>
    /// <param name="maxIterations">Most Lanczos steps; 0 picks <c>min(n, 10·count + 50)</c>.</param>
    /// <param name="tolerance">Relative residual tolerance.</param>
    /// <param name="progress">Receives the number of completed steps after each step.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The eigenpairs, their residuals, the step count and whether the tolerance was met.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="op"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static LanczosResult TopEigenpairs(ILinearOperator op, int count, int seed = 0, int maxIterations = 0,
        double tolerance = DefaultTolerance, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
        => Run(op, count, seed, maxIterations, tolerance, progress, cancellationToken, vectors: true);

    private static LanczosResult Run(ILinearOperator op, int count, int seed, int maxIterations, double tolerance,
        IProgress<int>? progress, CancellationToken cancellationToken, bool vectors)
    {
        ArgumentNullException.ThrowIfNull(op);
        int n = op.Size;
        if (n <= 0) throw new ArgumentException("The operator has no rows (Size is 0).", nameof(op));
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Ask for at least one eigenvalue.");
        if (maxIterations < 0) throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "Pass a positive step limit, or 0 for the default.");
        if (!(tolerance > 0.0) || double.IsInfinity(tolerance)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be a positive finite number.");

        int limit = maxIterations == 0 ? (int)Math.Min(n, 10L * count + 50) : Math.Min(n, maxIterations);
        var random = VectorMath.CreateRandom(seed);
        var start = new double[n];
        VectorMath.FillGaussian(start, ref random);
        var process = new LanczosProcess(op, start);

        Selection selection = default;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool more = process.Step(restart: true, ref random);
            int steps = process.Steps;
            progress?.Report(steps);
            bool last = !more || steps >= limit;
            // The tridiagonal solve is O(m³): check every step while m is small, then every m/20 steps.
            bool due = steps <= 50 || steps % Math.Max(1, steps / 20) == 0;
            if (last || due)
            {
                selection = Select(process, count, tolerance);
                if (last || selection.Converged) break;
            }
        }

        double[][] eigenvectors = vectors ? BuildVectors(process, selection) : Array.Empty<double[]>();
        bool converged = selection.Converged || process.Exhausted && process.ResidualCoupling == 0.0;
        return new LanczosResult(selection.Values, eigenvectors, selection.Residuals, process.Steps, converged);
    }

    private struct Selection
    {
        public double[] Values;
        public double[] Residuals;
        public int[] Columns;
        public double[] RitzVectors;
        public int Size;
        public bool Converged;
    }

    /// <summary>Groups the Ritz values into distinct eigenvalues, largest first, and tests the top ones for convergence.</summary>
    private static Selection Select(LanczosProcess process, int count, double tolerance)
    {
        var (values, ritzVectors) = process.RitzDecomposition();
        int m = values.Length;
        double coupling = process.ResidualCoupling;
        double scale = 0.0;
        for (int k = 0; k < m; k++) scale = Math.Max(scale, Math.Abs(values[k]));
        // Ritz values closer than this are one eigenvalue seen twice (after a restart): report it once.
        double distinct = 1e-10 * scale;

        var chosenValues = new List<double>();
        var chosenResiduals = new List<double>();
        var chosenColumns = new List<int>();
        for (int k = m - 1; k >= 0; k--)
        {
            double residual = Math.Abs(coupling * ritzVectors[(m - 1) * m + k]);
            int last = chosenValues.Count - 1;
            if (last >= 0 && chosenValues[last] - values[k] <= distinct)
            {
                if (residual < chosenResiduals[last])
                {
                    chosenResiduals[last] = residual;
                    chosenColumns[last] = k;
                }
                continue;
            }
            if (chosenValues.Count == count) break;
            chosenValues.Add(values[k]);
            chosenResiduals.Add(residual);
            chosenColumns.Add(k);
        }

        bool converged = chosenValues.Count == count;
        for (int i = 0; i < chosenResiduals.Count && converged; i++)
            converged = chosenResiduals[i] <= tolerance * scale;
        return new Selection
        {
            Values = chosenValues.ToArray(),
            Residuals = chosenResiduals.ToArray(),
            Columns = chosenColumns.ToArray(),
            RitzVectors = ritzVectors,
            Size = m,
            Converged = converged,
        };
    }

    /// <summary>Ritz vectors y = Q s for the selected columns of T's eigenvector matrix.</summary>
    private static double[][] BuildVectors(LanczosProcess process, Selection selection)
    {
        int m = selection.Size;
        var result = new double[selection.Columns.Length][];
        for (int i = 0; i < result.Length; i++)
        {
            int column = selection.Columns[i];
            var y = new double[process.Basis[0].Length];
            for (int k = 0; k < m; k++)
                VectorMath.AddScaled(y, selection.RitzVectors[k * m + column], process.Basis[k]);
            double norm = VectorMath.Norm(y);
            if (norm > 0.0) VectorMath.Scale(y, 1.0 / norm);
            result[i] = y;
        }
        return result;
    }
}
