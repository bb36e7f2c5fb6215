using System;
using System.Globalization;
using System.Linq;
using Xunit;

namespace AutoCurv.Tests.Extensibility;

/// <summary>
/// References for the extensibility tests that owe nothing to the generator: central finite differences of plain
/// C# functions (Richardson four-point stencil, h = 1e-3·max(1, |θ_i|)), nested once for Hessians, and small dense
/// linear algebra (products, the closed-form eigen-decomposition of symmetric 2 × 2 blocks).
/// </summary>
internal static class Reference
{
    private const double Step = 1e-3;

    /// <summary>g′(0) by (8(g(h) − g(−h)) − (g(2h) − g(−2h))) / 12h.</summary>
    public static double Derivative(Func<double, double> g, double h) =>
        (8.0 * (g(h) - g(-h)) - (g(2.0 * h) - g(-2.0 * h))) / (12.0 * h);

    /// <summary>The finite-difference Jacobian (m × n, row-major) of θ ↦ g(θ) ∈ R^m.</summary>
    public static double[] Jacobian(Func<double[], double[]> g, int m, double[] theta)
    {
        int n = theta.Length;
        var jacobian = new double[m * n];
        for (int j = 0; j < n; j++)
        {
            double h = Step * Math.Max(1.0, Math.Abs(theta[j]));
            double[] Shifted(double s)
            {
                var point = (double[])theta.Clone();
                point[j] += s;
                return g(point);
            }
            double[] p1 = Shifted(h), m1 = Shifted(-h), p2 = Shifted(2 * h), m2 = Shifted(-2 * h);
            for (int i = 0; i < m; i++) jacobian[i * n + j] = (8.0 * (p1[i] - m1[i]) - (p2[i] - m2[i])) / (12.0 * h);
        }
        return jacobian;
    }

    /// <summary>∇f(θ) by finite differences.</summary>
    public static double[] Gradient(Func<double[], double> f, double[] theta) => Jacobian(t => new[] { f(t) }, 1, theta);

    /// <summary>The Hessian of f by finite differences of the finite-difference gradient, symmetrised.</summary>
    public static double[] Hessian(Func<double[], double> f, double[] theta) => Symmetrise(Jacobian(t => Gradient(f, t), theta.Length, theta), theta.Length);

    /// <summary>(A + Aᵀ) / 2 of a square n × n matrix.</summary>
    public static double[] Symmetrise(double[] a, int n)
    {
        var s = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
        return s;
    }

    /// <summary>A v for A (m × n).</summary>
    public static double[] Multiply(double[] a, int m, double[] v)
    {
        int n = v.Length;
        var r = new double[m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) r[i] += a[i * n + j] * v[j];
        return r;
    }

    /// <summary>Aᵀ u for A (m × n).</summary>
    public static double[] MultiplyTransposed(double[] a, int n, double[] u)
    {
        int m = u.Length;
        var r = new double[n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) r[j] += a[i * n + j] * u[i];
        return r;
    }

    /// <summary>Jᵀ H J (n × n) for J (m × n) and H (m × m).</summary>
    public static double[] Congruence(double[] j, int m, int n, double[] h)
    {
        var hj = new double[m * n];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
                for (int k = 0; k < n; k++) hj[a * n + k] += h[a * m + b] * j[b * n + k];
        var g = new double[n * n];
        for (int a = 0; a < m; a++)
            for (int p = 0; p < n; p++)
                for (int q = 0; q < n; q++) g[p * n + q] += j[a * n + p] * hj[a * n + q];
        return g;
    }

    /// <summary>S Sᵀ for S (c × c).</summary>
    /// <summary>S diag(σ) Sᵀ for a C × C factor with column signs σ.</summary>
    public static double[] SignedOuterSquare(ReadOnlySpan<double> s, ReadOnlySpan<double> signs, int c)
    {
        var result = new double[c * c];
        for (int i = 0; i < c; i++)
            for (int j = 0; j < c; j++)
            {
                double sum = 0;
                for (int k = 0; k < c; k++) sum += s[i * c + k] * signs[k] * s[j * c + k];
                result[i * c + j] = sum;
            }
        return result;
    }

