using System;

namespace AutoCurv.Tests.Corpus;

/// <summary><c>float</c> versions of three corpus methods (same formulas, <c>MathF</c>).</summary>
public static partial class FloatFunctions
{
    /// <summary>Covers: a <c>float</c> scalar; <c>MathF.Exp</c>, <c>Log</c>, <c>Sqrt</c>, <c>Sin</c>, <c>Cos</c>, <c>Tan</c>; float literals. Float twin of <see cref="ScalarBasics.Elementary"/>.</summary>
    [Differentiable]
    public static float ElementaryF(float x)
    {
        float e = MathF.Exp(0.5f * x);
        float l = MathF.Log(1.0f + x);
        float r = MathF.Sqrt(x + 2.0f);
        float t = MathF.Sin(3.0f * x) * MathF.Cos(x);
        return e + l * r - t + MathF.Tan(0.5f * x);
    }

    /// <summary>Covers: <c>ReadOnlySpan&lt;float&gt;</c>; a loop-carried <c>MathF.Tanh</c> recurrence. Float twin of <see cref="Scratch.TanhRecurrence"/>.</summary>
    [Differentiable]
    public static float TanhRecurrenceF(float a, ReadOnlySpan<float> x)
    {
        float h = 0.0f;
        for (int t = 0; t < x.Length; t++)
        {
            h = MathF.Tanh(a * h + x[t]);
        }
        return h;
    }

    /// <summary>Covers: a <c>float</c> vector function (<c>Span&lt;float&gt;</c> output) with <c>MathF.Max</c>, <c>MathF.Exp</c>, <c>/=</c>. Float twin of <see cref="Vectors.Softmax"/>.</summary>
    [Differentiable]
    public static void SoftmaxF(ReadOnlySpan<float> z, Span<float> output)
    {
        float m = z[0];
        for (int i = 1; i < z.Length; i++) m = MathF.Max(m, z[i]);
        float sum = 0.0f;
        for (int i = 0; i < z.Length; i++)
        {
            output[i] = MathF.Exp(z[i] - m);
            sum += output[i];
        }
        for (int i = 0; i < z.Length; i++) output[i] /= sum;
    }
}
