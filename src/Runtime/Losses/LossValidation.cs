using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace AutoCurv;

/// <summary>Boundary checks shared by the built-in losses; every failure names the offending parameter.</summary>
internal static class LossValidation
{
    /// <summary>Throws unless <paramref name="length"/> equals the output length <paramref name="count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireOutputLength(int length, int count, string paramName)
    {
        if (length != count) ThrowLength(length, count, paramName);
    }

    /// <summary>Throws unless <paramref name="length"/> is <c>count * count</c> (a dense C × C matrix).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireSquareLength(int length, int count, string paramName)
    {
        if (length != (long)count * count) ThrowSquareLength(length, count, paramName);
    }

    /// <summary>Throws when the output is empty (losses such as softmax are undefined for C = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireNonEmpty(int count, string paramName)
    {
        if (count == 0) ThrowEmpty(paramName);
    }

    [DoesNotReturn]
    private static void ThrowLength(int length, int count, string paramName) =>
        throw new ArgumentException(
            $"'{paramName}' has length {length} but the output has {count} elements; pass a span of length {count}.",
            paramName);

    [DoesNotReturn]
    private static void ThrowSquareLength(int length, int count, string paramName) =>
        throw new ArgumentException(
            $"'{paramName}' has length {length} but must hold a {count} × {count} row-major matrix; pass a span of length {(long)count * count}.",
            paramName);

    [DoesNotReturn]
    private static void ThrowEmpty(string paramName) =>
        throw new ArgumentException($"'{paramName}' is empty; this loss needs at least one output.", paramName);
}
