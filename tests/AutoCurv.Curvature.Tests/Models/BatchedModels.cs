using AutoCurv;
using AutoCurv.CompilerServices;

namespace AutoCurv.Curvature.Tests.Models;

/// <summary>
/// A 3 → 4 tanh → 2 network, h = tanh(A x + a), f = B h + b, with w = [A (4 × 3, row-major), a (4), B (2 × 4,
/// row-major), b (2)] (n = 26), written by hand in both forms the data-set operators call: per-sample members
/// (overwriting and accumulating) and batched members that compute directly on <see cref="SampleBlock"/> values in
/// block layout (x[j] lane b = sample b's x_j). The two forms are written independently: the per-sample H·v is
/// Jᵀ H_ℓ J v plus the model-curvature term, the batched one differentiates the gradient expression along v in one
/// pass. Declares its sizes.
/// </summary>
public readonly struct BlockTanhNet : IModel
{
    public const int D = 3, K = 4, C = 2;
    private const int OffA = 0, Offa = K * D, OffB = Offa + K, Offb = OffB + C * K;
    public const int N = Offb + C;

    public static int InputSize => D;
    public static int OutputSize => C;
    public static int ParameterCount => N;
    public static bool HasAccumulatingMembers => true;
    public static bool HasBatchedMembers => true;

    private static void Require(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"Expected length {expected}, got {actual}.", name);
    }

    private static void Check(int w, int x, int output, int target = C)
    {
        Require(w, N, "w");
        Require(x, D, "x");
        Require(output, C, "output");
        Require(target, C, "target");
    }

    // ------------------------------------------------------------------------------------------------
    // Per-sample form
    // ------------------------------------------------------------------------------------------------

    private static void Hidden(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> h)
    {
        for (int k = 0; k < K; k++)
        {
            double z = w[Offa + k];
            for (int j = 0; j < D; j++) z += w[OffA + k * D + j] * x[j];
            h[k] = Math.Tanh(z);
        }
    }

    private static void Outputs(ReadOnlySpan<double> w, ReadOnlySpan<double> h, Span<double> f)
    {
        for (int c = 0; c < C; c++)
        {
            double s = w[Offb + c];
            for (int k = 0; k < K; k++) s += w[OffB + c * K + k] * h[k];
            f[c] = s;
        }
    }

    /// <summary>ż = V_A x + v_a and ḟ = J v.</summary>
    private static void Tangents(ReadOnlySpan<double> w, ReadOnlySpan<double> x, ReadOnlySpan<double> h, ReadOnlySpan<double> v, Span<double> zDot, Span<double> fDot)
    {
        for (int k = 0; k < K; k++)
        {
            double s = v[Offa + k];
            for (int j = 0; j < D; j++) s += v[OffA + k * D + j] * x[j];
            zDot[k] = s;
        }
        for (int c = 0; c < C; c++)
        {
            double s = v[Offb + c];
            for (int k = 0; k < K; k++) s += v[OffB + c * K + k] * h[k] + w[OffB + c * K + k] * (1.0 - h[k] * h[k]) * zDot[k];
            fDot[c] = s;
        }
    }

    /// <summary>result += Jᵀ u.</summary>
    private static void AddTranspose(ReadOnlySpan<double> w, ReadOnlySpan<double> x, ReadOnlySpan<double> h, ReadOnlySpan<double> u, Span<double> result)
    {
        for (int c = 0; c < C; c++)
        {
            for (int k = 0; k < K; k++) result[OffB + c * K + k] += u[c] * h[k];
            result[Offb + c] += u[c];
        }
        for (int k = 0; k < K; k++)
        {
            double back = 0.0;
            for (int c = 0; c < C; c++) back += u[c] * w[OffB + c * K + k];
            double delta = back * (1.0 - h[k] * h[k]);
            for (int j = 0; j < D; j++) result[OffA + k * D + j] += delta * x[j];
            result[Offa + k] += delta;
        }
    }

    /// <summary>result += Σ_c u_c ∇²f_c v (the model-curvature term of the Hessian).</summary>
    private static void AddModelCurvature(ReadOnlySpan<double> w, ReadOnlySpan<double> x, ReadOnlySpan<double> h, ReadOnlySpan<double> u, ReadOnlySpan<double> v,
        ReadOnlySpan<double> zDot, Span<double> result)
    {
        for (int k = 0; k < K; k++)
        {
            double d1 = 1.0 - h[k] * h[k];
            double d2 = -2.0 * h[k] * d1;
            double uv = 0.0, uw = 0.0;
            for (int c = 0; c < C; c++)
            {
                result[OffB + c * K + k] += u[c] * d1 * zDot[k];
                uv += u[c] * v[OffB + c * K + k];
                uw += u[c] * w[OffB + c * K + k];
            }
            double s = uv * d1 + uw * d2 * zDot[k];
            for (int j = 0; j < D; j++) result[OffA + k * D + j] += s * x[j];
            result[Offa + k] += s;
        }
    }

    public static void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        Check(w.Length, x.Length, output.Length);
        Span<double> h = stackalloc double[K];
        Hidden(w, x, h);
        Outputs(w, h, output);
    }

    public static void Jvp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> tangent, Span<double> outputTangent)
    {
        Check(w.Length, x.Length, output.Length, outputTangent.Length);
        Require(tangent.Length, N, nameof(tangent));
        Span<double> h = stackalloc double[K];
        Span<double> zDot = stackalloc double[K];
        Hidden(w, x, h);
        Outputs(w, h, output);
        Tangents(w, x, h, tangent, zDot, outputTangent);
    }

    public static void Vjp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> outputCotangent, Span<double> gradient)
    {
        Check(w.Length, x.Length, output.Length, outputCotangent.Length);
        Require(gradient.Length, N, nameof(gradient));
        Span<double> h = stackalloc double[K];
        Hidden(w, x, h);
        Outputs(w, h, output);
        gradient.Clear();
        AddTranspose(w, x, h, outputCotangent, gradient);
    }

    public static double Loss<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target) where TLoss : ILoss
    {
        Forward(w, x, output);
        Require(target.Length, C, nameof(target));
        return TLoss.Value<double>(output, target);
    }

    public static double LossGradientAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss
    {
        Check(w.Length, x.Length, output.Length, target.Length);
        Require(gradient.Length, N, nameof(gradient));
        Span<double> h = stackalloc double[K];
        Span<double> g = stackalloc double[C];
        Hidden(w, x, h);
        Outputs(w, h, output);
        double loss = TLoss.Gradient<double>(output, target, g);
        AddTranspose(w, x, h, g, gradient);
        return loss;
    }

    public static double LossGradient<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss
    {
        gradient.Clear();
        return LossGradientAccumulate<TLoss>(w, x, output, target, gradient);
    }

    public static double LossHvpAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent,
        Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss
    {
        Check(w.Length, x.Length, output.Length, target.Length);
        Require(tangent.Length, N, nameof(tangent));
        Require(gradient.Length, N, nameof(gradient));
        Require(hessianVector.Length, N, nameof(hessianVector));
        Span<double> h = stackalloc double[K];
        Span<double> zDot = stackalloc double[K];
        Span<double> g = stackalloc double[C];
        Span<double> fDot = stackalloc double[C];
        Span<double> hfDot = stackalloc double[C];
        Hidden(w, x, h);
        Outputs(w, h, output);
        double loss = TLoss.Gradient<double>(output, target, g);
        AddTranspose(w, x, h, g, gradient);
        Tangents(w, x, h, tangent, zDot, fDot);
        TLoss.HessianVectorProduct<double>(output, target, fDot, hfDot);
        AddTranspose(w, x, h, hfDot, hessianVector);
        AddModelCurvature(w, x, h, g, tangent, zDot, hessianVector);
        return loss;
    }

    public static double LossHvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent,
        Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss
    {
        gradient.Clear();
        hessianVector.Clear();
        return LossHvpAccumulate<TLoss>(w, x, output, target, tangent, gradient, hessianVector);
    }

    public static double GgnvpAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent,
        Span<double> result) where TLoss : ILoss
    {
        Check(w.Length, x.Length, output.Length, target.Length);
        Require(tangent.Length, N, nameof(tangent));
        Require(result.Length, N, nameof(result));
        Span<double> h = stackalloc double[K];
        Span<double> zDot = stackalloc double[K];
        Span<double> fDot = stackalloc double[C];
        Span<double> hfDot = stackalloc double[C];
        Hidden(w, x, h);
        Outputs(w, h, output);
        Tangents(w, x, h, tangent, zDot, fDot);
        TLoss.HessianVectorProduct<double>(output, target, fDot, hfDot);
        AddTranspose(w, x, h, hfDot, result);
        return TLoss.Value<double>(output, target);
    }

    public static double Ggnvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent,
        Span<double> result) where TLoss : ILoss
    {
        result.Clear();
        return GgnvpAccumulate<TLoss>(w, x, output, target, tangent, result);
    }

    public static double GgnDiagonalAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
    {
        Check(w.Length, x.Length, output.Length, target.Length);
        Require(diagonal.Length, N, nameof(diagonal));
        Span<double> h = stackalloc double[K];
        Hidden(w, x, h);
        Outputs(w, h, output);
        // J row by row (row c = Jᵀ e_c), H_ℓ column by column; diag_p = Σ_ab J_ap H_ab J_bp.
        Span<double> jacobian = stackalloc double[C * N];
        Span<double> unit = stackalloc double[C];
        Span<double> hl = stackalloc double[C * C];
        Span<double> column = stackalloc double[C];
        jacobian.Clear();
        unit.Clear();
        for (int c = 0; c < C; c++)
        {
            unit[c] = 1.0;
            AddTranspose(w, x, h, unit, jacobian.Slice(c * N, N));
            TLoss.HessianVectorProduct<double>(output, target, unit, column);
            unit[c] = 0.0;
            for (int r = 0; r < C; r++) hl[r * C + c] = column[r];
        }
        for (int p = 0; p < N; p++)
        {
            double s = 0.0;
            for (int a = 0; a < C; a++)
                for (int b = 0; b < C; b++) s += jacobian[a * N + p] * hl[a * C + b] * jacobian[b * N + p];
            diagonal[p] += s;
        }
        return TLoss.Value<double>(output, target);
    }

    public static double GgnDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
    {
        diagonal.Clear();
        return GgnDiagonalAccumulate<TLoss>(w, x, output, target, diagonal);
    }

    public static double LossHessianDiagonalAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
    {
        double loss = GgnDiagonalAccumulate<TLoss>(w, x, output, target, diagonal);
        Span<double> h = stackalloc double[K];
        Span<double> g = stackalloc double[C];
        Hidden(w, x, h);
        TLoss.Gradient<double>(output, target, g);
        // Σ_c g_c ∂²f_c/∂w_p²: only the first layer, through tanh'' = −2h(1 − h²).
        for (int k = 0; k < K; k++)
        {
            double back = 0.0;
            for (int c = 0; c < C; c++) back += g[c] * w[OffB + c * K + k];
            double curvature = back * (-2.0 * h[k] * (1.0 - h[k] * h[k]));
            for (int j = 0; j < D; j++) diagonal[OffA + k * D + j] += curvature * x[j] * x[j];
            diagonal[Offa + k] += curvature;
        }
        return loss;
    }

    public static double LossHessianDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
    {
        diagonal.Clear();
        return LossHessianDiagonalAccumulate<TLoss>(w, x, output, target, diagonal);
    }

    // ------------------------------------------------------------------------------------------------
    // Batched form: every sample-dependent value is a SampleBlock (lane b = sample b)
    // ------------------------------------------------------------------------------------------------

    private static void CheckBlocks(int w, int x, int output, int target)
    {
        Require(w, N, "w");
        Require(x, D, "x");
        Require(output, C, "output");
        Require(target, C, "target");
    }

    private static SampleBlock Tanh(SampleBlock z)
    {
        SampleBlock t = default;
        for (int b = 0; b < SampleBlock.Size; b++) t[b] = Math.Tanh(z[b]);
        return t;
    }

    private static void HiddenBlock(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> h)
    {
        for (int k = 0; k < K; k++)
        {
            SampleBlock z = w[Offa + k];
            for (int j = 0; j < D; j++) z += w[OffA + k * D + j] * x[j];
            h[k] = Tanh(z);
        }
    }

    private static void OutputBlock(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> h, Span<SampleBlock> f)
    {
        for (int c = 0; c < C; c++)
        {
            SampleBlock s = w[Offb + c];
            for (int k = 0; k < K; k++) s += w[OffB + c * K + k] * h[k];
            f[c] = s;
        }
    }

    private static void TangentBlock(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, ReadOnlySpan<SampleBlock> h, ReadOnlySpan<double> v, Span<SampleBlock> zDot, Span<SampleBlock> fDot)
    {
        for (int k = 0; k < K; k++)
        {
            SampleBlock s = v[Offa + k];
            for (int j = 0; j < D; j++) s += v[OffA + k * D + j] * x[j];
            zDot[k] = s;
        }
        for (int c = 0; c < C; c++)
        {
            SampleBlock s = v[Offb + c];
            for (int k = 0; k < K; k++) s += v[OffB + c * K + k] * h[k] + w[OffB + c * K + k] * (1.0 - h[k] * h[k]) * zDot[k];
            fDot[c] = s;
        }
    }

    /// <summary>result += Σ_b J_bᵀ u_b.</summary>
    private static void AddTransposeBlock(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, ReadOnlySpan<SampleBlock> h, ReadOnlySpan<SampleBlock> u, Span<double> result)
    {
        for (int c = 0; c < C; c++)
        {
            for (int k = 0; k < K; k++) result[OffB + c * K + k] += SampleBlock.Sum(u[c] * h[k]);
            result[Offb + c] += SampleBlock.Sum(u[c]);
        }
        for (int k = 0; k < K; k++)
        {
            SampleBlock back = 0.0;
            for (int c = 0; c < C; c++) back += u[c] * w[OffB + c * K + k];
            SampleBlock delta = back * (1.0 - h[k] * h[k]);
            for (int j = 0; j < D; j++) result[OffA + k * D + j] += SampleBlock.Sum(delta * x[j]);
            result[Offa + k] += SampleBlock.Sum(delta);
        }
    }

    public static double LossBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target) where TLoss : ILoss
    {
        CheckBlocks(w.Length, x.Length, output.Length, target.Length);
        Span<SampleBlock> h = stackalloc SampleBlock[K];
        HiddenBlock(w, x, h);
        OutputBlock(w, h, output);
        return SampleBlock.Sum(BlockLoss.Value<TLoss>(output, target));
    }

    public static double LossGradientBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, Span<double> gradient) where TLoss : ILoss
    {
        CheckBlocks(w.Length, x.Length, output.Length, target.Length);
        Require(gradient.Length, N, nameof(gradient));
        Span<SampleBlock> h = stackalloc SampleBlock[K];
        Span<SampleBlock> g = stackalloc SampleBlock[C];
        HiddenBlock(w, x, h);
        OutputBlock(w, h, output);
        SampleBlock loss = BlockLoss.Gradient<TLoss>(output, target, g);
        AddTransposeBlock(w, x, h, g, gradient);
        return SampleBlock.Sum(loss);
    }

    public static double LossHvpBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, ReadOnlySpan<double> tangent,
        Span<double> hessianVector) where TLoss : ILoss
    {
        CheckBlocks(w.Length, x.Length, output.Length, target.Length);
        Require(tangent.Length, N, nameof(tangent));
        Require(hessianVector.Length, N, nameof(hessianVector));
        Span<SampleBlock> h = stackalloc SampleBlock[K];
        Span<SampleBlock> zDot = stackalloc SampleBlock[K];
        Span<SampleBlock> g = stackalloc SampleBlock[C];
        Span<SampleBlock> fDot = stackalloc SampleBlock[C];
        Span<SampleBlock> gDot = stackalloc SampleBlock[C];
        HiddenBlock(w, x, h);
        OutputBlock(w, h, output);
        SampleBlock loss = BlockLoss.Gradient<TLoss>(output, target, g);
        TangentBlock(w, x, h, tangent, zDot, fDot);
        BlockLoss.HessianVectorProduct<TLoss>(output, target, fDot, gDot);   // ġ = H_ℓ J v

        // H v = d/dt ∇_w ℓ(w + t v), term by term of the gradient above.
        for (int c = 0; c < C; c++)
        {
            for (int k = 0; k < K; k++)
                hessianVector[OffB + c * K + k] += SampleBlock.Sum(gDot[c] * h[k] + g[c] * (1.0 - h[k] * h[k]) * zDot[k]);
            hessianVector[Offb + c] += SampleBlock.Sum(gDot[c]);
        }
        for (int k = 0; k < K; k++)
        {
            SampleBlock d1 = 1.0 - h[k] * h[k];
            SampleBlock d2 = -2.0 * h[k] * d1;
            SampleBlock backDot = 0.0, back = 0.0;
            for (int c = 0; c < C; c++)
            {
                backDot += gDot[c] * w[OffB + c * K + k] + g[c] * tangent[OffB + c * K + k];
                back += g[c] * w[OffB + c * K + k];
            }
            SampleBlock deltaDot = backDot * d1 + back * d2 * zDot[k];
            for (int j = 0; j < D; j++) hessianVector[OffA + k * D + j] += SampleBlock.Sum(deltaDot * x[j]);
            hessianVector[Offa + k] += SampleBlock.Sum(deltaDot);
        }
        return SampleBlock.Sum(loss);
    }

    public static double GgnvpBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, ReadOnlySpan<double> tangent,
        Span<double> result) where TLoss : ILoss
    {
        CheckBlocks(w.Length, x.Length, output.Length, target.Length);
        Require(tangent.Length, N, nameof(tangent));
        Require(result.Length, N, nameof(result));
        Span<SampleBlock> h = stackalloc SampleBlock[K];
        Span<SampleBlock> zDot = stackalloc SampleBlock[K];
        Span<SampleBlock> fDot = stackalloc SampleBlock[C];
        Span<SampleBlock> hfDot = stackalloc SampleBlock[C];
        HiddenBlock(w, x, h);
        OutputBlock(w, h, output);
        TangentBlock(w, x, h, tangent, zDot, fDot);
        BlockLoss.HessianVectorProduct<TLoss>(output, target, fDot, hfDot);
        AddTransposeBlock(w, x, h, hfDot, result);
        return SampleBlock.Sum(BlockLoss.Value<TLoss>(output, target));
    }
}

