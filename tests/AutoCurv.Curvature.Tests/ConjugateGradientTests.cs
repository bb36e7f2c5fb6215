using AutoCurv;
using AutoCurv.Curvature.Tests.Models;
using AutoCurv.Curvature.Tests.Support;
using MathNet.Numerics.LinearAlgebra;

namespace AutoCurv.Curvature.Tests;

public class ConjugateGradientTests
{
    private static double DampedResidual(double[] dense, int n, double damping, double[] x, double[] b)
    {
        var ax = Dense.Multiply(dense, n, x);
        return Math.Sqrt(ax.Select((v, i) => v + damping * x[i] - b[i]).Sum(r => r * r));
    }

    [Theory]
    [InlineData(0.1, false)]
    [InlineData(0.1, true)]
    [InlineData(1e-3, true)]
    public void SolvesTheDampedGgnSystem(double damping, bool precondition)
    {
        var data = Problem.Classification(40);
        var w = Problem.TanhParameters(data);
        var g = new GgnOperator<TanhModel, SoftmaxCrossEntropy>(w, data);
        int n = g.Size;
        var b = Dense.RandomVector(n, 31);
        var x = new double[n];
        double[] preconditioner = Array.Empty<double>();
        if (precondition)
        {
            preconditioner = new double[n];
            g.Diagonal(preconditioner);
            for (int i = 0; i < n; i++) preconditioner[i] += damping;
        }
        var result = ConjugateGradient.Solve(g, b, x, damping, tolerance: 1e-10, maxIterations: 10 * n, preconditionerDiagonal: preconditioner);
        Assert.True(result.Converged, $"{result}");
        Assert.False(result.NegativeCurvature);
        var dense = g.ToDense();
        double bNorm = Math.Sqrt(b.Sum(v => v * v));
        Assert.True(DampedResidual(dense, n, damping, x, b) <= 1e-8 * bNorm);
        Assert.True(result.ResidualNorm <= 1e-10 * bNorm);

        var reference = (Matrix<double>.Build.DenseOfRowMajor(n, n, dense) + damping * Matrix<double>.Build.DenseIdentity(n))
            .Solve(Vector<double>.Build.DenseOfArray(b)).ToArray();
        Dense.AssertClose(reference, x, 1e-6);
    }

    [Fact]
    public void StartsFromTheGivenGuess()
    {
        var a = Dense.WithSpectrum(Enumerable.Range(1, 12).Select(i => (double)i).ToArray(), 2);
        var op = new DenseOperator(a, 12);
        var b = Dense.RandomVector(12, 4);
        var x = new double[12];
        var first = ConjugateGradient.Solve(op, b, x);
        Assert.True(first.Converged);
        Assert.True(first.Iterations <= 12 + 5);
        var again = ConjugateGradient.Solve(op, b, x, tolerance: 1e-8);
        Assert.Equal(0, again.Iterations);
        Assert.True(again.Converged);
    }

    [Fact]
    public void ZeroRightHandSideGivesZero()
    {
        var op = new DenseOperator(Dense.WithSpectrum(new[] { 1.0, 2.0, 3.0 }, 1), 3);
        var x = new double[3];
        var result = ConjugateGradient.Solve(op, new double[3], x);
        Assert.True(result.Converged);
        Assert.Equal(0, result.Iterations);
        Assert.All(x, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void ReportsNegativeCurvature()
    {
        var op = new DenseOperator(new double[] { 1, 0, 0, -1 }, 2);
        var result = ConjugateGradient.Solve(op, new double[] { 0, 1 }, new double[2]);
        Assert.True(result.NegativeCurvature);
        Assert.False(result.Converged);
        // Enough damping makes the same operator definite.
        var x = new double[2];
        var damped = ConjugateGradient.Solve(op, new double[] { 0, 1 }, x, damping: 2.0);
        Assert.True(damped.Converged);
        Assert.Equal(1.0, x[1], 12);
    }

    [Fact]
    public void IterationLimitIsRespected()
    {
        var a = Dense.WithSpectrum(Enumerable.Range(0, 40).Select(i => Math.Pow(1.3, i)).ToArray(), 3);
        var op = new DenseOperator(a, 40);
        var result = ConjugateGradient.Solve(op, Dense.RandomVector(40, 1), new double[40], maxIterations: 3);
        Assert.Equal(3, result.Iterations);
        Assert.False(result.Converged);
    }
}
