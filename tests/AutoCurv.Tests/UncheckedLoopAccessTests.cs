using System;
using AutoCurv.Tests.Corpus;
using Xunit;

namespace AutoCurv.Tests;

/// <summary>
/// Loops whose element accesses the generator emits without bounds checks (BoundsProof in the generator), at the
/// lengths where their ranges are empty or one element: Rosenbrock's every member against its gradient and Hessian
/// written out by hand (an independent computation), and a span whose length nothing ties to the loop, which must
/// keep its check and throw as the user's code would.
/// </summary>
public class UncheckedLoopAccessTests
{
    private const double Tolerance = 1e-12;

    public static TheoryData<int> Lengths => [0, 1, 2, 3, 7];

    private static double[] Point(int n)
    {
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = 0.9 + 0.3 * Math.Sin(1.3 * i + 0.2);
        return x;
    }

    /// <summary>∇f for f = Σ_{i &lt; n−1} 100 (x_{i+1} − x_i²)² + (1 − x_i)².</summary>
    private static double[] Gradient(double[] x)
    {
        int n = x.Length;
        var g = new double[n];
        for (int i = 0; i + 1 < n; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            g[i] += -400 * x[i] * a - 2 * (1 - x[i]);
            g[i + 1] += 200 * a;
        }
        return g;
    }

    /// <summary>The tridiagonal Hessian of the same f, dense and row-major.</summary>
    private static double[] Hessian(double[] x)
    {
        int n = x.Length;
        var h = new double[n * n];
        for (int i = 0; i + 1 < n; i++)
        {
            h[i * n + i] += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
            h[(i + 1) * n + i + 1] += 200;
            h[i * n + i + 1] += -400 * x[i];
            h[(i + 1) * n + i] += -400 * x[i];
        }
        return h;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Rosenbrock_members_at_short_lengths_match_the_written_out_derivatives(int n)
    {
        double[] x = Point(n), v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.Cos(0.7 * i);
        double[] expectedG = Gradient(x), expectedH = Hessian(x);
        var expectedHv = new double[n];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++) expectedHv[r] += expectedH[r * n + c] * v[c];
        }

        var g = new double[n];
        double value = ScalarSpans.RosenbrockGradient(x, g);
        Assert.Equal(ScalarSpans.Rosenbrock(x), value);
        FiniteDifferences.AssertClose(expectedG, g, Tolerance, $"n = {n}, gradient");

        double[] gh = new double[n], hv = new double[n];
        ScalarSpans.RosenbrockHvp(x, v, gh, hv);
        FiniteDifferences.AssertClose(expectedG, gh, Tolerance, $"n = {n}, Hvp's gradient");
        FiniteDifferences.AssertClose(expectedHv, hv, Tolerance, $"n = {n}, H·v");

        ScalarSpans.RosenbrockJvp(x, v, out double jv);
        double expectedJv = 0;
        for (int i = 0; i < n; i++) expectedJv += expectedG[i] * v[i];
        FiniteDifferences.AssertClose(expectedJv, jv, Tolerance, $"n = {n}, J·v");

        var dense = new double[n * n];
        ScalarSpans.RosenbrockHessian(x, dense);
        FiniteDifferences.AssertClose(expectedH, dense, Tolerance, $"n = {n}, dense Hessian");

        var diagonal = new double[n];
        ScalarSpans.RosenbrockHessianDiagonal(x, diagonal);
        var expectedDiagonal = new double[n];
        for (int i = 0; i < n; i++) expectedDiagonal[i] = expectedH[i * n + i];
        FiniteDifferences.AssertClose(expectedDiagonal, diagonal, Tolerance, $"n = {n}, Hessian diagonal");
    }

    [Fact]
    public void A_span_the_loop_does_not_bound_keeps_its_check()
    {
        // CoupledChain's loop runs to x.Length − 1 and reads y[i + 1]; nothing ties y's length to x's.
        double[] x = Point(4), y = Point(3);
        double[] gx = new double[4], gy = new double[3];
        Assert.Throws<IndexOutOfRangeException>(() => ScalarSpans.CoupledChainGradient(x, y, gx, gy));
    }
}
