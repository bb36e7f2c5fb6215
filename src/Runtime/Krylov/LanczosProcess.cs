using System;
using System.Collections.Generic;

namespace AutoCurv;

/// <summary>
/// The Lanczos three-term recurrence with full reorthogonalisation: builds an orthonormal basis Q of the Krylov
/// space and the tridiagonal T = Qᵀ A Q one step at a time. Shared by <see cref="Lanczos"/> (which restarts on
/// breakdown to reach further eigenvalues) and <see cref="StochasticLanczosQuadrature"/> (which stops there).
/// </summary>
internal sealed class LanczosProcess
{
    // A new direction smaller than this fraction of ‖T‖ is rounding noise: the Krylov space is invariant.
    private const double BreakdownTolerance = 1e-12;

    private readonly ILinearOperator _op;
    private readonly int _n;
    private readonly List<double[]> _basis = new();
    private readonly List<double> _alpha = new();
    private readonly List<double> _beta = new();
    private readonly double[] _work;
    private double _scale;
    private bool _exhausted;

    /// <summary>Starts the process from <paramref name="start"/>, which must be nonzero (it is normalised).</summary>
    public LanczosProcess(ILinearOperator op, ReadOnlySpan<double> start)
    {
        _op = op;
        _n = op.Size;
        _work = new double[_n];
        var q = start.ToArray();
        double norm = VectorMath.Norm(q);
        VectorMath.Scale(q, 1.0 / norm);
        _basis.Add(q);
    }

    /// <summary>Completed steps m: T is m × m.</summary>
    public int Steps => _alpha.Count;

    /// <summary>True once no further step is possible (the whole space, or an invariant subspace without restart, is spanned).</summary>
    public bool Exhausted => _exhausted;

    /// <summary>The diagonal α of T (length <see cref="Steps"/>).</summary>
    public IReadOnlyList<double> Alpha => _alpha;

    /// <summary>The off-diagonal β of T; entry i couples q_i and q_{i+1}. Holds <see cref="Steps"/> entries unless exhausted.</summary>
    public IReadOnlyList<double> Beta => _beta;

    /// <summary>The orthonormal basis vectors q_0, q_1, ... (one more than <see cref="Steps"/> unless exhausted).</summary>
    public IReadOnlyList<double[]> Basis => _basis;

    /// <summary>A running estimate of ‖A‖₂ (the largest |α_j| + β_{j−1} + β_j seen).</summary>
    public double Scale => _scale;

    /// <summary>
    /// The coupling β_m between the last processed basis vector and the next one: the Ritz residual of the pair
    /// (θ, Q s) is |β_m s_m|. Zero when the Krylov space is invariant.
    /// </summary>
    public double ResidualCoupling => _beta.Count == _alpha.Count && _beta.Count > 0 ? _beta[^1] : 0.0;

    /// <summary>Performs one step. Returns false once the process is exhausted.</summary>
    /// <param name="restart">
    /// On breakdown (an invariant subspace), continue from a fresh direction drawn from <paramref name="random"/>
    /// and orthogonalised against the basis, so that repeated eigenvalues and missed eigenspaces can still appear.
    /// </param>
    /// <param name="random">The generator for restart directions.</param>
    public bool Step(bool restart, ref RandomSource random)
    {
        if (_exhausted) return false;
        int j = _alpha.Count;
        double[] q = _basis[j];
        Span<double> w = _work;
        _op.Apply(q, w);
        double alpha = VectorMath.Dot(q, w);
        VectorMath.AddScaled(w, -alpha, q);
        double previousBeta = 0.0;
        if (j > 0)
        {
            previousBeta = _beta[j - 1];
            VectorMath.AddScaled(w, -previousBeta, _basis[j - 1]);
        }
        // Full reorthogonalisation: without it the basis loses orthogonality as Ritz values converge and
        // ghost copies of converged eigenvalues appear.
        VectorMath.Orthogonalize(w, _basis, _basis.Count);
        double beta = VectorMath.Norm(w);
        _alpha.Add(alpha);
        _scale = Math.Max(_scale, Math.Abs(alpha) + previousBeta + beta);

        if (_basis.Count >= _n)
        {
            _exhausted = true; // the basis spans R^n: T is similar to A
            return false;
        }
        if (beta > BreakdownTolerance * _scale)
        {
            var next = new double[_n];
            for (int i = 0; i < _n; i++) next[i] = w[i] / beta;
            _beta.Add(beta);
            _basis.Add(next);
            return true;
        }
        if (restart)
        {
            var next = new double[_n];
            for (int attempt = 0; attempt < 3; attempt++)
            {
                VectorMath.FillGaussian(next, ref random);
                double before = VectorMath.Norm(next);
                VectorMath.Orthogonalize(next, _basis, _basis.Count);
                double after = VectorMath.Norm(next);
                if (after > 1e-8 * before)
                {
                    VectorMath.Scale(next, 1.0 / after);
                    _beta.Add(0.0);
                    _basis.Add(next);
                    return true;
                }
            }
        }
        _exhausted = true;
        return false;
    }

    /// <summary>Eigen-decomposes the current T: Ritz values ascending and T's eigenvectors (row-major m × m, columns).</summary>
    public (double[] Values, double[] Vectors) RitzDecomposition()
    {
        int m = _alpha.Count;
        var d = _alpha.ToArray();
        var e = new double[Math.Max(m - 1, 0)];
        for (int i = 0; i < m - 1; i++) e[i] = _beta[i];
        var values = new double[m];
        var vectors = new double[m * m];
        SymmetricTridiagonalEigen.Decompose(d, e, values, vectors);
        return (values, vectors);
    }
}
