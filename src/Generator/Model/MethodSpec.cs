using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;

namespace AutoCurv.Generator.Model;

/// <summary>A type that encloses the method: keyword ("class", "struct", "record", ...), name with type parameters.</summary>
internal sealed record ContainingType(string Keyword, string NameWithTypeParameters, string Modifiers);

/// <summary>How a user's parameter takes part in differentiation.</summary>
internal enum SourceParamKind
{
    RealScalar,
    RealSpan,
    Output,
    IntConstant,
    BoolConstant,
}

internal sealed record SourceParam(string Name, SourceParamKind Kind, bool IsWrt, string DeclaredType);

/// <summary>
/// Everything later stages need about one [Differentiable] method, free of Roslyn symbols and syntax:
/// where to put the members, the signature, and the body lowered to IR.
/// </summary>
internal sealed record MethodSpec(
    string? Namespace,
    EquatableArray<ContainingType> Containers,
    string Name,
    string Accessibility,
    bool IsFloat,
    bool IsVector,
    EquatableArray<SourceParam> Parameters,
    IrFunction Primal,
    string HintName,
    LocationInfo? Location,
    bool HasSampler = false,
    ModelSizes? Sizes = null)
{
    /// <summary>The element type's C# keyword.</summary>
    public string ElementType => IsFloat ? "float" : "double";

    /// <summary>
    /// A per-sample loss written in C#: <c>double L([Wrt] ReadOnlySpan&lt;double&gt; output, ReadOnlySpan&lt;double&gt; target)</c>.
    /// It also gets a nested <c>LLoss : ILoss</c> struct usable as TLoss.
    /// </summary>
    public bool IsLossShape =>
        !IsVector && !IsFloat && Parameters.Count == 2
        && Parameters[0].Kind == SourceParamKind.RealSpan && Parameters[0].IsWrt && Parameters[0].DeclaredType.StartsWith("global::System.ReadOnlySpan", System.StringComparison.Ordinal)
        && Parameters[1].Kind == SourceParamKind.RealSpan && !Parameters[1].IsWrt && Parameters[1].DeclaredType.StartsWith("global::System.ReadOnlySpan", System.StringComparison.Ordinal);

    /// <summary>
    /// The model roles (w, x, output) in that order: a Wrt span input, a constant span input, the output; any element
    /// type, spans or arrays. The sizes of <see cref="ModelSizes"/> may be declared on such a method only.
    /// </summary>
    public bool HasModelRoles => ModelRoles(IsVector, Parameters);

    /// <summary><see cref="HasModelRoles"/> of a signature still being built.</summary>
    public static bool ModelRoles(bool isVector, System.Collections.Generic.IReadOnlyList<SourceParam> parameters) =>
        isVector && parameters.Count == 3
        && parameters[0].Kind == SourceParamKind.RealSpan && parameters[0].IsWrt
        && parameters[1].Kind == SourceParamKind.RealSpan && !parameters[1].IsWrt
        && parameters[2].Kind == SourceParamKind.Output;

    /// <summary>The exact model shape (w, x, output) of double that gets the nested IModel struct.</summary>
    public bool IsModelShape =>
        IsVector && !IsFloat && Parameters.Count == 3
        && Parameters[0].Kind == SourceParamKind.RealSpan && Parameters[0].IsWrt && Parameters[0].DeclaredType.StartsWith("global::System.ReadOnlySpan", System.StringComparison.Ordinal)
        && Parameters[1].Kind == SourceParamKind.RealSpan && !Parameters[1].IsWrt && Parameters[1].DeclaredType.StartsWith("global::System.ReadOnlySpan", System.StringComparison.Ordinal)
        && Parameters[2].Kind == SourceParamKind.Output;
}

/// <summary>
/// The sizes a model declares with <c>[Differentiable(InputSize = d, OutputSize = C, ParameterCount = n)]</c>: the
/// lengths of x, output and w; -1 where not known. Only on methods with <see cref="MethodSpec.HasModelRoles"/>.
/// <paramref name="OutputInferred"/>: the output size was not declared but read off the body (every write to the
/// output at an index with constant bounds).
/// </summary>
internal sealed record ModelSizes(int Input, int Output, int Parameters, bool OutputInferred = false)
{
    public bool Any => Input >= 0 || Output >= 0 || Parameters >= 0;
}

/// <summary>The parse stage's output: a spec (when the method is differentiable) and the diagnostics.</summary>
internal sealed record ParseResult(MethodSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
