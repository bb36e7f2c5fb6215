using AutoCurv;
using AutoCurv.Curvature.Tests.Models;
using AutoCurv.Curvature.Tests.Support;

namespace AutoCurv.Curvature.Tests;

public class TraceAndDensityTests
{
    /// <summary>Var(zᵀAz) for Rademacher z: 2 (‖A‖_F² − Σ A_ii²).</summary>
    private static double RademacherVariance(double[] a, int n)
    {
        double diagonal = 0.0;
        for (int i = 0; i < n; i++) diagonal += a[i * n + i] * a[i * n + i];
        return 2.0 * (Dense.FrobeniusSquared(a) - diagonal);
    }

    [Theory]
    [InlineData(10, 0)]
    [InlineData(100, 1)]
    [InlineData(1000, 2)]
    public void HutchinsonTraceWithinFourStandardErrors(int samples, int seed)
    {
        const int n = 40;
        var a = Dense.RandomSymmetric(n, 21);
        for (int i = 0; i < n; i++) a[i * n + i] += 3.0;
        double exact = Dense.Trace(a, n);
        double sigma = Math.Sqrt(RademacherVariance(a, n) / samples);
        double estimate = Hutchinson.Trace(new DenseOperator(a, n), samples, seed);
        Assert.True(Math.Abs(estimate - exact) <= 4 * sigma, $"|{estimate} − {exact}| > 4σ = {4 * sigma}");
    }

    [Fact]
    public void HutchinsonIsExactForDiagonalMatrices()
    {
        var a = new double[25];
        for (int i = 0; i < 5; i++) a[i * 5 + i] = i - 1.5;
        var op = new DenseOperator(a, 5);
        Assert.Equal(Dense.Trace(a, 5), Hutchinson.Trace(op, 3), 12);
        Dense.AssertClose(new[] { -1.5, -0.5, 0.5, 1.5, 2.5 }, Hutchinson.Diagonal(op, 2), 1e-15);
    }

    [Fact]
    public void HutchinsonDiagonalWithinItsStandardError()
    {
        const int n = 30, samples = 400;
        var a = Dense.RandomSymmetric(n, 22);
        var estimate = Hutchinson.Diagonal(new DenseOperator(a, n), samples, seed: 3);
        var exact = Enumerable.Range(0, n).Select(i => a[i * n + i]).ToArray();
        // E‖d̂ − d‖² = Σ_i Σ_{j≠i} A_ij² / samples.
        double expectedSquared = RademacherVariance(a, n) / 2 / samples;
        double error = Math.Sqrt(estimate.Zip(exact, (x, y) => (x - y) * (x - y)).Sum());
        Assert.True(error <= 3 * Math.Sqrt(expectedSquared), $"{error} vs {Math.Sqrt(expectedSquared)}");
    }

    [Fact]
    public void HutchinsonOnTheGgnOfAModel()
    {
        var data = Problem.Classification(40);
        var w = Problem.TanhParameters(data);
        var g = new GgnOperator<TanhModel, SoftmaxCrossEntropy>(w, data);
        var dense = g.ToDense();
        int n = g.Size;
        double sigma = Math.Sqrt(RademacherVariance(dense, n) / 200);
        double estimate = Hutchinson.Trace(g, 200, seed: 1);
        Assert.True(Math.Abs(estimate - Dense.Trace(dense, n)) <= 4 * sigma);
        var diagonal = new double[n];
        g.Diagonal(diagonal);
        Assert.Equal(Dense.Trace(dense, n), diagonal.Sum(), 10);
    }

    [Fact]
    public void HutchPlusPlusIsExactForLowRank()
    {
        const int n = 50;
        var values = new double[n];
        for (int i = 0; i < 6; i++) values[i] = 10.0 - i;
        var a = Dense.WithSpectrum(values, 8);
        double estimate = HutchPlusPlus.Trace(new DenseOperator(a, n), matrixVectorProducts: 30, seed: 2);
        Assert.Equal(values.Sum(), estimate, 8);
    }

