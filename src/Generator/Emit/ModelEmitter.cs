using System.Linq;
using AutoCurv.Generator.Differentiation;

namespace AutoCurv.Generator.Emit;

/// <summary>
/// The nested <c>FModel : IModel</c> struct of model-shaped functions
/// (<c>void F([Wrt] ReadOnlySpan&lt;double&gt; w, ReadOnlySpan&lt;double&gt; x, Span&lt;double&gt; output)</c>):
/// a type argument for the data-set operators, forwarding to the generated members.
/// </summary>
internal static class ModelEmitter
{
    public static void EmitModel(SourceWriter w, DifferentiatedMethod method)
    {
        var spec = method.Spec;
        if (!spec.IsModelShape) return;
        const string Ros = "global::System.ReadOnlySpan<double>";
        const string S = "global::System.Span<double>";
        string f = spec.Name;
        string owner = string.Join(".", spec.Containers.Select(c => c.NameWithTypeParameters));
        if (spec.Namespace is not null) owner = "global::" + spec.Namespace + "." + owner;
        string w0 = Identifiers.Escape(spec.Parameters[0].Name), x0 = Identifiers.Escape(spec.Parameters[1].Name), o0 = Identifiers.Escape(spec.Parameters[2].Name);
        string common = $"{Ros} {w0}, {Ros} {x0}, {S} {o0}";
        string args = $"{w0}, {x0}, {o0}";
        const string Where = " where TLoss : global::AutoCurv.ILoss";
        w.Line();
        w.Line($"/// <summary>{f} as an <see cref=\"global::AutoCurv.IModel\"/>: pass it as the model type argument of the data-set operators.</summary>");
        w.Open($"{spec.Accessibility} readonly struct {f}Model : global::AutoCurv.IModel");
        if (spec.Sizes is { } sizes)
        {
            // The known sizes, declared or (output) inferred; IModel's defaults are -1. Forward checks them like every generated member.
            foreach (var (property, size) in new[] { ("InputSize", sizes.Input), ("OutputSize", sizes.Output), ("ParameterCount", sizes.Parameters) })
            {
                if (size < 0) continue;
                if (property == "OutputSize" && sizes.OutputInferred) w.Line($"// Inferred: every write to '{spec.Parameters[2].Name}' is at an index with constant bounds.");
                w.Line($"/// <inheritdoc/>");
                w.Line($"public static int {property} => {size.ToString(System.Globalization.CultureInfo.InvariantCulture)};");
            }
            w.Line($"/// <inheritdoc/>");
            w.Open($"public static void Forward({common})");
            SizeChecks.Emit(w, spec);
            w.Line($"{owner}.{Identifiers.Escape(f)}({args});");
            w.Close();
        }
        else
        {
            w.Line($"/// <inheritdoc/>");
            w.Line($"public static void Forward({common}) => {owner}.{Identifiers.Escape(f)}({args});");
        }
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static void Jvp({common}, {Ros} _tangent, {S} _outputTangent) => {owner}.{f}Jvp({args}, _tangent, _outputTangent);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static void Vjp({common}, {Ros} _outputCotangent, {S} _gradient) => {owner}.{f}Vjp({args}, _outputCotangent, _gradient);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double Loss<TLoss>({common}, {Ros} _target){Where} => {owner}.{f}Loss<TLoss>({args}, _target);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double LossGradient<TLoss>({common}, {Ros} _target, {S} _gradient){Where} => {owner}.{f}LossGradient<TLoss>({args}, _target, _gradient);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double LossHvp<TLoss>({common}, {Ros} _target, {Ros} _tangent, {S} _gradient, {S} _hessianVector){Where} => {owner}.{f}LossHvp<TLoss>({args}, _target, _tangent, _gradient, _hessianVector);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double Ggnvp<TLoss>({common}, {Ros} _target, {Ros} _tangent, {S} _result){Where} => {owner}.{f}Ggnvp<TLoss>({args}, _target, _tangent, _result);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double GgnDiagonal<TLoss>({common}, {Ros} _target, {S} _diagonal){Where} => {owner}.{f}GgnDiagonal<TLoss>({args}, _target, _diagonal);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double LossHessianDiagonal<TLoss>({common}, {Ros} _target, {S} _diagonal){Where} => {owner}.{f}LossHessianDiagonal<TLoss>({args}, _target, _diagonal);");
        const string Acc = MemberBuilder.AccumulateSuffix;
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static bool HasAccumulatingMembers => true;");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double LossGradient{Acc}<TLoss>({common}, {Ros} _target, {S} _gradient){Where} => {owner}.{f}LossGradient{Acc}<TLoss>({args}, _target, _gradient);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double LossHvp{Acc}<TLoss>({common}, {Ros} _target, {Ros} _tangent, {S} _gradient, {S} _hessianVector){Where} => {owner}.{f}LossHvp{Acc}<TLoss>({args}, _target, _tangent, _gradient, _hessianVector);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double Ggnvp{Acc}<TLoss>({common}, {Ros} _target, {Ros} _tangent, {S} _result){Where} => {owner}.{f}Ggnvp{Acc}<TLoss>({args}, _target, _tangent, _result);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double GgnDiagonal{Acc}<TLoss>({common}, {Ros} _target, {S} _diagonal){Where} => {owner}.{f}GgnDiagonal{Acc}<TLoss>({args}, _target, _diagonal);");
        w.Line($"/// <inheritdoc/>");
        w.Line($"public static double LossHessianDiagonal{Acc}<TLoss>({common}, {Ros} _target, {S} _diagonal){Where} => {owner}.{f}LossHessianDiagonal{Acc}<TLoss>({args}, _target, _diagonal);");
        if (method.NotBatched is not null)
        {
            w.Line($"// No batched members (the data-set operators run {f} one sample at a time): {method.NotBatched}.");
        }
        if (method.Members.Any(m => m.Batch is not null))
        {
            // Batched twins (Batching): all four exist or none.
            const string Bat = MemberBuilder.BatchSuffix;
            string rob = $"global::System.ReadOnlySpan<{Batching.BlockType}>", sb = $"global::System.Span<{Batching.BlockType}>";
            string blocks = $"{Ros} {w0}, {rob} {x0}, {sb} {o0}";
            w.Line($"/// <inheritdoc/>");
            w.Line($"public static bool HasBatchedMembers => true;");
            w.Line($"/// <inheritdoc/>");
            w.Line($"public static double Loss{Bat}<TLoss>({blocks}, {rob} _target){Where} => {owner}.{f}Loss{Bat}<TLoss>({args}, _target);");
            w.Line($"/// <inheritdoc/>");
            w.Line($"public static double LossGradient{Bat}<TLoss>({blocks}, {rob} _target, {S} _gradient){Where} => {owner}.{f}LossGradient{Bat}<TLoss>({args}, _target, _gradient);");
            w.Line($"/// <inheritdoc/>");
            w.Line($"public static double LossHvp{Bat}<TLoss>({blocks}, {rob} _target, {Ros} _tangent, {S} _hessianVector){Where} => {owner}.{f}LossHvp{Bat}<TLoss>({args}, _target, _tangent, _hessianVector);");
            w.Line($"/// <inheritdoc/>");
            w.Line($"public static double Ggnvp{Bat}<TLoss>({blocks}, {rob} _target, {Ros} _tangent, {S} _result){Where} => {owner}.{f}Ggnvp{Bat}<TLoss>({args}, _target, _tangent, _result);");
        }
        w.Close();
    }
}
