using System;
using System.Globalization;
using System.Text;
using Xunit;

namespace AutoCurv.Tests;

/// <summary>Which central-difference formula approximates a one-dimensional derivative.</summary>
public enum Stencil
{
    /// <summary>(f(x+h) − f(x−h)) / 2h with h = 1e-6·max(1, |x|): error O(h²) + O(ε/h), about 1e-8 relative at best.</summary>
    TwoPoint,

    /// <summary>
    /// Richardson extrapolation of two central differences, (8(f(x+h) − f(x−h)) − (f(x+2h) − f(x−2h))) / 12h,
    /// with h = 1e-3·max(1, |x|): error O(h⁴) + O(ε/h), about 1e-12 relative for the smooth corpus.
    /// </summary>
    FourPoint,
}

/// <summary>
/// Central finite differences of plain (primal) functions of a flat parameter vector θ, the reference every
/// generated derivative is compared with, and the comparison itself.
/// </summary>
/// <remarks>
/// The four-point stencil is the default: its truncation error is far below the 1e-6 tolerance, so a failure
/// means the generated derivative is wrong, not that the reference is noisy. Test points keep every
/// branch condition and kink (Abs, Max, Min, if) at least 0.05 away, more than the 2h the stencil reaches.
/// </remarks>
public static class FiniteDifferences
{
    /// <summary>Relative step of <see cref="Stencil.TwoPoint"/>.</summary>
    public const double TwoPointStep = 1e-6;

    /// <summary>Relative step of <see cref="Stencil.FourPoint"/>.</summary>
    public const double FourPointStep = 1e-3;

    /// <summary>Derivative at 0 of a function of one variable, g'(0), with absolute step h.</summary>
    public static double Derivative(Func<double, double> g, double h, Stencil stencil = Stencil.FourPoint) =>
        stencil switch
        {
            Stencil.TwoPoint => (g(h) - g(-h)) / (2.0 * h),
            Stencil.FourPoint => (8.0 * (g(h) - g(-h)) - (g(2.0 * h) - g(-2.0 * h))) / (12.0 * h),
            _ => throw new ArgumentOutOfRangeException(nameof(stencil)),
        };

    /// <summary>∇f(θ), one coordinate at a time, with step h_i = step·max(1, |θ_i|).</summary>
    public static double[] Gradient(Func<double[], double> f, double[] theta, Stencil stencil = Stencil.FourPoint)
    {
        double[] gradient = new double[theta.Length];
        double[] point = (double[])theta.Clone();
        for (int i = 0; i < theta.Length; i++)
        {
            int index = i;
            double h = StepFor(stencil) * Math.Max(1.0, Math.Abs(theta[i]));
            gradient[i] = Derivative(s =>
            {
                point[index] = theta[index] + s;
                double value = f(point);
                point[index] = theta[index];
                return value;
            }, h, stencil);
        }
        return gradient;
    }

    /// <summary>
    /// The directional derivative ∇f(θ)·v, as d/ds f(θ + s v) at s = 0 with step
    /// h = step·max(1, ‖θ‖∞) / ‖v‖∞ (so no coordinate moves by more than step·max(1, ‖θ‖∞)).
    /// </summary>
    public static double Directional(Func<double[], double> f, double[] theta, double[] v, Stencil stencil = Stencil.FourPoint)
    {
        double h = DirectionalStep(theta, v, stencil);
        double[] point = new double[theta.Length];
        return Derivative(s =>
        {
            for (int i = 0; i < theta.Length; i++) point[i] = theta[i] + s * v[i];
            return f(point);
        }, h, stencil);
    }

    /// <summary>J(θ)·v of a vector function F (written into its second argument, length <paramref name="outputLength"/>), one output at a time.</summary>
    public static double[] Directional(Action<double[], double[]> f, int outputLength, double[] theta, double[] v, Stencil stencil = Stencil.FourPoint)
    {
        double[] result = new double[outputLength];
        double[] output = new double[outputLength];
        for (int c = 0; c < outputLength; c++)
        {
            int component = c;
            result[c] = Directional(t =>
            {
                f(t, output);
                return output[component];
            }, theta, v, stencil);
        }
        return result;
    }

