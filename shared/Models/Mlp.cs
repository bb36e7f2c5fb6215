using System;

namespace AutoCurv.Models;

/// <summary>
/// The two-layer tanh perceptron d → hidden → C over one flat parameter vector
/// w = [layer 1 rows (d weights + bias) × hidden, layer 2 rows (hidden weights + bias) × C], hidden inferred from the
/// lengths. The one source of this model: the benchmarks (W1, W2), the HessianFree and CurvatureReport samples and
/// the AutoCurv.Tests project compile this file (linked), and the generator tests read its text.
/// </summary>
/// <remarks>
/// This file holds the body only, the implementing part of a partial method. Its declaration, with
/// <c>[Differentiable]</c> and <c>[Wrt]</c>, is the other part: Mlp.Differentiable.cs beside this file declares no
/// size (for the benchmarks and the tests, which run several), and a project that runs one size writes its own with
/// <c>[Differentiable(InputSize = …, OutputSize = …, ParameterCount = …)]</c> and its constants (the samples' Model.cs).
/// </remarks>
public static partial class Mlp
{
    public static partial void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
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
}
