using System;

namespace AutoCurv;

/// <summary>
/// A symmetric linear map <c>R^n → R^n</c> known only through its products with vectors. Every Krylov tool
/// (<see cref="Lanczos"/>, <see cref="Hutchinson"/>, <see cref="HutchPlusPlus"/>, <see cref="ConjugateGradient"/>,
/// <see cref="StochasticLanczosQuadrature"/>) takes one, so the curvature operators and any user-written matrix
/// plug into them alike.
/// </summary>
public interface ILinearOperator
{
    /// <summary>The dimension n: the operator is n × n.</summary>
    int Size { get; }

    /// <summary>Writes A·v into <paramref name="result"/>, overwriting it.</summary>
    /// <param name="v">The vector to multiply (length <see cref="Size"/>).</param>
    /// <param name="result">Receives A·v (length <see cref="Size"/>).</param>
    /// <exception cref="ArgumentException">A span does not have length <see cref="Size"/>.</exception>
    void Apply(ReadOnlySpan<double> v, Span<double> result);
}
