using System.Linq;
using AutoCurv.Generator.Differentiation;

namespace AutoCurv.Generator.Emit;

/// <summary>
/// The nested <c>LLoss : ILoss</c> struct of a loss written in C#
/// (<c>double L([Wrt] ReadOnlySpan&lt;double&gt; output, ReadOnlySpan&lt;double&gt; target)</c>): value, gradient
/// and H_ℓ·v come from the generated members; the factor S and signs σ (H_ℓ = S diag(σ) Sᵀ, exact also
/// for a non-convex loss) from the dense H_ℓ by a symmetric eigen-decomposition; sampling from a user method
/// <c>LSample(ReadOnlySpan&lt;double&gt; output, ref RandomSource random, Span&lt;double&gt; target)</c> when one exists.
/// </summary>
internal static class LossEmitter
{
    public static void EmitLoss(SourceWriter w, DifferentiatedMethod method)
    {
        var spec = method.Spec;
        if (!spec.IsLossShape) return;
        string f = spec.Name;
        string owner = string.Join(".", spec.Containers.Select(c => c.NameWithTypeParameters));
        if (spec.Namespace is not null) owner = "global::" + spec.Namespace + "." + owner;
        const string Where = " where T : unmanaged, global::System.Numerics.IFloatingPointIeee754<T>";
        const string Cast = "global::System.Runtime.InteropServices.MemoryMarshal.Cast";
        string Ro(string name) => $"{Cast}<T, double>({name})";
        string Rw(string name) => $"{Cast}<T, double>({name})";
        w.Line();
        w.Line($"/// <summary>{f} as a loss usable as TLoss (value, gradient, H_ℓ·v, factor S and signs σ with H_ℓ = S diag(σ) Sᵀ).</summary>");
        w.Open($"{spec.Accessibility} readonly struct {f}Loss : global::AutoCurv.ILoss");
        w.Line("private static void RequireDouble<T>() { if (typeof(T) != typeof(double)) throw new global::System.NotSupportedException(\"" + f + " is written for double.\"); }");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open($"public static T Value<T>(global::System.ReadOnlySpan<T> output, global::System.ReadOnlySpan<T> target){Where}");
        w.Line("RequireDouble<T>();");
        w.Line($"return T.CreateTruncating({owner}.{Identifiers.Escape(f)}({Ro("output")}, {Ro("target")}));");
        w.Close();
        w.Line("/// <inheritdoc/>");
        w.Open($"public static T Gradient<T>(global::System.ReadOnlySpan<T> output, global::System.ReadOnlySpan<T> target, global::System.Span<T> gradient){Where}");
        w.Line("RequireDouble<T>();");
        w.Line($"return T.CreateTruncating({owner}.{f}Gradient({Ro("output")}, {Ro("target")}, {Rw("gradient")}));");
        w.Close();
        w.Line("/// <inheritdoc/>");
        w.Open($"public static void HessianVectorProduct<T>(global::System.ReadOnlySpan<T> output, global::System.ReadOnlySpan<T> target, global::System.ReadOnlySpan<T> vector, global::System.Span<T> result){Where}");
        w.Line("RequireDouble<T>();");
        w.Line("int c = output.Length;");
        w.Line("double[]? rented = null;");
        w.Line("global::System.Span<double> gradient = c <= 256 ? stackalloc double[c] : global::AutoCurv.CompilerServices.Scratch.Rent<double>(c, ref rented);");
        w.Line($"{owner}.{f}Hvp({Ro("output")}, {Ro("target")}, {Ro("vector")}, gradient, {Rw("result")});");
        w.Line("global::AutoCurv.CompilerServices.Scratch.Return(rented);");
        w.Close();
        w.Line("/// <inheritdoc/>");
        w.Open($"public static void HessianFactor<T>(global::System.ReadOnlySpan<T> output, global::System.ReadOnlySpan<T> target, global::System.Span<T> factor){Where}");
        w.Line("RequireDouble<T>();");
        w.Line("int c = output.Length;");
        w.Line("double[] hessian = new double[c * c];");
        w.Line($"{owner}.{f}Hessian({Ro("output")}, {Ro("target")}, hessian);");
        w.Line($"global::AutoCurv.CompilerServices.SymmetricFactor.Factor(hessian, c, {Rw("factor")}, new double[c]);");
        w.Close();
        w.Line("/// <inheritdoc/>");
        w.Open($"public static void HessianFactorSigns<T>(global::System.ReadOnlySpan<T> output, global::System.ReadOnlySpan<T> target, global::System.Span<T> signs){Where}");
        w.Line("RequireDouble<T>();");
        w.Line("int c = output.Length;");
        w.Line("double[] hessian = new double[c * c];");
        w.Line($"{owner}.{f}Hessian({Ro("output")}, {Ro("target")}, hessian);");
        w.Line($"global::AutoCurv.CompilerServices.SymmetricFactor.Factor(hessian, c, new double[c * c], {Rw("signs")});");
        w.Close();
        w.Line("/// <summary>Σ|λ| of the negative eigenvalues of H_ℓ (0 for a convex loss): the curvature a PSD approximation would drop.</summary>");
        w.Open("public static double NegativeCurvature(global::System.ReadOnlySpan<double> output, global::System.ReadOnlySpan<double> target)");
        w.Line("int c = output.Length;");
        w.Line("double[] hessian = new double[c * c];");
        w.Line($"{owner}.{f}Hessian(output, target, hessian);");
        w.Line("return global::AutoCurv.CompilerServices.SymmetricFactor.Factor(hessian, c, new double[c * c]);");
        w.Close();
        w.Line("/// <inheritdoc/>");
        w.Open($"public static void Sample<T>(global::System.ReadOnlySpan<T> output, ref global::AutoCurv.RandomSource random, global::System.Span<T> target){Where}");
        w.Line("RequireDouble<T>();");
        if (spec.HasSampler)
        {
            w.Line($"{owner}.{f}Sample({Ro("output")}, ref random, {Rw("target")});");
        }
        else
        {
            w.Line($"throw new global::System.NotSupportedException(\"{f} has no sampler: add 'static void {f}Sample(ReadOnlySpan<double> output, ref RandomSource random, Span<double> target)' beside it to use the Monte-Carlo Fisher.\");");
        }
        w.Close();
        w.Close();
    }
}
