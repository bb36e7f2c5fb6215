using System;
using AutoCurv.Tests.Corpus;
using Xunit;

namespace AutoCurv.Tests;

/// <summary>
/// The stencil methods whose reverse loops carry an accumulation into the next iteration (see
/// CarriedAccumulation in the generator), at every length from one element (no iteration: only the final store's
/// guard runs) up: gradients against central differences of the primal, H·v against central differences of the
/// gradient. The corpus tests cover the same methods at one length with every member.
/// </summary>
public class CarriedAccumulationTests
{
    private const double Tolerance = 1e-7;

    public static TheoryData<int> Lengths => [1, 2, 3, 4, 9];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void BackwardDifferences_gradient_and_Hvp_at_every_length(int n)
    {
        double[] x = Point(n, 1);
        double[] v = Point(n, 2);
        double[] g = new double[n], h = new double[n];
        ScalarSpans.BackwardDifferencesGradient(x, g);
        FiniteDifferences.AssertClose(FiniteDifferences.Gradient(t => ScalarSpans.BackwardDifferences(t), x), g, Tolerance, $"n = {n}, gradient");
        double[] hGradient = new double[n];
        ScalarSpans.BackwardDifferencesHvp(x, v, hGradient, h);
        FiniteDifferences.AssertClose(g, hGradient, 1e-12, $"n = {n}, Hvp's gradient vs Gradient");
        double[] expected = new double[n];
        for (int i = 0; i < n; i++)
        {
            int k = i;
            expected[i] = FiniteDifferences.Directional(t => { var gt = new double[n]; ScalarSpans.BackwardDifferencesGradient(t, gt); return gt[k]; }, x, v);
        }
        FiniteDifferences.AssertClose(expected, h, Tolerance, $"n = {n}, H·v vs differences of the gradient");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Rosenbrock_and_CoupledChain_gradients_at_every_length(int n)
    {
        double[] x = Point(n, 3), y = Point(n, 4);
        double[] g = new double[n];
        ScalarSpans.RosenbrockGradient(x, g);
        FiniteDifferences.AssertClose(FiniteDifferences.Gradient(t => ScalarSpans.Rosenbrock(t), x), g, Tolerance, $"n = {n}, Rosenbrock");

        for (int i = 0; i + 1 < n; i++)
        {
            double a = x[i + 1] * y[i] - y[i + 1] * x[i];
            Assert.True(Math.Abs(a) > 0.02, $"n = {n}: the test point is {a} from CoupledChain's branch at i = {i}");
        }
        double[] theta = [.. x, .. y];
        double Chain(double[] t) => ScalarSpans.CoupledChain(t.AsSpan(0, n), t.AsSpan(n, n));
        double[] gx = new double[n], gy = new double[n];
        ScalarSpans.CoupledChainGradient(x, y, gx, gy);
        FiniteDifferences.AssertClose(FiniteDifferences.Gradient(Chain, theta), [.. gx, .. gy], Tolerance, $"n = {n}, CoupledChain");
    }

    /// <summary>A deterministic point in [−1.2, 1.2]ⁿ.</summary>
    private static double[] Point(int n, int seed)
    {
        var r = new Random(seed);
        var p = new double[n];
        for (int i = 0; i < n; i++) p[i] = -1.2 + 2.4 * r.NextDouble();
        return p;
    }
}
