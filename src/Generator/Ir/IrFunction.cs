using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Ir;

internal enum ParamShape
{
    Scalar,
    Span,
}

/// <summary>
/// A parameter of an IR function. <paramref name="DeclaredType"/> is the C# type text for the user's own
/// parameters (kept verbatim: <c>double[]</c> stays an array); generated parameters leave it null and get
/// <c>ReadOnlySpan&lt;T&gt;</c>, <c>Span&lt;T&gt;</c>, <c>T</c> or <c>out T</c> from their shape and direction.
/// <paramref name="LengthOf"/> names the parameter whose length a generated span must match.
/// </summary>
internal sealed record IrParam(string Name, IrType Type, ParamShape Shape, bool IsOutput, string? DeclaredType = null, string? LengthOf = null);

/// <summary>A straight-line structured program over scalars and spans: what every mode transforms.</summary>
/// <param name="Parameters">In declaration order.</param>
/// <param name="Body">The statements.</param>
/// <param name="Result">The scalar variable holding the returned value, or null for void.</param>
internal sealed record IrFunction(EquatableArray<IrParam> Parameters, Block Body, string? Result);
