using AutoCurv;
// Copied from tests/AutoCurv.Curvature.Tests/Models (hand-written stand-in until the generator emits FModel structs).

namespace AutoCurv.Applications.Tests.Models;

/// <summary>
/// f = W x + b with w = [W (C × d, row-major), b (C)]. Linear in w, so the Hessian of ℓ∘f equals the GGN for
/// every loss. Hand-written stand-in for a generated <c>FModel</c>.
/// </summary>
public readonly struct LinearModel : IModel
{
    public static int ParameterCount(int inputSize, int outputSize) => outputSize * (inputSize + 1);

    private static void Check(int parameters, int inputSize, int outputSize)
    {
        if (parameters != ParameterCount(inputSize, outputSize))
            throw new ArgumentException($"expected {ParameterCount(inputSize, outputSize)} parameters, got {parameters}", "w");
    }

    public static void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int d = x.Length, c = output.Length;
        Check(w.Length, d, c);
        for (int k = 0; k < c; k++)
        {
            double s = w[c * d + k];
            for (int j = 0; j < d; j++) s += w[k * d + j] * x[j];
            output[k] = s;
        }
    }

    /// <summary>Jᵀu: ∂f_k/∂W_kj = x_j, ∂f_k/∂b_k = 1.</summary>
    private static void Transpose(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> result)
    {
        int d = x.Length, c = u.Length;
        for (int k = 0; k < c; k++)
        {
            for (int j = 0; j < d; j++) result[k * d + j] = u[k] * x[j];
            result[c * d + k] = u[k];
        }
    }

    public static void Jvp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> tangent, Span<double> outputTangent)
    {
        Forward(w, x, output);
        Forward(tangent, x, outputTangent); // J v = V x + v_b: the model is linear in w
    }

    public static void Vjp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> outputCotangent, Span<double> gradient)
    {
        Forward(w, x, output);
        Transpose(x, outputCotangent, gradient);
    }

    public static double Loss<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target) where TLoss : ILoss
    {
        Forward(w, x, output);
        return TLoss.Value<double>(output, target);
    }

    public static double LossGradient<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss
    {
        Forward(w, x, output);
        Span<double> g = stackalloc double[output.Length];
        double loss = TLoss.Gradient<double>(output, target, g);
        Transpose(x, g, gradient);
        return loss;
    }

    public static double LossHvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss
    {
        double loss = LossGradient<TLoss>(w, x, output, target, gradient);
        Span<double> jv = stackalloc double[output.Length];
        Span<double> hjv = stackalloc double[output.Length];
        Forward(tangent, x, jv);
        TLoss.HessianVectorProduct<double>(output, target, jv, hjv);
        Transpose(x, hjv, hessianVector);
        return loss;
    }

    public static double Ggnvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss
    {
        Forward(w, x, output);
        Span<double> jv = stackalloc double[output.Length];
        Span<double> hjv = stackalloc double[output.Length];
        Forward(tangent, x, jv);
        TLoss.HessianVectorProduct<double>(output, target, jv, hjv);
        Transpose(x, hjv, result);
        return TLoss.Value<double>(output, target);
    }

    public static double GgnDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
    {
        Forward(w, x, output);
        int c = output.Length, d = x.Length;
        Span<double> factor = stackalloc double[c * c];
        TLoss.HessianFactor<double>(output, target, factor);
        for (int k = 0; k < c; k++)
        {
            double hkk = 0.0; // (S Sᵀ)_kk
            for (int m = 0; m < c; m++) hkk += factor[k * c + m] * factor[k * c + m];
            for (int j = 0; j < d; j++) diagonal[k * d + j] = hkk * x[j] * x[j];
            diagonal[c * d + k] = hkk;
        }
        return TLoss.Value<double>(output, target);
    }

    public static double LossHessianDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
        => GgnDiagonal<TLoss>(w, x, output, target, diagonal);
}
