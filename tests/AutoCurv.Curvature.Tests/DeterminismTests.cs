using AutoCurv;
using AutoCurv.Curvature.Tests.Models;
using AutoCurv.Curvature.Tests.Support;

namespace AutoCurv.Curvature.Tests;

/// <summary>Results are bit-identical whatever the degree of parallelism.</summary>
public class DeterminismTests
{
    public static TheoryData<int> Counts => new() { 1, 7, 64, 65, 203 };

    private static void CheckOperator(Func<ICurvatureOperator> create, Action<ICurvatureOperator, int> setDegree)
    {
        var reference = create();
        setDegree(reference, 1);
        int n = reference.Size;
        var v = Dense.RandomVector(n, 17);
        var expectedApply = new double[n];
        var expectedDiagonal = new double[n];
        reference.Apply(v, expectedApply);
        reference.Diagonal(expectedDiagonal);

        foreach (int degree in new[] { 2, 3, -1 })
        {
            var op = create();
            setDegree(op, degree);
            var apply = new double[n];
            var diagonal = new double[n];
            for (int repeat = 0; repeat < 3; repeat++)
            {
                op.Apply(v, apply);
                op.Diagonal(diagonal);
                Dense.AssertBitIdentical(expectedApply, apply);
                Dense.AssertBitIdentical(expectedDiagonal, diagonal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void Hessian(int count)
    {
        var data = Problem.Classification(count);
        var w = Problem.TanhParameters(data);
        CheckOperator(() => new HessianOperator<TanhModel, SoftmaxCrossEntropy>(w, data),
            (op, d) => ((HessianOperator<TanhModel, SoftmaxCrossEntropy>)op).MaxDegreeOfParallelism = d);
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void Ggn(int count)
    {
        var data = Problem.Classification(count);
        var w = Problem.TanhParameters(data);
        CheckOperator(() => new GgnOperator<TanhModel, SoftmaxCrossEntropy>(w, data),
            (op, d) => ((GgnOperator<TanhModel, SoftmaxCrossEntropy>)op).MaxDegreeOfParallelism = d);
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void EmpiricalFisher(int count)
    {
        var data = Problem.Regression(count);
        var w = Problem.TanhParameters(data);
        CheckOperator(() => new EmpiricalFisherOperator<TanhModel, MeanSquaredError>(w, data),
            (op, d) => ((EmpiricalFisherOperator<TanhModel, MeanSquaredError>)op).MaxDegreeOfParallelism = d);
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void MonteCarloFisher(int count)
    {
        var data = Problem.Classification(count);
        var w = Problem.TanhParameters(data);
        CheckOperator(() => new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data, samples: 3, seed: 11),
            (op, d) => ((MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>)op).MaxDegreeOfParallelism = d);
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void Objective(int count)
    {
        var data = Problem.Binary(count);
        var w = Problem.TanhParameters(data);
        var serial = new Objective<TanhModel, SigmoidBinaryCrossEntropy>(data) { MaxDegreeOfParallelism = 1 };
        var gradient = new double[w.Length];
        double loss = serial.Gradient(w, gradient);
        double lossOnly = serial.Loss(w);
        foreach (int degree in new[] { 2, 3, -1 })
        {
            var objective = new Objective<TanhModel, SigmoidBinaryCrossEntropy>(data) { MaxDegreeOfParallelism = degree };
            var g = new double[w.Length];
            Assert.Equal(BitConverter.DoubleToInt64Bits(loss), BitConverter.DoubleToInt64Bits(objective.Gradient(w, g)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(lossOnly), BitConverter.DoubleToInt64Bits(objective.Loss(w)));
            Dense.AssertBitIdentical(gradient, g);
        }
    }

    /// <summary>
    /// A result wider than one combining slice of the parallel reduction (8,192 doubles), with chunk buffers that take
    /// two waves (64 chunks of 66,010 doubles exceed the 2²² held at once): the gradient summed in place, H·v through a
    /// temporary, and a gradient that aliases w, each bit-identical for every degree of parallelism.
    /// </summary>
    [Fact]
    public void Wide_results_combined_in_slices_and_waves_are_bit_identical()
    {
        const int d = 6600, c = 10, count = 512;
        var data = Problem.Classification(count, 5, d, c);
        int n = LinearModel.ParameterCount(d, c);
        var w = Dense.RandomVector(n, 6, 0.01);
        var v = Dense.RandomVector(n, 7);

        (double Loss, double[] Gradient, double[] Aliased, double[] Hv) Evaluate(int degree)
        {
            var objective = new Objective<LinearModel, SoftmaxCrossEntropy>(data) { MaxDegreeOfParallelism = degree };
            var gradient = new double[n];
            double loss = objective.Gradient(w, gradient);
            var aliased = (double[])w.Clone();
            objective.Gradient(aliased, aliased);
            var hv = new double[n];
            new HessianOperator<LinearModel, SoftmaxCrossEntropy>(w, data) { MaxDegreeOfParallelism = degree }.Apply(v, hv);
            return (loss, gradient, aliased, hv);
        }

        var serial = Evaluate(1);
        Dense.AssertBitIdentical(serial.Gradient, serial.Aliased);
        foreach (int degree in new[] { 2, 3, -1 })
        {
            var other = Evaluate(degree);
            Assert.Equal(BitConverter.DoubleToInt64Bits(serial.Loss), BitConverter.DoubleToInt64Bits(other.Loss));
            Dense.AssertBitIdentical(serial.Gradient, other.Gradient);
            Dense.AssertBitIdentical(serial.Aliased, other.Aliased);
            Dense.AssertBitIdentical(serial.Hv, other.Hv);
        }
    }

    [Fact]
    public void LanczosIsReproducibleAcrossParallelism()
    {
        var data = Problem.Classification(100);
        var w = Problem.TanhParameters(data);
        var serial = new HessianOperator<TanhModel, SoftmaxCrossEntropy>(w, data) { MaxDegreeOfParallelism = 1 };
        var parallel = new HessianOperator<TanhModel, SoftmaxCrossEntropy>(w, data);
        Dense.AssertBitIdentical(Lanczos.TopEigenvalues(serial, 3, seed: 4), Lanczos.TopEigenvalues(parallel, 3, seed: 4));
        Assert.Equal(Hutchinson.Trace(serial, 10, seed: 2), Hutchinson.Trace(parallel, 10, seed: 2));
    }
}
