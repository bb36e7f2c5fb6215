using System;
using AutoCurv;

namespace AutoCurv.Models;

// The declaration of shared/Models/Mlp.cs for the projects that run the model at several sizes (the benchmarks' W1
// and W2, the tests), so it declares none; a project that runs one size declares the model itself instead, with
// [Differentiable(InputSize = …, OutputSize = …, ParameterCount = …)] (the samples' Model.cs).
public static partial class Mlp
{
    /// <summary>The logits of one sample: output = W₂ tanh(W₁ x + b₁) + b₂, at the sizes of the spans.</summary>
    [Differentiable]
    public static partial void Forward([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output);
}