    public static double[] OuterSquare(ReadOnlySpan<double> s, int c)
    {
        var r = new double[c * c];
        for (int i = 0; i < c; i++)
            for (int j = 0; j < c; j++)
                for (int k = 0; k < c; k++) r[i * c + j] += s[i * c + k] * s[j * c + k];
        return r;
    }

    /// <summary>The diagonal of an n × n matrix.</summary>
    public static double[] Diagonal(double[] a, int n) => Enumerable.Range(0, n).Select(i => a[i * n + i]).ToArray();

    /// <summary>Sum of the matrices, divided by their count.</summary>
    public static double[] Mean(double[][] matrices)
    {
        var r = new double[matrices[0].Length];
        foreach (var m in matrices)
            for (int i = 0; i < r.Length; i++) r[i] += m[i] / matrices.Length;
        return r;
    }

    /// <summary>
    /// The positive part of a symmetric 2 × 2 matrix [[a, b], [b, d]] (negative eigenvalue set to 0), in closed form,
    /// with the clipped mass |λ_min| when λ_min &lt; 0.
    /// </summary>
    public static (double[] Positive, double Clipped) PositivePart2(double a, double b, double d)
    {
        double mid = 0.5 * (a + d), radius = Math.Sqrt(0.25 * (a - d) * (a - d) + b * b);
        double l1 = mid + radius, l2 = mid - radius;
        if (radius == 0) return (new[] { Math.Max(mid, 0), 0, 0, Math.Max(mid, 0) }, Math.Max(-mid, 0) * 2);
        // Unit eigenvectors: for λ, (b, λ − a) or (λ − d, b), whichever is larger.
        double[] Vector(double l)
        {
            double x = b, y = l - a;
            if (Math.Abs(x) + Math.Abs(y) < 1e-300 || Math.Abs(l - d) > Math.Abs(y)) { x = l - d; y = b; }
            double norm = Math.Sqrt(x * x + y * y);
            return norm == 0 ? (l == l1 ? new[] { 1.0, 0.0 } : new[] { 0.0, 1.0 }) : new[] { x / norm, y / norm };
        }
        var result = new double[4];
        double clipped = 0;
        foreach (double l in new[] { l1, l2 })
        {
            if (l < 0) { clipped -= l; continue; }
            var v = Vector(l);
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) result[i * 2 + j] += l * v[i] * v[j];
        }
        return (result, clipped);
    }

    /// <summary>Entrywise |expected − actual| ≤ tolerance · max(floor, |expected|).</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string context, double floor = 1.0)
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            if (!(error <= tolerance * Math.Max(floor, Math.Abs(expected[i]))))
            {
                Assert.Fail($"{context}: entry {i} is {actual[i].ToString("R", CultureInfo.InvariantCulture)}, expected " +
                    $"{expected[i].ToString("R", CultureInfo.InvariantCulture)} (error {error:E2}, tolerance {tolerance:E0}).\n" +
                    $"expected: {Join(expected)}\nactual:   {Join(actual)}");
            }
        }
    }

    /// <summary>|expected − actual| ≤ tolerance · max(floor, |expected|).</summary>
    public static void Close(double expected, double actual, double tolerance, string context, double floor = 1.0) =>
        Close(new[] { expected }, new[] { actual }, tolerance, context, floor);

    private static string Join(ReadOnlySpan<double> values)
    {
        var parts = new string[Math.Min(values.Length, 40)];
        for (int i = 0; i < parts.Length; i++) parts[i] = values[i].ToString("G6", CultureInfo.InvariantCulture);
        return "[" + string.Join(", ", parts) + (values.Length > parts.Length ? ", …" : "") + "]";
    }

    /// <summary>Uniform values in [lo, hi) from a fixed seed.</summary>
    public static double[] Uniform(Random random, int length, double lo, double hi) =>
        Enumerable.Range(0, length).Select(_ => lo + (hi - lo) * random.NextDouble()).ToArray();
}
