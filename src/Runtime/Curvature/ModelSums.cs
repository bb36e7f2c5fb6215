using System;
using System.Runtime.InteropServices;
using AutoCurv.CompilerServices;

namespace AutoCurv;

/// <summary>
/// Per-sample contributions added into a running sum: the model's accumulating members when it has them (every
/// generated model), otherwise the overwriting member into <c>temp</c> followed by an addition. The branch is on a
/// static property of a struct type argument, so the JIT removes it. Also the block-layout scratch the kernels use
/// to send full blocks of samples through a model's batched members.
/// </summary>
internal static class ModelSums
{
    /// <summary>sum += ∇_w ℓ; returns ℓ.</summary>
    public static double AddLossGradient<TModel, TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> y,
        Span<double> sum, Span<double> temp) where TModel : struct, IModel where TLoss : struct, ILoss
    {
        if (TModel.HasAccumulatingMembers) return TModel.LossGradientAccumulate<TLoss>(w, x, output, y, sum);
        double loss = TModel.LossGradient<TLoss>(w, x, output, y, temp);
        VectorMath.Add(sum, temp);
        return loss;
    }

    /// <summary>sum += H·v; <paramref name="gradient"/> receives (or accumulates) the gradient, which is not used; returns ℓ.</summary>
    public static double AddLossHvp<TModel, TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> y,
        ReadOnlySpan<double> v, Span<double> gradient, Span<double> sum, Span<double> temp) where TModel : struct, IModel where TLoss : struct, ILoss
    {
        // The accumulating form adds the gradient too; nothing reads it, and the reverse sweep never reads the
        // adjoints of w, so the running sum in the scratch does not affect H·v.
        if (TModel.HasAccumulatingMembers) return TModel.LossHvpAccumulate<TLoss>(w, x, output, y, v, gradient, sum);
        double loss = TModel.LossHvp<TLoss>(w, x, output, y, v, gradient, temp);
        VectorMath.Add(sum, temp);
        return loss;
    }

    /// <summary>sum += G·v; returns ℓ.</summary>
    public static double AddGgnvp<TModel, TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> y,
        ReadOnlySpan<double> v, Span<double> sum, Span<double> temp) where TModel : struct, IModel where TLoss : struct, ILoss
    {
        if (TModel.HasAccumulatingMembers) return TModel.GgnvpAccumulate<TLoss>(w, x, output, y, v, sum);
        double loss = TModel.Ggnvp<TLoss>(w, x, output, y, v, temp);
        VectorMath.Add(sum, temp);
        return loss;
    }

    /// <summary>sum += diag(G); returns ℓ.</summary>
    public static double AddGgnDiagonal<TModel, TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> y,
        Span<double> sum, Span<double> temp) where TModel : struct, IModel where TLoss : struct, ILoss
    {
        if (TModel.HasAccumulatingMembers) return TModel.GgnDiagonalAccumulate<TLoss>(w, x, output, y, sum);
        double loss = TModel.GgnDiagonal<TLoss>(w, x, output, y, temp);
        VectorMath.Add(sum, temp);
        return loss;
    }

    /// <summary>sum += diag(∇²_w ℓ); returns ℓ.</summary>
    public static double AddLossHessianDiagonal<TModel, TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> y,
        Span<double> sum, Span<double> temp) where TModel : struct, IModel where TLoss : struct, ILoss
    {
        if (TModel.HasAccumulatingMembers) return TModel.LossHessianDiagonalAccumulate<TLoss>(w, x, output, y, sum);
        double loss = TModel.LossHessianDiagonal<TLoss>(w, x, output, y, temp);
        VectorMath.Add(sum, temp);
        return loss;
    }

    /// <summary>
    /// Doubles of chunk scratch the block-layout buffers of <see cref="Blocks"/> take for <paramref name="data"/>:
    /// (d + 2C) blocks of <see cref="SampleBlock.Size"/> doubles when <typeparamref name="TModel"/> has batched
    /// members, none otherwise.
    /// </summary>
    public static int BlockScratchLength<TModel>(Dataset data) where TModel : IModel =>
        TModel.HasBatchedMembers ? checked((data.InputSize + 2 * data.TargetSize) * SampleBlock.Size) : 0;

    /// <summary>
    /// The block-layout inputs, outputs and targets of one block of samples, in the first
    /// <see cref="BlockScratchLength{TModel}"/> doubles of <paramref name="scratch"/> (pooled chunk scratch, so
    /// nothing is allocated per call; a 784-input block is 100 KB, too large for the stack).
    /// </summary>
    public static SampleBlocks Blocks(Span<double> scratch, Dataset data)
    {
        int d = data.InputSize, c = data.TargetSize;
        Span<SampleBlock> blocks = MemoryMarshal.Cast<double, SampleBlock>(scratch.Slice(0, (d + 2 * c) * SampleBlock.Size));
        return new SampleBlocks(blocks.Slice(0, d), blocks.Slice(d, c), blocks.Slice(d + c, c));
    }
}

/// <summary>Block-layout buffers for the batched members: one <see cref="SampleBlock"/> per column.</summary>
internal readonly ref struct SampleBlocks
{
    /// <summary>The inputs (d blocks).</summary>
    public readonly Span<SampleBlock> X;

    /// <summary>The outputs the member writes (C blocks).</summary>
    public readonly Span<SampleBlock> Output;

    /// <summary>The targets (C blocks).</summary>
    public readonly Span<SampleBlock> Target;

    public SampleBlocks(Span<SampleBlock> x, Span<SampleBlock> output, Span<SampleBlock> target)
    {
        X = x;
        Output = output;
        Target = target;
    }

    /// <summary>Copies samples [<paramref name="first"/>, <paramref name="first"/> + 16) of <paramref name="data"/> into <see cref="X"/> and <see cref="Target"/>.</summary>
    public void Load(Dataset data, int first)
    {
        SampleBlock.Load(data.Inputs.Span, data.InputSize, first, X);
        SampleBlock.Load(data.TargetArray, data.TargetSize, first, Target);
    }
}
