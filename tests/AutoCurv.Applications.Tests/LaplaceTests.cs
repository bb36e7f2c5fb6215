using AutoCurv;
using AutoCurv.Applications.Tests.Models;
using AutoCurv.Applications.Tests.Support;
using MathNet.Numerics.LinearAlgebra;

namespace AutoCurv.Applications.Tests;

public class LaplaceTests
{
    /// <summary>Regression data for a linear model: y = W x + b + noise, C outputs.</summary>
    private static Dataset RegressionData(int count, int inputSize, int outputs, ulong seed)
    {
        var inputs = Reference.RandomVector(count * inputSize, seed);
        var trueW = Reference.RandomVector(LinearModel.ParameterCount(inputSize, outputs), seed + 1);
        var noise = Reference.RandomVector(count * outputs, seed + 2, 0.5);
        var targets = new double[count * outputs];
        var f = new double[outputs];
        for (int i = 0; i < count; i++)
        {
            LinearModel.Forward(trueW, inputs.AsSpan(i * inputSize, inputSize), f);
            for (int k = 0; k < outputs; k++) targets[i * outputs + k] = f[k] + noise[i * outputs + k];
        }
        return new Dataset(inputs, targets, count);
    }

    /// <summary>The Gaussian normaliser −(N·C/2) ln 2π that the Laplace evidence leaves out (documented).</summary>
    private static double GaussianConstant(Dataset data) => -0.5 * data.Count * data.TargetSize * Math.Log(2.0 * Math.PI);

    [Theory]
    [InlineData(LaplaceCurvature.Ggn, 1, 0.7)]
    [InlineData(LaplaceCurvature.Hessian, 1, 3.0)]
    [InlineData(LaplaceCurvature.Ggn, 2, 0.05)]
    [InlineData(LaplaceCurvature.Hessian, 3, 12.0)]
    public void LogEvidenceIsExactForBayesianLinearRegression(LaplaceCurvature curvature, int outputs, double alpha)
    {
        var data = RegressionData(40, 3, outputs, 11);
        var map = Reference.Ridge(data, alpha);
        var laplace = new LaplaceApproximation<LinearModel, MeanSquaredError>(map, data,
            new LaplaceOptions { Curvature = curvature, Structure = LaplaceStructure.Full, PriorPrecision = alpha });

        double expected = Reference.BayesianLinearRegressionEvidence(data, alpha);
        double actual = laplace.LogMarginalLikelihood() + GaussianConstant(data);
        Reference.AssertRelative(expected, actual, 1e-10);
        Assert.Equal(actual, laplace.LogMarginalLikelihood(alpha) + GaussianConstant(data));
    }

    [Fact]
    public void LogLikelihoodIsMinusTheSummedLoss()
    {
        var data = RegressionData(25, 2, 2, 5);
        var w = Reference.RandomVector(LinearModel.ParameterCount(2, 2), 9);
        var laplace = new LaplaceApproximation<LinearModel, MeanSquaredError>(w, data);
        Reference.AssertRelative(-Reference.SumLoss<LinearModel>(w, data), laplace.LogLikelihood, 1e-13);
    }

    [Fact]
    public void ModeCorrectionMakesEvidenceExactAwayFromTheMap()
    {
        // θ* is the MAP for α = 1, evaluated at other α: with the Newton mode correction the quadratic case is exact.
        var data = RegressionData(30, 3, 2, 21);
        var map = Reference.Ridge(data, 1.0);
        var laplace = new LaplaceApproximation<LinearModel, MeanSquaredError>(map, data, new LaplaceOptions { ModeCorrection = true });
        foreach (double alpha in new[] { 1e-3, 0.1, 1.0, 7.5, 300.0 })
            Reference.AssertRelative(Reference.BayesianLinearRegressionEvidence(data, alpha), laplace.LogMarginalLikelihood(alpha) + GaussianConstant(data), 1e-10);

        // Even from an arbitrary (untrained) point.
        var w = Reference.RandomVector(map.Length, 3);
        var far = new LaplaceApproximation<LinearModel, MeanSquaredError>(w, data, new LaplaceOptions { ModeCorrection = true });
        Reference.AssertRelative(Reference.BayesianLinearRegressionEvidence(data, 2.0), far.LogMarginalLikelihood(2.0) + GaussianConstant(data), 1e-9);
    }

