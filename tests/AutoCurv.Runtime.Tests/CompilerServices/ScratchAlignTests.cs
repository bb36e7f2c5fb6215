using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AutoCurv.CompilerServices;
using Xunit;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>
/// <see cref="Scratch.AlignVectors{T}"/>, the lane-vector scratch of the vector-mode drivers: for every misalignment of
/// the buffer (0–31 bytes, also odd ones a driver never sees), the result starts at a 32-byte boundary, has the
/// requested length, lies inside the buffer and is the memory of the buffer itself (a write shows through).
/// </summary>
public class ScratchAlignTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(131)]
    public void AlignVectors_returns_an_aligned_span_inside_the_buffer_for_every_misalignment(int length)
    {
        // Pinned, so its address is fixed: room for the buffer at any byte offset 0 … 31 from a 32-byte boundary.
        byte[] raw = GC.AllocateArray<byte>(32 * (length + 3), pinned: true);
        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(raw, 0);
        int first = (int)(-address & 31); // raw[first] is on a 32-byte boundary
        for (int misalignment = 0; misalignment < 32; misalignment++)
        {
            var buffer = MemoryMarshal.CreateSpan(ref Unsafe.As<byte, Vector256<double>>(ref raw[first + misalignment]), length + 1);
            var span = Scratch.AlignVectors(buffer, length);
            Assert.Equal(length, span.Length);
            long skip = Unsafe.ByteOffset(ref MemoryMarshal.GetReference(buffer), ref MemoryMarshal.GetReference(span));
            Assert.Equal(misalignment == 0 ? 0 : 32 - misalignment, skip);
            Assert.Equal(0, (address + first + misalignment + skip) & 31);
            for (int i = 0; i < length; i++) span[i] = Vector256.Create((double)i);
            for (int i = 0; i < length; i++)
            {
                var read = Unsafe.ReadUnaligned<Vector256<double>>(ref raw[first + misalignment + (int)skip + 32 * i]);
                Assert.Equal(Vector256.Create((double)i), read);
            }
        }
    }

    [Fact]
    public void AlignVectors_works_on_stack_and_pooled_memory_and_for_float()
    {
        Span<Vector256<float>> stack = stackalloc Vector256<float>[6];
        Assert.Equal(5, Scratch.AlignVectors(stack, 5).Length);
        Vector256<double>[]? rented = null;
        var pooled = Scratch.AlignVectors(Scratch.Rent<Vector256<double>>(132, ref rented), 131);
        Assert.Equal(131, pooled.Length);
        foreach (var v in pooled) Assert.Equal(Vector256<double>.Zero, v); // Rent zeroes the whole buffer
        Scratch.Return(rented);
    }

    [Fact]
    public void AlignVectors_validates_its_arguments()
    {
        var buffer = new Vector256<double>[4];
        Assert.Equal("buffer", Assert.Throws<ArgumentException>(() => Scratch.AlignVectors<double>(buffer, 4)).ParamName);
        Assert.Equal("buffer", Assert.Throws<ArgumentException>(() => Scratch.AlignVectors<double>(Span<Vector256<double>>.Empty, 0)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => Scratch.AlignVectors<double>(buffer, -1)).ParamName);
    }
}
