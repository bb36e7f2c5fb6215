using System;

namespace AutoCurv;

/// <summary>
/// A model <c>f = F(w, x)</c> with parameters <c>w</c>, one sample's input <c>x</c> and output <c>f</c>.
/// The generator emits a struct implementing it (<c>Net.ForwardModel</c>) for every <c>[Differentiable]</c>
/// method of the exact shape <c>void F([Wrt] ReadOnlySpan&lt;double&gt; w, ReadOnlySpan&lt;double&gt; x, Span&lt;double&gt; output)</c>;
/// the data-set operators take it as a type argument, so every call is specialised by the JIT.
/// Every member writes f into its <c>output</c> span and overwrites its result spans, except the <c>...Accumulate</c>
/// members, which add into them.
/// </summary>
/// <remarks>
/// <see cref="InputSize"/>, <see cref="OutputSize"/> and <see cref="ParameterCount"/> are -1 ("not known") unless
/// the model declares them (<c>[Differentiable(InputSize = 2, OutputSize = 3, ParameterCount = 21)]</c>, or an
/// override in a hand-written model); the generator also infers the output size of a model that writes its output
/// at constant indices only. The data-set operators, <see cref="Objective{TModel, TLoss}"/>,
/// <see cref="PerSample{TModel, TLoss}"/> and the applications refuse a <see cref="Dataset"/> or a parameter vector
/// whose sizes disagree with a known value; a model that leaves them at -1 accepts any sizes and must infer its
/// layout from the span lengths.
/// </remarks>
public interface IModel
{
    /// <summary>The length d of one input x, or -1 when the model does not declare it.</summary>
    static virtual int InputSize => -1;

    /// <summary>The length C of the output f (and of one target), or -1 when the model does not declare it.</summary>
    static virtual int OutputSize => -1;

    /// <summary>The length n of the parameter vector w, or -1 when the model does not declare it.</summary>
    static virtual int ParameterCount => -1;

    /// <summary>f = F(w, x).</summary>
    static abstract void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output);

    /// <summary>f and J·v (J = ∂f/∂w).</summary>
    static abstract void Jvp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> tangent, Span<double> outputTangent);

    /// <summary>f and Jᵀu.</summary>
    static abstract void Vjp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> outputCotangent, Span<double> gradient);

    /// <summary>ℓ(F(w, x), y).</summary>
    static abstract double Loss<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target) where TLoss : ILoss;

    /// <summary>ℓ and ∇_w ℓ.</summary>
    static abstract double LossGradient<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss;

    /// <summary>ℓ, ∇_w ℓ and H·v with H the exact Hessian of ℓ∘F.</summary>
    static abstract double LossHvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss;

    /// <summary>ℓ and G·v = Jᵀ H_ℓ J v.</summary>
    static abstract double Ggnvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss;

    /// <summary>ℓ and the exact diagonal of G = Jᵀ H_ℓ J.</summary>
    static abstract double GgnDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss;

    /// <summary>ℓ and the exact diagonal of the Hessian of ℓ∘F.</summary>
    static abstract double LossHessianDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss;

    // Accumulating forms: what the data-set operators call to sum over samples. Each adds its results into the spans
    // passed (it does not clear them) and returns ℓ. The generator emits them (the same programs without the clearing
    // of the results) and sets HasAccumulatingMembers; a hand-written model may leave them out, and the operators then
    // call the overwriting members through a temporary.

    /// <summary>Whether the accumulating members below are implemented (the generator's models: true).</summary>
    static virtual bool HasAccumulatingMembers => false;

    /// <summary>ℓ; adds ∇_w ℓ to <paramref name="gradient"/>.</summary>
    static virtual double LossGradientAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss
        => throw NotAccumulating();

    /// <summary>ℓ; adds ∇_w ℓ to <paramref name="gradient"/> and H·v to <paramref name="hessianVector"/>.</summary>
    static virtual double LossHvpAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss
        => throw NotAccumulating();

    /// <summary>ℓ; adds G·v to <paramref name="result"/>.</summary>
    static virtual double GgnvpAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss
        => throw NotAccumulating();

    /// <summary>ℓ; adds diag(G) to <paramref name="diagonal"/>.</summary>
    static virtual double GgnDiagonalAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
        => throw NotAccumulating();

    /// <summary>ℓ; adds diag(∇²_w ℓ) to <paramref name="diagonal"/>.</summary>
    static virtual double LossHessianDiagonalAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
        => throw NotAccumulating();

    private static NotSupportedException NotAccumulating() =>
        new("This model does not implement the accumulating members (HasAccumulatingMembers is false); call the overwriting member instead.");
}
