using System;

namespace AutoCurv;

/// <summary>
/// A curvature matrix of a loss over a data set (Hessian, generalised Gauss–Newton, empirical or Monte-Carlo
/// Fisher): a symmetric <see cref="ILinearOperator"/> that also yields its exact diagonal and, for small n, itself.
/// </summary>
public interface ICurvatureOperator : ILinearOperator
{
    /// <summary>Writes the exact diagonal of the matrix into <paramref name="result"/>, without forming the matrix.</summary>
    /// <param name="result">Receives the diagonal (length <see cref="ILinearOperator.Size"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="result"/> does not have length <see cref="ILinearOperator.Size"/>.</exception>
    void Diagonal(Span<double> result);

    /// <summary>
    /// Forms the dense matrix, row-major n × n, from n products with unit vectors, symmetrised as (M + Mᵀ)/2 so
    /// rounding cannot leave it asymmetric. Costs n passes over the data set and n² doubles: for small n.
    /// </summary>
    /// <returns>The matrix, row-major.</returns>
    double[] ToDense();
}