    [Fact]
    public void HutchPlusPlusBeatsHutchinsonOnDecayingSpectra()
    {
        const int n = 200, budget = 60;
        var values = Enumerable.Range(0, n).Select(i => Math.Pow(0.8, i) * 50 + 0.01).ToArray();
        var a = Dense.WithSpectrum(values, 9);
        var op = new DenseOperator(a, n);
        double exact = values.Sum();
        double sigma = Math.Sqrt(RademacherVariance(a, n) / budget);
        double estimate = HutchPlusPlus.Trace(op, budget, seed: 1);
        Assert.True(op.Products <= budget);
        Assert.True(Math.Abs(estimate - exact) <= 0.25 * sigma, $"Hutch++ error {Math.Abs(estimate - exact)} vs Hutchinson σ {sigma}");
    }

    [Fact]
    public void SpectralDensityIsAQuadratureOfTheSpectrum()
    {
        const int n = 20;
        var values = Enumerable.Range(0, n).Select(i => -2.0 + 0.5 * i).ToArray();
        var op = new DenseOperator(Dense.WithSpectrum(values, 10), n);
        var density = StochasticLanczosQuadrature.Density(op, steps: n, probes: 5, seed: 1);
        Assert.Equal(n, density.Size);
        Assert.Equal(1.0, density.Weights.Sum(), 12);
        Assert.Equal(n, density.Trace(_ => 1.0), 10);
        Assert.True(density.Nodes.Zip(density.Nodes.Skip(1), (x, y) => x <= y).All(b => b));
        // With as many steps as the dimension, every node is an eigenvalue.
        foreach (double node in density.Nodes)
            Assert.True(values.Min(v => Math.Abs(v - node)) < 1e-8, $"node {node}");

        // Σ w θ is a Hutchinson estimate of tr(A)/n with the same probe count: within its standard error.
        var dense = op.Matrix;
        double sigma = Math.Sqrt(RademacherVariance(dense, n) / 5);
        Assert.True(Math.Abs(density.Trace(x => x) - values.Sum()) <= 4 * sigma);
    }

    [Fact]
    public void SpectralDensityOfAModelHessian()
    {
        var data = Problem.Regression(30);
        var w = Problem.TanhParameters(data);
        var h = new HessianOperator<TanhModel, MeanSquaredError>(w, data);
        var eigen = Dense.EigenvaluesDescending(h.ToDense(), h.Size);
        var density = StochasticLanczosQuadrature.Density(h, steps: 10, probes: 4, seed: 3);
        Assert.Equal(40, density.Nodes.Length);
        double tolerance = 1e-9 * Math.Abs(eigen[0]);
        Assert.All(density.Nodes, node => Assert.InRange(node, eigen[^1] - tolerance, eigen[0] + tolerance));
        Assert.Equal(1.0, density.Weights.Sum(), 12);

        // The smoothed density integrates to one.
        double lo = eigen[^1] - 1, hi = eigen[0] + 1;
        const int points = 4001;
        var grid = Enumerable.Range(0, points).Select(i => lo + (hi - lo) * i / (points - 1)).ToArray();
        double bandwidth = (hi - lo) / 50;
        var phi = density.Evaluate(grid, bandwidth);
        double integral = 0.0;
        for (int i = 1; i < points; i++) integral += 0.5 * (phi[i] + phi[i - 1]) * (grid[i] - grid[i - 1]);
        Assert.Equal(1.0, integral, 3);
    }

    [Fact]
    public void IdentityHasAPointMassDensity()
    {
        var a = new double[36];
        for (int i = 0; i < 6; i++) a[i * 6 + i] = 3.0;
        var density = StochasticLanczosQuadrature.Density(new DenseOperator(a, 6), steps: 5, probes: 3);
        Assert.All(density.Nodes, node => Assert.Equal(3.0, node, 12));
        Assert.Equal(18.0, density.Trace(x => x), 10);
    }
}
