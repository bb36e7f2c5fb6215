using System;
using System.Collections.Generic;

namespace AutoCurv;

/// <summary>Which outer-product approximation of the Hessian <see cref="Pruning.InverseOuterProduct"/> inverts.</summary>
public enum OuterProductCurvature
{
    /// <summary>The empirical Fisher (1/N) Σ_i g_i g_iᵀ, g_i = ∇_w ℓ_i: one rank-1 update per sample (WoodFisher-style OBS).</summary>
    EmpiricalFisher,

    /// <summary>
    /// The Gauss–Newton matrix (1/N) Σ_i J_iᵀ H_ℓ,i J_i = (1/N) Σ_i Σ_m (J_iᵀ s_m)(J_iᵀ s_m)ᵀ with H_ℓ = S Sᵀ:
    /// C rank-1 updates per sample. For squared error this is Hassibi and Stork's outer-product approximation
    /// (1/N) Σ_i J_iᵀ J_i exactly.
    /// </summary>
    GaussNewton,
}

/// <summary>Settings of <see cref="Pruning.OptimalBrainSurgeon{TModel, TLoss}(Span{double}, Dataset, int, OptimalBrainSurgeonOptions?)"/>.</summary>
public sealed record OptimalBrainSurgeonOptions
{
    /// <summary>
    /// α in H ≈ (outer-product curvature) + αI: makes H invertible (the outer product has rank at most N·C) and is
    /// the starting point H₀⁻¹ = α⁻¹I of the Sherman–Morrison recursion (positive). Very small α costs accuracy: the
    /// recursion cancels entries of size 1/α down to size 1/‖H‖, so rounding errors grow like ε·‖H‖/α. Default 1e-6.
    /// </summary>
    public double Damping { get; init; } = 1e-6;

    /// <summary>The outer-product approximation. Default <see cref="OuterProductCurvature.EmpiricalFisher"/>.</summary>
    public OuterProductCurvature Curvature { get; init; } = OuterProductCurvature.EmpiricalFisher;

    internal void Validate(string paramName)
    {
        ApplicationGuard.Option(Damping > 0.0 && double.IsFinite(Damping), nameof(Damping), Damping, "it must be positive and finite", paramName);
        ApplicationGuard.Option(Enum.IsDefined(Curvature), nameof(Curvature), Curvature, "pick an OuterProductCurvature value", paramName);
    }
}

/// <summary>The outcome of a pruning call.</summary>
/// <param name="PrunedIndices">The pruned parameter indices, in the order they were removed.</param>
/// <param name="Saliencies">The saliency of each pruned parameter when it was removed (same order).</param>
/// <param name="EstimatedLossIncrease">
/// The sum of the saliencies: the predicted increase of the loss whose curvature was used (the mean loss for the
/// data-set operators), under its quadratic model at a minimum.
/// </param>
public sealed record PruningResult(int[] PrunedIndices, double[] Saliencies, double EstimatedLossIncrease);

/// <summary>
/// Second-order pruning: which weights can be removed at the least cost in loss, from the curvature. Optimal Brain
/// Damage (LeCun, Denker and Solla, 1990) uses only the diagonal; Optimal Brain Surgeon (Hassibi, Stork and Wolff,
/// 1993) uses the inverse of the full matrix and also corrects the remaining weights.
/// </summary>
/// <remarks>
/// Both expand the loss to second order around a minimum w (gradient zero): δL ≈ ½ δwᵀ H δw. Saliencies are in
/// the units of the loss whose curvature is passed in; the data-set operators are means, so they predict the change
/// of the mean loss.
/// </remarks>
public static class Pruning
{
    /// <summary>Optimal Brain Damage saliencies s_q = ½ H_qq w_q²: the loss increase of zeroing w_q alone if H were diagonal.</summary>
    /// <param name="w">The weights.</param>
    /// <param name="hessianDiagonal">diag(H) (same length), for example from <see cref="ICurvatureOperator.Diagonal"/>.</param>
    /// <returns>The saliencies (length n).</returns>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty or the lengths differ.</exception>
    public static double[] OptimalBrainDamage(ReadOnlySpan<double> w, ReadOnlySpan<double> hessianDiagonal)
    {
        ApplicationGuard.RequireParameters(w.Length, nameof(w));
        ApplicationGuard.RequireLength(hessianDiagonal.Length, w.Length, nameof(hessianDiagonal), "the weight count");
        var saliency = new double[w.Length];
        for (int q = 0; q < w.Length; q++) saliency[q] = 0.5 * hessianDiagonal[q] * w[q] * w[q];
        return saliency;
    }

