using System;
using AutoCurv;

namespace AutoCurv.Models;

// This sample's classifier of three overlapping Gaussian blobs, 2 inputs → 16 tanh units → 3 classes: the two-layer
// tanh MLP whose body is shared/Models/Mlp.cs (compiled here too, see the project file), declared differentiable
// with these sizes. AutoCurv generates its derivatives and the nested Mlp.ForwardModel : IModel struct that the
// data-set operators and the optimizers take as a type argument.
public static partial class Mlp
{
    /// <summary>The sizes: inputs, tanh units, classes.</summary>
    public const int Inputs = 2, Hidden = 16, Classes = 3;

    /// <summary>w = [Hidden rows of (Inputs weights + bias), Classes rows of (Hidden weights + bias)].</summary>
    public const int ParameterCount = Hidden * (Inputs + 1) + Classes * (Hidden + 1);

    /// <summary>The logits of one sample: output = W₂ tanh(W₁ x + b₁) + b₂ (the body is in shared/Models/Mlp.cs).</summary>
    [Differentiable(InputSize = Inputs, OutputSize = Classes, ParameterCount = ParameterCount)]
    public static partial void Forward([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output);
}
