using System;

namespace AutoCurv.Tests.Corpus;

/// <summary>Calls to other <c>[Differentiable]</c> methods, in this type and in <see cref="Helpers"/>.</summary>
public static partial class HelperCalls
{
    /// <summary>Covers: a scalar helper in the same type (expression body).</summary>
    [Differentiable]
    public static double Square(double z) => z * z;

    /// <summary>
    /// Covers: scalar helpers used inside expressions: one in another static partial class
    /// (<c>Helpers.Softplus</c>), one in the same type (<c>Square</c>), one applied to an accumulated local.
    /// </summary>
    [Differentiable]
    public static double SoftplusSum(ReadOnlySpan<double> x, double b)
    {
        double s = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            s += 2.0 * Helpers.Softplus(x[i] - b) + Square(x[i] * b);
        }
        return Square(s) * 0.1;
    }

    /// <summary>
    /// Covers: a vector helper in another type called as a statement writing a stackalloc scratch span;
    /// <c>[Wrt]</c> weights with a non-Wrt input; implicit int→double (<c>o + 1</c>).
    /// </summary>
    [Differentiable]
    public static double DenseTanhSum([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, int width)
    {
        Span<double> z = stackalloc double[width];
        Helpers.Dense(w, 0, x, z);
        double s = 0.0;
        for (int o = 0; o < width; o++) s += Math.Tanh(z[o]) * (o + 1);
        return s;
    }
}
