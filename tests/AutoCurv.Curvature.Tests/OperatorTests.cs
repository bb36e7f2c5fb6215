using AutoCurv;
using AutoCurv.Curvature.Tests.Models;
using AutoCurv.Curvature.Tests.Support;

namespace AutoCurv.Curvature.Tests;

/// <summary>Each operator against the dense mean of per-sample matrices built independently.</summary>
public class OperatorTests
{
    private static void CheckAll<TModel, TLoss>(Dataset data, double[] w, bool hessianEqualsGgn)
        where TModel : struct, IModel
        where TLoss : struct, ILoss
    {
        int n = w.Length;
        var refH = Reference<TModel, TLoss>.MeanHessian(w, data);
        var refG = Reference<TModel, TLoss>.MeanGgn(w, data);
        var refE = Reference<TModel, TLoss>.MeanEmpiricalFisher(w, data);

        var h = new HessianOperator<TModel, TLoss>(w, data);
        var g = new GgnOperator<TModel, TLoss>(w, data);
        var e = new EmpiricalFisherOperator<TModel, TLoss>(w, data);
        Assert.Equal(n, h.Size);
        Assert.Equal(n, g.Size);
        Assert.Equal(n, e.Size);

        CheckOperator(h, refH, 1e-6);
        CheckOperator(g, refG, 1e-6);
        CheckOperator(e, refE, 1e-12);

        var hDense = h.ToDense();
        var gDense = g.ToDense();
        double gap = Dense.MaxAbsDifference(hDense, gDense);
        if (hessianEqualsGgn) Assert.True(gap <= 1e-12 * Dense.MaxAbs(gDense), $"H and G differ by {gap}");
        else Assert.True(gap > 1e-3 * Dense.MaxAbs(gDense), "the test needs a model whose Hessian differs from its GGN");
    }

    private static void CheckOperator(ICurvatureOperator op, double[] reference, double tolerance)
    {
        int n = op.Size;
        var dense = op.ToDense();
        Dense.AssertClose(reference, dense, tolerance);

        // Exactly symmetric.
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.Equal(dense[i * n + j], dense[j * n + i]);

        // Apply against the reference matrix.
        for (ulong seed = 0; seed < 3; seed++)
        {
            var v = Dense.RandomVector(n, 500 + seed);
            var result = new double[n];
            op.Apply(v, result);
            Dense.AssertClose(Dense.Multiply(reference, n, v), result, tolerance * 10);
            Dense.AssertClose(Dense.Multiply(dense, n, v), result, 1e-12);
        }

        // Diagonal: the exact diagonal, no dense matrix.
        var diagonal = new double[n];
        op.Diagonal(diagonal);
        Dense.AssertClose(Reference<LinearModel, MeanSquaredError>.Diagonal(dense, n), diagonal, 1e-12);
        Dense.AssertClose(Reference<LinearModel, MeanSquaredError>.Diagonal(reference, n), diagonal, tolerance);
    }

    [Fact]
    public void LinearSquaredError()
    {
        var data = Problem.Regression(12);
        CheckAll<LinearModel, MeanSquaredError>(data, Problem.LinearParameters(data), hessianEqualsGgn: true);
    }

    [Fact]
    public void LinearSoftmax()
    {
        var data = Problem.Classification(12);
        CheckAll<LinearModel, SoftmaxCrossEntropy>(data, Problem.LinearParameters(data), hessianEqualsGgn: true);
    }

    [Fact]
    public void TanhSquaredError()
    {
        var data = Problem.Regression(12);
        CheckAll<TanhModel, MeanSquaredError>(data, Problem.TanhParameters(data), hessianEqualsGgn: false);
    }

    [Fact]
    public void TanhSoftmax()
    {
        var data = Problem.Classification(12);
        CheckAll<TanhModel, SoftmaxCrossEntropy>(data, Problem.TanhParameters(data), hessianEqualsGgn: false);
    }

    [Fact]
    public void TanhSigmoid()
    {
        var data = Problem.Binary(12);
        CheckAll<TanhModel, SigmoidBinaryCrossEntropy>(data, Problem.TanhParameters(data), hessianEqualsGgn: false);
    }

    [Fact]
    public void ManySamplesSpanManyChunks()
    {
        // 150 samples: more than the 64 chunks, uneven chunk sizes.
        var data = Problem.Classification(150);
        var w = Problem.TanhParameters(data);
        var h = new HessianOperator<TanhModel, SoftmaxCrossEntropy>(w, data);
        int n = h.Size;
        var v = Dense.RandomVector(n, 5);
        var serial = new double[n];
        var product = new double[n];
        var gradient = new double[n];
        var output = new double[data.TargetSize];
        for (int i = 0; i < data.Count; i++)
        {
            TanhModel.LossHvp<SoftmaxCrossEntropy>(w, data.Input(i), output, data.Target(i), v, gradient, product);
            for (int k = 0; k < n; k++) serial[k] += product[k] / data.Count;
        }
        var result = new double[n];
        h.Apply(v, result);
        Dense.AssertClose(serial, result, 1e-13);
    }

