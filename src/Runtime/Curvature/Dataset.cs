using System;

namespace AutoCurv;

/// <summary>
/// A supervised data set held as two row-major arrays: <c>Count</c> inputs of <see cref="InputSize"/> values and
/// <c>Count</c> targets of <see cref="TargetSize"/> values. The arrays are used in place, not copied; do not change
/// them while an operator built on the data set is in use.
/// </summary>
/// <remarks>
/// The model output size C that the operators and <see cref="Objective{TModel, TLoss}"/> allocate for is
/// <see cref="TargetSize"/>: every built-in loss takes a target with one entry per output.
/// </remarks>
public sealed class Dataset
{
    private readonly double[] _inputs;
    private readonly double[] _targets;

    /// <summary>Wraps <paramref name="count"/> samples.</summary>
    /// <param name="inputs">The inputs, row-major: sample i is <c>inputs[i*d .. (i+1)*d)</c> with d = inputs.Length / count.</param>
    /// <param name="targets">The targets, row-major: sample i is <c>targets[i*C .. (i+1)*C)</c> with C = targets.Length / count.</param>
    /// <param name="count">The number of samples, at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> or <paramref name="targets"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">An array's length is not a multiple of <paramref name="count"/>.</exception>
    public Dataset(double[] inputs, double[] targets, int count)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (count <= 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, "A data set needs at least one sample.");
        if (inputs.Length % count != 0)
            throw new ArgumentException($"'{nameof(inputs)}' has length {inputs.Length}, which is not a multiple of count = {count}; pass count × (input size) values, row-major.", nameof(inputs));
        if (targets.Length == 0)
            throw new ArgumentException($"'{nameof(targets)}' is empty: every sample needs a target of at least one value.", nameof(targets));
        if (targets.Length % count != 0)
            throw new ArgumentException($"'{nameof(targets)}' has length {targets.Length}, which is not a multiple of count = {count}; pass count × (target size) values, row-major.", nameof(targets));
        _inputs = inputs;
        _targets = targets;
        Count = count;
        InputSize = inputs.Length / count;
        TargetSize = targets.Length / count;
    }

    /// <summary>The number of samples N.</summary>
    public int Count { get; }

    /// <summary>The number of values d in one input.</summary>
    public int InputSize { get; }

    /// <summary>The number of values C in one target (and in one model output).</summary>
    public int TargetSize { get; }

    /// <summary>All inputs, row-major (N × d).</summary>
    public ReadOnlyMemory<double> Inputs => _inputs;

    /// <summary>All targets, row-major (N × C).</summary>
    public ReadOnlyMemory<double> Targets => _targets;

    /// <summary>The input of sample <paramref name="index"/> (length <see cref="InputSize"/>).</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public ReadOnlySpan<double> Input(int index)
    {
        if ((uint)index >= (uint)Count) ThrowIndex(index);
        return new ReadOnlySpan<double>(_inputs, index * InputSize, InputSize);
    }

    /// <summary>The target of sample <paramref name="index"/> (length <see cref="TargetSize"/>).</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public ReadOnlySpan<double> Target(int index)
    {
        if ((uint)index >= (uint)Count) ThrowIndex(index);
        return new ReadOnlySpan<double>(_targets, index * TargetSize, TargetSize);
    }

    /// <summary>The target array itself, for kernels that index labels with their own stride.</summary>
    internal double[] TargetArray => _targets;

    private void ThrowIndex(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"The data set has {Count} samples.");
}