    /// <summary>Optimal Brain Damage saliencies ½ H_qq w_q² with the exact diagonal of <paramref name="curvature"/>.</summary>
    /// <param name="curvature">The curvature at <paramref name="w"/> (Hessian, GGN or a Fisher).</param>
    /// <param name="w">The weights (length <see cref="ILinearOperator.Size"/>).</param>
    /// <returns>The saliencies (length n).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="curvature"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> does not have the operator's size.</exception>
    public static double[] OptimalBrainDamage(ICurvatureOperator curvature, ReadOnlySpan<double> w)
    {
        ArgumentNullException.ThrowIfNull(curvature);
        ApplicationGuard.RequireLength(w.Length, curvature.Size, nameof(w), "the operator's Size");
        var diagonal = new double[curvature.Size];
        curvature.Diagonal(diagonal);
        return OptimalBrainDamage(w, diagonal);
    }

    /// <summary>
    /// Zeroes the <paramref name="count"/> weights of smallest Optimal Brain Damage saliency ½ H_qq w_q² (ties by
    /// index). The other weights are left as they are: OBD makes no compensating update.
    /// </summary>
    /// <param name="w">The weights, pruned in place.</param>
    /// <param name="hessianDiagonal">diag(H) (same length).</param>
    /// <param name="count">How many weights to zero, 0 ≤ count ≤ n.</param>
    /// <returns>The pruned indices (smallest saliency first), their saliencies and their sum.</returns>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty or the lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is out of range.</exception>
    public static PruningResult PruneOptimalBrainDamage(Span<double> w, ReadOnlySpan<double> hessianDiagonal, int count)
    {
        var saliency = OptimalBrainDamage(w, hessianDiagonal);
        RequireCount(count, w.Length);
        var order = new int[w.Length];
        for (int q = 0; q < order.Length; q++) order[q] = q;
        Array.Sort(order, (a, b) => saliency[a] != saliency[b] ? saliency[a].CompareTo(saliency[b]) : a.CompareTo(b));
        var indices = new int[count];
        var values = new double[count];
        double total = 0.0;
        for (int k = 0; k < count; k++)
        {
            int q = order[k];
            indices[k] = q;
            values[k] = saliency[q];
            total += saliency[q];
            w[q] = 0.0;
        }
        return new PruningResult(indices, values, total);
    }