/// <summary>
/// f = W x + b with w = [W (C × d, row-major), b (C)], any d and C (sizes not declared): the per-sample members are
/// <see cref="LinearModel"/>'s (no accumulating members), the batched members are written on
/// <see cref="SampleBlock"/> values. Used for wide inputs (d = 784), where the block-layout input is 100 KB.
/// </summary>
public readonly struct BlockLinearModel : IModel
{
    public static bool HasBatchedMembers => true;

    public static void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output) => LinearModel.Forward(w, x, output);

    public static void Jvp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> tangent, Span<double> outputTangent) =>
        LinearModel.Jvp(w, x, output, tangent, outputTangent);

    public static void Vjp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> outputCotangent, Span<double> gradient) =>
        LinearModel.Vjp(w, x, output, outputCotangent, gradient);

    public static double Loss<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target) where TLoss : ILoss =>
        LinearModel.Loss<TLoss>(w, x, output, target);

    public static double LossGradient<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss =>
        LinearModel.LossGradient<TLoss>(w, x, output, target, gradient);

    public static double LossHvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss =>
        LinearModel.LossHvp<TLoss>(w, x, output, target, tangent, gradient, hessianVector);

    public static double Ggnvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss =>
        LinearModel.Ggnvp<TLoss>(w, x, output, target, tangent, result);

    public static double GgnDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
        LinearModel.GgnDiagonal<TLoss>(w, x, output, target, diagonal);

    public static double LossHessianDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
        LinearModel.LossHessianDiagonal<TLoss>(w, x, output, target, diagonal);

    private static void Check(int w, int d, int c, int target)
    {
        if (target != c) throw new ArgumentException($"Expected length {c}, got {target}.", nameof(target));
        if (w != LinearModel.ParameterCount(d, c)) throw new ArgumentException($"Expected length {LinearModel.ParameterCount(d, c)}, got {w}.", nameof(w));
    }

    private static void OutputBlock(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> f)
    {
        int d = x.Length, c = f.Length;
        for (int k = 0; k < c; k++)
        {
            SampleBlock s = w[c * d + k];
            for (int j = 0; j < d; j++) s += w[k * d + j] * x[j];
            f[k] = s;
        }
    }

    /// <summary>result += Σ_b J_bᵀ u_b: ∂f_k/∂W_kj = x_j, ∂f_k/∂b_k = 1.</summary>
    private static void AddTransposeBlock(ReadOnlySpan<SampleBlock> x, ReadOnlySpan<SampleBlock> u, Span<double> result)
    {
        int d = x.Length, c = u.Length;
        for (int k = 0; k < c; k++)
        {
            for (int j = 0; j < d; j++) result[k * d + j] += SampleBlock.Sum(u[k] * x[j]);
            result[c * d + k] += SampleBlock.Sum(u[k]);
        }
    }

    public static double LossBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target) where TLoss : ILoss
    {
        Check(w.Length, x.Length, output.Length, target.Length);
        OutputBlock(w, x, output);
        return SampleBlock.Sum(BlockLoss.Value<TLoss>(output, target));
    }

    public static double LossGradientBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, Span<double> gradient) where TLoss : ILoss
    {
        Check(w.Length, x.Length, output.Length, target.Length);
        Span<SampleBlock> g = stackalloc SampleBlock[output.Length];
        OutputBlock(w, x, output);
        SampleBlock loss = BlockLoss.Gradient<TLoss>(output, target, g);
        AddTransposeBlock(x, g, gradient);
        return SampleBlock.Sum(loss);
    }

    public static double LossHvpBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, ReadOnlySpan<double> tangent,
        Span<double> hessianVector) where TLoss : ILoss
        => GgnvpBatch<TLoss>(w, x, output, target, tangent, hessianVector);   // linear in w: H = G

    public static double GgnvpBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, ReadOnlySpan<double> tangent,
        Span<double> result) where TLoss : ILoss
    {
        Check(w.Length, x.Length, output.Length, target.Length);
        int c = output.Length;
        Span<SampleBlock> fDot = stackalloc SampleBlock[c];
        Span<SampleBlock> hfDot = stackalloc SampleBlock[c];
        OutputBlock(w, x, output);
        OutputBlock(tangent, x, fDot);   // J v = V x + v_b
        BlockLoss.HessianVectorProduct<TLoss>(output, target, fDot, hfDot);
        AddTransposeBlock(x, hfDot, result);
        return SampleBlock.Sum(BlockLoss.Value<TLoss>(output, target));
    }
}

