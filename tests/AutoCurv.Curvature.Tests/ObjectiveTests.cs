using AutoCurv;
using AutoCurv.Curvature.Tests.Models;
using AutoCurv.Curvature.Tests.Support;

namespace AutoCurv.Curvature.Tests;

public class ObjectiveTests
{
    [Fact]
    public void LossIsTheMeanPerSampleLoss()
    {
        var data = Problem.Classification(37);
        var w = Problem.TanhParameters(data);
        var output = new double[data.TargetSize];
        double expected = 0.0;
        for (int i = 0; i < data.Count; i++)
            expected += TanhModel.Loss<SoftmaxCrossEntropy>(w, data.Input(i), output, data.Target(i));
        expected /= data.Count;
        var objective = new Objective<TanhModel, SoftmaxCrossEntropy>(data);
        Assert.Equal(expected, objective.Loss(w), 13);
        Assert.Same(data, objective.Data);
    }

    [Fact]
    public void GradientMatchesFiniteDifferencesAndReturnsLoss()
    {
        var data = Problem.Regression(80);
        var w = Problem.TanhParameters(data);
        var objective = new Objective<TanhModel, MeanSquaredError>(data);
        var gradient = new double[w.Length];
        double loss = objective.Gradient(w, gradient);
        Assert.Equal(objective.Loss(w), loss, 13);

        var fd = new double[w.Length];
        var wp = (double[])w.Clone();
        for (int p = 0; p < w.Length; p++)
        {
            const double h = 1e-6;
            wp[p] = w[p] + h;
            double plus = objective.Loss(wp);
            wp[p] = w[p] - h;
            double minus = objective.Loss(wp);
            wp[p] = w[p];
            fd[p] = (plus - minus) / (2 * h);
        }
        Dense.AssertClose(fd, gradient, 1e-7);
    }

    [Fact]
    public void GradientDescentDecreasesTheLoss()
    {
        var data = Problem.Classification(50);
        var w = Problem.LinearParameters(data);
        var objective = new Objective<LinearModel, SoftmaxCrossEntropy>(data);
        var gradient = new double[w.Length];
        double first = objective.Gradient(w, gradient);
        double loss = first;
        for (int step = 0; step < 50; step++)
        {
            for (int p = 0; p < w.Length; p++) w[p] -= 0.5 * gradient[p];
            loss = objective.Gradient(w, gradient);
        }
        Assert.True(loss < first);
    }

    [Fact]
    public void GradientMayOverwriteParameters()
    {
        var data = Problem.Regression(10);
        var w = Problem.LinearParameters(data);
        var objective = new Objective<LinearModel, MeanSquaredError>(data);
        var expected = new double[w.Length];
        double loss = objective.Gradient(w, expected);
        Assert.Equal(loss, objective.Gradient(w, w));
        Dense.AssertBitIdentical(expected, w);
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(40, 1)]
    [InlineData(40, 2)]
    [InlineData(203, -1)]
    public void GradientIgnoresWhatTheGradientSpanHeldBefore(int count, int degree)
    {
        // The gradient span is the running sum when it aliases nothing the chunks read: stale contents must not leak in.
        var data = Problem.Binary(count);
        var w = Problem.TanhParameters(data);
        var objective = new Objective<TanhModel, SigmoidBinaryCrossEntropy>(data) { MaxDegreeOfParallelism = degree };
        var expected = new double[w.Length];
        double loss = objective.Gradient(w, expected);
        var stale = new double[w.Length];
        Array.Fill(stale, double.NaN);
        Assert.Equal(BitConverter.DoubleToInt64Bits(loss), BitConverter.DoubleToInt64Bits(objective.Gradient(w, stale)));
        Dense.AssertBitIdentical(expected, stale);
    }

    [Fact]
    public void GradientMayOverwriteTheDataSet()
    {
        // A gradient span inside the data set's own input array: the sum must not build up where the chunks read.
        var source = Problem.Regression(30);
        var w = Problem.LinearParameters(source);
        var expected = new double[w.Length];
        double loss = new Objective<LinearModel, MeanSquaredError>(source).Gradient(w, expected);
        var inputs = source.Inputs.ToArray();
        var data = new Dataset(inputs, source.Targets.ToArray(), source.Count);
        Assert.True(inputs.Length >= w.Length);
        // One thread: chunk 0 would sum into the inputs of chunks 1, 2, … before they run.
        var objective = new Objective<LinearModel, MeanSquaredError>(data) { MaxDegreeOfParallelism = 1 };
        Assert.Equal(BitConverter.DoubleToInt64Bits(loss), BitConverter.DoubleToInt64Bits(objective.Gradient(w, inputs.AsSpan(0, w.Length))));
        Dense.AssertBitIdentical(expected, inputs.AsSpan(0, w.Length).ToArray());
    }
}
