using AutoCurv;
using AutoCurv.Curvature.Tests.Models;
using AutoCurv.Curvature.Tests.Support;

namespace AutoCurv.Curvature.Tests;

/// <summary>Misuse throws an ArgumentException naming the parameter, never a silent wrong number.</summary>
public class ValidationTests
{
    private static void Throws<TException>(string parameter, Action action) where TException : ArgumentException
    {
        var e = Assert.Throws<TException>(action);
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void DatasetChecksItsShape()
    {
        Throws<ArgumentNullException>("inputs", () => new Dataset(null!, new double[2], 2));
        Throws<ArgumentNullException>("targets", () => new Dataset(new double[2], null!, 2));
        Throws<ArgumentOutOfRangeException>("count", () => new Dataset(new double[2], new double[2], 0));
        Throws<ArgumentOutOfRangeException>("count", () => new Dataset(new double[2], new double[2], -1));
        Throws<ArgumentException>("inputs", () => new Dataset(new double[5], new double[4], 2));
        Throws<ArgumentException>("targets", () => new Dataset(new double[4], new double[5], 2));
        var data = new Dataset(new double[] { 1, 2, 3, 4, 5, 6 }, new double[] { 7, 8 }, 2);
        Throws<ArgumentOutOfRangeException>("index", () => data.Input(2));
        Throws<ArgumentOutOfRangeException>("index", () => data.Target(-1));
    }

    [Fact]
    public void DatasetSlicesSamples()
    {
        var data = new Dataset(new double[] { 1, 2, 3, 4, 5, 6 }, new double[] { 7, 8 }, 2);
        Assert.Equal(2, data.Count);
        Assert.Equal(3, data.InputSize);
        Assert.Equal(1, data.TargetSize);
        Assert.Equal(new double[] { 4, 5, 6 }, data.Input(1).ToArray());
        Assert.Equal(new double[] { 8 }, data.Target(1).ToArray());
        Assert.Equal(6, data.Inputs.Length);
        Assert.Equal(2, data.Targets.Length);
    }

    public static IEnumerable<object[]> Operators()
    {
        var data = Problem.Classification(5);
        var w = Problem.TanhParameters(data);
        yield return new object[] { new HessianOperator<TanhModel, SoftmaxCrossEntropy>(w, data) };
        yield return new object[] { new GgnOperator<TanhModel, SoftmaxCrossEntropy>(w, data) };
        yield return new object[] { new EmpiricalFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data) };
        yield return new object[] { new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data) };
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void OperatorsCheckSpanLengths(ICurvatureOperator op)
    {
        int n = op.Size;
        Throws<ArgumentException>("v", () => op.Apply(new double[n - 1], new double[n]));
        Throws<ArgumentException>("result", () => op.Apply(new double[n], new double[n + 1]));
        Throws<ArgumentException>("result", () => op.Diagonal(new double[n - 1]));
        var property = op.GetType().GetProperty("MaxDegreeOfParallelism")!;
        var e = Assert.Throws<System.Reflection.TargetInvocationException>(() => property.SetValue(op, 0));
        Assert.IsType<ArgumentOutOfRangeException>(e.InnerException);
        property.SetValue(op, 2);
        Assert.Equal(2, property.GetValue(op));
    }

