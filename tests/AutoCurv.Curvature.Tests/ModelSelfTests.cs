using AutoCurv;
using AutoCurv.Curvature.Tests.Models;
using AutoCurv.Curvature.Tests.Support;

namespace AutoCurv.Curvature.Tests;

/// <summary>
/// The hand-written test models stand in for generated ones, so first check their closed forms against finite
/// differences: otherwise an operator test could pass by sharing a model bug with its reference.
/// </summary>
public class ModelSelfTests
{
    private static void CheckModel<TModel, TLoss>(Dataset data, double[] w)
        where TModel : struct, IModel
        where TLoss : struct, ILoss
    {
        int n = w.Length, c = data.TargetSize;
        var v = Dense.RandomVector(n, 99);
        var u = Dense.RandomVector(c, 98);
        for (int i = 0; i < Math.Min(data.Count, 4); i++)
        {
            var x = data.Input(i);
            var y = data.Target(i);
            var j = Reference<TModel, TLoss>.Jacobian(w, x, c);
            var f = new double[c];
            var result = new double[c];
            var expectedJv = new double[c];
            for (int k = 0; k < c; k++)
                for (int p = 0; p < n; p++) expectedJv[k] += j[k * n + p] * v[p];
            TModel.Jvp(w, x, f, v, result);
            Dense.AssertClose(expectedJv, result, 1e-8);
            Dense.AssertClose(Reference<TModel, TLoss>.Output(w, x, c), f, 1e-15);

            var expectedJtu = new double[n];
            for (int p = 0; p < n; p++)
                for (int k = 0; k < c; k++) expectedJtu[p] += j[k * n + p] * u[k];
            var jtu = new double[n];
            TModel.Vjp(w, x, f, u, jtu);
            Dense.AssertClose(expectedJtu, jtu, 1e-8);

            // Gradient against central differences of the loss.
            var g = Reference<TModel, TLoss>.Gradient(w, x, y);
            var fd = new double[n];
            var wp = (double[])w.Clone();
            for (int p = 0; p < n; p++)
            {
                const double h = 1e-6;
                wp[p] = w[p] + h;
                double plus = TModel.Loss<TLoss>(wp, x, f, y);
                wp[p] = w[p] - h;
                double minus = TModel.Loss<TLoss>(wp, x, f, y);
                wp[p] = w[p];
                fd[p] = (plus - minus) / (2 * h);
            }
            Dense.AssertClose(fd, g, 1e-7);

            // Hvp and Ggnvp against the dense finite-difference references.
            var hessian = Reference<TModel, TLoss>.Hessian(w, x, y);
            var ggn = Reference<TModel, TLoss>.Ggn(w, x, y);
            var hv = new double[n];
            var grad = new double[n];
            double loss = TModel.LossHvp<TLoss>(w, x, f, y, v, grad, hv);
            Assert.Equal(TModel.Loss<TLoss>(w, x, f, y), loss, 12);
            Dense.AssertClose(Dense.Multiply(hessian, n, v), hv, 1e-6);
            Dense.AssertClose(g, grad, 1e-14);
            var gv = new double[n];
            TModel.Ggnvp<TLoss>(w, x, f, y, v, gv);
            Dense.AssertClose(Dense.Multiply(ggn, n, v), gv, 1e-6);

            var diag = new double[n];
            TModel.GgnDiagonal<TLoss>(w, x, f, y, diag);
            Dense.AssertClose(Reference<TModel, TLoss>.Diagonal(ggn, n), diag, 1e-6);
            TModel.LossHessianDiagonal<TLoss>(w, x, f, y, diag);
            Dense.AssertClose(Reference<TModel, TLoss>.Diagonal(hessian, n), diag, 1e-6);
        }
    }

    [Fact]
    public void LinearModelWithSquaredError() { var d = Problem.Regression(6); CheckModel<LinearModel, MeanSquaredError>(d, Problem.LinearParameters(d)); }

    [Fact]
    public void LinearModelWithSoftmax() { var d = Problem.Classification(6); CheckModel<LinearModel, SoftmaxCrossEntropy>(d, Problem.LinearParameters(d)); }

    [Fact]
    public void TanhModelWithSquaredError() { var d = Problem.Regression(6); CheckModel<TanhModel, MeanSquaredError>(d, Problem.TanhParameters(d)); }

    [Fact]
    public void TanhModelWithSoftmax() { var d = Problem.Classification(6); CheckModel<TanhModel, SoftmaxCrossEntropy>(d, Problem.TanhParameters(d)); }

    [Fact]
    public void TanhModelWithSigmoid() { var d = Problem.Binary(6); CheckModel<TanhModel, SigmoidBinaryCrossEntropy>(d, Problem.TanhParameters(d)); }
}
