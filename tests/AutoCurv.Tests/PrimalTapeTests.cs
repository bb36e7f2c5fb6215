using System;
using AutoCurv.Tests.TapeCorpus;
using Xunit;

namespace AutoCurv.Tests.TapeCorpus
{
    /// <summary>
    /// Methods whose dense Hessians and exact diagonals exercise the primal tape (one primal sweep records what the
    /// tangent passes read): branches on primal values that change along a loop, a recurrence the reverse sweep keeps
    /// on the value stack, scratch spans, an index chosen by comparing primal values, several Wrt spans and a Wrt
    /// scalar, an output span that is written twice (the reverse sweep restores it), and θ longer than the drivers'
    /// stack limit for lane arrays.
    /// </summary>
    public static partial class TapeNets
    {
        [Differentiable]
        public static double Mixed([Wrt] ReadOnlySpan<double> x, [Wrt] ReadOnlySpan<double> y, [Wrt] double a, double c)
        {
            int n = x.Length;
            Span<double> s = stackalloc double[n];
            double h = a;
            double total = 0.0;
            for (int i = 0; i < n; i++)
            {
                double z = x[i] * h + c * y[i % y.Length];
                if (z > 0.1)
                {
                    h = Math.Tanh(z) + 0.5 * h;
                }
                else
                {
                    h = Math.Exp(z) * h;
                }
                s[i] = h * h + x[i];
                total += Math.Sin(s[i]) * y[i % y.Length];
            }
            int k = 0;
            for (int i = 1; i < n; i++)
            {
                if (s[i] > s[k]) k = i;
            }
            return total + s[k] * a;
        }

        /// <summary>A model: a hidden layer whose units branch on their pre-activation, then an output squashed in place.</summary>
        [Differentiable]
        public static void Branchy([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output)
        {
            int d = x.Length;
            int c = output.Length;
            int hidden = (w.Length - c) / (d + 1 + c);
            Span<double> h = stackalloc double[hidden];
            for (int j = 0; j < hidden; j++)
            {
                double a = w[j * (d + 1) + d];
                for (int i = 0; i < d; i++) a += w[j * (d + 1) + i] * x[i];
                if (a > 0.0)
                {
                    h[j] = a + 0.1 * a * a;
                }
                else
                {
                    h[j] = Math.Tanh(a);
                }
            }
            int offset = hidden * (d + 1);
            for (int k = 0; k < c; k++)
            {
                double a = w[offset + k * (hidden + 1) + hidden];
                for (int j = 0; j < hidden; j++) a += w[offset + k * (hidden + 1) + j] * h[j];
                output[k] = a;
            }
            for (int k = 0; k < c; k++) output[k] = output[k] * Math.Exp(-0.1 * output[k] * output[k]);
        }

        /// <summary>A vector function of two Wrt spans and a Wrt scalar.</summary>
        [Differentiable]
        public static void TwoInputs([Wrt] ReadOnlySpan<double> u, [Wrt] ReadOnlySpan<double> v, [Wrt] double s, ReadOnlySpan<double> data, Span<double> output)
        {
            for (int k = 0; k < output.Length; k++)
            {
                double acc = s * data[k % data.Length];
                for (int i = 0; i < u.Length; i++) acc += Math.Sin(u[i] * (k + 1)) * v[(i + k) % v.Length];
                output[k] = acc * s;
            }
        }
    }
}

namespace AutoCurv.Tests
{
    /// <summary>
    /// Dense Hessians and exact diagonals of <see cref="TapeNets"/> (one recording primal sweep, then ⌈n/lanes⌉ tangent
    /// passes replaying it) against references that do not use the tape: the dense matrix assembled column by column
    /// from the scalar H·v member (one forward-over-reverse pass per column), central differences of the generated
    /// gradient, and each other.
    /// </summary>
    public class PrimalTapeTests
    {
        private const double IdentityTolerance = 1e-9;
        private const double FdTolerance = 1e-6;

        private static double[] Random(Random r, int n, double scale = 1.0)
        {
            var v = new double[n];
            for (int i = 0; i < n; i++) v[i] = scale * (2 * r.NextDouble() - 1);
            return v;
        }

        private static double[] Unit(int n, int j)
        {
            var e = new double[n];
            e[j] = 1;
            return e;
        }

        private static void AssertSymmetric(double[] h, int n, string where)
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++)
                    FiniteDifferences.AssertClose(h[i * n + j], h[j * n + i], IdentityTolerance, $"{where}, H[{i},{j}] vs H[{j},{i}]");
        }

        // ---------------------------------------------------------------- Mixed: a scalar function of x, y and a

