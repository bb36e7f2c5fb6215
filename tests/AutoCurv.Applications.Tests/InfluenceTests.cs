using AutoCurv;
using AutoCurv.Applications.Tests.Models;
using AutoCurv.Applications.Tests.Support;
using MathNet.Numerics.LinearAlgebra;

namespace AutoCurv.Applications.Tests;

public class InfluenceTests
{
    private const int InputSize = 3, Outputs = 2, Count = 30;

    private static Dataset Data(ulong seed)
        => new(Reference.RandomVector(Count * InputSize, seed), Reference.RandomVector(Count * Outputs, seed + 1), Count);

    private static Dataset Without(Dataset data, int index)
    {
        var inputs = new List<double>();
        var targets = new List<double>();
        for (int i = 0; i < data.Count; i++)
        {
            if (i == index) continue;
            inputs.AddRange(data.Input(i).ToArray());
            targets.AddRange(data.Target(i).ToArray());
        }
        return new Dataset(inputs.ToArray(), targets.ToArray(), data.Count - 1);
    }

    private static Dataset With(Dataset data, double[] input, double[] target)
        => new(data.Inputs.ToArray().Concat(input).ToArray(), data.Targets.ToArray().Concat(target).ToArray(), data.Count + 1);

    private static double[] Difference(double[] a, double[] b) => a.Zip(b, (x, y) => x - y).ToArray();

    [Theory]
    [InlineData(InfluenceCurvature.Hessian)]
    [InlineData(InfluenceCurvature.Ggn)]
    public void NewtonRemovalEstimateEqualsRetrainingOnQuadraticProblem(InfluenceCurvature curvature)
    {
        var data = Data(1);
        var optimum = Reference.Ridge(data, 0.0);
        foreach (int index in new[] { 0, 7, Count - 1 })
        {
            var retrained = Reference.Ridge(Without(data, index), 0.0);
            var estimate = Influence.RemovalEstimate<LinearModel, MeanSquaredError>(optimum, data, index,
                new InfluenceOptions { Curvature = curvature, Method = InfluenceMethod.NewtonStep, Tolerance = 1e-13 });
            Assert.True(estimate.Solve.Converged);
            Reference.AssertClose(Difference(retrained, optimum), estimate.ParameterChange, 1e-8);
        }
    }

    [Fact]
    public void NewtonAdditionEstimateEqualsRetrainingOnQuadraticProblem()
    {
        var data = Data(2);
        var optimum = Reference.Ridge(data, 0.0);
        var input = new[] { 2.5, -1.0, 0.3 };
        var target = new[] { 4.0, -3.0 };
        var retrained = Reference.Ridge(With(data, input, target), 0.0);
        var estimate = Influence.AdditionEstimate<LinearModel, MeanSquaredError>(optimum, data, input, target,
            new InfluenceOptions { Method = InfluenceMethod.NewtonStep, Tolerance = 1e-13 });
        Reference.AssertClose(Difference(retrained, optimum), estimate.ParameterChange, 1e-8);
    }

    [Fact]
    public void NewtonStepAlsoFinishesTrainingFromAnUnconvergedPoint()
    {
        var data = Data(3);
        var start = Reference.RandomVector(LinearModel.ParameterCount(InputSize, Outputs), 4);
        var retrained = Reference.Ridge(Without(data, 5), 0.0);
        var estimate = Influence.RemovalEstimate<LinearModel, MeanSquaredError>(start, data, 5,
            new InfluenceOptions { Method = InfluenceMethod.NewtonStep, Tolerance = 1e-13 });
        Reference.AssertClose(Difference(retrained, start), estimate.ParameterChange, 1e-8);
    }

