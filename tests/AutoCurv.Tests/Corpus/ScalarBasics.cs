using System;

namespace AutoCurv.Tests.Corpus;

/// <summary>Scalar functions of scalar inputs: arithmetic, every <c>Math</c> function of the subset, compound assignments.</summary>
public static partial class ScalarBasics
{
    /// <summary>
    /// Covers: expression body; <c>double</c> scalar parameters without <c>[Wrt]</c> (so all are Wrt);
    /// + − * /; literals; parentheses; a variable multiplied by itself (<c>x * x</c>).
    /// </summary>
    [Differentiable]
    public static double Polynomial(double x, double y) =>
        3.0 * x * x * y - 2.0 * y * y + x / (1.0 + y * y) - 7.0;

    /// <summary>
    /// Covers: <c>[Wrt]</c> on some scalars next to a non-Wrt <c>double</c>; unary minus (nested, on a
    /// parameter, on a parenthesised expression); division by an expression.
    /// </summary>
    [Differentiable]
    public static double UnaryMinus([Wrt] double a, [Wrt] double b, double c) =>
        -(a - b) * (-c + a) / (2.0 - -b) + -(-a);

    /// <summary>Covers: locals; <c>Math.Exp</c>, <c>Log</c>, <c>Sqrt</c>, <c>Sin</c>, <c>Cos</c>, <c>Tan</c> (x in [0.3, 1.2]).</summary>
    [Differentiable]
    public static double Elementary(double x)
    {
        double e = Math.Exp(0.5 * x);
        double l = Math.Log(1.0 + x);
        double r = Math.Sqrt(x + 2.0);
        double t = Math.Sin(3.0 * x) * Math.Cos(x);
        return e + l * r - t + Math.Tan(0.5 * x);
    }

    /// <summary>Covers: <c>Math.Tanh</c>, <c>Sinh</c>, <c>Cosh</c>, <c>Atan</c>; <c>[Wrt]</c> on every input; expression body.</summary>
    [Differentiable]
    public static double Hyperbolic([Wrt] double x, [Wrt] double y) =>
        Math.Tanh(x * y) + Math.Sinh(0.5 * x) * Math.Cosh(y) - Math.Atan(x - 2.0 * y);

    /// <summary>
    /// Covers: <c>Math.Pow</c> with a literal and with a variable exponent, <c>Abs</c> of a negative and of a
    /// positive argument, <c>Max</c>/<c>Min</c> picking their first and their second argument
    /// (x in [1.6, 2.2], y in [0.3, 0.7] keep every choice away from its kink).
    /// </summary>
    [Differentiable]
    public static double PowAbsMaxMin(double x, double y)
    {
        double p = Math.Pow(x, 3.0) + Math.Pow(y, x) + Math.Pow(x + y, 0.5);
        double a = Math.Abs(y - x) + Math.Abs(x * y);
        double m = Math.Max(x, 2.0 * y) * Math.Min(x * y, 3.0) + Math.Min(x, y) - Math.Max(-x, y * y);
        return p + a * m;
    }

    /// <summary>Covers: <c>+=</c>, <c>-=</c>, <c>*=</c>, <c>/=</c> on a double local, and <c>s *= s</c> (a variable times itself).</summary>
    [Differentiable]
    public static double CompoundAssignments(double x, double y)
    {
        double s = x;
        s += y * y;
        s -= 0.5 * x;
        s *= 1.0 + y;
        s /= 2.0 + x * x;
        s *= s;
        s -= y;
        return s;
    }

    /// <summary>
    /// Covers: <c>int</c> constant parameters; a loop bound from an int parameter; explicit <c>(double)i</c>
    /// casts and implicit int→double conversions (<c>/ (i + 1)</c>, <c>* k</c>); <c>==</c> and <c>!=</c> on ints;
    /// <c>?:</c> with constant branches.
    /// </summary>
    [Differentiable]
    public static double IntParameters(double x, int n, int k)
    {
        double s = 0.0;
        for (int i = 0; i < n; i++)
        {
            double weight = i == k ? 2.0 : 1.0;
            s += weight * Math.Sin(x * (double)i) / (i + 1);
        }
        if (n != 0)
        {
            s += (double)n * x * k;
        }
        return s;
    }

    /// <summary>Covers: a scalar overwritten many times in a loop (<c>x = x * a + b</c>); an int parameter as loop bound.</summary>
    [Differentiable]
    public static double AffineIteration(double a, double b, double x0, int steps)
    {
        double x = x0;
        for (int i = 0; i < steps; i++)
        {
            x = x * a + b;
        }
        return x;
    }

    /// <summary>Covers: variables multiplied by themselves (<c>x * x</c>, <c>y * y</c>, <c>z * z</c>) and a local overwritten with its own square.</summary>
    [Differentiable]
    public static double SelfProducts(double x)
    {
        double y = x * x;
        double z = y * y * x;
        y = y * y;
        return z * z + x * x * x - y * x;
    }

    /// <summary>Covers: the same inputs reaching the result through many paths (fan-out of x and y into every local).</summary>
    [Differentiable]
    public static double ManyPaths(double x, double y)
    {
        double a = Math.Sin(x);
        double b = x * a + y;
        double c = Math.Exp(b - x) + a * x;
        double d = a * b * c + x / (1.0 + c);
        return d + x * y * a - b * b;
    }
}
