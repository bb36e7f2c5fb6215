namespace AutoCurv;

/// <summary>How <see cref="ConjugateGradient.Solve"/> ended.</summary>
/// <param name="Iterations">Iterations taken (products with the operator, not counting the initial residual).</param>
/// <param name="ResidualNorm">‖b − (A + λI) x‖₂ of the returned x, as tracked by the recurrence.</param>
/// <param name="Converged">True when ResidualNorm ≤ tolerance · ‖b‖₂.</param>
/// <param name="NegativeCurvature">
/// True when a search direction p had pᵀ(A + λI)p ≤ 0: the damped operator is not positive definite, so CG
/// stopped early (x is the last iterate before that direction; raise the damping).
/// </param>
public sealed record ConjugateGradientResult(int Iterations, double ResidualNorm, bool Converged, bool NegativeCurvature);
