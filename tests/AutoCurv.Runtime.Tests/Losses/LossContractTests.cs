using System;
using AutoCurv;
using Xunit;
using static AutoCurv.Runtime.Tests.Losses.LossTestMath;

namespace AutoCurv.Runtime.Tests.Losses;

/// <summary>
/// Checks every <see cref="ILoss"/> member of <typeparamref name="TLoss"/> against finite differences and against the
/// closed forms each derived class writes out independently of the runtime.
/// </summary>
public abstract class LossContractTests<TLoss> where TLoss : struct, ILoss
{
    protected const int Points = 6;
    protected const int Draws = 200_000;
    protected const double StandardErrors = 5.0;

    /// <summary>ℓ(f, y) from the textbook formula, written without the runtime's stabilisation tricks.</summary>
    protected abstract double ReferenceValue(double[] output, double[] target);

    protected abstract double[] ReferenceGradient(double[] output, double[] target);

    /// <summary>Dense H_ℓ, row-major.</summary>
    protected abstract double[] ReferenceHessian(double[] output, double[] target);

    /// <summary>E[y | f] under the loss's likelihood.</summary>
    protected abstract double[] ReferenceMean(double[] output);

    /// <summary>Var[y_c | f] for every c.</summary>
    protected abstract double[] ReferenceVariance(double[] output);

    /// <summary>A target for test point <paramref name="index"/> (derived classes vary its kind with the index).</summary>
    protected abstract double[] RandomTarget(Random random, int count, int index);

    protected virtual double[] RandomOutput(Random random, int count) => GaussianVector(random, count, 2.0);

