using System;

namespace AutoCurv;

/// <summary>Argument checks shared by the applications; every failure names the parameter.</summary>
internal static class ApplicationGuard
{
    /// <summary>Throws unless the parameter vector is non-empty.</summary>
    public static void RequireParameters(int length, string paramName)
    {
        if (length == 0) throw new ArgumentException($"'{paramName}' is empty; pass the model's parameter vector.", paramName);
    }

    /// <summary>Throws unless a span has the expected length (a <c>long</c>, so that n·n cannot wrap around).</summary>
    public static void RequireLength(int length, long expected, string paramName, string what)
    {
        if (length != expected)
            throw new ArgumentException($"'{paramName}' has length {length} but {what} is {expected}; pass a span of length {expected}.", paramName);
    }

    /// <summary>Throws unless <paramref name="value"/> is positive and finite.</summary>
    public static double RequirePositive(double value, string paramName)
    {
        if (!(value > 0.0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(paramName, value, $"'{paramName}' must be positive and finite.");
        return value;
    }

    /// <summary>Throws unless <paramref name="value"/> is non-negative and finite.</summary>
    public static double RequireNonNegative(double value, string paramName)
    {
        if (!(value >= 0.0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(paramName, value, $"'{paramName}' must be non-negative and finite.");
        return value;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> on the options parameter naming the offending property.</summary>
    public static void Option(bool valid, string property, object? value, string requirement, string paramName)
    {
        if (!valid)
            throw new ArgumentException($"{property} = {value} is invalid: {requirement}.", paramName);
    }

    /// <summary>Validates a MaxDegreeOfParallelism option (-1 or positive).</summary>
    public static void Degree(int value, string property, string paramName)
        => Option(value == -1 || value > 0, property, value, "pass a positive thread count, or -1 for no limit", paramName);
}

/// <summary>A + D for an operator A and a diagonal D (Marquardt-scaled damping when D = λ diag(A)).</summary>
internal sealed class DiagonalShiftOperator : ILinearOperator
{
    private readonly ILinearOperator _inner;
    private readonly double[] _shift;

    public DiagonalShiftOperator(ILinearOperator inner, double[] shift)
    {
        _inner = inner;
        _shift = shift;
    }

    public int Size => _inner.Size;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        int n = Size;
        CurvatureGuard.RequireLength(v.Length, n, nameof(v));
        CurvatureGuard.RequireLength(result.Length, n, nameof(result));
        var copy = v.ToArray();
        _inner.Apply(copy, result);
        for (int i = 0; i < n; i++) result[i] += _shift[i] * copy[i];
    }
}