    [Fact]
    public void OperatorConstructorsCheckArguments()
    {
        var data = Problem.Classification(5);
        var w = Problem.TanhParameters(data);
        Throws<ArgumentNullException>("w", () => new HessianOperator<TanhModel, SoftmaxCrossEntropy>((double[])null!, data));
        Throws<ArgumentNullException>("w", () => new GgnOperator<TanhModel, SoftmaxCrossEntropy>((double[])null!, data));
        Throws<ArgumentNullException>("w", () => new EmpiricalFisherOperator<TanhModel, SoftmaxCrossEntropy>((double[])null!, data));
        Throws<ArgumentNullException>("w", () => new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>((double[])null!, data));
        Throws<ArgumentNullException>("data", () => new HessianOperator<TanhModel, SoftmaxCrossEntropy>(w, null!));
        Throws<ArgumentNullException>("data", () => new GgnOperator<TanhModel, SoftmaxCrossEntropy>(w, null!));
        Throws<ArgumentNullException>("data", () => new EmpiricalFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, null!));
        Throws<ArgumentNullException>("data", () => new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, null!));
        Throws<ArgumentException>("w", () => new HessianOperator<TanhModel, SoftmaxCrossEntropy>(Array.Empty<double>(), data));
        Throws<ArgumentException>("w", () => new GgnOperator<TanhModel, SoftmaxCrossEntropy>(ReadOnlyMemory<double>.Empty, data));
        Throws<ArgumentOutOfRangeException>("samples", () => new MonteCarloFisherOperator<TanhModel, SoftmaxCrossEntropy>(w, data, samples: 0));
        Throws<ArgumentNullException>("data", () => new Objective<TanhModel, SoftmaxCrossEntropy>(null!));
    }

    [Fact]
    public void ModelMisuseInsideAParallelProductSurfacesAsArgumentException()
    {
        // Parameters of the wrong length: the (test) model throws inside a worker thread; the caller sees the
        // ArgumentException itself, not an AggregateException.
        var data = Problem.Classification(200);
        var wrong = new double[TanhModel.ParameterCount(data.InputSize, data.TargetSize) + 1];
        var h = new HessianOperator<TanhModel, SoftmaxCrossEntropy>(wrong, data);
        Throws<ArgumentException>("w", () => h.Apply(new double[h.Size], new double[h.Size]));
        var objective = new Objective<TanhModel, SoftmaxCrossEntropy>(data);
        Throws<ArgumentException>("w", () => objective.Loss(wrong));
    }

    [Fact]
    public void ObjectiveChecksLengths()
    {
        var data = Problem.Regression(4);
        var w = Problem.LinearParameters(data);
        var objective = new Objective<LinearModel, MeanSquaredError>(data);
        Throws<ArgumentException>("gradient", () => objective.Gradient(w, new double[w.Length - 1]));
        Throws<ArgumentException>("w", () => objective.Loss(ReadOnlySpan<double>.Empty));
        Throws<ArgumentException>("w", () => objective.Gradient(ReadOnlySpan<double>.Empty, Span<double>.Empty));
        Throws<ArgumentOutOfRangeException>("value", () => objective.MaxDegreeOfParallelism = -2);
    }

    [Fact]
    public void KrylovToolsCheckArguments()
    {
        var op = new DenseOperator(new double[] { 2, 0, 0, 1 }, 2);
        Throws<ArgumentNullException>("op", () => Lanczos.TopEigenvalues(null!, 1));
        Throws<ArgumentOutOfRangeException>("count", () => Lanczos.TopEigenvalues(op, 0));
        Throws<ArgumentOutOfRangeException>("maxIterations", () => Lanczos.TopEigenvalues(op, 1, maxIterations: -1));
        Throws<ArgumentOutOfRangeException>("tolerance", () => Lanczos.TopEigenpairs(op, 1, tolerance: 0));
        Throws<ArgumentException>("op", () => Lanczos.TopEigenvalues(new DenseOperator(Array.Empty<double>(), 0), 1));

        Throws<ArgumentNullException>("op", () => Hutchinson.Trace(null!, 1));
        Throws<ArgumentOutOfRangeException>("samples", () => Hutchinson.Trace(op, 0));
        Throws<ArgumentOutOfRangeException>("samples", () => Hutchinson.Diagonal(op, 0));
        Throws<ArgumentOutOfRangeException>("matrixVectorProducts", () => HutchPlusPlus.Trace(op, 2));

        Throws<ArgumentNullException>("op", () => ConjugateGradient.Solve(null!, new double[2], new double[2]));
        Throws<ArgumentException>("b", () => ConjugateGradient.Solve(op, new double[3], new double[2]));
        Throws<ArgumentException>("x", () => ConjugateGradient.Solve(op, new double[2], new double[1]));
        Throws<ArgumentOutOfRangeException>("damping", () => ConjugateGradient.Solve(op, new double[2], new double[2], damping: double.NaN));
        Throws<ArgumentOutOfRangeException>("tolerance", () => ConjugateGradient.Solve(op, new double[2], new double[2], tolerance: -1));
        Throws<ArgumentOutOfRangeException>("maxIterations", () => ConjugateGradient.Solve(op, new double[2], new double[2], maxIterations: -1));
        Throws<ArgumentException>("preconditionerDiagonal", () => ConjugateGradient.Solve(op, new double[2], new double[2], preconditionerDiagonal: new double[] { 1 }));
        Throws<ArgumentException>("preconditionerDiagonal", () => ConjugateGradient.Solve(op, new double[2], new double[2], preconditionerDiagonal: new double[] { 1, 0 }));

        Throws<ArgumentOutOfRangeException>("steps", () => StochasticLanczosQuadrature.Density(op, steps: 0));
        Throws<ArgumentOutOfRangeException>("probes", () => StochasticLanczosQuadrature.Density(op, probes: 0));
        var density = StochasticLanczosQuadrature.Density(op, 2, 1);
        Throws<ArgumentOutOfRangeException>("bandwidth", () => density.Evaluate(new double[] { 0 }, 0));
        Throws<ArgumentNullException>("function", () => density.Trace(null!));
    }
}
