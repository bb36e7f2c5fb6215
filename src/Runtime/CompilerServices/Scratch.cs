using System;
using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
        Clear(span);
        return span;
    }

    /// <summary>
    /// Zeroes <paramref name="span"/> and returns with the upper halves of the vector registers clean: what generated
    /// code uses instead of <see cref="Span{T}.Clear"/>. The library's clear stores 512-bit registers and can return
    /// with them dirty; glibc's <c>tanh</c>, <c>exp</c> and <c>log</c> behind <c>Math.Tanh</c> and friends are SSE
    /// code, and the first one called after that pays the AVX→SSE transition on every instruction (measured: a
    /// 16-unit tanh layer 20× slower, 4.1 against 0.2 µs). This method is compiled by the JIT, which ends methods that
    /// use 256-bit registers with <c>vzeroupper</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Clear<T>(Span<T> span) where T : unmanaged
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            span.Clear(); // no 256-bit registers in use, nothing to leave dirty
            return;
        }
        Span<byte> bytes = MemoryMarshal.AsBytes(span);
        ref byte start = ref MemoryMarshal.GetReference(bytes);
        int n = bytes.Length, i = 0;
        var zero = Vector256<byte>.Zero;
        for (; i <= n - 128; i += 128)
        {
            zero.StoreUnsafe(ref start, (nuint)i);
            zero.StoreUnsafe(ref start, (nuint)(i + 32));
            zero.StoreUnsafe(ref start, (nuint)(i + 64));
            zero.StoreUnsafe(ref start, (nuint)(i + 96));
        }
        for (; i <= n - 32; i += 32) zero.StoreUnsafe(ref start, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref start, i) = 0;
    }

    /// <summary>
    /// The <paramref name="length"/> vectors of <paramref name="buffer"/> (at least <paramref name="length"/> + 1 long)
    /// that start at its first 32-byte boundary, so that no vector straddles two cache lines: the spans of lane vectors
    /// that a vector-mode driver's passes read and update whole (a stack or pooled buffer is only 8- or 16-byte aligned,
    /// and then every other vector is split). Stack memory keeps the alignment; a rented array keeps it until the GC
    /// moves the array, which changes the speed, not the contents.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Span<Vector256<T>> AlignVectors<T>(Span<Vector256<T>> buffer, int length) where T : unmanaged
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), "A scratch span length must not be negative.");
        if (buffer.Length <= length) throw new ArgumentException($"Expected at least {length} + 1 vectors, got {buffer.Length}.", nameof(buffer));
        ref byte start = ref Unsafe.As<Vector256<T>, byte>(ref MemoryMarshal.GetReference(buffer));
        nint skip = -(nint)Unsafe.AsPointer(ref start) & 31; // < 32 bytes: the spare vector covers it
        return MemoryMarshal.CreateSpan(ref Unsafe.As<byte, Vector256<T>>(ref Unsafe.AddByteOffset(ref start, skip)), length);
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
