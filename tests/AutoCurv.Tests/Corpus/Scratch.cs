using System;

namespace AutoCurv.Tests.Corpus;

/// <summary>Overwritten state: scratch arrays and spans, loop-carried recurrences.</summary>
public static partial class Scratch
{
    /// <summary>
    /// Covers: a scratch <c>double[] t = new double[n]</c> written, then overwritten in place from its own old
    /// values, then read at neighbouring indices (<c>t[i - 1]</c>); <c>t.Length</c> of a local array.
    /// </summary>
    [Differentiable]
    public static double ScratchArray(ReadOnlySpan<double> x)
    {
        double[] t = new double[x.Length];
        for (int i = 0; i < x.Length; i++) t[i] = x[i] * x[i];
        for (int i = 0; i < x.Length; i++) t[i] = Math.Sin(t[i]) + t[i] * x[i];
        double s = 0.0;
        for (int i = 1; i < t.Length; i++) s += t[i] * t[i - 1];
        return s;
    }

    /// <summary>
    /// Covers: a scratch <c>Span&lt;double&gt; h = stackalloc double[n]</c> sized by an int parameter and
    /// overwritten element by element every iteration from its own previous value (in-place recurrence);
    /// indexing with <c>j + it</c>.
    /// </summary>
    [Differentiable]
    public static double StackallocIterations([Wrt] ReadOnlySpan<double> x, int n, int iterations)
    {
        Span<double> h = stackalloc double[n];
        for (int j = 0; j < n; j++) h[j] = 0.5 * x[j];
        for (int it = 0; it < iterations; it++)
        {
            for (int j = 0; j < n; j++)
            {
                h[j] = Math.Tanh(h[j] * x[j + it] + x[j]);
            }
        }
        double s = 0.0;
        for (int j = 0; j < n; j++) s += h[j] * h[j];
        return s;
    }

    /// <summary>Covers: a loop-carried scalar recurrence <c>h = Math.Tanh(a * h + x[t])</c> overwriting h every step; a scalar and a span both Wrt.</summary>
    [Differentiable]
    public static double TanhRecurrence(double a, ReadOnlySpan<double> x)
    {
        double h = 0.0;
        for (int t = 0; t < x.Length; t++)
        {
            h = Math.Tanh(a * h + x[t]);
        }
        return h;
    }

    /// <summary>
    /// Covers: an RNN-style scratch span <c>h</c> overwritten every time step from a copy <c>previous</c>
    /// (two stackalloc spans); triple-nested loops; indexing <c>i * hidden + j</c> and <c>hidden * hidden + i</c>.
    /// w = [recurrent matrix (hidden × hidden), input weights (hidden), readout (hidden)].
    /// </summary>
    [Differentiable]
    public static double RnnLastState([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> xs, int hidden)
    {
        Span<double> h = stackalloc double[hidden];
        Span<double> previous = stackalloc double[hidden];
        for (int j = 0; j < hidden; j++) h[j] = 0.0;
        for (int t = 0; t < xs.Length; t++)
        {
            for (int j = 0; j < hidden; j++) previous[j] = h[j];
            for (int i = 0; i < hidden; i++)
            {
                double a = w[hidden * hidden + i] * xs[t];
                for (int j = 0; j < hidden; j++) a += w[i * hidden + j] * previous[j];
                h[i] = Math.Tanh(a);
            }
        }
        double s = 0.0;
        for (int i = 0; i < hidden; i++) s += h[i] * w[hidden * hidden + hidden + i];
        return s;
    }
}
