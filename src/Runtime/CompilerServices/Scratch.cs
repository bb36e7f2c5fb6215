using System;
using System.Buffers;
using System.ComponentModel;

namespace AutoCurv.CompilerServices;

/// <summary>
/// Scratch memory for generated code: small spans come from stackalloc (under a size cap, in the generated
/// code itself), larger ones from <see cref="ArrayPool{T}"/> through these helpers. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Scratch
{
    /// <summary>Largest element count generated code places on the stack.</summary>
    public const int StackLimit = 256;

    /// <summary>Rents a zeroed span of <paramref name="length"/> elements; remember the array to return it.</summary>
    public static Span<T> Rent<T>(int length, ref T[]? rented) where T : unmanaged
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), "A scratch span length must not be negative.");
        rented = ArrayPool<T>.Shared.Rent(length);
        var span = rented.AsSpan(0, length);
        span.Clear();
        return span;
    }

    /// <summary>Returns an array rented by <see cref="Rent{T}"/> (no-op for null).</summary>
    public static void Return<T>(T[]? rented) where T : unmanaged
    {
        if (rented is not null) ArrayPool<T>.Shared.Return(rented);
    }

    /// <summary>Throws the ArgumentException generated members use for a span of the wrong length.</summary>
    public static void ThrowLength(string parameter, int actual, int expected) =>
        throw new ArgumentException($"Expected length {expected}, got {actual}.", parameter);
}