    [Fact]
    public void FitPriorPrecisionMatchesGridSearchOfClosedForm()
    {
        var data = RegressionData(30, 4, 1, 31);
        var map = Reference.Ridge(data, 1.0);
        var laplace = new LaplaceApproximation<LinearModel, MeanSquaredError>(map, data, new LaplaceOptions { ModeCorrection = true });
        double fitted = laplace.FitPriorPrecision(1e-4, 1e4);
        Assert.Equal(fitted, laplace.PriorPrecision);

        // A fine grid over log α of the closed form, then the best grid point.
        const int points = 20001;
        double lo = Math.Log(1e-4), hi = Math.Log(1e4);
        double bestAlpha = 0, bestValue = double.NegativeInfinity;
        for (int k = 0; k < points; k++)
        {
            double alpha = Math.Exp(lo + (hi - lo) * k / (points - 1));
            double value = Reference.BayesianLinearRegressionEvidence(data, alpha);
            if (value > bestValue) { bestValue = value; bestAlpha = alpha; }
        }
        double spacing = (hi - lo) / (points - 1);
        Assert.True(Math.Abs(Math.Log(fitted) - Math.Log(bestAlpha)) <= spacing, $"fitted {fitted}, grid {bestAlpha}");
        Assert.True(Reference.BayesianLinearRegressionEvidence(data, fitted) >= bestValue - 1e-12);
        Assert.True(fitted > 1e-3 && fitted < 1e3, "the optimum should be interior for this problem");
    }

    [Fact]
    public void FitPriorPrecisionAtFixedModeMaximisesTheStandardFormula()
    {
        var data = RegressionData(30, 3, 1, 41);
        var map = Reference.Ridge(data, 0.5);
        var laplace = new LaplaceApproximation<LinearModel, MeanSquaredError>(map, data);
        double fitted = laplace.FitPriorPrecision(1e-4, 1e4);

        // The standard formula at fixed θ*, computed with MathNet.
        var phi = Reference.Design(data);
        var gram = phi.TransposeThisAndMultiply(phi);
        var theta = Vector<double>.Build.DenseOfArray(map);
        double logLik = -Reference.SumLoss<LinearModel>(map, data);
        double Formula(double alpha)
        {
            var p = gram + alpha * Matrix<double>.Build.DenseIdentity(map.Length);
            return logLik - 0.5 * alpha * theta.DotProduct(theta) + 0.5 * map.Length * Math.Log(alpha) - 0.5 * p.Cholesky().DeterminantLn;
        }
        Reference.AssertRelative(Formula(0.37), laplace.LogMarginalLikelihood(0.37), 1e-11);

        const int points = 20001;
        double lo = Math.Log(1e-4), hi = Math.Log(1e4);
        double bestAlpha = 0, bestValue = double.NegativeInfinity;
        for (int k = 0; k < points; k++)
        {
            double alpha = Math.Exp(lo + (hi - lo) * k / (points - 1));
            double value = Formula(alpha);
            if (value > bestValue) { bestValue = value; bestAlpha = alpha; }
        }
        Assert.True(Math.Abs(Math.Log(fitted) - Math.Log(bestAlpha)) <= (hi - lo) / (points - 1), $"fitted {fitted}, grid {bestAlpha}");
        Assert.True(Formula(fitted) >= bestValue - 1e-12);
    }

