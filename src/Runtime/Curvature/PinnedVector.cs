using System;

namespace AutoCurv;

/// <summary>
/// A read-only vector the caller keeps pinned (<c>fixed</c>) while a data-set reduction runs, so that the chunk
/// kernels, which are structs handed to worker threads and cannot hold a span, read the caller's memory instead of a
/// copy of it. Valid only inside the <c>fixed</c> statement that created it.
/// </summary>
internal readonly unsafe struct PinnedVector
{
    private readonly double* _start;

    public PinnedVector(double* start, int length)
    {
        _start = start;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<double> Span => new(_start, Length);
}
