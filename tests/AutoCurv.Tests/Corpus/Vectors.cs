using System;

namespace AutoCurv.Tests.Corpus;

/// <summary>Vector functions: <c>void F(..., Span&lt;double&gt; output)</c>.</summary>
public static partial class Vectors
{
    /// <summary>Covers: a vector function without <c>[Wrt]</c>; elementwise <c>Sin</c>, <c>Exp</c>, unary minus; output written once per element.</summary>
    [Differentiable]
    public static void Elementwise(ReadOnlySpan<double> x, Span<double> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = Math.Sin(x[i]) * x[i] + Math.Exp(-x[i]);
        }
    }

    /// <summary>Covers: two <c>[Wrt]</c> spans (matrix and vector); nested loops; index <c>r * cols + c</c>; <c>Tanh</c> of a dot product.</summary>
    [Differentiable]
    public static void MatVecTanh([Wrt] ReadOnlySpan<double> a, [Wrt] ReadOnlySpan<double> x, Span<double> output)
    {
        int cols = x.Length;
        for (int r = 0; r < output.Length; r++)
        {
            double s = 0.0;
            for (int c = 0; c < cols; c++)
            {
                s += a[r * cols + c] * x[c];
            }
            output[r] = Math.Tanh(s);
        }
    }

    /// <summary>Covers: output elements written, read back (<c>sum += output[i]</c>) and overwritten with <c>/=</c>; a running <c>Max</c>.</summary>
    [Differentiable]
    public static void Softmax(ReadOnlySpan<double> z, Span<double> output)
    {
        double m = z[0];
        for (int i = 1; i < z.Length; i++) m = Math.Max(m, z[i]);
        double sum = 0.0;
        for (int i = 0; i < z.Length; i++)
        {
            output[i] = Math.Exp(z[i] - m);
            sum += output[i];
        }
        for (int i = 0; i < z.Length; i++) output[i] /= sum;
    }

    /// <summary>
    /// Covers: scalar inputs to a vector function (tangents are <c>double</c>, grads <c>out double</c>); a
    /// <c>bool</c> parameter; an early <c>return;</c> inside a top-level if in a void method; <c>Atan</c>.
    /// </summary>
    [Differentiable]
    public static void RadialFeatures(double r, double angle, bool withSquare, Span<double> output)
    {
        output[0] = r * Math.Cos(angle);
        output[1] = r * Math.Sin(angle);
        if (!withSquare)
        {
            output[2] = 0.0;
            return;
        }
        output[2] = r * r * Math.Atan(angle);
    }

    /// <summary>
    /// Covers: a <c>[Wrt]</c> scalar, a non-Wrt span, a <c>[Wrt] double[]</c> and a <c>bool</c> in one vector
    /// function; <c>?:</c> selecting between two expressions on a bool parameter.
    /// </summary>
    [Differentiable]
    public static void Mixed([Wrt] double s, ReadOnlySpan<double> x, [Wrt] double[] p, bool square, Span<double> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            double v = p[i] * s + x[i];
            output[i] = square ? v * v : Math.Sqrt(1.0 + v * v);
        }
    }

    /// <summary>
    /// Covers: output elements read back as the next element's input (<c>output[i - 1]</c>), then overwritten
    /// with <c>-=</c> in a loop counting down; a scalar parameter between a span and the output.
    /// </summary>
    [Differentiable]
    public static void Scan(ReadOnlySpan<double> x, double decay, Span<double> output)
    {
        output[0] = x[0];
        for (int i = 1; i < output.Length; i++) output[i] = output[i - 1] * decay + Math.Cos(x[i]);
        for (int i = output.Length - 1; i > 0; i--) output[i] -= 0.1 * output[i - 1];
    }
}
