using System;

namespace AutoCurv.Tests.Corpus;

/// <summary>Scalar functions of spans and arrays: loops, indexing, <c>.Length</c>.</summary>
public static partial class ScalarSpans
{
    /// <summary>Covers: a <c>ReadOnlySpan&lt;double&gt;</c> input without <c>[Wrt]</c>; <c>.Length</c> as loop bound; <c>+=</c> in a loop; a loop without braces.</summary>
    [Differentiable]
    public static double SumOfSquares(ReadOnlySpan<double> x)
    {
        double s = 0.0;
        for (int i = 0; i < x.Length; i++) s += x[i] * x[i];
        return s;
    }

    /// <summary>Covers: indexing with <c>i + 1</c>; a bound <c>x.Length - 1</c>; int literals mixed with doubles (<c>1 - x[i]</c>, <c>100 * a</c>).</summary>
    [Differentiable]
    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double s = 0.0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            s += 100 * a * a + b * b;
        }
        return s;
    }

    /// <summary>
    /// Covers: nested loops bounded by an int parameter; indexing with <c>i * d + j</c>; a <c>[Wrt]</c> span
    /// next to a non-Wrt span (a d×d matrix, row-major).
    /// </summary>
    [Differentiable]
    public static double QuadraticForm([Wrt] ReadOnlySpan<double> x, ReadOnlySpan<double> a, int d)
    {
        double s = 0.0;
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                s += x[i] * a[i * d + j] * x[j];
            }
        }
        return s;
    }

    /// <summary>
    /// Covers: a <c>[Wrt] double[]</c> input, a non-Wrt <c>double[]</c> input, a <c>[Wrt]</c> scalar after an
    /// array (grads: a span then an <c>out double</c>); the same element used twice in one term.
    /// </summary>
    [Differentiable]
    public static double WeightedCosine([Wrt] double[] p, double[] q, [Wrt] double scale)
    {
        double s = scale * scale;
        for (int i = 0; i < p.Length; i++)
        {
            s += p[i] * q[i] * scale * Math.Cos(p[i]);
        }
        return s;
    }

    /// <summary>
    /// Covers: no <c>[Wrt]</c> with a <c>double[]</c>, a span and a scalar (all Wrt); a loop counting down
    /// (<c>i--</c>); indexing with <c>b.Length - 1 - i</c>; an element that never reaches the result
    /// (<c>b[0]</c>, whose derivative must be written as 0).
    /// </summary>
    [Differentiable]
    public static double ReversedExp(double[] a, ReadOnlySpan<double> b, double c)
    {
        double s = c * c;
        for (int i = a.Length - 1; i >= 0; i--)
        {
            s += Math.Exp(a[i] * b[b.Length - 1 - i]) * c;
        }
        return s;
    }

    /// <summary>
    /// Covers: a loop with step 2 (<c>i += 2</c>) bounded by <c>x.Length - 1</c>; an int local incremented with
    /// <c>++</c>; division by an int local (implicit conversion); an unused last element.
    /// </summary>
    [Differentiable]
    public static double StridedPairs(ReadOnlySpan<double> x)
    {
        double s = 0.0;
        int count = 0;
        for (int i = 0; i < x.Length - 1; i += 2)
        {
            s += x[i] * Math.Sin(x[i + 1]);
            count++;
        }
        return s / count;
    }

    /// <summary>
    /// Covers: nested loops, the inner one counting down; a loop bound held in an int local computed from an
    /// int parameter and two lengths (with int division); indexing with <c>o * stride + k</c>; <c>[Wrt]</c> only on the kernel.
    /// </summary>
    [Differentiable]
    public static double Convolution([Wrt] ReadOnlySpan<double> kernel, ReadOnlySpan<double> x, int stride)
    {
        double s = 0.0;
        int outputs = (x.Length - kernel.Length) / stride + 1;
        for (int o = 0; o < outputs; o++)
        {
            double acc = 0.0;
            for (int k = kernel.Length - 1; k >= 0; k--)
            {
                acc += kernel[k] * x[o * stride + k];
            }
            s += Math.Tanh(acc);
        }
        return s;
    }

    /// <summary>Covers: a running maximum overwritten in a loop (<c>m = Math.Max(m, x[i])</c>), then <c>Exp</c> and <c>Log</c> of a sum.</summary>
    [Differentiable]
    public static double LogSumExp(ReadOnlySpan<double> x)
    {
        double m = x[0];
        for (int i = 1; i < x.Length; i++) m = Math.Max(m, x[i]);
        double s = 0.0;
        for (int i = 0; i < x.Length; i++) s += Math.Exp(x[i] - m);
        return m + Math.Log(s);
    }

    /// <summary>
    /// Covers: a loop counting down whose body reads x[i] and x[i − 1], so the reverse loop counts up and each
    /// adjoint element is continued by the next iteration (the carried accumulation); a term outside the loop, so
    /// the gradient is not zero when the loop runs no iteration.
    /// </summary>
    [Differentiable]
    public static double BackwardDifferences(ReadOnlySpan<double> x)
    {
        double s = x[0] * x[0];
        for (int i = x.Length - 1; i > 0; i--)
        {
            double d = x[i] - x[i - 1];
            s += d * d * x[i];
        }
        return s;
    }

    /// <summary>Covers: a three-point stencil (x[i − 1], x[i], x[i + 1]): three accumulations per element, none carried.</summary>
    [Differentiable]
    public static double Laplacian(ReadOnlySpan<double> x)
    {
        double s = 0.0;
        for (int i = 1; i < x.Length - 1; i++)
        {
            double l = x[i - 1] - 2 * x[i] + x[i + 1];
            s += l * l + Math.Sin(x[i]);
        }
        return s;
    }

    /// <summary>
    /// Covers: a stencil of two spans written into through one shared position (x[i], x[i + 1], y[i], y[i + 1]) and an
    /// adjoint reset inside a branch of the loop.
    /// </summary>
    [Differentiable]
    public static double CoupledChain([Wrt] ReadOnlySpan<double> x, [Wrt] ReadOnlySpan<double> y)
    {
        double s = 0.0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = x[i + 1] * y[i] - y[i + 1] * x[i];
            if (a > 0) s += a * a;
            else s += Math.Exp(a) * x[i];
        }
        return s;
    }

    /// <summary>
    /// Covers: three dot products in one loop, two over the same spans in swapped order (x·y, y·x) and one of x with
    /// itself: the emitter pairs dots that share an operand into one <c>Kernels.Dot2</c>, in the forward, tangent and
    /// reverse sweeps, and must pass the partner's other operand whichever order it lists them in.
    /// </summary>
    [Differentiable]
    public static double PairedDots([Wrt] ReadOnlySpan<double> x, [Wrt] ReadOnlySpan<double> y)
    {
        double s = 0.0;
        double t = 0.0;
        double u = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i] * y[i];
            t += y[i] * x[i];
            u += x[i] * x[i];
        }
        return s * Math.Sin(t) + 0.1 * u * u;
    }
}
