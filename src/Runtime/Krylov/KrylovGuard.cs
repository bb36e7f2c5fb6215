using System;

namespace AutoCurv;

/// <summary>Argument checks shared by the Krylov tools; every failure names the parameter.</summary>
internal static class KrylovGuard
{
    /// <summary>Throws unless <paramref name="op"/> is non-null with at least one row; returns its size.</summary>
    public static int RequireOperator(ILinearOperator op, string paramName)
    {
        if (op is null) throw new ArgumentNullException(paramName);
        int n = op.Size;
        if (n <= 0) throw new ArgumentException($"The operator has Size {n}; it needs at least one row.", paramName);
        return n;
    }

    /// <summary>Throws unless <paramref name="value"/> ≥ <paramref name="minimum"/>.</summary>
    public static void RequireAtLeast(int value, int minimum, string paramName)
    {
        if (value < minimum) throw new ArgumentOutOfRangeException(paramName, value, $"'{paramName}' must be at least {minimum}.");
    }

    /// <summary>Throws unless a span has the operator's size.</summary>
    public static void RequireLength(int length, int size, string paramName)
    {
        if (length != size)
            throw new ArgumentException($"'{paramName}' has length {length} but the operator has Size {size}; pass a span of length {size}.", paramName);
    }
}
