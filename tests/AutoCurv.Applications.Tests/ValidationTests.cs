using AutoCurv;
using AutoCurv.Applications.Tests.Models;
using AutoCurv.Applications.Tests.Support;

namespace AutoCurv.Applications.Tests;

/// <summary>Misuse throws an exception naming the parameter.</summary>
public class ValidationTests
{
    private static readonly Dataset Data = new(Reference.RandomVector(10 * 2, 1), Reference.RandomVector(10, 2), 10);
    private static readonly double[] W = Reference.RandomVector(3, 3);

    private static void Throws<T>(string parameter, Action action) where T : ArgumentException
    {
        var exception = Assert.ThrowsAny<T>(action);
        Assert.Equal(parameter, exception.ParamName);
    }

    [Fact]
    public void HessianFree()
    {
        Throws<ArgumentNullException>("data", () => new HessianFreeOptimizer<LinearModel, MeanSquaredError>(null!));
        Throws<ArgumentException>("options", () => new HessianFreeOptimizer<LinearModel, MeanSquaredError>(Data, new HessianFreeOptions { InitialDamping = 0 }));
        Throws<ArgumentException>("options", () => new HessianFreeOptimizer<LinearModel, MeanSquaredError>(Data, new HessianFreeOptions { WarmStartDecay = 1.0 }));
        Throws<ArgumentException>("options", () => new HessianFreeOptimizer<LinearModel, MeanSquaredError>(Data, new HessianFreeOptions { MaxDegreeOfParallelism = 0 }));
        var message = Assert.Throws<ArgumentException>(() => new HessianFreeOptimizer<LinearModel, MeanSquaredError>(Data, new HessianFreeOptions { MaxIterations = 0 })).Message;
        Assert.Contains("MaxIterations", message);
        var optimizer = new HessianFreeOptimizer<LinearModel, MeanSquaredError>(Data);
        Throws<ArgumentException>("w", () => optimizer.Step(Span<double>.Empty));
        Throws<ArgumentException>("w", () => optimizer.Minimize(Span<double>.Empty));
    }

    [Fact]
    public void LevenbergMarquardtChecks()
    {
        Throws<ArgumentNullException>("data", () => LevenbergMarquardt.Minimize<LinearModel>(new double[3], null!));
        Throws<ArgumentException>("w", () => LevenbergMarquardt.Minimize<LinearModel>(Span<double>.Empty, Data));
        Throws<ArgumentException>("options", () => LevenbergMarquardt.Minimize<LinearModel>(new double[3], Data, new LevenbergMarquardtOptions { Solver = (LeastSquaresSolver)9 }));
        Throws<ArgumentException>("options", () => LevenbergMarquardt.Minimize<LinearModel>(new double[3], Data, new LevenbergMarquardtOptions { InitialDamping = double.NaN }));
    }

    [Fact]
    public void Laplace()
    {
        Throws<ArgumentNullException>("w", () => new LaplaceApproximation<LinearModel, MeanSquaredError>((double[])null!, Data));
        Throws<ArgumentNullException>("data", () => new LaplaceApproximation<LinearModel, MeanSquaredError>(W, null!));
        Throws<ArgumentException>("w", () => new LaplaceApproximation<LinearModel, MeanSquaredError>(Array.Empty<double>(), Data));
        Throws<ArgumentException>("options", () => new LaplaceApproximation<LinearModel, MeanSquaredError>(W, Data, new LaplaceOptions { PriorPrecision = -1 }));
        Throws<ArgumentException>("options", () => new LaplaceApproximation<LinearModel, MeanSquaredError>(W, Data, new LaplaceOptions { Structure = (LaplaceStructure)5 }));
        var laplace = new LaplaceApproximation<LinearModel, MeanSquaredError>(W, Data);
        Throws<ArgumentOutOfRangeException>("priorPrecision", () => laplace.LogMarginalLikelihood(0.0));
        Throws<ArgumentOutOfRangeException>("value", () => laplace.PriorPrecision = double.PositiveInfinity);
        Throws<ArgumentOutOfRangeException>("minimum", () => laplace.FitPriorPrecision(0.0, 1.0));
        Throws<ArgumentOutOfRangeException>("maximum", () => laplace.FitPriorPrecision(1.0, 0.5));
        Throws<ArgumentException>("input", () => laplace.Predict(new double[3], new double[1], new double[1]));
        Throws<ArgumentException>("mean", () => laplace.Predict(new double[2], new double[2], new double[1]));
        Throws<ArgumentException>("variance", () => laplace.Predict(new double[2], new double[1], new double[2]));
        Throws<ArgumentException>("covariance", () => laplace.PredictCovariance(new double[2], new double[1], new double[2]));
        Throws<ArgumentException>("result", () => laplace.PosteriorVariance(new double[2]));
    }

