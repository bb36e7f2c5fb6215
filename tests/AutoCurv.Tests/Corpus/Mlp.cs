using System;
using AutoCurv.Tests.Corpus;

// The corpus' MLP is the shared model's class: FirstOrderTests and SecondOrderTests count this namespace as part of
// the corpus.
namespace AutoCurv.Models;

/// <summary>
/// Two-layer tanh perceptrons: w = [layer 1 rows (d inputs + bias) × hidden, layer 2 rows (hidden + bias) × C].
/// <see cref="Forward"/> is the model shared with the benchmarks and the samples (shared/Models, linked into this
/// project), and covers: the model shape <c>Forward([Wrt] ReadOnlySpan&lt;double&gt; w, ReadOnlySpan&lt;double&gt; x,
/// Span&lt;double&gt; output)</c>; int locals from lengths (including int division); a stackalloc hidden layer; two
/// sibling scopes that both declare a local <c>a</c>; <c>Tanh</c>; <c>[Differentiable]</c> on the defining
/// declaration of a partial method. The tests run it at several sizes (here, and at the sizes of TinyNet, WideNet
/// and ProbeNet), so it declares none.
/// </summary>
public static partial class Mlp
{
    /// <summary>
    /// Covers: the same network through a vector helper of another type called twice as a statement: first
    /// writing a scratch span, then reading that span (a <c>Span</c> passed as a <c>ReadOnlySpan</c>
    /// argument) to write the output; the scratch span overwritten in place with <c>Tanh</c> between calls.
    /// </summary>
    [Differentiable]
    public static void ForwardWithHelpers([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, int hidden, Span<double> output)
    {
        Span<double> h = stackalloc double[hidden];
        Helpers.Dense(w, 0, x, h);
        for (int j = 0; j < hidden; j++) h[j] = Math.Tanh(h[j]);
        Helpers.Dense(w, hidden * (x.Length + 1), h, output);
    }
}
