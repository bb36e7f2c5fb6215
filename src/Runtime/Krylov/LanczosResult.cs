namespace AutoCurv;

/// <summary>What <see cref="Lanczos.TopEigenpairs"/> resolved: distinct eigenvalues, largest first, with their vectors.</summary>
/// <param name="Eigenvalues">The largest distinct eigenvalues resolved, largest first (at most the count asked for).</param>
/// <param name="Eigenvectors">Unit eigenvectors (length n each), <c>Eigenvectors[k]</c> belonging to <c>Eigenvalues[k]</c>.</param>
/// <param name="Residuals">Residual norms ‖A y_k − θ_k y_k‖ of each pair, as bounded by the Lanczos recurrence.</param>
/// <param name="Iterations">Lanczos steps taken (= products with the operator).</param>
/// <param name="Converged">True when every returned pair met the tolerance, or the Krylov space became exhaustive.</param>
public sealed record LanczosResult(double[] Eigenvalues, double[][] Eigenvectors, double[] Residuals, int Iterations, bool Converged);
