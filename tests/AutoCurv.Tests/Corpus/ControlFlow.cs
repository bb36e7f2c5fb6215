using System;

namespace AutoCurv.Tests.Corpus;

/// <summary>Branching: <c>?:</c>, logical operators, if/else chains, early returns.</summary>
public static partial class ControlFlow
{
    /// <summary>
    /// Covers: a <c>bool</c> constant parameter with no <c>[Wrt]</c> anywhere; <c>?:</c>; comparisons
    /// <c>&gt; &lt;= &gt;=</c>; <c>&amp;&amp;</c>, <c>||</c>, <c>!</c> in conditions.
    /// </summary>
    [Differentiable]
    public static double Conditional(double x, double y, bool flip)
    {
        double a = (x > 0.0 && y > 0.0) || flip ? x * y : x - y;
        double b = !(x <= y) ? Math.Exp(x) : Math.Exp(-y);
        double c = x >= y && !flip ? a * a : b;
        return flip ? a + b + c : a * b - c;
    }

    /// <summary>
    /// Covers: an if / else if / else chain whose branches write the same local; an if/else without
    /// braces using <c>+=</c> and <c>-=</c>.
    /// </summary>
    [Differentiable]
    public static double IfChain(double x, double y)
    {
        double r = 0.0;
        if (x < -0.5)
        {
            r = x * x;
        }
        else if (x < 0.5)
        {
            r = Math.Sin(x) * y;
        }
        else
        {
            r = y / x;
        }
        if (y > 0.0) r += x * y;
        else r -= 2.0 * x;
        return r;
    }

    /// <summary>Covers: early <c>return</c> inside a top-level if (with braces and without); a condition on a computed local.</summary>
    [Differentiable]
    public static double EarlyReturn(double x, double y)
    {
        if (x > 1.0)
        {
            return Math.Log(x) * y;
        }
        double z = x * y + 1.0;
        if (z < 0.0) return -z * z;
        return z * Math.Exp(-x);
    }

    /// <summary>
    /// Covers: an if chain inside a loop conditioned on span elements; <c>[Wrt]</c> span next to a
    /// non-Wrt <c>double</c> used only in conditions; unary minus on a parameter in a condition.
    /// </summary>
    [Differentiable]
    public static double PiecewiseSum([Wrt] ReadOnlySpan<double> x, double threshold)
    {
        double s = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > threshold)
            {
                s += x[i] * x[i];
            }
            else if (x[i] < -threshold)
            {
                s -= Math.Exp(x[i]);
            }
            else
            {
                s += 0.5 * x[i];
            }
        }
        return s;
    }
}
