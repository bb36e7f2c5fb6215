using System;
using System.Numerics;
using AutoCurv;
using Xunit;

namespace AutoCurv.Runtime.Tests.Losses;

/// <summary>Reference numerics for the loss tests: finite differences, dense assembly, norm-wise comparison.</summary>
internal static class LossTestMath
{
    /// <summary>max |actual − expected| / max |expected| (absolute when expected is identically zero).</summary>
    public static double RelativeError(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        if (double.IsNaN(diff)) return double.NaN;
        return scale == 0 ? diff : diff / scale;
    }

    public static double RelativeError(double actual, double expected) =>
        RelativeError(new[] { actual }, new[] { expected });

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string what)
    {
        double error = RelativeError(actual, expected);
        Assert.True(error <= tolerance,
            $"{what}: relative error {error:E3} > {tolerance:E1}\n expected [{string.Join(", ", expected.ToArray())}]\n actual   [{string.Join(", ", actual.ToArray())}]");
    }

    public static void AssertClose(double expected, double actual, double tolerance, string what) =>
        AssertClose(new[] { expected }, new[] { actual }, tolerance, what);

    public static void AssertAllFinite(ReadOnlySpan<double> values, string what)
    {
        foreach (double v in values) Assert.True(double.IsFinite(v), $"{what} has a non-finite entry {v}");
    }

    /// <summary>Central differences of a scalar function, one coordinate at a time.</summary>
    public static double[] CentralGradient(Func<double[], double> function, double[] x, double step)
    {
        var gradient = new double[x.Length];
        var probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            probe[i] = x[i] + step;
            double plus = function(probe);
            probe[i] = x[i] - step;
            double minus = function(probe);
            probe[i] = x[i];
            gradient[i] = (plus - minus) / (2 * step);
        }
        return gradient;
    }

    /// <summary>(g(x + h v) − g(x − h v)) / 2h for a vector function g.</summary>
    public static double[] CentralDirectional(Func<double[], double[]> function, double[] x, double[] direction, double step)
    {
        var plus = new double[x.Length];
        var minus = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            plus[i] = x[i] + step * direction[i];
            minus[i] = x[i] - step * direction[i];
        }
        double[] gp = function(plus), gm = function(minus);
        var result = new double[gp.Length];
        for (int i = 0; i < gp.Length; i++) result[i] = (gp[i] - gm[i]) / (2 * step);
        return result;
    }

    /// <summary>Dense H_ℓ (row-major) assembled column by column as H e_j from the loss's own HVP.</summary>
    public static double[] AssembleHessian<TLoss>(double[] output, double[] target) where TLoss : ILoss
    {
        int count = output.Length;
        var hessian = new double[count * count];
        var unit = new double[count];
        var column = new double[count];
        for (int j = 0; j < count; j++)
        {
            Array.Clear(unit);
            unit[j] = 1;
            TLoss.HessianVectorProduct<double>(output, target, unit, column);
            for (int i = 0; i < count; i++) hessian[i * count + j] = column[i];
        }
        return hessian;
    }

    /// <summary>S Sᵀ for a row-major C × C matrix S.</summary>
    public static double[] TimesOwnTranspose(double[] factor, int count)
    {
        var product = new double[count * count];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < count; j++)
            {
                double sum = 0;
                for (int k = 0; k < count; k++) sum += factor[i * count + k] * factor[j * count + k];
                product[i * count + j] = sum;
            }
        return product;
    }

    public static double[] MatVec(double[] matrix, double[] vector)
    {
        int count = vector.Length;
        var result = new double[count];
        for (int i = 0; i < count; i++)
        {
            double sum = 0;
            for (int j = 0; j < count; j++) sum += matrix[i * count + j] * vector[j];
            result[i] = sum;
        }
        return result;
    }

    public static double[] Transpose(double[] matrix, int count)
    {
        var result = new double[count * count];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < count; j++) result[j * count + i] = matrix[i * count + j];
        return result;
    }

    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static double[] GaussianVector(Random random, int count, double scale)
    {
        var v = new double[count];
        for (int i = 0; i < count; i++) v[i] = scale * Gaussian(random);
        return v;
    }

    public static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);

    public static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);

    /// <summary>Rounds every entry to float precision, so float and double runs see the same inputs.</summary>
    public static double[] RoundToFloat(double[] values) => Array.ConvertAll(values, v => (double)(float)v);

    /// <summary>Asserts that <paramref name="action"/> throws exactly <see cref="ArgumentException"/> naming <paramref name="parameter"/>.</summary>
    public static void AssertThrowsFor(string parameter, Action action)
    {
        var exception = Assert.Throws<ArgumentException>(action);
        Assert.Equal(parameter, exception.ParamName);
    }
}
