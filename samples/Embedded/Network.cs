using System;
using AutoCurv;

namespace Embedded;

/// <summary>
/// A fixed-size regression network, 2 inputs → 8 tanh units → 1 output. Sizes are constants so the
/// scratch space is a small stackalloc and nothing is allocated per call.
/// </summary>
public static partial class Network
{
    /// <summary>Input features.</summary>
    public const int Inputs = 2;

    /// <summary>Hidden tanh units.</summary>
    public const int Hidden = 8;

    /// <summary>Layout of w: per hidden unit j, weights w[3j], w[3j+1] and bias w[3j+2]; then 8 output weights and the output bias.</summary>
    public const int ParameterCount = Hidden * (Inputs + 1) + Hidden + 1;

    /// <summary>The network's output for one input; AutoCurv generates <c>ForwardLossGradient&lt;TLoss&gt;</c> and friends from it.</summary>
    [Differentiable(InputSize = Inputs, OutputSize = 1, ParameterCount = ParameterCount)]
    public static void Forward([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        Span<double> h = stackalloc double[8];
        for (int j = 0; j < 8; j++)
        {
            double a = w[j * 3 + 2];
            for (int i = 0; i < 2; i++)
            {
                a += w[j * 3 + i] * x[i];
            }
            h[j] = Math.Tanh(a);
        }
        double y = w[32];
        for (int j = 0; j < 8; j++)
        {
            y += w[24 + j] * h[j];
        }
        output[0] = y;
    }
}
