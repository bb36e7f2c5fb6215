using System.Globalization;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Emit;

/// <summary>
/// The entry checks of a model's known sizes (declared with <c>[Differentiable(InputSize = d, OutputSize = C, ParameterCount = n)]</c>,
/// or the inferred output size): one length test per known size, in the order w, x, output, before any other check, so a span compared with
/// <c>w.Length</c> or <c>output.Length</c> afterwards is compared with the declared size.
/// </summary>
internal static class SizeChecks
{
    public static void Emit(SourceWriter w, MethodSpec spec)
    {
        if (spec.Sizes is not { } sizes || !spec.HasModelRoles) return;
        Check(w, spec.Parameters[0].Name, sizes.Parameters);
        Check(w, spec.Parameters[1].Name, sizes.Input);
        Check(w, spec.Parameters[2].Name, sizes.Output);
    }

    private static void Check(SourceWriter w, string parameter, int size)
    {
        if (size < 0) return;
        string name = Identifiers.Escape(parameter);
        string n = size.ToString(CultureInfo.InvariantCulture);
        w.Line($"if ({name}.Length != {n}) global::AutoCurv.CompilerServices.Scratch.ThrowLength(nameof({name}), {name}.Length, {n});");
    }
}
