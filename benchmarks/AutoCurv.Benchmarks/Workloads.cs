using System;
using AutoCurv;
using AutoCurv.Models;

namespace AutoCurv.Benchmarks;

/// <summary>
/// The benchmark workloads, written as ordinary user code: AutoCurv generates every derivative member at compile time.
/// W1 and W2 run <see cref="Mlp.Forward"/>, the two-layer tanh MLP of shared/Models (linked in the project file).
/// </summary>
public static partial class Nets
{
    /// <summary>W4: the extended Rosenbrock function Σ_i 100 (x_{i+1} − x_i²)² + (1 − x_i)².</summary>
    [Differentiable]
    public static double Rosenbrock([Wrt] ReadOnlySpan<double> x)
    {
        double sum = 0.0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1.0 - x[i];
            sum += 100.0 * a * a + b * b;
        }
        return sum;
    }
}

/// <summary>
/// Deterministic inputs shared with benchmarks/torch/bench.py (same formulas), so both sides compute the same
/// numbers and the checksums printed by the quick run can be compared.
/// </summary>
public static class Inputs
{
    public static int MlpSize(int d, int hidden, int c) => hidden * (d + 1) + c * (hidden + 1);

    /// <summary>w_i = 0.2·sin(0.37 i + 0.1)/√(fan-in) per layer, fan-in = d for layer 1, hidden for layer 2.</summary>
    public static double[] MlpWeights(int d, int hidden, int c)
    {
        var w = new double[MlpSize(d, hidden, c)];
        int offset = hidden * (d + 1);
        for (int i = 0; i < w.Length; i++)
        {
            double scale = i < offset ? 1.0 / Math.Sqrt(d) : 1.0 / Math.Sqrt(hidden);
            w[i] = 2.0 * scale * Math.Sin(0.37 * i + 0.1);
        }
        return w;
    }

    /// <summary>Sample s: x_i = 0.5 + 0.5 sin(1.3 i + 0.7 s + 0.2).</summary>
    public static double[] MlpInputs(int d, int count)
    {
        var x = new double[d * count];
        for (int s = 0; s < count; s++)
            for (int i = 0; i < d; i++)
                x[s * d + i] = 0.5 + 0.5 * Math.Sin(1.3 * i + 0.7 * s + 0.2);
        return x;
    }

    /// <summary>Sample s: one-hot label (3 s + 1) mod C.</summary>
    public static double[] OneHotTargets(int c, int count)
    {
        var y = new double[c * count];
        for (int s = 0; s < count; s++) y[s * c + (3 * s + 1) % c] = 1.0;
        return y;
    }

    /// <summary>The direction of every product: v_i = cos(0.11 i).</summary>
    public static double[] Direction(int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.Cos(0.11 * i);
        return v;
    }

    /// <summary>Rosenbrock point: x_i = 0.9 + 0.2 sin(0.5 i).</summary>
    public static double[] RosenbrockPoint(int n)
    {
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = 0.9 + 0.2 * Math.Sin(0.5 * i);
        return x;
    }
}
