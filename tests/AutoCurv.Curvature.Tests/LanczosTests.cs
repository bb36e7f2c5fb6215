using AutoCurv;
using AutoCurv.Curvature.Tests.Models;
using AutoCurv.Curvature.Tests.Support;

namespace AutoCurv.Curvature.Tests;

public class LanczosTests
{
    private static void AssertRelative(double[] expected, double[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * Math.Abs(expected[i]),
                $"eigenvalue {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 2)]
    [InlineData(40, 3)]
    [InlineData(60, 5)]
    public void MatchesDenseEigenvaluesOfRandomSymmetricMatrices(int n, int count)
    {
        var a = Dense.RandomSymmetric(n, (ulong)(10 + n));
        var expected = Dense.EigenvaluesDescending(a, n).Take(count).ToArray();
        var actual = Lanczos.TopEigenvalues(new DenseOperator(a, n), Math.Min(count, n), seed: 1);
        AssertRelative(expected, actual, 1e-8);
    }

    [Fact]
    public void ReturnsLargestAlgebraicNotLargestMagnitude()
    {
        var values = new double[30];
        for (int i = 0; i < values.Length; i++) values[i] = 5.0 - 0.3 * i;
        values[^1] = -100.0;
        var a = Dense.WithSpectrum(values, 3);
        var top = Lanczos.TopEigenvalues(new DenseOperator(a, 30), 3);
        AssertRelative(new[] { 5.0, 4.7, 4.4 }, top, 1e-8);
    }

    [Fact]
    public void ConvergesEarlyOnALargeOperatorWithDecayingSpectrum()
    {
        const int n = 400;
        var values = Enumerable.Range(0, n).Select(i => 100.0 * Math.Pow(0.85, i)).ToArray();
        var op = new DenseOperator(Dense.WithSpectrum(values, 5), n);
        var result = Lanczos.TopEigenpairs(op, 4, seed: 2);
        Assert.True(result.Converged);
        Assert.True(result.Iterations < n / 4, $"{result.Iterations} steps");
        AssertRelative(values.Take(4).ToArray(), result.Eigenvalues, 1e-8);
    }

    [Fact]
    public void CurvatureOperatorsMatchMathNet()
    {
        var data = Problem.Classification(30);
        var w = Problem.TanhParameters(data);
        foreach (ICurvatureOperator op in new ICurvatureOperator[]
        {
            new HessianOperator<TanhModel, SoftmaxCrossEntropy>(w, data),
            new GgnOperator<TanhModel, SoftmaxCrossEntropy>(w, data),
            new EmpiricalFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data),
        })
        {
            int n = op.Size;
            var expected = Dense.Distinct(Dense.EigenvaluesDescending(op.ToDense(), n)).Take(3).ToArray();
            var actual = Lanczos.TopEigenvalues(op, 3, seed: 7);
            AssertRelative(expected, actual, 1e-8);
        }
    }

    [Fact]
    public void RepeatedEigenvaluesAreReportedOnce()
    {
        var values = new double[] { 5, 5, 5, 3, 3, 2, 1, 0.5, 0.25, 0.1 };
        var op = new DenseOperator(Dense.WithSpectrum(values, 6), values.Length);
        var top = Lanczos.TopEigenvalues(op, 3, seed: 0);
        AssertRelative(new[] { 5.0, 3.0, 2.0 }, top, 1e-8);

        // Fewer distinct eigenvalues than asked for: all of them, once.
        var identity = new double[16];
        for (int i = 0; i < 4; i++) identity[i * 4 + i] = 2.0;
        var all = Lanczos.TopEigenvalues(new DenseOperator(identity, 4), 3);
        AssertRelative(new[] { 2.0 }, all, 1e-12);
    }

    [Fact]
    public void LinearModelGgnHasKroneckerMultiplicities()
    {
        // For f = W x + b with squared error, G = mean [x;1][x;1]ᵀ ⊗ I_C: every eigenvalue is C-fold.
        var data = Problem.Regression(20);
        var w = Problem.LinearParameters(data);
        var g = new GgnOperator<LinearModel, MeanSquaredError>(w, data);
        var dense = Dense.EigenvaluesDescending(g.ToDense(), g.Size);
        var distinct = Dense.Distinct(dense, 1e-8);
        Assert.Equal(Problem.InputSize + 1, distinct.Length);
        AssertRelative(distinct, Lanczos.TopEigenvalues(g, distinct.Length, seed: 3), 1e-8);
    }

    [Fact]
    public void EigenpairsHaveSmallResidualsAndAreOrthonormal()
    {
        var data = Problem.Regression(25);
        var w = Problem.TanhParameters(data);
        var h = new HessianOperator<TanhModel, MeanSquaredError>(w, data);
        int n = h.Size;
        var result = Lanczos.TopEigenpairs(h, 3, seed: 1);
        Assert.Equal(3, result.Eigenvalues.Length);
        Assert.Equal(3, result.Eigenvectors.Length);
        Assert.Equal(3, result.Residuals.Length);
        double scale = Math.Abs(result.Eigenvalues[0]);
        var av = new double[n];
        for (int k = 0; k < 3; k++)
        {
            var v = result.Eigenvectors[k];
            Assert.Equal(n, v.Length);
            h.Apply(v, av);
            double residual = Math.Sqrt(av.Select((x, i) => (x - result.Eigenvalues[k] * v[i]) * (x - result.Eigenvalues[k] * v[i])).Sum());
            Assert.True(residual <= 1e-8 * scale, $"pair {k}: residual {residual}");
            for (int l = 0; l <= k; l++)
            {
                double dot = v.Zip(result.Eigenvectors[l], (a, b) => a * b).Sum();
                Assert.Equal(k == l ? 1.0 : 0.0, dot, 10);
            }
        }
    }

    [Fact]
    public void SameSeedSameResultAndProgressIsReported()
    {
        var op = new DenseOperator(Dense.RandomSymmetric(50, 3), 50);
        var reports = new List<int>();
        var progress = new SynchronousProgress(reports);
        var first = Lanczos.TopEigenpairs(op, 2, seed: 9, progress: progress);
        var second = Lanczos.TopEigenpairs(op, 2, seed: 9);
        Dense.AssertBitIdentical(first.Eigenvalues, second.Eigenvalues);
        Dense.AssertBitIdentical(first.Eigenvectors[0], second.Eigenvectors[0]);
        Assert.Equal(Enumerable.Range(1, first.Iterations), reports);
    }

    [Fact]
    public void MaxIterationsBoundsTheWork()
    {
        var op = new DenseOperator(Dense.RandomSymmetric(80, 4), 80);
        var result = Lanczos.TopEigenpairs(op, 3, maxIterations: 5);
        Assert.Equal(5, result.Iterations);
        Assert.Equal(5, op.Products);
        Assert.False(result.Converged);
    }

    [Fact]
    public void Cancellation()
    {
        var op = new DenseOperator(Dense.RandomSymmetric(20, 4), 20);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => Lanczos.TopEigenvalues(op, 2, cancellationToken: cts.Token));
    }

    private sealed class SynchronousProgress(List<int> reports) : IProgress<int>
    {
        public void Report(int value) => reports.Add(value);
    }
}
