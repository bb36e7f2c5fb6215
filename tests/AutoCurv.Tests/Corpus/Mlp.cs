using System;

namespace AutoCurv.Tests.Corpus;

/// <summary>Two-layer tanh perceptrons: w = [layer 1 rows (d inputs + bias) × hidden, layer 2 rows (hidden + bias) × C].</summary>
public static partial class Mlp
{
    /// <summary>
    /// Covers: the model shape <c>Forward([Wrt] ReadOnlySpan&lt;double&gt; w, ReadOnlySpan&lt;double&gt; x, Span&lt;double&gt; output)</c>;
    /// int locals from lengths (including int division); a stackalloc hidden layer; two sibling scopes that
    /// both declare a local <c>a</c>; <c>Tanh</c>.
    /// </summary>
    [Differentiable]
    public static void Forward([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int d = x.Length;
        int c = output.Length;
        int hidden = (w.Length - c) / (d + 1 + c);
        Span<double> h = stackalloc double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double a = w[j * (d + 1) + d];
            for (int i = 0; i < d; i++) a += w[j * (d + 1) + i] * x[i];
            h[j] = Math.Tanh(a);
        }
        int offset = hidden * (d + 1);
        for (int k = 0; k < c; k++)
        {
            double a = w[offset + k * (hidden + 1) + hidden];
            for (int j = 0; j < hidden; j++) a += w[offset + k * (hidden + 1) + j] * h[j];
            output[k] = a;
        }
    }

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
