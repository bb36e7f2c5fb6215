using AutoCurv;
using AutoCurv.Applications.Tests.Models;
using AutoCurv.Applications.Tests.Support;
using MathNet.Numerics.LinearAlgebra;

namespace AutoCurv.Applications.Tests;

public class PruningTests
{
    private static Dataset Data(int count, int inputSize, int outputs, ulong seed)
        => new(Reference.RandomVector(count * inputSize, seed), Reference.RandomVector(count * outputs, seed + 1), count);

    /// <summary>Mean-loss Gauss–Newton matrix (1/N) ΦᵀΦ of the linear model, from the stacked design.</summary>
    private static Matrix<double> GaussNewton(Dataset data)
    {
        var phi = Reference.Design(data);
        return phi.TransposeThisAndMultiply(phi) / data.Count;
    }

    [Fact]
    public void OptimalBrainDamageSaliencyIsHalfDiagonalTimesWeightSquared()
    {
        var data = Data(30, 2, 2, 1);
        var w = Reference.RandomVector(TanhModel.ParameterCount(2, 2), 2, 0.9);
        var dense = Reference.FiniteDifferenceHessian<TanhModel, MeanSquaredError>(w, data);
        int n = w.Length;
        var expected = new double[n];
        for (int q = 0; q < n; q++) expected[q] = 0.5 * dense[q * n + q] * w[q] * w[q];

        var fromOperator = Pruning.OptimalBrainDamage(new HessianOperator<TanhModel, MeanSquaredError>(w, data), w);
        Reference.AssertClose(expected, fromOperator, 1e-6);

        var diagonal = new double[n];
        for (int q = 0; q < n; q++) diagonal[q] = dense[q * n + q];
        Reference.AssertClose(expected, Pruning.OptimalBrainDamage(w, diagonal), 1e-15);
    }

    [Fact]
    public void PruneOptimalBrainDamageZeroesTheLeastSalientWeights()
    {
        var w = new[] { 1.0, -0.1, 0.5, 2.0, -0.05 };
        var diagonal = new[] { 1.0, 4.0, 0.1, 0.02, 1.0 };
        var saliency = Pruning.OptimalBrainDamage(w, diagonal); // 0.5, 0.02, 0.0125, 0.04, 0.00125
        var result = Pruning.PruneOptimalBrainDamage(w, diagonal, 3);
        Assert.Equal(new[] { 4, 2, 1 }, result.PrunedIndices);
        Assert.Equal(new[] { saliency[4], saliency[2], saliency[1] }, result.Saliencies);
        Assert.Equal(saliency[4] + saliency[2] + saliency[1], result.EstimatedLossIncrease, 15);
        Assert.Equal(new[] { 1.0, 0.0, 0.0, 2.0, 0.0 }, w);
    }

    [Fact]
    public void InverseOuterProductMatchesDenseInverse()
    {
        var data = Data(12, 3, 2, 3);
        var w = Reference.RandomVector(LinearModel.ParameterCount(3, 2), 4);
        const double damping = 1e-2;
        int n = w.Length;
        var identity = Matrix<double>.Build.DenseIdentity(n);

        // Gauss–Newton: (1/N) ΦᵀΦ + αI.
        var gn = Pruning.InverseOuterProduct<LinearModel, MeanSquaredError>(w, data, damping, OuterProductCurvature.GaussNewton);
        Reference.AssertClose((GaussNewton(data) + damping * identity).Inverse().ToRowMajorArray(), gn, 1e-9);

        // Empirical Fisher: (1/N) Σ g gᵀ + αI with g_i = Φ_iᵀ r_i (Φ_i the C rows of sample i).
        var phi = Reference.Design(data);
        var residual = phi * Vector<double>.Build.DenseOfArray(w) - Reference.Targets(data);
        var fisher = damping * identity;
        for (int i = 0; i < data.Count; i++)
        {
            var g = Vector<double>.Build.Dense(n);
            for (int k = 0; k < 2; k++) g += phi.Row(i * 2 + k) * residual[i * 2 + k];
            fisher += g.OuterProduct(g) / data.Count;
        }
        var ef = Pruning.InverseOuterProduct<LinearModel, MeanSquaredError>(w, data, damping);
        Reference.AssertClose(fisher.Inverse().ToRowMajorArray(), ef, 1e-9);
    }

    [Fact]
    public void OptimalBrainSurgeonUpdateSolvesTheConstrainedQuadratic()
    {
        var data = Data(40, 3, 1, 5);
        var w = Reference.RandomVector(LinearModel.ParameterCount(3, 1), 6);
        int n = w.Length;
        var inverse = Pruning.InverseOuterProduct<LinearModel, MeanSquaredError>(w, data, 1e-3);
        var h = Matrix<double>.Build.DenseOfRowMajor(n, n, inverse).Inverse();

        for (int q = 0; q < n; q++)
        {
            // KKT: min ½ δᵀ H δ  s.t.  δ_q = −w_q.
            var kkt = Matrix<double>.Build.Dense(n + 1, n + 1);
            kkt.SetSubMatrix(0, 0, h);
            kkt[q, n] = 1.0;
            kkt[n, q] = 1.0;
            var rhs = Vector<double>.Build.Dense(n + 1);
            rhs[n] = -w[q];
            var solution = kkt.Solve(rhs);
            var expected = solution.SubVector(0, n);

            var update = new double[n];
            Pruning.OptimalBrainSurgeonUpdate(w, inverse, q, update);
            Reference.AssertClose(expected.ToArray(), update, 1e-8);
            double expectedSaliency = 0.5 * expected.DotProduct(h * expected);
            Reference.AssertRelative(expectedSaliency, Pruning.OptimalBrainSurgeonSaliencies(w, inverse)[q], 1e-8);
        }
    }