    /// <summary>
    /// The Jacobian J(θ) of a vector function F (C × n, row-major: <c>J[c * n + j] = ∂F_c/∂θ_j</c>), assembled
    /// column by column from directional differences along the unit vectors.
    /// </summary>
    public static double[] Jacobian(Action<double[], double[]> f, int outputLength, double[] theta, Stencil stencil = Stencil.FourPoint)
    {
        int n = theta.Length;
        double[] jacobian = new double[outputLength * n];
        double[] unit = new double[n];
        for (int j = 0; j < n; j++)
        {
            unit[j] = 1.0;
            double[] column = Directional(f, outputLength, theta, unit, stencil);
            unit[j] = 0.0;
            for (int c = 0; c < outputLength; c++) jacobian[c * n + j] = column[c];
        }
        return jacobian;
    }

    /// <summary>J(θ)ᵀu of a vector function F, as the gradient of the scalar θ ↦ uᵀF(θ).</summary>
    public static double[] JacobianTransposeVector(Action<double[], double[]> f, int outputLength, double[] theta, double[] u, Stencil stencil = Stencil.FourPoint)
    {
        double[] output = new double[outputLength];
        return Gradient(t =>
        {
            f(t, output);
            double sum = 0.0;
            for (int c = 0; c < outputLength; c++) sum += u[c] * output[c];
            return sum;
        }, theta, stencil);
    }

    /// <summary>
    /// Asserts |actual − expected| / max(<paramref name="floor"/>, |expected|) ≤ <paramref name="relTol"/>: a
    /// relative error for values above the floor (1 by default) and an absolute one below it, so derivatives
    /// that are exactly 0 are compared absolutely. NaN or infinity in <paramref name="actual"/> always fails.
    /// </summary>
    public static void AssertClose(double expected, double actual, double relTol, string context = "", double floor = 1.0)
    {
        double error = RelativeError(expected, actual, floor);
        if (!(error <= relTol))
        {
            Assert.Fail($"{context}: expected {Format(expected)}, actual {Format(actual)}, relative error {error:E3} > {relTol:E1}");
        }
    }

    /// <summary>
    /// Component-wise <see cref="AssertClose(double, double, double, string, double)"/>: every component i must
    /// satisfy |a_i − e_i| / max(1, |e_i|) ≤ <paramref name="relTol"/>. On failure the message names the first
    /// failing index, both values and the number of failing components, and lists both vectors.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double relTol, string context = "")
    {
        if (expected.Length != actual.Length)
        {
            Assert.Fail($"{context}: expected {expected.Length} components, actual {actual.Length}");
        }
        int first = -1, failures = 0;
        double worst = 0.0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = RelativeError(expected[i], actual[i], 1.0);
            if (!(error <= relTol))
            {
                if (first < 0) first = i;
                failures++;
                worst = double.IsNaN(error) ? double.NaN : Math.Max(worst, error);
            }
        }
        if (first >= 0)
        {
            Assert.Fail(
                $"{context}: component [{first}] expected {Format(expected[first])}, actual {Format(actual[first])} " +
                $"({failures} of {expected.Length} components off, worst relative error {worst:E3} > {relTol:E1})\n" +
                $"  expected [{Join(expected)}]\n  actual   [{Join(actual)}]");
        }
    }

    /// <summary>|actual − expected| / max(floor, |expected|); NaN when either is NaN, infinity when actual is infinite.</summary>
    public static double RelativeError(double expected, double actual, double floor = 1.0)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual)) return double.NaN;
        if (double.IsInfinity(expected) || double.IsInfinity(actual)) return expected == actual ? 0.0 : double.PositiveInfinity;
        return Math.Abs(actual - expected) / Math.Max(floor, Math.Abs(expected));
    }

    /// <summary>A vector formatted for failure messages (up to 12 components).</summary>
    public static string Join(ReadOnlySpan<double> values)
    {
        var builder = new StringBuilder();
        int shown = Math.Min(values.Length, 12);
        for (int i = 0; i < shown; i++)
        {
            if (i > 0) builder.Append(", ");
            builder.Append(values[i].ToString("G10", CultureInfo.InvariantCulture));
        }
        if (shown < values.Length) builder.Append(", … (").Append(values.Length).Append(" in all)");
        return builder.ToString();
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static double StepFor(Stencil stencil) => stencil == Stencil.TwoPoint ? TwoPointStep : FourPointStep;

    private static double DirectionalStep(double[] theta, double[] v, Stencil stencil)
    {
        double thetaScale = 1.0, vScale = 0.0;
        for (int i = 0; i < theta.Length; i++)
        {
            thetaScale = Math.Max(thetaScale, Math.Abs(theta[i]));
            vScale = Math.Max(vScale, Math.Abs(v[i]));
        }
        return StepFor(stencil) * thetaScale / (vScale > 0.0 ? vScale : 1.0);
    }
}