    [Fact]
    public void PruningChecks()
    {
        Throws<ArgumentException>("hessianDiagonal", () => Pruning.OptimalBrainDamage(W, new double[2]));
        Throws<ArgumentException>("w", () => Pruning.OptimalBrainDamage(ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty));
        Throws<ArgumentNullException>("curvature", () => Pruning.OptimalBrainDamage((ICurvatureOperator)null!, W));
        Throws<ArgumentException>("w", () => Pruning.OptimalBrainDamage(new HessianOperator<LinearModel, MeanSquaredError>(W, Data), new double[2]));
        Throws<ArgumentOutOfRangeException>("count", () => Pruning.PruneOptimalBrainDamage((double[])W.Clone(), new double[3], 4));
        Throws<ArgumentOutOfRangeException>("damping", () => Pruning.InverseOuterProduct<LinearModel, MeanSquaredError>(W, Data, 0.0));
        Throws<ArgumentException>("curvature", () => Pruning.InverseOuterProduct<LinearModel, MeanSquaredError>(W, Data, 1.0, (OuterProductCurvature)7));
        Throws<ArgumentException>("inverseHessian", () => Pruning.OptimalBrainSurgeonSaliencies(W, new double[8]));
        Throws<ArgumentException>("inverseHessian", () => Pruning.OptimalBrainSurgeonSaliencies(W, new double[9]));
        var identity = new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        Throws<ArgumentOutOfRangeException>("index", () => Pruning.OptimalBrainSurgeonUpdate(W, identity, 3, new double[3]));
        Throws<ArgumentException>("update", () => Pruning.OptimalBrainSurgeonUpdate(W, identity, 0, new double[2]));
        Throws<ArgumentOutOfRangeException>("count", () => Pruning.OptimalBrainSurgeon((double[])W.Clone(), identity, -1));
        Throws<ArgumentException>("options", () => Pruning.OptimalBrainSurgeon<LinearModel, MeanSquaredError>((double[])W.Clone(), Data, 1, new OptimalBrainSurgeonOptions { Damping = 0 }));
    }

    [Fact]
    public void InfluenceChecks()
    {
        Throws<ArgumentOutOfRangeException>("index", () => Influence.RemovalEstimate<LinearModel, MeanSquaredError>(W, Data, 10));
        Throws<ArgumentException>("data", () => Influence.RemovalEstimate<LinearModel, MeanSquaredError>(W, new Dataset(new double[2], new double[1], 1), 0));
        Throws<ArgumentException>("w", () => Influence.RemovalEstimate<LinearModel, MeanSquaredError>(ReadOnlySpan<double>.Empty, Data, 0));
        Throws<ArgumentException>("input", () => Influence.AdditionEstimate<LinearModel, MeanSquaredError>(W, Data, new double[3], new double[1]));
        Throws<ArgumentException>("target", () => Influence.AdditionEstimate<LinearModel, MeanSquaredError>(W, Data, new double[2], new double[2]));
        Throws<ArgumentException>("options", () => Influence.AdditionEstimate<LinearModel, MeanSquaredError>(W, Data, new double[2], new double[1], new InfluenceOptions { Damping = -1 }));
    }

    [Fact]
    public void CurvatureReportChecks()
    {
        Throws<ArgumentNullException>("op", () => CurvatureReport.Compute(null!));
        var op = new DenseOperator(new double[] { 2, 0, 0, 1 }, 2);
        Throws<ArgumentException>("options", () => CurvatureReport.Compute(op, new CurvatureReportOptions { TraceMatrixVectorProducts = 2 }));
        Throws<ArgumentException>("options", () => CurvatureReport.Compute(op, new CurvatureReportOptions { Quantiles = new[] { 1.5 } }));
        var report = CurvatureReport.Compute(op);
        Throws<ArgumentNullException>("writer", () => report.WriteSvg((TextWriter)null!));
        Throws<ArgumentNullException>("path", () => report.WriteSvg((string)null!));
        Throws<ArgumentException>("path", () => report.WriteSvg(""));
        Throws<ArgumentException>("options", () => report.WriteSvg(new StringWriter(), new SpectralPlotOptions { Width = 10 }));
        Throws<ArgumentException>("values", () => DiagonalStatistics.Of(ReadOnlySpan<double>.Empty, new[] { 0.5 }));
    }
}
