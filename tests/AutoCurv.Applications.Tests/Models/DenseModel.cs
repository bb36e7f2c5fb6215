using AutoCurv;

namespace AutoCurv.Applications.Tests.Models;

/// <summary>A small model given by closed-form value, Jacobian and per-output Hessians.</summary>
public interface IDenseDefinition
{
    /// <summary>
    /// Writes f (length C), J (C × n, row-major) and the output Hessians ∇²f_c (C × n × n, row-major per output).
    /// </summary>
    static abstract void Evaluate(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> f, Span<double> jacobian, Span<double> hessians);
}

/// <summary>
/// An <see cref="IModel"/> built from a <see cref="IDenseDefinition"/> by dense algebra: every member is the textbook
/// formula in J, H_ℓ and ∇²f_c (allocation per call is fine in tests).
/// </summary>
public readonly struct DenseModel<TDefinition> : IModel where TDefinition : IDenseDefinition
{
    private static (double[] J, double[] H) Evaluate(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int n = w.Length, c = output.Length;
        var j = new double[c * n];
        var h = new double[c * n * n];
        TDefinition.Evaluate(w, x, output, j, h);
        return (j, h);
    }

    private static void JacobianVector(double[] j, int c, int n, ReadOnlySpan<double> v, Span<double> result)
    {
        for (int k = 0; k < c; k++)
        {
            double s = 0.0;
            for (int p = 0; p < n; p++) s += j[k * n + p] * v[p];
            result[k] = s;
        }
    }

    private static void TransposeVector(double[] j, int c, int n, ReadOnlySpan<double> u, Span<double> result)
    {
        for (int p = 0; p < n; p++)
        {
            double s = 0.0;
            for (int k = 0; k < c; k++) s += j[k * n + p] * u[k];
            result[p] = s;
        }
    }

    public static void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output) => Evaluate(w, x, output);

    public static void Jvp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> tangent, Span<double> outputTangent)
    {
        var (j, _) = Evaluate(w, x, output);
        JacobianVector(j, output.Length, w.Length, tangent, outputTangent);
    }

    public static void Vjp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> outputCotangent, Span<double> gradient)
    {
        var (j, _) = Evaluate(w, x, output);
        TransposeVector(j, output.Length, w.Length, outputCotangent, gradient);
    }

    public static double Loss<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target) where TLoss : ILoss
    {
        Evaluate(w, x, output);
        return TLoss.Value<double>(output, target);
    }

    public static double LossGradient<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss
    {
        var (j, _) = Evaluate(w, x, output);
        var g = new double[output.Length];
        double loss = TLoss.Gradient<double>(output, target, g);
        TransposeVector(j, output.Length, w.Length, g, gradient);
        return loss;
    }

    public static double LossHvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss
    {
        int n = w.Length, c = output.Length;
        var (j, h) = Evaluate(w, x, output);
        var g = new double[c];
        double loss = TLoss.Gradient<double>(output, target, g);
        TransposeVector(j, c, n, g, gradient);
        var jv = new double[c];
        var hjv = new double[c];
        JacobianVector(j, c, n, tangent, jv);
        TLoss.HessianVectorProduct<double>(output, target, jv, hjv);
        TransposeVector(j, c, n, hjv, hessianVector);
        for (int k = 0; k < c; k++)
            for (int p = 0; p < n; p++)
            {
                double s = 0.0;
                for (int q = 0; q < n; q++) s += h[(k * n + p) * n + q] * tangent[q];
                hessianVector[p] += g[k] * s;
            }
        return loss;
    }

    public static double Ggnvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss
    {
        int n = w.Length, c = output.Length;
        var (j, _) = Evaluate(w, x, output);
        var jv = new double[c];
        var hjv = new double[c];
        JacobianVector(j, c, n, tangent, jv);
        TLoss.HessianVectorProduct<double>(output, target, jv, hjv);
        TransposeVector(j, c, n, hjv, result);
        return TLoss.Value<double>(output, target);
    }

    public static double GgnDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
    {
        int n = w.Length, c = output.Length;
        var (j, _) = Evaluate(w, x, output);
        var unit = new double[c];
        var column = new double[c];
        var hl = new double[c * c];
        for (int b = 0; b < c; b++)
        {
            unit[b] = 1.0;
            TLoss.HessianVectorProduct<double>(output, target, unit, column);
            unit[b] = 0.0;
            for (int a = 0; a < c; a++) hl[a * c + b] = column[a];
        }
        for (int p = 0; p < n; p++)
        {
            double s = 0.0;
            for (int a = 0; a < c; a++)
                for (int b = 0; b < c; b++) s += j[a * n + p] * hl[a * c + b] * j[b * n + p];
            diagonal[p] = s;
        }
        return TLoss.Value<double>(output, target);
    }

    public static double LossHessianDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss
    {
        int n = w.Length, c = output.Length;
        double loss = GgnDiagonal<TLoss>(w, x, output, target, diagonal);
        var (_, h) = Evaluate(w, x, output);
        var g = new double[c];
        TLoss.Gradient<double>(output, target, g);
        for (int k = 0; k < c; k++)
            for (int p = 0; p < n; p++) diagonal[p] += g[k] * h[(k * n + p) * n + p];
        return loss;
    }
}

/// <summary>f = a·exp(b·t) + c with w = [a, b, c] and x = [t].</summary>
public readonly struct ExponentialDefinition : IDenseDefinition
{
    public static void Evaluate(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> f, Span<double> jacobian, Span<double> hessians)
    {
        double a = w[0], b = w[1], c = w[2], t = x[0];
        double e = Math.Exp(b * t);
        f[0] = a * e + c;
        jacobian[0] = e;
        jacobian[1] = a * t * e;
        jacobian[2] = 1.0;
        hessians.Clear();
        hessians[0 * 3 + 1] = t * e;
        hessians[1 * 3 + 0] = t * e;
        hessians[1 * 3 + 1] = a * t * t * e;
    }
}

/// <summary>
/// Rosenbrock as least squares: w = [u, v], x = [k]; residual k = 0 is 10 (v − u²), k = 1 is 1 − u; targets 0.
/// </summary>
public readonly struct RosenbrockDefinition : IDenseDefinition
{
    public static void Evaluate(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> f, Span<double> jacobian, Span<double> hessians)
    {
        double u = w[0], v = w[1];
        hessians.Clear();
        if (x[0] == 0.0)
        {
            f[0] = 10.0 * (v - u * u);
            jacobian[0] = -20.0 * u;
            jacobian[1] = 10.0;
            hessians[0] = -20.0;
        }
        else
        {
            f[0] = 1.0 - u;
            jacobian[0] = -1.0;
            jacobian[1] = 0.0;
        }
    }
}
