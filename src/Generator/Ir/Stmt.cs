using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Ir;

/// <summary>An IR statement. <c>Line</c> is the user's source line (0 for generated statements).</summary>
internal abstract record Stmt;

/// <summary>A block of statements.</summary>
internal sealed record Block(EquatableArray<Stmt> Statements)
{
    public static readonly Block Empty = new(EquatableArray<Stmt>.Empty);
}

/// <summary>Declares a scalar local, optionally initialised.</summary>
internal sealed record Declare(string Name, IrType Type, Expr? Init, int Line = 0, string? Source = null) : Stmt;

/// <summary>Declares a zeroed span local of <paramref name="Length"/> elements.</summary>
internal sealed record DeclareSpan(string Name, IrType ElemType, Expr Length, int Line = 0, string? Source = null) : Stmt;

/// <summary><c>target = value</c>; target is a <see cref="Var"/> or an <see cref="Elem"/>.</summary>
internal sealed record Assign(Expr Target, Expr Value, int Line = 0, string? Source = null) : Stmt;

/// <summary><c>for (int Counter = Start; Counter Compare Bound; Counter += Step) Body</c>.</summary>
internal sealed record For(string Counter, Expr Start, BinaryOp Compare, Expr Bound, int Step, Block Body, int Line = 0, string? Source = null) : Stmt;

internal sealed record If(Expr Condition, Block Then, Block Else, int Line = 0, string? Source = null) : Stmt;

/// <summary>Records a value on the value stack of its type (reverse mode).</summary>
internal sealed record Push(Expr Value) : Stmt;

/// <summary>Restores the most recently recorded value of the target's type into the target.</summary>
internal sealed record Pop(Expr Target) : Stmt;

/// <summary>Sets every element of a span to zero.</summary>
internal sealed record ClearSpan(string Name) : Stmt;

/// <summary>Copies one span into another of the same length.</summary>
internal sealed record CopySpan(string From, string To) : Stmt;

internal sealed record Comment(string Text) : Stmt;

/// <summary>
/// The square of one contribution to a lanes adjoint element, where the adjoint itself is not kept (the exact GGN
/// diagonal, <see cref="Differentiation.SquareAccumulation"/>): <c>Squares[Index] += Σ_l Weights_l·Value_l²</c>, the
/// element marked in the bitmap <paramref name="Touched"/>, and the bool <paramref name="Flag"/> cleared when it was
/// marked already (a second contribution in the same sweep).
/// </summary>
internal sealed record AccumulateSquare(string Squares, Expr Index, Expr Value, Expr Weights, string Touched, string Flag) : Stmt;

/// <summary>
/// A call into the runtime that the IR does not look into (loss evaluations and their derivatives,
/// lane shuffles). <paramref name="Method"/> is a format string for the emitter, with {0}, {1}... the
/// arguments; each transformation handles the kinds it knows through <see cref="Kind"/>.
/// </summary>
internal sealed record RuntimeCall(RuntimeCallKind Kind, EquatableArray<string> Spans, EquatableArray<Expr> Scalars, string? ResultVar) : Stmt;

internal enum RuntimeCallKind
{
    /// <summary>ResultVar = TLoss.Value(Spans[0]=output, Spans[1]=target).</summary>
    LossValue,
    /// <summary>Spans[2] += Scalars[0] * ∇ℓ(Spans[0], Spans[1]).</summary>
    LossGradientAccumulate,
    /// <summary>Spans[3] += Scalars[0] * H_ℓ(Spans[0], Spans[1]) · Spans[2].</summary>
    LossHvpAccumulate,
    /// <summary>ResultVar = Σ ∇ℓ_c · Spans[2][c] (tangent of the loss value).</summary>
    LossJvp,
    /// <summary>Appends Scalars[0] to the value tape Spans[0] (a recording primal sweep, see PrimalTape).</summary>
    Record,
    /// <summary>Appends H_ℓ(Spans[1], Spans[2]) (C × C, column by column) to the value tape Spans[0].</summary>
    RecordLossHessian,
    /// <summary>Spans[2] += Scalars[1] · H·Spans[1] for the C × C matrix H recorded on the tape Spans[0] at Scalars[0] (lanes).</summary>
    RecordedLossHvpAccumulate,
}
