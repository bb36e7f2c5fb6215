using System;
using Xunit;

// A namespace of its own: FirstOrderTests.Every_corpus_method_has_a_case enumerates exactly the methods of
// AutoCurv.Tests.Corpus, and these models are exercised here only.
namespace AutoCurv.Tests.GgnPaths;

/// <summary>
/// Models for the two paths of the exact GGN diagonal. The direct path adds Σ_l σ_l c_l² where each contribution
/// c to a weight's adjoint is made, which is the diagonal only when every weight gets at most one contribution per
/// reverse sweep; a bitmap checks that at run time and the driver otherwise takes the lanes-gradient path. Each
/// model here either has the property or breaks it in one of the ways the check must catch.
/// </summary>
public static partial class GgnPathNets
{
    /// <summary>Has the property: one affine layer, each weight read once (rows of d weights + bias).</summary>
    [Differentiable]
    public static void Dense([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int d = x.Length;
        for (int k = 0; k < output.Length; k++)
        {
            double a = w[k * (d + 1) + d];
            for (int i = 0; i < d; i++) a += w[k * (d + 1) + i] * x[i];
            output[k] = Math.Tanh(a);
        }
    }

    /// <summary>The float twin of <see cref="Dense"/> (8 lanes per sweep).</summary>
    [Differentiable]
    public static void DenseF([Wrt] ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> output)
    {
        int d = x.Length;
        for (int k = 0; k < output.Length; k++)
        {
            float a = w[k * (d + 1) + d];
            for (int i = 0; i < d; i++) a += w[k * (d + 1) + i] * x[i];
            output[k] = MathF.Tanh(a);
        }
    }

    /// <summary>
    /// Breaks it: two layers share one d × d matrix (h = tanh(W x), output = W h + b), so every weight of W is read in
    /// both loops and its adjoint gets two contributions per sweep.
    /// </summary>
    [Differentiable]
    public static void SharedLayers([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        int d = x.Length;
        Span<double> h = stackalloc double[d];
        for (int j = 0; j < d; j++)
        {
            double a = 0.0;
            for (int i = 0; i < d; i++) a += w[j * d + i] * x[i];
            h[j] = Math.Tanh(a);
        }
        for (int k = 0; k < d; k++)
        {
            double a = w[d * d + k];
            for (int j = 0; j < d; j++) a += w[k * d + j] * h[j];
            output[k] = a;
        }
    }

    /// <summary>
    /// Breaks it within one layer: the bias w[0] is read by every output, in separate statements of a loop (not
    /// fused into one contribution).
    /// </summary>
    [Differentiable]
    public static void SharedBias([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
    {
        for (int k = 0; k < output.Length; k++)
        {
            double a = w[1 + k] * x[k];
            output[k] = Math.Sin(a) + w[0];
        }
    }

    /// <summary>
    /// Has the property or not depending on an argument: layer 1 reads w[0 .. m·d) (m = output count), layer 2 reads
    /// w[shift .. shift + m·m); they overlap when shift &lt; m·d.
    /// </summary>
    [Differentiable]
    public static void Shifted([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, int shift, Span<double> output)
    {
        int d = x.Length;
        int m = output.Length;
        Span<double> h = stackalloc double[m];
        for (int j = 0; j < m; j++)
        {
            double a = 0.0;
            for (int i = 0; i < d; i++) a += w[j * d + i] * x[i];
            h[j] = Math.Tanh(a);
        }
        for (int k = 0; k < m; k++)
        {
            double a = 0.0;
            for (int j = 0; j < m; j++) a += w[shift + k * m + j] * h[j];
            output[k] = a;
        }
    }
}

public class GgnDiagonalPathTests
{
    private const double Tolerance = 1e-10;

    private delegate double Ggnvp(double[] w, double[] output, double[] y, double[] v, double[] result);

    private delegate double GgnDiagonal(double[] w, double[] output, double[] y, double[] diagonal);

    private static double[] Vector(int n, int seed, double scale = 1.0)
    {
        var r = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * (2 * r.NextDouble() - 1);
        return v;
    }

    /// <summary>A target for the softmax cross-entropy: positive entries summing to 1.</summary>
    private static double[] Probabilities(int n, int seed)
    {
        double[] p = Vector(n, seed);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += p[i] = 1.5 + p[i];
        for (int i = 0; i < n; i++) p[i] /= sum;
        return p;
    }

    /// <summary>diag(G) from the columns G e_i of the generalized Gauss-Newton product (no lanes, no squares).</summary>
    private static double[] DiagonalFromColumns(int n, int outputs, double[] w, double[] y, Ggnvp ggnvp)
    {
        var diagonal = new double[n];
        var e = new double[n];
        var column = new double[n];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(e);
            e[i] = 1;
            ggnvp(w, new double[outputs], y, e, column);
            diagonal[i] = column[i];
        }
        return diagonal;
    }

    private static void Check(string what, int n, int outputs, Ggnvp ggnvp, GgnDiagonal diagonal, bool probabilities = false)
    {
        for (int seed = 1; seed <= 3; seed++)
        {
            double[] w = Vector(n, seed), y = probabilities ? Probabilities(outputs, 100 + seed) : Vector(outputs, 100 + seed);
            double[] expected = DiagonalFromColumns(n, outputs, w, y, ggnvp);
            double[] actual = Vector(n, 7, 1e3); // garbage: the member overwrites
            diagonal(w, new double[outputs], y, actual);
            FiniteDifferences.AssertClose(expected, actual, Tolerance, $"{what}, seed {seed}: GgnDiagonal vs diag([Ggnvp(e_1) … Ggnvp(e_n)])");
        }
    }

    [Fact]
    public void Dense_layer_takes_the_squares_path_and_is_exact()
    {
        // d = 5, C = 6 outputs: two lanes sweeps, the second half-filled.
        double[] x = Vector(5, 11);
        Check("Dense", 6 * 6, 6,
            (w, o, y, v, r) => GgnPathNets.DenseGgnvp<MeanSquaredError>(w, x, o, y, v, r),
            (w, o, y, d) => GgnPathNets.DenseGgnDiagonal<MeanSquaredError>(w, x, o, y, d));
        Check("Dense, softmax cross-entropy", 6 * 6, 6,
            (w, o, y, v, r) => GgnPathNets.DenseGgnvp<SoftmaxCrossEntropy>(w, x, o, y, v, r),
            (w, o, y, d) => GgnPathNets.DenseGgnDiagonal<SoftmaxCrossEntropy>(w, x, o, y, d), probabilities: true);
    }

    [Fact]
    public void Weights_shared_by_two_layers_fall_back_and_are_exact()
    {
        double[] x = Vector(4, 12);
        Check("SharedLayers", 4 * 4 + 4, 4,
            (w, o, y, v, r) => GgnPathNets.SharedLayersGgnvp<MeanSquaredError>(w, x, o, y, v, r),
            (w, o, y, d) => GgnPathNets.SharedLayersGgnDiagonal<MeanSquaredError>(w, x, o, y, d));
        Check("SharedLayers, softmax cross-entropy", 4 * 4 + 4, 4,
            (w, o, y, v, r) => GgnPathNets.SharedLayersGgnvp<SoftmaxCrossEntropy>(w, x, o, y, v, r),
            (w, o, y, d) => GgnPathNets.SharedLayersGgnDiagonal<SoftmaxCrossEntropy>(w, x, o, y, d), probabilities: true);
    }

    [Fact]
    public void A_weight_read_by_every_output_falls_back_and_is_exact()
    {
        double[] x = Vector(5, 13);
        Check("SharedBias", 6, 5,
            (w, o, y, v, r) => GgnPathNets.SharedBiasGgnvp<MeanSquaredError>(w, x, o, y, v, r),
            (w, o, y, d) => GgnPathNets.SharedBiasGgnDiagonal<MeanSquaredError>(w, x, o, y, d));
        // With the MSE's identity factor each output's contribution lands in a lane of its own, so the squares would
        // be right by luck; the softmax factor mixes the outputs in every lane.
        Check("SharedBias, softmax cross-entropy", 6, 5,
            (w, o, y, v, r) => GgnPathNets.SharedBiasGgnvp<SoftmaxCrossEntropy>(w, x, o, y, v, r),
            (w, o, y, d) => GgnPathNets.SharedBiasGgnDiagonal<SoftmaxCrossEntropy>(w, x, o, y, d), probabilities: true);
    }

    [Theory]
    [InlineData(15)] // layer 2 right after layer 1: disjoint, squares path
    [InlineData(18)] // a gap: disjoint, squares path (the gap's elements get no contribution)
    [InlineData(12)] // overlaps layer 1's last row: fallback
    [InlineData(0)] // layer 2 on top of layer 1: fallback
    public void An_overlap_chosen_at_run_time_falls_back_and_is_exact(int shift)
    {
        // d = 5, m = 3: layer 1 reads w[0 .. 15), layer 2 w[shift .. shift + 9).
        double[] x = Vector(5, 14);
        int n = 18 + 9;
        Check($"Shifted(shift = {shift})", n, 3,
            (w, o, y, v, r) => GgnPathNets.ShiftedGgnvp<MeanSquaredError>(w, x, shift, o, y, v, r),
            (w, o, y, d) => GgnPathNets.ShiftedGgnDiagonal<MeanSquaredError>(w, x, shift, o, y, d));
        Check($"Shifted(shift = {shift}), softmax cross-entropy", n, 3,
            (w, o, y, v, r) => GgnPathNets.ShiftedGgnvp<SoftmaxCrossEntropy>(w, x, shift, o, y, v, r),
            (w, o, y, d) => GgnPathNets.ShiftedGgnDiagonal<SoftmaxCrossEntropy>(w, x, shift, o, y, d), probabilities: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Accumulate_adds_the_same_diagonal_on_either_path(bool shared)
    {
        double[] x = Vector(4, 15);
        int outputs = 4, n = shared ? 4 * 4 + 4 : 4 * 5;
        double[] w = Vector(n, 16), y = Probabilities(outputs, 17);
        double[] diagonal = new double[n], accumulated = Vector(n, 18);
        double[] start = (double[])accumulated.Clone();
        double loss = shared
            ? GgnPathNets.SharedLayersGgnDiagonal<SoftmaxCrossEntropy>(w, x, new double[outputs], y, diagonal)
            : GgnPathNets.DenseGgnDiagonal<SoftmaxCrossEntropy>(w, x, new double[outputs], y, diagonal);
        double accumulatedLoss = shared
            ? GgnPathNets.SharedLayersGgnDiagonalAccumulate<SoftmaxCrossEntropy>(w, x, new double[outputs], y, accumulated)
            : GgnPathNets.DenseGgnDiagonalAccumulate<SoftmaxCrossEntropy>(w, x, new double[outputs], y, accumulated);
        Assert.Equal(loss, accumulatedLoss);
        for (int i = 0; i < n; i++) start[i] += diagonal[i];
        FiniteDifferences.AssertClose(start, accumulated, Tolerance, $"{(shared ? "SharedLayers" : "Dense")}: GgnDiagonalAccumulate vs start + GgnDiagonal");
    }

    [Fact]
    public void Float_squares_path_matches_the_double_one()
    {
        // d = 3, C = 9 outputs: two 8-lane sweeps.
        const int d = 3, c = 9, n = c * (d + 1);
        double[] x = Vector(d, 19), w = Vector(n, 20), y = Vector(c, 21);
        double[] expected = new double[n];
        GgnPathNets.DenseGgnDiagonal<MeanSquaredError>(w, x, new double[c], y, expected);
        float[] actual = new float[n];
        GgnPathNets.DenseFGgnDiagonal<MeanSquaredError>(Array.ConvertAll(w, v => (float)v), Array.ConvertAll(x, v => (float)v), new float[c],
            Array.ConvertAll(y, v => (float)v), actual);
        FiniteDifferences.AssertClose(expected, Array.ConvertAll(actual, v => (double)v), 1e-4, "DenseF vs Dense GgnDiagonal");
    }
}