        public static TheoryData<int, int, int> MixedShapes() => new()
        {
            { 3, 2, 1 }, { 3, 2, 2 }, { 7, 5, 3 }, { 70, 5, 4 }, { 1, 1, 5 },
        };

        [Theory]
        [MemberData(nameof(MixedShapes))]
        public void Mixed_Hessian_matches_Hvp_columns_and_gradient_differences(int nx, int ny, int seed)
        {
            var r = new Random(seed);
            double[] x = Random(r, nx, 0.8), y = Random(r, ny, 0.8);
            double a = 0.3 + 0.4 * r.NextDouble(), c = 0.7;
            int n = nx + ny + 1;
            string where = $"TapeNets.Mixed (nx = {nx}, ny = {ny}, seed {seed})";

            var hessian = new double[n * n];
            Array.Fill(hessian, double.NaN);
            double value = TapeNets.MixedHessian(x, y, a, c, hessian);
            FiniteDifferences.AssertClose(TapeNets.Mixed(x, y, a, c), value, 1e-12, where + ", returned value vs primal");

            // Column j of H: the scalar H·v member with v = e_j (θ = x ++ y ++ [a]).
            var gx = new double[nx];
            var gy = new double[ny];
            var hx = new double[nx];
            var hy = new double[ny];
            for (int j = 0; j < n; j++)
            {
                var e = Unit(n, j);
                TapeNets.MixedHvp(x, y, a, c, e.AsSpan(0, nx), e.AsSpan(nx, ny), e[n - 1], gx, gy, out _, hx, hy, out double ha);
                var column = new double[n];
                hx.CopyTo(column, 0);
                hy.CopyTo(column, nx);
                column[n - 1] = ha;
                for (int i = 0; i < n; i++)
                    FiniteDifferences.AssertClose(column[i], hessian[i * n + j], IdentityTolerance, $"{where}, H[{i},{j}] vs (H·e_{j})[{i}]");
            }
            AssertSymmetric(hessian, n, where);

            // Against central differences of the generated gradient, column by column.
            double[] theta = new double[n];
            x.CopyTo(theta, 0);
            y.CopyTo(theta, nx);
            theta[n - 1] = a;
            for (int j = 0; j < n; j++)
            {
                double[] expected = FiniteDifferences.Directional((t, g) =>
                {
                    TapeNets.MixedGradient(t.AsSpan(0, nx), t.AsSpan(nx, ny), t[n - 1], c, g.AsSpan(0, nx), g.AsSpan(nx, ny), out g[n - 1]);
                }, n, theta, Unit(n, j));
                var column = new double[n];
                for (int i = 0; i < n; i++) column[i] = hessian[i * n + j];
                FiniteDifferences.AssertClose(expected, column, FdTolerance, $"{where}, column {j} vs differences of the gradient");
            }

            // The exact diagonal: the same passes, keeping one lane each.
            var dx = new double[nx];
            var dy = new double[ny];
            double diagonalValue = TapeNets.MixedHessianDiagonal(x, y, a, c, dx, dy, out double da);
            FiniteDifferences.AssertClose(value, diagonalValue, 1e-12, where + ", HessianDiagonal's value");
            for (int i = 0; i < nx; i++) Assert.Equal(hessian[i * n + i], dx[i]);
            for (int i = 0; i < ny; i++) Assert.Equal(hessian[(nx + i) * n + nx + i], dy[i]);
            Assert.Equal(hessian[n * n - 1], da);

            // A second call (the pooled tape reused) gives the same bits.
            var again = new double[n * n];
            TapeNets.MixedHessian(x, y, a, c, again);
            Assert.Equal(hessian, again);
        }

        // ---------------------------------------------------------------- Branchy: a model with a loss

        private static (double[] W, double[] X, double[] Target) BranchyPoint(int d, int hidden, int c, int seed, bool oneHot)
        {
            var r = new Random(seed);
            double[] w = Random(r, hidden * (d + 1) + c * (hidden + 1), 0.9);
            double[] x = Random(r, d, 1.0);
            var target = new double[c];
            if (oneHot) target[r.Next(c)] = 1;
            else target = Random(r, c, 1.0);
            return (w, x, target);
        }

        public static TheoryData<int, int, int, int> BranchyShapes() => new()
        {
            { 2, 3, 2, 1 }, { 3, 5, 3, 2 }, { 4, 9, 3, 3 },
        };

        [Theory]
        [MemberData(nameof(BranchyShapes))]
        public void Branchy_LossHessian_matches_LossHvp_columns_for_two_losses(int d, int hidden, int c, int seed)
        {
            CheckBranchy<SoftmaxCrossEntropy>(d, hidden, c, seed, oneHot: true);
            CheckBranchy<MeanSquaredError>(d, hidden, c, seed, oneHot: false);
        }