    /// <summary>
    /// The inverse of H = (outer-product curvature) + αI at <paramref name="w"/>, built as in Hassibi and Stork by
    /// successive Sherman–Morrison (rank-1 Woodbury) updates: H₀⁻¹ = α⁻¹I and, for each vector v (a per-sample
    /// gradient, or J_iᵀ s_m for <see cref="OuterProductCurvature.GaussNewton"/>),
    /// H_{k+1}⁻¹ = H_k⁻¹ − (H_k⁻¹ v)(H_k⁻¹ v)ᵀ / (N + vᵀ H_k⁻¹ v), which adds (1/N) v vᵀ. O(N·C·n²) time, n² memory.
    /// </summary>
    /// <typeparam name="TModel">The model.</typeparam>
    /// <typeparam name="TLoss">The per-sample loss.</typeparam>
    /// <param name="w">The weights.</param>
    /// <param name="data">The data set the outer products run over.</param>
    /// <param name="damping">α, positive.</param>
    /// <param name="curvature">The outer-product approximation.</param>
    /// <returns>H⁻¹, row-major n × n.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>), or <paramref name="curvature"/> is not a defined value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="damping"/> is not positive and finite.</exception>
    /// <exception cref="InvalidOperationException">The dense n × n inverse does not fit in one array.</exception>
    public static double[] InverseOuterProduct<TModel, TLoss>(ReadOnlySpan<double> w, Dataset data, double damping,
        OuterProductCurvature curvature = OuterProductCurvature.EmpiricalFisher)
        where TModel : struct, IModel
        where TLoss : struct, ILoss
    {
        CurvatureGuard.RequireData<TModel>(data, nameof(data));
        CurvatureGuard.RequireParameters<TModel>(w.Length, nameof(w));
        ApplicationGuard.RequirePositive(damping, nameof(damping));
        if (!Enum.IsDefined(curvature))
            throw new ArgumentException($"'{nameof(curvature)}' = {curvature} is not an OuterProductCurvature value.", nameof(curvature));

        int n = w.Length, c = data.TargetSize, count = data.Count;
        var inverse = new double[CurvatureGuard.DenseLength(n, "prune by OptimalBrainDamage, which needs the diagonal only")];
        for (int q = 0; q < n; q++) inverse[q * n + q] = 1.0 / damping;
        var output = new double[c];
        var vector = new double[n];
        var u = new double[n];
        var factor = new double[c * c];
        var column = new double[c];
        var signs = new double[c];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<double> x = data.Input(i), y = data.Target(i);
            if (curvature == OuterProductCurvature.EmpiricalFisher)
            {
                TModel.LossGradient<TLoss>(w, x, output, y, vector);
                ShermanMorrison(inverse, n, vector, u, count);
                continue;
            }
            TModel.Forward(w, x, output);
            TLoss.HessianFactor<double>(output, y, factor);
            TLoss.HessianFactorSigns<double>(output, y, signs);
            for (int m = 0; m < c; m++)
            {
                if (signs[m] < 0) continue; // the outer-product approximation keeps the PSD part of H_ℓ
                for (int k = 0; k < c; k++) column[k] = factor[k * c + m];
                TModel.Vjp(w, x, output, column, vector);
                ShermanMorrison(inverse, n, vector, u, count);
            }
        }
        return inverse;
    }

    /// <summary>Optimal Brain Surgeon saliencies L_q = w_q² / (2 [H⁻¹]_qq): the least loss increase of any update that zeroes w_q.</summary>
    /// <param name="w">The weights.</param>
    /// <param name="inverseHessian">H⁻¹, row-major n × n, H positive definite.</param>
    /// <returns>The saliencies (length n).</returns>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="inverseHessian"/> is not n × n, or a diagonal entry is not positive.</exception>
    public static double[] OptimalBrainSurgeonSaliencies(ReadOnlySpan<double> w, ReadOnlySpan<double> inverseHessian)
    {
        int n = RequireInverse(w.Length, inverseHessian);
        var saliency = new double[n];
        for (int q = 0; q < n; q++) saliency[q] = w[q] * w[q] / (2.0 * inverseHessian[q * n + q]);
        return saliency;
    }

    /// <summary>
    /// The Optimal Brain Surgeon update for removing weight q: δw = −(w_q / [H⁻¹]_qq) H⁻¹ e_q, the minimiser of
    /// ½ δwᵀ H δw subject to w_q + δw_q = 0. Adding it to w zeroes w_q and raises the quadratic model by L_q.
    /// </summary>
    /// <param name="w">The weights.</param>
    /// <param name="inverseHessian">H⁻¹, row-major n × n.</param>
    /// <param name="index">q, the weight to remove.</param>
    /// <param name="update">Receives δw (length n).</param>
    /// <exception cref="ArgumentException">A span has the wrong length or [H⁻¹]_qq is not positive.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public static void OptimalBrainSurgeonUpdate(ReadOnlySpan<double> w, ReadOnlySpan<double> inverseHessian, int index, Span<double> update)
    {
        int n = RequireInverse(w.Length, inverseHessian);
        if ((uint)index >= (uint)n) throw new ArgumentOutOfRangeException(nameof(index), index, $"There are {n} weights.");
        ApplicationGuard.RequireLength(update.Length, n, nameof(update), "the weight count");
        double scale = -w[index] / inverseHessian[index * n + index];
        for (int p = 0; p < n; p++) update[p] = scale * inverseHessian[p * n + index];
    }

    /// <summary>
    /// Prunes <paramref name="count"/> weights one at a time by Optimal Brain Surgeon with a given inverse curvature.
    /// Each round removes the remaining weight of least saliency L_q = w_q² / (2 [H⁻¹]_qq), applies its update
    /// δw = −(w_q / [H⁻¹]_qq) H⁻¹ e_q (setting w_q to exactly 0), and restricts the inverse to the remaining weights,
    /// H⁻¹ ← H⁻¹ − H⁻¹ e_q e_qᵀ H⁻¹ / [H⁻¹]_qq, which is the inverse of H with row and column q removed. H itself is
    /// not recomputed, so for a quadratic loss at its minimum the result is the exact constrained minimiser.
    /// </summary>
    /// <param name="w">The weights, pruned and updated in place.</param>
    /// <param name="inverseHessian">H⁻¹, row-major n × n, H positive definite (not modified).</param>
    /// <param name="count">How many weights to remove, 0 ≤ count ≤ n.</param>
    /// <returns>The pruned indices in removal order, their saliencies and their sum.</returns>
    /// <exception cref="ArgumentException">A span has the wrong length, or a diagonal entry of the inverse is not positive.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is out of range.</exception>
    public static PruningResult OptimalBrainSurgeon(Span<double> w, ReadOnlySpan<double> inverseHessian, int count)
    {
        int n = RequireInverse(w.Length, inverseHessian);
        RequireCount(count, n);
        var inverse = inverseHessian.ToArray();
        var pruned = new bool[n];
        var indices = new List<int>(count);
        var saliencies = new List<double>(count);
        var column = new double[n];
        double total = 0.0;
        for (int round = 0; round < count; round++)
        {
            int best = -1;
            double bestSaliency = double.PositiveInfinity;
            for (int q = 0; q < n; q++)
            {
                if (pruned[q]) continue;
                double diagonal = inverse[q * n + q];
                double saliency = diagonal > 0.0 ? w[q] * w[q] / (2.0 * diagonal) : double.PositiveInfinity;
                if (best < 0 || saliency < bestSaliency)
                {
                    best = q;
                    bestSaliency = saliency;
                }
            }
            double pivot = inverse[best * n + best];
            if (!(pivot > 0.0))
                throw new ArgumentException($"The inverse curvature lost positive definiteness at weight {best} ([H⁻¹]_qq = {pivot}); increase the damping.", nameof(inverseHessian));

            for (int p = 0; p < n; p++) column[p] = inverse[p * n + best];
            double scale = w[best] / pivot;
            for (int p = 0; p < n; p++) if (!pruned[p]) w[p] -= scale * column[p];
            w[best] = 0.0;

            // Restrict the inverse to the remaining weights (row and column q become zero).
            for (int p = 0; p < n; p++)
            {
                double factor = column[p] / pivot;
                if (factor == 0.0) continue;
                int row = p * n;
                for (int r = 0; r < n; r++) inverse[row + r] -= factor * column[r];
            }
            for (int p = 0; p < n; p++)
            {
                inverse[p * n + best] = 0.0;
                inverse[best * n + p] = 0.0;
            }

            pruned[best] = true;
            indices.Add(best);
            saliencies.Add(bestSaliency);
            total += bestSaliency;
        }
        return new PruningResult(indices.ToArray(), saliencies.ToArray(), total);
    }

    /// <summary>
    /// Prunes <paramref name="count"/> weights by Optimal Brain Surgeon with the inverse of the outer-product
    /// approximation H ≈ (1/N) Σ v vᵀ + αI built by <see cref="InverseOuterProduct{TModel, TLoss}"/> at the
    /// incoming weights; see <see cref="OptimalBrainSurgeon(Span{double}, ReadOnlySpan{double}, int)"/>.
    /// </summary>
    /// <typeparam name="TModel">The model.</typeparam>
    /// <typeparam name="TLoss">The per-sample loss.</typeparam>
    /// <param name="w">The trained weights, pruned and updated in place.</param>
    /// <param name="data">The data set the curvature runs over.</param>
    /// <param name="count">How many weights to remove, 0 ≤ count ≤ n.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>The pruned indices in removal order, their saliencies (mean-loss units) and their sum.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> is empty, <paramref name="w"/> or <paramref name="data"/> disagrees with a size <typeparamref name="TModel"/> declares (<see cref="IModel.ParameterCount"/>, <see cref="IModel.InputSize"/>, <see cref="IModel.OutputSize"/>), or a property of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is out of range.</exception>
    public static PruningResult OptimalBrainSurgeon<TModel, TLoss>(Span<double> w, Dataset data, int count, OptimalBrainSurgeonOptions? options = null)
        where TModel : struct, IModel
        where TLoss : struct, ILoss
    {
        CurvatureGuard.RequireData<TModel>(data, nameof(data));
        CurvatureGuard.RequireParameters<TModel>(w.Length, nameof(w));
        RequireCount(count, w.Length);
        options ??= new OptimalBrainSurgeonOptions();
        options.Validate(nameof(options));
        var inverse = InverseOuterProduct<TModel, TLoss>(w, data, options.Damping, options.Curvature);
        return OptimalBrainSurgeon(w, inverse, count);
    }

    private static void ShermanMorrison(double[] inverse, int n, ReadOnlySpan<double> v, Span<double> u, int count)
    {
        DenseSymmetric.Multiply(inverse, n, v, u);
        double denominator = count + VectorMath.Dot(v, u);
        for (int p = 0; p < n; p++)
        {
            double factor = u[p] / denominator;
            if (factor == 0.0) continue;
            int row = p * n;
            for (int q = 0; q < n; q++) inverse[row + q] -= factor * u[q];
        }
    }

    private static int RequireInverse(int n, ReadOnlySpan<double> inverseHessian)
    {
        ApplicationGuard.RequireParameters(n, "w");
        ApplicationGuard.RequireLength(inverseHessian.Length, (long)n * n, nameof(inverseHessian), "n·n for the weight count n");
        for (int q = 0; q < n; q++)
        {
            double d = inverseHessian[q * n + q];
            if (!(d > 0.0) || double.IsInfinity(d))
                throw new ArgumentException($"'{nameof(inverseHessian)}' has the diagonal entry {d} at {q}; the inverse of a positive definite matrix has a positive diagonal (add damping).", nameof(inverseHessian));
        }
        return n;
    }

    private static void RequireCount(int count, int n)
    {
        if (count < 0 || count > n)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"'{nameof(count)}' must lie in [0, {n}].");
    }
}
