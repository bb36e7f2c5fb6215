using System;

namespace AutoCurv;

/// <summary>
/// Per-sample contributions added into a running sum: the model's accumulating members when it has them (every
/// generated model), otherwise the overwriting member into <c>temp</c> followed by an addition. The branch is on a
/// static property of a struct type argument, so the JIT removes it.
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
}
