using System;

namespace AutoCurv.Tests.Corpus;

/// <summary>Calls to other <c>[Differentiable]</c> methods, in this type and in <see cref="Helpers"/>.</summary>
public static partial class HelperCalls
{
    /// <summary>
    /// Covers: a call to a partial method whose defining declaration carries <c>[Differentiable]</c> and whose body
    /// is the other part (<see cref="Bump"/>), the implementing part naming its parameters differently.
    /// </summary>
    [Differentiable]
    public static double PartialCallee(ReadOnlySpan<double> x, double b)
    {
        double s = 0.0;
        for (int i = 0; i < x.Length; i++) s += Bump(x[i], b) * x[i];
        return s + Bump(b, s);
    }

    /// <summary>The defining declaration of a partial helper: exp(−(z − c)²)·z.</summary>
    [Differentiable]
    public static partial double Bump(double z, double c);

#pragma warning disable CS8826 // the implementing part renames its parameters on purpose (the inliner binds them by position)
    public static partial double Bump(double value, double center) => Math.Exp(-(value - center) * (value - center)) * value;
#pragma warning restore CS8826

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