    private (double[] Output, double[] Target)[] TestPoints(int count, int salt)
    {
        var random = new Random(1000 * count + salt);
        var points = new (double[], double[])[Points];
        for (int k = 0; k < Points; k++) points[k] = (RandomOutput(random, count), RandomTarget(random, count, k));
        return points;
    }

    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void ValueAndGradientMatchClosedForm(int count)
    {
        foreach (var (f, y) in TestPoints(count, 1))
        {
            double value = TLoss.Value<double>(f, y);
            var gradient = new double[count];
            double returned = TLoss.Gradient<double>(f, y, gradient);
            AssertClose(ReferenceValue(f, y), value, 1e-12, "Value");
            AssertClose(ReferenceValue(f, y), returned, 1e-12, "Gradient's returned value");
            AssertClose(ReferenceGradient(f, y), gradient, 1e-12, "Gradient");
        }
    }

    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void GradientMatchesCentralDifferencesOfValue(int count)
    {
        foreach (var (f, y) in TestPoints(count, 2))
        {
            var gradient = new double[count];
            TLoss.Gradient<double>(f, y, gradient);
            double[] numeric = CentralGradient(x => TLoss.Value<double>(x, y), f, 1e-5);
            AssertClose(numeric, gradient, 1e-6, "Gradient vs central differences of Value");
        }
    }

    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void HvpMatchesCentralDifferencesOfGradient(int count)
    {
        var random = new Random(77 + count);
        foreach (var (f, y) in TestPoints(count, 3))
        {
            double[] v = GaussianVector(random, count, 1.0);
            var hv = new double[count];
            TLoss.HessianVectorProduct<double>(f, y, v, hv);
            double[] numeric = CentralDirectional(x =>
            {
                var g = new double[count];
                TLoss.Gradient<double>(x, y, g);
                return g;
            }, f, v, 1e-5);
            AssertClose(numeric, hv, 1e-6, "HVP vs central differences of Gradient");
        }
    }

    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void HvpMatchesDenseClosedFormHessian(int count)
    {
        var random = new Random(91 + count);
        foreach (var (f, y) in TestPoints(count, 4))
        {
            double[] assembled = AssembleHessian<TLoss>(f, y);
            double[] reference = ReferenceHessian(f, y);
            AssertClose(reference, assembled, 1e-12, "H assembled from HVP columns vs closed form");
            AssertClose(Transpose(assembled, count), assembled, 1e-15, "H symmetry");

            double[] v = GaussianVector(random, count, 1.0);
            var hv = new double[count];
            TLoss.HessianVectorProduct<double>(f, y, v, hv);
            AssertClose(MatVec(reference, v), hv, 1e-12, "HVP vs closed-form H·v");
            AssertClose(MatVec(assembled, v), hv, 1e-12, "HVP vs assembled H·v");
        }
    }

    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void HvpMayWriteOverItsVector(int count)
    {
        var random = new Random(5 + count);
        foreach (var (f, y) in TestPoints(count, 5))
        {
            double[] v = GaussianVector(random, count, 1.0);
            double[] expected = MatVec(ReferenceHessian(f, y), v);
            TLoss.HessianVectorProduct<double>(f, y, v, v);
            AssertClose(expected, v, 1e-12, "in-place HVP");
        }
    }

    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void FactorTimesItsTransposeIsTheHessian(int count)
    {
        foreach (var (f, y) in TestPoints(count, 6))
        {
            var factor = new double[count * count];
            TLoss.HessianFactor<double>(f, y, factor);
            double[] assembled = AssembleHessian<TLoss>(f, y);
            AssertClose(assembled, TimesOwnTranspose(factor, count), 1e-12, "S Sᵀ vs H from HVP");
        }
    }

    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void FloatAgreesWithDouble(int count)
    {
        var random = new Random(13 + count);
        foreach (var (f0, y0) in TestPoints(count, 7))
        {
            // Same float-representable inputs in both precisions, so only the arithmetic differs.
            double[] f = RoundToFloat(f0), y = RoundToFloat(y0), v = RoundToFloat(GaussianVector(random, count, 1.0));
            float[] ff = ToFloat(f), yf = ToFloat(y), vf = ToFloat(v);

            AssertClose(TLoss.Value<double>(f, y), TLoss.Value<float>(ff, yf), 1e-4, "float Value");

            var g = new double[count];
            var gf = new float[count];
            double value = TLoss.Gradient<double>(f, y, g);
            float valueF = TLoss.Gradient<float>(ff, yf, gf);
            AssertClose(value, valueF, 1e-4, "float Gradient value");
            AssertClose(g, ToDouble(gf), 1e-4, "float Gradient");

            var hv = new double[count];
            var hvf = new float[count];
            TLoss.HessianVectorProduct<double>(f, y, v, hv);
            TLoss.HessianVectorProduct<float>(ff, yf, vf, hvf);
            AssertClose(hv, ToDouble(hvf), 1e-4, "float HVP");

            var s = new double[count * count];
            var sf = new float[count * count];
            TLoss.HessianFactor<double>(f, y, s);
            TLoss.HessianFactor<float>(ff, yf, sf);
            AssertClose(s, ToDouble(sf), 1e-4, "float factor");
        }
    }

    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void SampleMeanMatchesConditionalExpectation(int count)
    {
        var f = RandomOutput(new Random(31 + count), count);
        double[] expectedMean = ReferenceMean(f);
        double[] variance = ReferenceVariance(f);
        var random = new RandomSource(2024);
        var y = new double[count];
        var sum = new double[count];
        for (int draw = 0; draw < Draws; draw++)
        {
            TLoss.Sample<double>(f, ref random, y);
            for (int c = 0; c < count; c++) sum[c] += y[c];
        }
        for (int c = 0; c < count; c++)
        {
            double mean = sum[c] / Draws;
            double bound = StandardErrors * Math.Sqrt(variance[c] / Draws) + 1e-12;
            Assert.True(Math.Abs(mean - expectedMean[c]) <= bound,
                $"component {c}: empirical mean {mean} vs E[y|f] {expectedMean[c]}, bound {bound:E3}");
        }
    }