    [Fact]
    public void OptimalBrainSurgeonRecoversLeastSquaresRefitOnLinearModel()
    {
        // At the least-squares optimum of a linear model the mean loss is exactly quadratic with Hessian (1/N) ΦᵀΦ,
        // so OBS with the Gauss–Newton outer product must land on the least-squares refit without the pruned weight.
        var data = Data(50, 4, 1, 7);
        var optimum = Reference.Ridge(data, 0.0);
        int n = optimum.Length;
        var phi = Reference.Design(data);
        var y = Reference.Targets(data);
        const double damping = 1e-10;

        var inverse = Pruning.InverseOuterProduct<LinearModel, MeanSquaredError>(optimum, data, damping, OuterProductCurvature.GaussNewton);
        var saliency = Pruning.OptimalBrainSurgeonSaliencies(optimum, inverse);
        for (int q = 0; q < n; q++)
        {
            var w = (double[])optimum.Clone();
            var update = new double[n];
            Pruning.OptimalBrainSurgeonUpdate(w, inverse, q, update);
            for (int p = 0; p < n; p++) w[p] += update[p];

            var keep = Enumerable.Range(0, n).Where(p => p != q).ToArray();
            var reduced = Matrix<double>.Build.Dense(phi.RowCount, keep.Length, (r, c) => phi[r, keep[c]]);
            var refit = reduced.TransposeThisAndMultiply(reduced).Cholesky().Solve(reduced.TransposeThisAndMultiply(y));
            var expected = new double[n];
            for (int c = 0; c < keep.Length; c++) expected[keep[c]] = refit[c];
            // α = 1e-10 biases by ~1e-10, and the Sherman–Morrison recursion from α⁻¹I loses ~ε/α to rounding.
            Reference.AssertClose(expected, w, 1e-6);
            Assert.True(Math.Abs(w[q]) < 1e-12);

            // The saliency is the exact increase of the mean loss.
            double increase = (Reference.SumLoss<LinearModel>(w, data) - Reference.SumLoss<LinearModel>(optimum, data)) / data.Count;
            Reference.AssertRelative(increase, saliency[q], 1e-6);
        }
    }

    [Fact]
    public void IterativeOptimalBrainSurgeonEqualsRefitOnRemainingSupport()
    {
        var data = Data(60, 5, 1, 9);
        var optimum = Reference.Ridge(data, 0.0);
        int n = optimum.Length;
        var phi = Reference.Design(data);
        var y = Reference.Targets(data);

        var w = (double[])optimum.Clone();
        var result = Pruning.OptimalBrainSurgeon<LinearModel, MeanSquaredError>(w, data, 3,
            new OptimalBrainSurgeonOptions { Curvature = OuterProductCurvature.GaussNewton, Damping = 1e-10 });
        Assert.Equal(3, result.PrunedIndices.Length);
        Assert.Equal(3, result.PrunedIndices.Distinct().Count());
        foreach (int q in result.PrunedIndices) Assert.Equal(0.0, w[q]);

        var keep = Enumerable.Range(0, n).Except(result.PrunedIndices).ToArray();
        var reduced = Matrix<double>.Build.Dense(phi.RowCount, keep.Length, (r, c) => phi[r, keep[c]]);
        var refit = reduced.TransposeThisAndMultiply(reduced).Cholesky().Solve(reduced.TransposeThisAndMultiply(y));
        var expected = new double[n];
        for (int c = 0; c < keep.Length; c++) expected[keep[c]] = refit[c];
        Reference.AssertClose(expected, w, 1e-7);

        double increase = (Reference.SumLoss<LinearModel>(w, data) - Reference.SumLoss<LinearModel>(optimum, data)) / data.Count;
        Reference.AssertRelative(increase, result.EstimatedLossIncrease, 1e-6);
        Assert.Equal(result.Saliencies.Sum(), result.EstimatedLossIncrease, 12);

        // Greedy: the first pruned weight has the least single-weight saliency.
        var inverse = Pruning.InverseOuterProduct<LinearModel, MeanSquaredError>(optimum, data, 1e-10, OuterProductCurvature.GaussNewton);
        var saliency = Pruning.OptimalBrainSurgeonSaliencies(optimum, inverse);
        Assert.Equal(Array.IndexOf(saliency, saliency.Min()), result.PrunedIndices[0]);
    }

    [Fact]
    public void PruningEveryWeightLeavesZeros()
    {
        var data = Data(20, 2, 1, 13);
        var w = Reference.Ridge(data, 0.0);
        var result = Pruning.OptimalBrainSurgeon<LinearModel, MeanSquaredError>(w, data, w.Length);
        Assert.Equal(Enumerable.Range(0, w.Length), result.PrunedIndices.OrderBy(i => i));
        Assert.All(w, v => Assert.Equal(0.0, v));
    }
}