    [Fact]
    public void ApplyMayOverwriteItsInput()
    {
        var data = Problem.Regression(9);
        var w = Problem.TanhParameters(data);
        var h = new HessianOperator<TanhModel, MeanSquaredError>(w, data);
        var v = Dense.RandomVector(h.Size, 3);
        var expected = new double[h.Size];
        h.Apply(v, expected);
        h.Apply(v, v);
        Dense.AssertBitIdentical(expected, v);
    }

    [Theory]
    [InlineData(9, 1)]
    [InlineData(40, 1)]
    [InlineData(40, 2)]
    [InlineData(203, -1)]
    public void ApplyIgnoresWhatTheResultHeldBefore(int count, int degree)
    {
        // The result is the running sum when it aliases nothing the chunks read: stale contents must not leak in.
        var data = Problem.Classification(count);
        var w = Problem.TanhParameters(data);
        var h = new HessianOperator<TanhModel, SoftmaxCrossEntropy>(w, data) { MaxDegreeOfParallelism = degree };
        var g = new GgnOperator<TanhModel, SoftmaxCrossEntropy>(w, data) { MaxDegreeOfParallelism = degree };
        var v = Dense.RandomVector(h.Size, 4);
        foreach (ICurvatureOperator op in new ICurvatureOperator[] { h, g })
        {
            var expected = new double[op.Size];
            op.Apply(v, expected);
            var stale = new double[op.Size];
            Array.Fill(stale, double.NaN);
            op.Apply(v, stale);
            Dense.AssertBitIdentical(expected, stale);
        }
    }

    [Fact]
    public void ApplyMayOverwriteTheDataSet()
    {
        // A result inside the data set's own input array: the sum must not build up where the chunks read.
        var source = Problem.Regression(30);
        var w = Problem.TanhParameters(source);
        var v = Dense.RandomVector(w.Length, 6);
        var expected = new double[w.Length];
        new HessianOperator<TanhModel, MeanSquaredError>(w, source).Apply(v, expected);
        var inputs = source.Inputs.ToArray();
        Assert.True(inputs.Length >= w.Length);
        var data = new Dataset(inputs, source.Targets.ToArray(), source.Count);
        // One thread: chunk 0 would sum into the inputs of chunks 1, 2, … before they run.
        var h = new HessianOperator<TanhModel, MeanSquaredError>(w, data) { MaxDegreeOfParallelism = 1 };
        h.Apply(v, inputs.AsSpan(0, w.Length));
        Dense.AssertBitIdentical(expected, inputs.AsSpan(0, w.Length).ToArray());
    }

    [Fact]
    public void ParametersAreCopied()
    {
        var data = Problem.Regression(5);
        var w = Problem.TanhParameters(data);
        var h = new HessianOperator<TanhModel, MeanSquaredError>(w, data);
        var before = h.ToDense();
        w[0] += 1.0;
        Dense.AssertBitIdentical(before, h.ToDense());
    }

    [Fact]
    public void MemoryOverloadMatchesArray()
    {
        var data = Problem.Classification(7);
        var w = Problem.TanhParameters(data);
        var padded = new double[w.Length + 4];
        w.CopyTo(padded, 2);
        var memory = new ReadOnlyMemory<double>(padded, 2, w.Length);
        Dense.AssertBitIdentical(new HessianOperator<TanhModel, SoftmaxCrossEntropy>(w, data).ToDense(), new HessianOperator<TanhModel, SoftmaxCrossEntropy>(memory, data).ToDense());
        Dense.AssertBitIdentical(new GgnOperator<TanhModel, SoftmaxCrossEntropy>(w, data).ToDense(), new GgnOperator<TanhModel, SoftmaxCrossEntropy>(memory, data).ToDense());
        Dense.AssertBitIdentical(new EmpiricalFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data).ToDense(), new EmpiricalFisherOperator<TanhModel, SoftmaxCrossEntropy>(memory, data).ToDense());
        Dense.AssertBitIdentical(new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data, 3, 4).ToDense(), new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(memory, data, 3, 4).ToDense());
    }

    [Fact]
    public void GgnAndFishersArePositiveSemidefinite()
    {
        var data = Problem.Classification(10);
        var w = Problem.TanhParameters(data);
        int n = w.Length;
        foreach (ICurvatureOperator op in new ICurvatureOperator[]
        {
            new GgnOperator<TanhModel, SoftmaxCrossEntropy>(w, data),
            new EmpiricalFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data),
            new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data, 2),
        })
        {
            var values = Dense.EigenvaluesDescending(op.ToDense(), n);
            Assert.True(values[^1] >= -1e-12 * values[0], $"{op.GetType().Name}: smallest eigenvalue {values[^1]}");
        }
        // The Hessian of the nonlinear model is indefinite here, which is what makes it differ.
        var hValues = Dense.EigenvaluesDescending(new HessianOperator<TanhModel, SoftmaxCrossEntropy>(w, data).ToDense(), n);
        Assert.True(hValues[^1] < 0);
    }
}