    /// <summary>
    /// E_y~p(y|f)[g gᵀ] = H_ℓ for a negative log-likelihood; each entry is checked within 5 standard errors,
    /// the standard error coming from the empirical variance of that entry's products.
    /// </summary>
    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void SampledGradientOuterProductMatchesHessian(int count)
    {
        var f = RandomOutput(new Random(57 + count), count);
        var random = new RandomSource(99);
        var y = new double[count];
        var g = new double[count];
        var sum = new double[count * count];
        var sumSquares = new double[count * count];
        double[]? hessian = null;
        for (int draw = 0; draw < Draws; draw++)
        {
            TLoss.Sample<double>(f, ref random, y);
            hessian ??= ReferenceHessian(f, (double[])y.Clone());
            TLoss.Gradient<double>(f, y, g);
            for (int i = 0; i < count; i++)
                for (int j = 0; j < count; j++)
                {
                    double x = g[i] * g[j];
                    sum[i * count + j] += x;
                    sumSquares[i * count + j] += x * x;
                }
        }
        for (int k = 0; k < count * count; k++)
        {
            double mean = sum[k] / Draws;
            double variance = Math.Max(0, sumSquares[k] / Draws - mean * mean);
            double bound = StandardErrors * Math.Sqrt(variance / Draws) + 1e-12;
            Assert.True(Math.Abs(mean - hessian![k]) <= bound,
                $"entry ({k / count},{k % count}): E[g gᵀ] ≈ {mean} vs H {hessian[k]}, bound {bound:E3}");
        }
    }

    [Fact]
    public void SampleIsDeterministicForASeed()
    {
        var f = RandomOutput(new Random(3), 5);
        var a = new RandomSource(7);
        var b = new RandomSource(7);
        var ya = new double[5];
        var yb = new double[5];
        for (int draw = 0; draw < 100; draw++)
        {
            TLoss.Sample<double>(f, ref a, ya);
            TLoss.Sample<double>(f, ref b, yb);
            Assert.Equal(ya, yb);
        }
    }

    [Theory, InlineData(1), InlineData(3), InlineData(7)]
    public void LengthMismatchesNameTheParameter(int count)
    {
        var f = RandomOutput(new Random(count), count);
        var y = RandomTarget(new Random(count), count, 0);
        var v = new double[count];
        var r = new double[count];
        var s = new double[count * count];
        foreach (int bad in new[] { count - 1, count + 1 })
        {
            var wrong = new double[bad];
            AssertThrowsFor("target", () => TLoss.Value<double>(f, wrong));
            AssertThrowsFor("target", () => TLoss.Gradient<double>(f, wrong, r));
            AssertThrowsFor("gradient", () => TLoss.Gradient<double>(f, y, wrong));
            AssertThrowsFor("target", () => TLoss.HessianVectorProduct<double>(f, wrong, v, r));
            AssertThrowsFor("vector", () => TLoss.HessianVectorProduct<double>(f, y, wrong, r));
            AssertThrowsFor("result", () => TLoss.HessianVectorProduct<double>(f, y, v, wrong));
            AssertThrowsFor("target", () => TLoss.HessianFactor<double>(f, wrong, s));
            AssertThrowsFor("target", () =>
            {
                var random = new RandomSource(1);
                TLoss.Sample<double>(f, ref random, wrong);
            });
        }
        foreach (int bad in new[] { count * count - 1, count * count + 1, count + 1 })
        {
            if (bad == count * count) continue;
            var wrong = new double[bad];
            AssertThrowsFor("factor", () => TLoss.HessianFactor<double>(f, y, wrong));
        }
    }

    [Fact]
    public void MembersDoNotAllocate()
    {
        const int count = 7;
        var f = RandomOutput(new Random(11), count);
        var y = RandomTarget(new Random(12), count, 1);
        var v = new double[count];
        var r = new double[count];
        var s = new double[count * count];
        var random = new RandomSource(5);
        void Run(ref RandomSource rng)
        {
            TLoss.Value<double>(f, y);
            TLoss.Gradient<double>(f, y, r);
            TLoss.HessianVectorProduct<double>(f, y, v, r);
            TLoss.HessianFactor<double>(f, y, s);
            TLoss.Sample<double>(f, ref rng, r);
        }
        for (int i = 0; i < 10; i++) Run(ref random);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Run(ref random);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
