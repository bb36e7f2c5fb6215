using System;
using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace AutoCurv.CompilerServices;

/// <summary>
/// The value stack of generated reverse-mode code: the forward sweep pushes values that are about to be
/// overwritten and that the reverse sweep needs; the reverse sweep pops them at the mirror point. It holds
/// plain values (no operations, no dispatch), in a buffer rented from <see cref="ArrayPool{T}"/>, so a
/// call allocates nothing once the pool is warm. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ValueStack<T> where T : unmanaged
{
    private T[] _items;
    private int _count;

    /// <summary>Rents the initial buffer.</summary>
    public static ValueStack<T> Create(int capacity = 256)
    {
        ValueStack<T> stack;
        stack._items = ArrayPool<T>.Shared.Rent(Math.Max(capacity, 16));
        stack._count = 0;
        return stack;
    }

    /// <summary>Records a value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(T value)
    {
        var items = _items;
        int count = _count;
        if ((uint)count < (uint)items.Length)
        {
            items[count] = value;
            _count = count + 1;
        }
        else
        {
            PushSlow(value);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PushSlow(T value)
    {
        var larger = ArrayPool<T>.Shared.Rent(_items.Length * 2);
        Array.Copy(_items, larger, _count);
        ArrayPool<T>.Shared.Return(_items);
        _items = larger;
        _items[_count++] = value;
    }

    /// <summary>Restores the most recently recorded value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Pop() => _items[--_count];

    /// <summary>The number of recorded values.</summary>
    public readonly int Count => _count;

    /// <summary>
    /// The recorded values, oldest first: what a vector-mode Hessian's tangent passes replay after one recording
    /// primal sweep pushed them (valid until the next push or <see cref="Dispose"/>).
    /// </summary>
    public readonly ReadOnlySpan<T> Recorded => new(_items, 0, _count);

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (_items is not null) ArrayPool<T>.Shared.Return(_items);
        _items = null!;
        _count = 0;
    }
}
