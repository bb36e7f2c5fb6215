using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>One generated method: its name, its IR, a doc summary, and type parameters (loss members).</summary>
internal sealed record GeneratedMember(string Name, IrFunction Function, string Summary, string? TypeParameter = null, string? Constraint = null);

/// <summary>The differentiate stage's output for one method.</summary>
internal sealed record DifferentiatedMethod(MethodSpec Spec, EquatableArray<GeneratedMember> Members, EquatableArray<DiagnosticInfo> Diagnostics);