    [Fact]
    public void PredictiveVarianceMatchesBayesianLinearRegression()
    {
        var data = RegressionData(35, 3, 2, 51);
        const double alpha = 0.8;
        var map = Reference.Ridge(data, alpha);
        var laplace = new LaplaceApproximation<LinearModel, MeanSquaredError>(map, data, new LaplaceOptions { PriorPrecision = alpha });
        var sigma = Reference.PosteriorCovariance(data, alpha);

        var x = new[] { 0.3, -1.2, 2.0 };
        var mean = new double[2];
        var variance = new double[2];
        var covariance = new double[4];
        laplace.Predict(x, mean, variance);
        var meanFromCovariance = new double[2];
        laplace.PredictCovariance(x, meanFromCovariance, covariance);

        var rows = Reference.DesignRows(x, 2);
        var expectedMean = rows * Vector<double>.Build.DenseOfArray(map);
        var expectedCovariance = rows * sigma * rows.Transpose(); // φᵀ S_N φ per output (BLR without the 1/β noise)
        Reference.AssertClose(expectedMean.ToArray(), mean, 1e-12);
        Reference.AssertClose(expectedMean.ToArray(), meanFromCovariance, 1e-12);
        Reference.AssertClose(new[] { expectedCovariance[0, 0], expectedCovariance[1, 1] }, variance, 1e-10);
        Reference.AssertClose(expectedCovariance.ToRowMajorArray(), covariance, 1e-10);

        // Predictive variance of a target: add the unit noise variance (1/β = 1).
        double predictive = variance[0] + 1.0;
        Assert.True(predictive > 1.0);

        // Posterior covariance and marginal variances.
        Reference.AssertClose(sigma.ToRowMajorArray(), laplace.PosteriorCovariance(), 1e-10);
        var marginal = new double[map.Length];
        laplace.PosteriorVariance(marginal);
        Reference.AssertClose(sigma.Diagonal().ToArray(), marginal, 1e-10);
    }

    [Fact]
    public void NonlinearPredictiveCovarianceIsLinearisedGgnPosterior()
    {
        var data = RegressionData(20, 2, 2, 61);
        var w = Reference.RandomVector(TanhModel.ParameterCount(2, 2), 62, 0.8);
        const double alpha = 1.5;
        var laplace = new LaplaceApproximation<TanhModel, MeanSquaredError>(w, data, new LaplaceOptions { PriorPrecision = alpha });

        // P = Σ_i J_iᵀ J_i + αI from finite-difference Jacobians; Σ_f = J(x) P⁻¹ J(x)ᵀ.
        int n = w.Length;
        var p = alpha * Matrix<double>.Build.DenseIdentity(n);
        for (int i = 0; i < data.Count; i++)
        {
            var j = Matrix<double>.Build.DenseOfRowMajor(2, n, Reference.FiniteDifferenceJacobian<TanhModel>(w, data.Input(i), 2));
            p += j.TransposeThisAndMultiply(j);
        }
        var x = new[] { 0.4, -0.9 };
        var jx = Matrix<double>.Build.DenseOfRowMajor(2, n, Reference.FiniteDifferenceJacobian<TanhModel>(w, x, 2));
        var expected = jx * p.Inverse() * jx.Transpose();

        var mean = new double[2];
        var covariance = new double[4];
        laplace.PredictCovariance(x, mean, covariance);
        Reference.AssertClose(expected.ToRowMajorArray(), covariance, 1e-7);

        // Evidence: −Σℓ − α/2‖θ‖² + n/2 ln α − ½ ln det P.
        double expectedEvidence = -Reference.SumLoss<TanhModel>(w, data) - 0.5 * alpha * w.Sum(v => v * v)
            + 0.5 * n * Math.Log(alpha) - 0.5 * p.Cholesky().DeterminantLn;
        Reference.AssertRelative(expectedEvidence, laplace.LogMarginalLikelihood(), 1e-8);
    }