/// <summary>The built-in losses (generic over IFloatingPointIeee754, which a block is not) applied lane by lane to block-layout outputs.</summary>
internal static class BlockLoss
{
    private const int MaxOutputs = 64;

    private static void Lane(ReadOnlySpan<SampleBlock> blocks, int lane, Span<double> into)
    {
        for (int c = 0; c < blocks.Length; c++) into[c] = blocks[c][lane];
    }

    public static SampleBlock Value<TLoss>(ReadOnlySpan<SampleBlock> f, ReadOnlySpan<SampleBlock> y) where TLoss : ILoss
    {
        int c = f.Length;
        if (c > MaxOutputs) throw new ArgumentException("Too many outputs for the test helper.", nameof(f));
        Span<double> fl = stackalloc double[c];
        Span<double> yl = stackalloc double[c];
        SampleBlock loss = default;
        for (int b = 0; b < SampleBlock.Size; b++)
        {
            Lane(f, b, fl);
            Lane(y, b, yl);
            loss[b] = TLoss.Value<double>(fl, yl);
        }
        return loss;
    }

    public static SampleBlock Gradient<TLoss>(ReadOnlySpan<SampleBlock> f, ReadOnlySpan<SampleBlock> y, Span<SampleBlock> g) where TLoss : ILoss
    {
        int c = f.Length;
        if (c > MaxOutputs) throw new ArgumentException("Too many outputs for the test helper.", nameof(f));
        Span<double> fl = stackalloc double[c];
        Span<double> yl = stackalloc double[c];
        Span<double> gl = stackalloc double[c];
        SampleBlock loss = default;
        for (int b = 0; b < SampleBlock.Size; b++)
        {
            Lane(f, b, fl);
            Lane(y, b, yl);
            loss[b] = TLoss.Gradient<double>(fl, yl, gl);
            for (int k = 0; k < c; k++) g[k][b] = gl[k];
        }
        return loss;
    }

    public static void HessianVectorProduct<TLoss>(ReadOnlySpan<SampleBlock> f, ReadOnlySpan<SampleBlock> y, ReadOnlySpan<SampleBlock> v, Span<SampleBlock> result) where TLoss : ILoss
    {
        int c = f.Length;
        if (c > MaxOutputs) throw new ArgumentException("Too many outputs for the test helper.", nameof(f));
        Span<double> fl = stackalloc double[c];
        Span<double> yl = stackalloc double[c];
        Span<double> vl = stackalloc double[c];
        Span<double> rl = stackalloc double[c];
        for (int b = 0; b < SampleBlock.Size; b++)
        {
            Lane(f, b, fl);
            Lane(y, b, yl);
            Lane(v, b, vl);
            TLoss.HessianVectorProduct<double>(fl, yl, vl, rl);
            for (int k = 0; k < c; k++) result[k][b] = rl[k];
        }
    }
}
