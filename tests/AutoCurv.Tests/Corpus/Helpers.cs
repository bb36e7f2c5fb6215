using System;

namespace AutoCurv.Tests.Corpus;

/// <summary>Differentiable helpers called from other static partial classes (and tested on their own).</summary>
public static partial class Helpers
{
    /// <summary>Covers: a scalar helper (expression body, <c>Log</c> of <c>Exp</c>) called inside expressions of other types.</summary>
    [Differentiable]
    public static double Softplus(double z) => Math.Log(1.0 + Math.Exp(z));

    /// <summary>
    /// Covers: a vector helper (a dense affine layer, bias last in each row) called as a statement that writes
    /// a caller's scratch span; an int offset parameter in index expressions; <c>output.Length</c>; an int local;
    /// no <c>[Wrt]</c> (w and x both Wrt); a weight before the offset that is never read (derivative 0).
    /// </summary>
    [Differentiable]
    public static void Dense(ReadOnlySpan<double> w, int offset, ReadOnlySpan<double> x, Span<double> output)
    {
        int stride = x.Length + 1;
        for (int o = 0; o < output.Length; o++)
        {
            double acc = w[offset + o * stride + x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                acc += w[offset + o * stride + i] * x[i];
            }
            output[o] = acc;
        }
    }
}
