using System;
using System.Buffers;
using System.Threading;

namespace AutoCurv;

/// <summary>
/// Preconditioned conjugate gradients for (A + λI) x = b with A symmetric and A + λI positive definite: the
/// damped Newton / Gauss–Newton step, or an influence-function solve, from products with the operator alone.
/// </summary>
public static class ConjugateGradient
{
    /// <summary>Solves (A + <paramref name="damping"/>·I) x = b, starting from the x passed in.</summary>
    /// <param name="op">The symmetric operator A.</param>
    /// <param name="b">The right-hand side (length n).</param>
    /// <param name="x">On entry the initial guess (zeros for none), on return the solution (length n).</param>
    /// <param name="damping">λ, added to the diagonal (Tikhonov / Levenberg–Marquardt damping); must be finite.</param>
    /// <param name="tolerance">Stop once ‖r‖₂ ≤ tolerance · ‖b‖₂; 0 runs to <paramref name="maxIterations"/>.</param>
    /// <param name="maxIterations">Most iterations; 0 picks 10·n.</param>
    /// <param name="preconditionerDiagonal">
    /// Empty for none, else the diagonal of a positive definite M ≈ A + λI (for example
    /// <see cref="ICurvatureOperator.Diagonal"/> plus λ); each step applies M⁻¹ elementwise. Entries must be positive.
    /// </param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    /// <returns>Iterations, final residual norm and whether the tolerance was met.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="op"/> is null.</exception>
    /// <exception cref="ArgumentException">A span has the wrong length, or the preconditioner has a non-positive entry.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="damping"/>, <paramref name="tolerance"/> or <paramref name="maxIterations"/> is out of range.</exception>
    public static ConjugateGradientResult Solve(ILinearOperator op, ReadOnlySpan<double> b, Span<double> x,
        double damping = 0.0, double tolerance = 1e-10, int maxIterations = 0,
        ReadOnlySpan<double> preconditionerDiagonal = default, CancellationToken cancellationToken = default)
    {
        int n = KrylovGuard.RequireOperator(op, nameof(op));
        KrylovGuard.RequireLength(b.Length, n, nameof(b));
        KrylovGuard.RequireLength(x.Length, n, nameof(x));
        if (!double.IsFinite(damping)) throw new ArgumentOutOfRangeException(nameof(damping), damping, "The damping must be finite.");
        if (!(tolerance >= 0.0) || double.IsInfinity(tolerance)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be a non-negative finite number.");
        KrylovGuard.RequireAtLeast(maxIterations, 0, nameof(maxIterations));
        bool preconditioned = !preconditionerDiagonal.IsEmpty;
        if (preconditioned)
        {
            KrylovGuard.RequireLength(preconditionerDiagonal.Length, n, nameof(preconditionerDiagonal));
            foreach (double d in preconditionerDiagonal)
            {
                if (!(d > 0.0) || double.IsInfinity(d))
                    throw new ArgumentException($"'{nameof(preconditionerDiagonal)}' has the entry {d}; every entry of a diagonal preconditioner must be positive and finite (add the damping, or clamp small entries).", nameof(preconditionerDiagonal));
            }
        }
        int limit = maxIterations == 0 ? (int)Math.Min(int.MaxValue, 10L * n) : maxIterations;

        double[] buffer = ArrayPool<double>.Shared.Rent(4 * n);
        try
        {
            Span<double> r = buffer.AsSpan(0, n), z = buffer.AsSpan(n, n), p = buffer.AsSpan(2 * n, n), ap = buffer.AsSpan(3 * n, n);

            double bNorm = VectorMath.Norm(b);
            double target = tolerance * bNorm;

            // r = b − (A + λI) x, skipping the product for the common zero start.
            b.CopyTo(r);
            bool zeroStart = true;
            foreach (double xi in x) if (xi != 0.0) { zeroStart = false; break; }
            if (!zeroStart)
            {
                op.Apply(x, ap);
                for (int i = 0; i < n; i++) r[i] -= ap[i] + damping * x[i];
            }

            double rNorm = VectorMath.Norm(r);
            Precondition(r, z, preconditionerDiagonal, preconditioned);
            z.CopyTo(p);
            double rz = VectorMath.Dot(r, z);
            int iterations = 0;
            bool negative = false;
            while (rNorm > target && iterations < limit)
            {
                cancellationToken.ThrowIfCancellationRequested();
                op.Apply(p, ap);
                VectorMath.AddScaled(ap, damping, p);
                iterations++;
                double pap = VectorMath.Dot(p, ap);
                if (double.IsNaN(pap))
                {
                    // NaN from the operator (NaN weights or data): report it, never hide it as curvature.
                    rNorm = double.NaN;
                    break;
                }
                if (!(pap > 0.0))
                {
                    negative = true;
                    break;
                }
                double alpha = rz / pap;
                VectorMath.AddScaled(x, alpha, p);
                VectorMath.AddScaled(r, -alpha, ap);
                rNorm = VectorMath.Norm(r);
                Precondition(r, z, preconditionerDiagonal, preconditioned);
                double rzNext = VectorMath.Dot(r, z);
                double beta = rzNext / rz;
                rz = rzNext;
                for (int i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
            }
            return new ConjugateGradientResult(iterations, rNorm, rNorm <= target, negative);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    private static void Precondition(ReadOnlySpan<double> r, Span<double> z, ReadOnlySpan<double> diagonal, bool preconditioned)
    {
        if (!preconditioned)
        {
            r.CopyTo(z);
            return;
        }
        for (int i = 0; i < r.Length; i++) z[i] = r[i] / diagonal[i];
    }
}
