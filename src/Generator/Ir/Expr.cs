using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Ir;

/// <summary>An IR expression. Every node is a value-equatable record; expressions are pure.</summary>
internal abstract record Expr
{
    public abstract IrType Type { get; }
}

/// <summary>A literal of <paramref name="LitType"/> (bools are 0/1).</summary>
internal sealed record Lit(double Value, IrType LitType) : Expr
{
    public override IrType Type => LitType;

    public static Lit Real(double value) => new(value, IrType.Real);

    public static Lit Int(int value) => new(value, IrType.Int);

    public static readonly Lit Zero = new(0, IrType.Real);

    public static readonly Lit One = new(1, IrType.Real);
}

/// <summary>A scalar variable (parameter or local).</summary>
internal sealed record Var(string Name, IrType VarType) : Expr
{
    public override IrType Type => VarType;
}

/// <summary>An element of a span variable.</summary>
internal sealed record Elem(string Span, Expr Index, IrType ElemType) : Expr
{
    public override IrType Type => ElemType;
}

/// <summary><c>span.Length</c>.</summary>
internal sealed record Len(string Span) : Expr
{
    public override IrType Type => IrType.Int;
}

internal sealed record Unary(UnaryOp Op, Expr Operand) : Expr
{
    public override IrType Type => Op == UnaryOp.Not ? IrType.Bool : Operand.Type;
}

/// <remarks>The type is computed once at construction (trees can be deep: x + x + … + x).</remarks>
internal sealed record Binary(BinaryOp Op, Expr Left, Expr Right) : Expr
{
    private readonly IrType _type = TypeOf(Op, Left.Type, Right.Type);

    public override IrType Type => _type;

    private static IrType TypeOf(BinaryOp op, IrType left, IrType right) =>
        op.IsComparison() || op.IsLogical() ? IrType.Bool
        : left == IrType.Lanes || right == IrType.Lanes ? IrType.Lanes
        : left;
}

internal sealed record Conditional(Expr Condition, Expr WhenTrue, Expr WhenFalse) : Expr
{
    private readonly IrType _type = WhenTrue.Type == IrType.Lanes || WhenFalse.Type == IrType.Lanes ? IrType.Lanes : WhenTrue.Type;

    public override IrType Type => _type;
}

/// <summary>
/// A call of an intrinsic, or (<see cref="Fn.User"/>) of a function with a [DerivativeOf] rule:
/// <paramref name="User"/> is then its key, <c>global::Type.Method(param types)</c>, and
/// <paramref name="Location"/> the call site (for the diagnostic when no rule exists).
/// </summary>
internal sealed record Call(Fn Function, EquatableArray<Expr> Args, string? User = null, Diagnostics.LocationInfo? Location = null) : Expr
{
    public override IrType Type => IrType.Real;

    /// <summary>The C# text that names a user function (its key without the parameter list).</summary>
    public string UserTarget => User!.Substring(0, User.IndexOf('('));
}

/// <summary>An int converted to the element type.</summary>
internal sealed record ToReal(Expr Operand) : Expr
{
    public override IrType Type => IrType.Real;
}

/// <summary>A Lanes value with every lane equal to a real value (vector-mode seeds).</summary>
internal sealed record Splat(Expr Operand) : Expr
{
    public override IrType Type => IrType.Lanes;
}

/// <summary>One lane of a Lanes value.</summary>
internal sealed record LaneOf(Expr Operand, int Lane) : Expr
{
    public override IrType Type => IrType.Real;
}
