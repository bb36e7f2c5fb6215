using System;
using AutoCurv.CompilerServices;

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
/// <para>
/// The <c>...Batch</c> members (<see cref="LossBatch{TLoss}"/>, <see cref="LossGradientBatch{TLoss}"/>,
/// <see cref="LossHvpBatch{TLoss}"/>, <see cref="GgnvpBatch{TLoss}"/>) run the same program for a block of
/// <see cref="SampleBlock.Size"/> samples at once. Their sample-dependent spans are in block layout, one
/// <see cref="SampleBlock"/> per column: <c>x</c> has d elements and <c>x[k]</c> lane b is sample b's <c>x[k]</c>;
/// <c>output</c> and <c>target</c> have C elements, laid out the same way. The parameter-sized spans (w, the
/// tangent v and the results) are plain doubles, as in the per-sample members. Each batched member ADDS the sum
/// over the block's 16 samples of the per-sample contributions (∇_w ℓ, H·v, G·v) into its result spans (it does
/// not clear them), writes each sample's output into its lane of <c>output</c>, and returns the sum of the 16
/// losses. The generator emits them and sets <see cref="HasBatchedMembers"/>; the data-set operators then send
/// every full block of 16 consecutive samples through them and the remaining samples through the per-sample members.
/// </para>
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

    // Batched forms: the program for SampleBlock.Size samples at once, in block layout (see the remarks above). Each
    // adds the sum over the block's samples into its parameter-sized result spans and returns the sum of the losses.

    /// <summary>Whether the batched members below are implemented (the generator's models: true).</summary>
    static virtual bool HasBatchedMembers => false;

    /// <summary>Σ_b ℓ_b over the block's <see cref="SampleBlock.Size"/> samples; writes each sample's f into its lane of <paramref name="output"/>.</summary>
    /// <param name="w">The parameters (n values).</param>
    /// <param name="x">The block's inputs in block layout (d blocks: <c>x[k]</c> lane b = sample b's x[k]).</param>
    /// <param name="output">Receives the block's outputs in block layout (C blocks).</param>
    /// <param name="target">The block's targets in block layout (C blocks).</param>
    /// <returns>The sum of the block's losses.</returns>
    static virtual double LossBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target) where TLoss : ILoss
        => throw NotBatched();

    /// <summary>Σ_b ℓ_b; adds Σ_b ∇_w ℓ_b to <paramref name="gradient"/>.</summary>
    /// <param name="w">The parameters (n values).</param>
    /// <param name="x">The block's inputs in block layout (d blocks).</param>
    /// <param name="output">Receives the block's outputs in block layout (C blocks).</param>
    /// <param name="target">The block's targets in block layout (C blocks).</param>
    /// <param name="gradient">The running sum the block's gradients are added to (n values).</param>
    /// <returns>The sum of the block's losses.</returns>
    static virtual double LossGradientBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, Span<double> gradient) where TLoss : ILoss
        => throw NotBatched();

    /// <summary>
    /// Σ_b ℓ_b; adds Σ_b H_b·v to <paramref name="hessianVector"/>. Unlike <see cref="LossHvpAccumulate{TLoss}"/> it
    /// computes no gradient: the Hessian operator does not need one, and a block's gradient would cost another pass
    /// over the parameters.
    /// </summary>
    /// <param name="w">The parameters (n values).</param>
    /// <param name="x">The block's inputs in block layout (d blocks).</param>
    /// <param name="output">Receives the block's outputs in block layout (C blocks).</param>
    /// <param name="target">The block's targets in block layout (C blocks).</param>
    /// <param name="tangent">The vector v (n values), the same for every sample.</param>
    /// <param name="hessianVector">The running sum the block's Hessian-vector products are added to (n values).</param>
    /// <returns>The sum of the block's losses.</returns>
    static virtual double LossHvpBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, ReadOnlySpan<double> tangent, Span<double> hessianVector) where TLoss : ILoss
        => throw NotBatched();

    /// <summary>Σ_b ℓ_b; adds Σ_b G_b·v (G_b = J_bᵀ H_ℓ,b J_b) to <paramref name="result"/>.</summary>
    /// <param name="w">The parameters (n values).</param>
    /// <param name="x">The block's inputs in block layout (d blocks).</param>
    /// <param name="output">Receives the block's outputs in block layout (C blocks).</param>
    /// <param name="target">The block's targets in block layout (C blocks).</param>
    /// <param name="tangent">The vector v (n values), the same for every sample.</param>
    /// <param name="result">The running sum the block's products are added to (n values).</param>
    /// <returns>The sum of the block's losses.</returns>
    static virtual double GgnvpBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss
        => throw NotBatched();

    private static NotSupportedException NotBatched() =>
        new("This model does not implement the batched members (HasBatchedMembers is false); call the per-sample members instead.");

    private static NotSupportedException NotAccumulating() =>
        new("This model does not implement the accumulating members (HasAccumulatingMembers is false); call the overwriting member instead.");
}
