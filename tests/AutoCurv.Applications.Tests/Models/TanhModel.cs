using AutoCurv;
// Copied from tests/AutoCurv.Curvature.Tests/Models (hand-written stand-in until the generator emits FModel structs).

namespace AutoCurv.Applications.Tests.Models;

/// <summary>
/// A one-hidden-layer tanh network, h = tanh(A x + a), f = B h + b, with w = [A (K × d), a (K), B (C × K), b (C)]
/// and K = 3. Nonlinear in w, so its Hessian differs from its GGN. Closed-form forward, reverse and
/// second-order derivatives; the tests check them against finite differences.
/// </summary>
public readonly struct TanhModel : IModel
{
    public const int Hidden = 3;

    public static int ParameterCount(int inputSize, int outputSize) => Hidden * (inputSize + 1) + outputSize * (Hidden + 1);

    private readonly ref struct Layout
    {
        public readonly int D, C, A, a, B, b;

        public Layout(int parameters, int d, int c)
        {
            if (parameters != ParameterCount(d, c))
                throw new ArgumentException($"expected {ParameterCount(d, c)} parameters, got {parameters}", "w");
            D = d;
            C = c;
            A = 0;
            a = Hidden * d;
            B = a + Hidden;
            b = B + c * Hidden;
        }
    }

    private static void HiddenLayer(ReadOnlySpan<double> w, ReadOnlySpan<double> x, in Layout l, Span<double> h)
    {
        for (int k = 0; k < Hidden; k++)
        {
            double z = w[l.a + k];
            for (int j = 0; j < l.D; j++) z += w[l.A + k * l.D + j] * x[j];
            h[k] = Math.Tanh(z);
        }
    }

    private static void OutputLayer(ReadOnlySpan<double> w, in Layout l, ReadOnlySpan<double> h, Span<double> output)
    {
        for (int c = 0; c < l.C; c++)
        {
            double s = w[l.b + c];
            for (int k = 0; k < Hidden; k++) s += w[l.B + c * Hidden + k] * h[k];
            output[c] = s;
        }
    }

    public static void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        var l = new Layout(w.Length, x.Length, output.Length);
        Span<double> h = stackalloc double[Hidden];
        HiddenLayer(w, x, l, h);
        OutputLayer(w, l, h, output);
    }

    /// <summary>ż = V_A x + v_a (the hidden pre-activation tangent).</summary>
    private static void HiddenTangent(ReadOnlySpan<double> v, ReadOnlySpan<double> x, in Layout l, Span<double> zDot)
    {
        for (int k = 0; k < Hidden; k++)
        {
            double s = v[l.a + k];
            for (int j = 0; j < l.D; j++) s += v[l.A + k * l.D + j] * x[j];
            zDot[k] = s;
        }
    }

    /// <summary>J v given h.</summary>
    private static void JacobianVector(ReadOnlySpan<double> w, ReadOnlySpan<double> x, in Layout l, ReadOnlySpan<double> h, ReadOnlySpan<double> v, Span<double> jv)
    {
        Span<double> zDot = stackalloc double[Hidden];
        HiddenTangent(v, x, l, zDot);
        for (int c = 0; c < l.C; c++)
        {
            double s = v[l.b + c];
            for (int k = 0; k < Hidden; k++)
                s += v[l.B + c * Hidden + k] * h[k] + w[l.B + c * Hidden + k] * (1.0 - h[k] * h[k]) * zDot[k];
            jv[c] = s;
        }
    }

    /// <summary>Jᵀ u given h.</summary>
    private static void TransposeVector(ReadOnlySpan<double> w, ReadOnlySpan<double> x, in Layout l, ReadOnlySpan<double> h, ReadOnlySpan<double> u, Span<double> result)
    {
        for (int c = 0; c < l.C; c++)
        {
            for (int k = 0; k < Hidden; k++) result[l.B + c * Hidden + k] = u[c] * h[k];
            result[l.b + c] = u[c];
        }
        for (int k = 0; k < Hidden; k++)
        {
            double back = 0.0;
            for (int c = 0; c < l.C; c++) back += u[c] * w[l.B + c * Hidden + k];
            double delta = back * (1.0 - h[k] * h[k]);
            for (int j = 0; j < l.D; j++) result[l.A + k * l.D + j] = delta * x[j];
            result[l.a + k] = delta;
        }
    }

    /// <summary>Adds Σ_c u_c ∇²f_c v (the model-curvature term of the Hessian) to <paramref name="result"/>.</summary>
    private static void AddSecondOrder(ReadOnlySpan<double> w, ReadOnlySpan<double> x, in Layout l, ReadOnlySpan<double> h, ReadOnlySpan<double> u, ReadOnlySpan<double> v, Span<double> result)
    {
        Span<double> zDot = stackalloc double[Hidden];
        HiddenTangent(v, x, l, zDot);
        for (int k = 0; k < Hidden; k++)
        {
            double d1 = 1.0 - h[k] * h[k];
            double d2 = -2.0 * h[k] * d1;
            for (int c = 0; c < l.C; c++) result[l.B + c * Hidden + k] += u[c] * d1 * zDot[k];
            double uvb = 0.0, ub = 0.0;
            for (int c = 0; c < l.C; c++)
            {
                uvb += u[c] * v[l.B + c * Hidden + k];
                ub += u[c] * w[l.B + c * Hidden + k];
            }
            double deltaDot = uvb * d1 + ub * d2 * zDot[k];
            for (int j = 0; j < l.D; j++) result[l.A + k * l.D + j] += deltaDot * x[j];
            result[l.a + k] += deltaDot;
        }
    }

    public static void Jvp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> tangent, Span<double> outputTangent)
    {
        var l = new Layout(w.Length, x.Length, output.Length);
        Span<double> h = stackalloc double[Hidden];
        HiddenLayer(w, x, l, h);
        OutputLayer(w, l, h, output);
        JacobianVector(w, x, l, h, tangent, outputTangent);
    }

    public static void Vjp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> outputCotangent, Span<double> gradient)
    {
        var l = new Layout(w.Length, x.Length, output.Length);
        Span<double> h = stackalloc double[Hidden];
        HiddenLayer(w, x, l, h);
        OutputLayer(w, l, h, output);
        TransposeVector(w, x, l, h, outputCotangent, gradient);
    }

    public static double Loss<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target) where TLoss : ILoss
    {
        Forward(w, x, output);
        return TLoss.Value<double>(output, target);
    }

    public static double LossGradient<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss
    {
        var l = new Layout(w.Length, x.Length, output.Length);
        Span<double> h = stackalloc double[Hidden];
        HiddenLayer(w, x, l, h);
        OutputLayer(w, l, h, output);
        Span<double> g = stackalloc double[l.C];
        double loss = TLoss.Gradient<double>(output, target, g);
        TransposeVector(w, x, l, h, g, gradient);
        return loss;
    }

    public static double LossHvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss
    {
        var l = new Layout(w.Length, x.Length, output.Length);
        Span<double> h = stackalloc double[Hidden];
        HiddenLayer(w, x, l, h);
        OutputLayer(w, l, h, output);
        Span<double> g = stackalloc double[l.C];
        double loss = TLoss.Gradient<double>(output, target, g);
        TransposeVector(w, x, l, h, g, gradient);
        Span<double> jv = stackalloc double[l.C];
        Span<double> hjv = stackalloc double[l.C];
        JacobianVector(w, x, l, h, tangent, jv);
        TLoss.HessianVectorProduct<double>(output, target, jv, hjv);
        TransposeVector(w, x, l, h, hjv, hessianVector);
        AddSecondOrder(w, x, l, h, g, tangent, hessianVector);
        return loss;
    }

    public static double Ggnvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss
    {
        var l = new Layout(w.Length, x.Length, output.Length);
        Span<double> h = stackalloc double[Hidden];
        HiddenLayer(w, x, l, h);
        OutputLayer(w, l, h, output);
        Span<double> jv = stackalloc double[l.C];
        Span<double> hjv = stackalloc double[l.C];
        JacobianVector(w, x, l, h, tangent, jv);
        TLoss.HessianVectorProduct<double>(output, target, jv, hjv);
        TransposeVector(w, x, l, h, hjv, result);
        return TLoss.Value<double>(output, target);
    }

    public static double GgnDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
    {
        var l = new Layout(w.Length, x.Length, output.Length);
        Span<double> h = stackalloc double[Hidden];
        HiddenLayer(w, x, l, h);
        OutputLayer(w, l, h, output);
        int c = l.C, n = w.Length;
        Span<double> factor = stackalloc double[c * c];
        TLoss.HessianFactor<double>(output, target, factor);
        // Column m of S pushed back through the model: diag(Jᵀ S Sᵀ J) = Σ_m (Jᵀ s_m)².
        Span<double> column = stackalloc double[c];
        double[] pulled = new double[n];
        diagonal.Clear();
        for (int m = 0; m < c; m++)
        {
            for (int k = 0; k < c; k++) column[k] = factor[k * c + m];
            TransposeVector(w, x, l, h, column, pulled);
            for (int p = 0; p < n; p++) diagonal[p] += pulled[p] * pulled[p];
        }
        return TLoss.Value<double>(output, target);
    }

    public static double LossHessianDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
    {
        double loss = GgnDiagonal<TLoss>(w, x, output, target, diagonal);
        var l = new Layout(w.Length, x.Length, output.Length);
        Span<double> h = stackalloc double[Hidden];
        HiddenLayer(w, x, l, h);
        Span<double> g = stackalloc double[l.C];
        TLoss.Gradient<double>(output, target, g);
        // Σ_c g_c ∂²f_c/∂w_p²: nonzero only for the first layer, through tanh''.
        for (int k = 0; k < Hidden; k++)
        {
            double back = 0.0;
            for (int c = 0; c < l.C; c++) back += g[c] * w[l.B + c * Hidden + k];
            double d2 = -2.0 * h[k] * (1.0 - h[k] * h[k]);
            for (int j = 0; j < l.D; j++) diagonal[l.A + k * l.D + j] += back * d2 * x[j] * x[j];
            diagonal[l.a + k] += back * d2;
        }
        return loss;
    }
}