    [Fact]
    public void FirstOrderEstimatesAreInverseHessianGradientOverN()
    {
        var data = Data(5);
        var optimum = Reference.Ridge(data, 0.0);
        var phi = Reference.Design(data);
        var h = phi.TransposeThisAndMultiply(phi) / Count; // mean-loss Hessian
        var residual = phi * Vector<double>.Build.DenseOfArray(optimum) - Reference.Targets(data);

        const int index = 11;
        var g = Vector<double>.Build.Dense(optimum.Length);
        for (int k = 0; k < Outputs; k++) g += phi.Row(index * Outputs + k) * residual[index * Outputs + k];
        var expected = h.Solve(g) / Count; // removal: Δθ ≈ +(1/N) H⁻¹ ∇ℓ_i
        var removal = Influence.RemovalEstimate<LinearModel, MeanSquaredError>(optimum, data, index);
        Reference.AssertClose(expected.ToArray(), removal.ParameterChange, 1e-8);

        // It approximates retraining to first order in 1/N; the removed sample's loss goes up.
        var actual = Difference(Reference.Ridge(Without(data, index), 0.0), optimum);
        double error = actual.Zip(removal.ParameterChange, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(error <= 0.25 * Reference.MaxAbs(actual), $"first-order error {error} vs change {Reference.MaxAbs(actual)}");
        Assert.True(g.DotProduct(Vector<double>.Build.DenseOfArray(removal.ParameterChange)) > 0.0);

        // Addition: Δθ ≈ −(1/N) H⁻¹ ∇ℓ_z, with damping: −(1/N) (H + λI)⁻¹ ∇ℓ_z.
        var input = new[] { 1.0, 2.0, -0.5 };
        var target = new[] { 0.5, 1.5 };
        var rows = Reference.DesignRows(input, Outputs);
        var gz = rows.TransposeThisAndMultiply(rows * Vector<double>.Build.DenseOfArray(optimum) - Vector<double>.Build.DenseOfArray(target));
        const double lambda = 0.1;
        var damped = (h + lambda * Matrix<double>.Build.DenseIdentity(optimum.Length)).Solve(gz) / -Count;
        var addition = Influence.AdditionEstimate<LinearModel, MeanSquaredError>(optimum, data, input, target, new InfluenceOptions { Damping = lambda });
        Reference.AssertClose(damped.ToArray(), addition.ParameterChange, 1e-8);
    }

    /// <summary>Newton's method with the exact dense Hessian (MathNet solve) until the gradient is at rounding level.</summary>
    private static void NewtonPolish(double[] w, Dataset data)
    {
        var objective = new Objective<TanhModel, MeanSquaredError>(data);
        var gradient = new double[w.Length];
        for (int k = 0; k < 30; k++)
        {
            objective.Gradient(w, gradient);
            if (Reference.MaxAbs(gradient) < 1e-14) return;
            var h = Matrix<double>.Build.DenseOfRowMajor(w.Length, w.Length, new HessianOperator<TanhModel, MeanSquaredError>(w, data).ToDense());
            var step = h.Solve(Vector<double>.Build.DenseOfArray(gradient));
            for (int p = 0; p < w.Length; p++) w[p] -= step[p];
        }
        objective.Gradient(w, gradient);
        Assert.True(Reference.MaxAbs(gradient) < 1e-12, $"Newton did not converge: gradient {Reference.MaxAbs(gradient)}");
    }

    [Fact]
    public void NonlinearNewtonEstimateTracksRetraining()
    {
        // Data from a tanh network of the same shape plus noise (a well-determined minimum): train by
        // Levenberg–Marquardt, remove a sample, retrain, compare.
        const int count = 100;
        var inputs = Reference.RandomVector(count * 2, 21);
        var truth = Reference.RandomVector(TanhModel.ParameterCount(2, 1), 22);
        var noise = Reference.RandomVector(count, 23, 0.05);
        var targets = new double[count];
        var f = new double[1];
        for (int i = 0; i < count; i++)
        {
            TanhModel.Forward(truth, inputs.AsSpan(2 * i, 2), f);
            targets[i] = f[0] + noise[i];
        }
        var data = new Dataset(inputs, targets, count);
        var w = (double[])truth.Clone();
        var fit = LevenbergMarquardt.Minimize<TanhModel>(w, data, new LevenbergMarquardtOptions { MaxIterations = 500 });
        Assert.True(fit.GradientNorm < 1e-6, $"training did not converge: {fit}");
        NewtonPolish(w, data);

        var retrained = (double[])w.Clone();
        NewtonPolish(retrained, Without(data, 3));
        var actual = Difference(retrained, w);

        var newton = Influence.RemovalEstimate<TanhModel, MeanSquaredError>(w, data, 3,
            new InfluenceOptions { Method = InfluenceMethod.NewtonStep, Tolerance = 1e-12 });
        var firstOrder = Influence.RemovalEstimate<TanhModel, MeanSquaredError>(w, data, 3);
        double newtonError = actual.Zip(newton.ParameterChange, (a, b) => Math.Abs(a - b)).Max();
        double firstError = actual.Zip(firstOrder.ParameterChange, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(newtonError <= 0.05 * Reference.MaxAbs(actual), $"Newton error {newtonError} vs change {Reference.MaxAbs(actual)}");
        Assert.True(firstError <= 0.5 * Reference.MaxAbs(actual), $"first-order error {firstError} vs change {Reference.MaxAbs(actual)}");
    }
}