    [Fact]
    public void DiagonalStructureUsesTheCurvatureDiagonal()
    {
        var data = RegressionData(30, 3, 1, 71);
        const double alpha = 2.0;
        var map = Reference.Ridge(data, alpha);
        var laplace = new LaplaceApproximation<LinearModel, MeanSquaredError>(map, data,
            new LaplaceOptions { Structure = LaplaceStructure.Diagonal, PriorPrecision = alpha });
        var phi = Reference.Design(data);
        var precision = phi.TransposeThisAndMultiply(phi).Diagonal() + alpha; // N · diag(mean GGN) + α

        double logDet = precision.Sum(Math.Log);
        double expected = -Reference.SumLoss<LinearModel>(map, data) - 0.5 * alpha * map.Sum(v => v * v) + 0.5 * map.Length * Math.Log(alpha) - 0.5 * logDet;
        Reference.AssertRelative(expected, laplace.LogMarginalLikelihood(), 1e-12);

        var variance = new double[map.Length];
        laplace.PosteriorVariance(variance);
        Reference.AssertClose(precision.Map(v => 1.0 / v).ToArray(), variance, 1e-12);

        var x = new[] { 1.0, 0.5, -0.25 };
        var mean = new double[1];
        var predictive = new double[1];
        laplace.Predict(x, mean, predictive);
        var row = Reference.DesignRows(x, 1).Row(0);
        double expectedVariance = 0.0;
        for (int q = 0; q < row.Count; q++) expectedVariance += row[q] * row[q] / precision[q];
        Reference.AssertRelative(expectedVariance, predictive[0], 1e-12);
    }

    [Fact]
    public void EmpiricalFisherCurvatureIsTheGradientOuterProduct()
    {
        var data = RegressionData(25, 2, 1, 81);
        var w = Reference.RandomVector(LinearModel.ParameterCount(2, 1), 82);
        const double alpha = 0.3;
        var laplace = new LaplaceApproximation<LinearModel, MeanSquaredError>(w, data,
            new LaplaceOptions { Curvature = LaplaceCurvature.EmpiricalFisher, PriorPrecision = alpha });

        // N · (1/N) Σ g gᵀ + αI with g_i = φ_i (f_i − y_i).
        var phi = Reference.Design(data);
        var residual = phi * Vector<double>.Build.DenseOfArray(w) - Reference.Targets(data);
        var p = alpha * Matrix<double>.Build.DenseIdentity(w.Length);
        for (int i = 0; i < data.Count; i++)
        {
            var g = phi.Row(i) * residual[i];
            p += g.OuterProduct(g);
        }
        double expected = -Reference.SumLoss<LinearModel>(w, data) - 0.5 * alpha * w.Sum(v => v * v) + 0.5 * w.Length * Math.Log(alpha) - 0.5 * p.Cholesky().DeterminantLn;
        Reference.AssertRelative(expected, laplace.LogMarginalLikelihood(), 1e-11);
        Reference.AssertClose(p.Inverse().ToRowMajorArray(), laplace.PosteriorCovariance(), 1e-9);
    }

    [Fact]
    public void IndefiniteHessianIsReportedNotSilentlyUsed()
    {
        var data = RegressionData(20, 2, 1, 91);
        var w = Reference.RandomVector(TanhModel.ParameterCount(2, 1), 92, 1.5);
        var hessian = Matrix<double>.Build.DenseOfRowMajor(w.Length, w.Length, Reference.FiniteDifferenceHessian<TanhModel, MeanSquaredError>(w, data));
        double minimum = hessian.Evd(Symmetricity.Symmetric).EigenValues.Min(c => c.Real) * data.Count;
        Assert.True(minimum < -1e-3, $"test setup: the Hessian should be indefinite (min eigenvalue {minimum})");

        var laplace = new LaplaceApproximation<TanhModel, MeanSquaredError>(w, data,
            new LaplaceOptions { Curvature = LaplaceCurvature.Hessian, PriorPrecision = -minimum / 2 });
        Reference.AssertRelative(minimum, laplace.CurvatureSpectrum.Span[0], 1e-5);
        Assert.Throws<InvalidOperationException>(() => laplace.LogMarginalLikelihood());
        Assert.Throws<InvalidOperationException>(() => laplace.Predict(new[] { 0.1, 0.2 }, new double[1], new double[1]));
        Assert.True(double.IsFinite(laplace.LogMarginalLikelihood(-2 * minimum)));
        double fitted = laplace.FitPriorPrecision(1e-3, 1e3);
        Assert.True(fitted > -minimum);
    }
}
