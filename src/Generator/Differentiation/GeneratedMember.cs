using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// One generated method: its name, its IR (or, for a <see cref="Driver"/>, its signature only), a doc
/// summary, a type parameter (loss members) and whether it is a private helper. <paramref name="Batch"/> marks a
/// batched twin (<see cref="Batching"/>): its varying names are emitted as sample blocks.
/// </summary>
internal sealed record GeneratedMember(string Name, IrFunction Function, string Summary, bool IsLossGeneric = false, bool IsHelper = false, Driver? Driver = null, BatchPlan? Batch = null);

internal enum DriverKind
{
    /// <summary>Dense Hessian from blocks of lanes of a lanes H·v helper.</summary>
    Hessian,
    /// <summary>Exact diagonal from the same blocks.</summary>
    HessianDiagonal,
    /// <summary>Exact GGN diagonal from lanes VJPs with the columns of the loss factor.</summary>
    GgnDiagonal,
}

/// <summary>
/// A member whose body is a fixed loop around a generated lanes helper (vector mode): seeds K
/// directions per pass and unpacks the lanes. <paramref name="Inputs"/> are the Wrt inputs with their
/// result parameter; <paramref name="Helper"/> the lanes helper to call. With <paramref name="Accumulate"/> a
/// diagonal driver adds into its result spans instead of overwriting them. <paramref name="SquaresHelper"/>: the GGN
/// diagonal's helper that adds the squares of single contributions directly (<see cref="SquareAccumulation"/>), tried
/// before <paramref name="Helper"/>; null when the lanes VJP could not be rewritten. With <paramref name="SquaresSweepsAll"/>
/// one call of it runs every pass (one forward sweep, then a reverse sweep per block of factor columns); otherwise
/// it is called once per block. <paramref name="Sweep"/> (Hessian and Hessian diagonal) is the helper that runs the
/// primal once before the passes and records the values they read (<see cref="PrimalTape"/>).
/// </summary>
internal sealed record Driver(DriverKind Kind, string Helper, EquatableArray<DriverInput> Inputs, string? Target, string? ResultName, bool Accumulate = false,
    string? SquaresHelper = null, bool SquaresSweepsAll = false, string? Sweep = null);

/// <summary>A Wrt input of a driver: its name, whether it is a span, and the driver's result parameter for it.</summary>
internal sealed record DriverInput(string Name, bool IsSpan, string Result);

/// <summary>
/// The differentiate stage's output for one method. <paramref name="NotBatched"/>: why a model got no batched
/// members (<see cref="Batching"/>), written into its model struct; null otherwise.
/// </summary>
internal sealed record DifferentiatedMethod(MethodSpec Spec, EquatableArray<GeneratedMember> Members, EquatableArray<DiagnosticInfo> Diagnostics, string? NotBatched = null);