        private static void CheckBranchy<TLoss>(int d, int hidden, int c, int seed, bool oneHot) where TLoss : ILoss
        {
            var (w, x, target) = BranchyPoint(d, hidden, c, seed, oneHot);
            int n = w.Length;
            string where = $"TapeNets.Branchy<{typeof(TLoss).Name}> (d = {d}, hidden = {hidden}, C = {c}, seed {seed})";
            var output = new double[c];
            var hessian = new double[n * n];
            double value = TapeNets.BranchyLossHessian<TLoss>(w, x, output, target, hessian);
            var reference = new double[c];
            FiniteDifferences.AssertClose(TapeNets.BranchyLoss<TLoss>(w, x, reference, target), value, 1e-12, where + ", returned loss");
            FiniteDifferences.AssertClose(reference, output, 1e-12, where + ", output span after the call vs the Loss member's f");

            var gradient = new double[n];
            var hv = new double[n];
            var scratch = new double[c];
            for (int j = 0; j < n; j++)
            {
                TapeNets.BranchyLossHvp<TLoss>(w, x, scratch, target, Unit(n, j), gradient, hv);
                for (int i = 0; i < n; i++)
                    FiniteDifferences.AssertClose(hv[i], hessian[i * n + j], IdentityTolerance, $"{where}, H[{i},{j}] vs LossHvp(e_{j})[{i}]");
            }
            AssertSymmetric(hessian, n, where);

            var diagonal = new double[n];
            TapeNets.BranchyLossHessianDiagonal<TLoss>(w, x, output, target, diagonal);
            for (int i = 0; i < n; i++) Assert.Equal(hessian[i * n + i], diagonal[i]);

            var accumulated = new double[n];
            Array.Fill(accumulated, 1.5);
            double accumulatedValue = TapeNets.BranchyLossHessianDiagonalAccumulate<TLoss>(w, x, output, target, accumulated);
            FiniteDifferences.AssertClose(value, accumulatedValue, 1e-12, where + ", accumulating diagonal's loss");
            for (int i = 0; i < n; i++) Assert.Equal(1.5 + diagonal[i], accumulated[i]);
        }

        // ---------------------------------------------------------------- TwoInputs: two Wrt spans and a Wrt scalar

        [Theory]
        [InlineData(3, 2, 4, 1)]
        [InlineData(6, 4, 3, 2)]
        [InlineData(1, 1, 1, 3)]
        [InlineData(2, 2, 256, 4)] // the largest output whose loss Hessian the sweep records
        [InlineData(2, 3, 257, 5)] // past it: the passes call the loss lane by lane
        public void TwoInputs_LossHessian_matches_LossHvp_columns(int nu, int nv, int c, int seed)
        {
            var r = new Random(seed);
            double[] u = Random(r, nu), v = Random(r, nv), data = Random(r, 3);
            double s = 0.5 + r.NextDouble();
            var target = new double[c];
            target[r.Next(c)] = 1;
            int n = nu + nv + 1;
            string where = $"TapeNets.TwoInputs (nu = {nu}, nv = {nv}, C = {c}, seed {seed})";
            var output = new double[c];
            var hessian = new double[n * n];
            TapeNets.TwoInputsLossHessian<SoftmaxCrossEntropy>(u, v, s, data, output, target, hessian);

            var gu = new double[nu];
            var gv = new double[nv];
            var hu = new double[nu];
            var hv = new double[nv];
            for (int j = 0; j < n; j++)
            {
                var e = Unit(n, j);
                TapeNets.TwoInputsLossHvp<SoftmaxCrossEntropy>(u, v, s, data, output, target, e.AsSpan(0, nu), e.AsSpan(nu, nv), e[n - 1],
                    gu, gv, out _, hu, hv, out double hs);
                var column = new double[n];
                hu.CopyTo(column, 0);
                hv.CopyTo(column, nu);
                column[n - 1] = hs;
                for (int i = 0; i < n; i++)
                    FiniteDifferences.AssertClose(column[i], hessian[i * n + j], IdentityTolerance, $"{where}, H[{i},{j}] vs LossHvp(e_{j})[{i}]");
            }
            AssertSymmetric(hessian, n, where);

            var du = new double[nu];
            var dv = new double[nv];
            TapeNets.TwoInputsLossHessianDiagonal<SoftmaxCrossEntropy>(u, v, s, data, output, target, du, dv, out double ds);
            for (int i = 0; i < nu; i++) Assert.Equal(hessian[i * n + i], du[i]);
            for (int i = 0; i < nv; i++) Assert.Equal(hessian[(nu + i) * n + nu + i], dv[i]);
            Assert.Equal(hessian[n * n - 1], ds);
        }
    }
}
