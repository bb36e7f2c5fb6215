using System;
using AutoCurv.Models;
using Xunit;

namespace AutoCurv.Tests;

/// <summary>
/// Models large enough (≥ <see cref="CompilerServices.FirstTouch.LazyFrom"/> parameters) that their gradient, H·v,
/// G·v and VJP clear their results lazily (FirstTouch): each member, called on buffers full of garbage, must equal its
/// accumulating twin (the same program with no clearing) run on zeroed buffers, exactly; the gradient must also agree
/// with central differences. <see cref="Gapped"/> leaves weights no contribution reaches between its rows, so the
/// groups nothing touched are zeroed at the end.
/// </summary>
public partial class LazyClearTests
{
    /// <summary>One dense tanh layer whose rows are <c>stride</c> apart with unused weights between them, then a sum layer.</summary>
    [Differentiable]
    public static void Gapped([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int d = x.Length;
        int stride = (w.Length - output.Length) / output.Length;
        for (int k = 0; k < output.Length; k++)
        {
            double a = w[k * stride + d];
            for (int i = 0; i < d; i++) a += w[k * stride + i] * x[i];
            output[k] = Math.Tanh(a) * w[w.Length - 1 - k];
        }
    }

    private const int D = 300, Stride = 517, C = 9; // 9 rows of 301 used weights, 216 unused between rows

    private static double[] Values(int n, int seed, double scale)
    {
        var r = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * (2 * r.NextDouble() - 1);
        return v;
    }

    private static double[] Garbage(int n)
    {
        var g = new double[n];
        Array.Fill(g, double.NaN);
        return g;
    }

    [Fact]
    public void Gapped_members_equal_their_accumulating_twins_and_finite_differences()
    {
        int n = Stride * C + C;
        Assert.True(n >= CompilerServices.FirstTouch.LazyFrom);
        double[] w = Values(n, 1, 0.1), x = Values(D, 2, 1), v = Values(n, 3, 1), target = Values(C, 4, 1);
        var output = new double[C];

        double[] gradient = Garbage(n), reference = new double[n];
        double loss = GappedLossGradient<MeanSquaredError>(w, x, output, target, gradient);
        double referenceLoss = GappedLossGradientAccumulate<MeanSquaredError>(w, x, output, target, reference);
        Assert.Equal(referenceLoss, loss);
        Assert.Equal(reference, gradient);
        for (int i = 0; i < n; i += 97)
        {
            int k = i;
            double fd = FiniteDifferences.Derivative(h =>
            {
                var wh = (double[])w.Clone();
                wh[k] += h;
                return GappedLoss<MeanSquaredError>(wh, x, new double[C], target);
            }, 1e-4);
            FiniteDifferences.AssertClose(fd, gradient[k], 1e-7, $"gradient[{k}] vs central differences");
        }

        double[] g2 = Garbage(n), hv = Garbage(n), hvReference = new double[n], g2Reference = new double[n];
        GappedLossHvp<MeanSquaredError>(w, x, output, target, v, g2, hv);
        GappedLossHvpAccumulate<MeanSquaredError>(w, x, output, target, v, g2Reference, hvReference);
        Assert.Equal(g2Reference, g2);
        Assert.Equal(hvReference, hv);

        double[] gv = Garbage(n), gvReference = new double[n];
        GappedGgnvp<MeanSquaredError>(w, x, output, target, v, gv);
        GappedGgnvpAccumulate<MeanSquaredError>(w, x, output, target, v, gvReference);
        Assert.Equal(gvReference, gv);

        // The VJP has no accumulating twin: check it against the JVP, column by column ((Jᵀu)_i = u·(J e_i)).
        double[] u = Values(C, 5, 1), vjp = Garbage(n);
        GappedVjp(w, x, output, u, vjp);
        for (int i = 0; i < n; i += 53)
        {
            var e = new double[n];
            e[i] = 1;
            var jv = new double[C];
            GappedJvp(w, x, new double[C], e, jv);
            double expected = 0;
            for (int k = 0; k < C; k++) expected += u[k] * jv[k];
            Assert.True(expected == vjp[i] || Math.Abs(expected - vjp[i]) <= 1e-14 * (1 + Math.Abs(expected)), $"VJP[{i}] = {vjp[i]} vs u·(J e_i) = {expected}");
        }
    }

    /// <summary>
    /// The corpus MLP d → hidden → C (<see cref="Mlp.Forward"/>) with a large output layer: in H·v each of its
    /// weights gets two contributions per sweep (the tangent of the bilinear w·h: ṫ·h + t·ḣ), which reach the lazily
    /// cleared span through one two-term axpy (<c>FirstTouch.Axpy2</c>) per row.
    /// </summary>
    [Fact]
    public void Mlp_hessian_vector_product_equals_its_twin_and_differences_of_the_gradient()
    {
        const int d = 6, hidden = 64, c = 70;
        int n = hidden * (d + 1) + c * (hidden + 1);
        Assert.True(c * (hidden + 1) >= CompilerServices.FirstTouch.LazyFrom / 2 && n >= CompilerServices.FirstTouch.LazyFrom);
        double[] w = Values(n, 11, 0.3), x = Values(d, 12, 1), v = Values(n, 13, 1), target = Values(c, 14, 1);
        var output = new double[c];

        double[] g = Garbage(n), hv = Garbage(n), gReference = new double[n], hvReference = new double[n];
        double loss = Mlp.ForwardLossHvp<SoftmaxCrossEntropy>(w, x, output, target, v, g, hv);
        double referenceLoss = Mlp.ForwardLossHvpAccumulate<SoftmaxCrossEntropy>(w, x, output, target, v, gReference, hvReference);
        Assert.Equal(referenceLoss, loss);
        Assert.Equal(gReference, g);
        Assert.Equal(hvReference, hv);

        double[] gv = Garbage(n), gvReference = new double[n];
        Mlp.ForwardGgnvp<SoftmaxCrossEntropy>(w, x, output, target, v, gv);
        Mlp.ForwardGgnvpAccumulate<SoftmaxCrossEntropy>(w, x, output, target, v, gvReference);
        Assert.Equal(gvReference, gv);

        // H·v against central differences of the generated gradient along v, in both layers.
        double[] along = FiniteDifferences.Directional((theta, grad) => Mlp.ForwardLossGradient<SoftmaxCrossEntropy>(theta, x, new double[c], target, grad), n, w, v);
        for (int i = 0; i < n; i += 37)
            FiniteDifferences.AssertClose(along[i], hv[i], 1e-6, $"(H·v)[{i}] vs differences of the gradient", floor: 1e-3);
    }
}

