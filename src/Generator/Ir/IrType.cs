namespace AutoCurv.Generator.Ir;

/// <summary>The value types of the IR. <see cref="Real"/> is the method's element type (double or float).</summary>
internal enum IrType
{
    Real,
    Int,
    Bool,
    /// <summary>A derivative carrying several directions at once (vector mode): Vector256 of the element type.</summary>
    Lanes,
}

internal enum UnaryOp
{
    Negate,
    Not,
}

internal enum BinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
    And,
    Or,
}

/// <summary>Intrinsic functions of the element type; derivative rules live in Differentiation/Rules.</summary>
internal enum Fn
{
    Exp,
    Log,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Tanh,
    Sinh,
    Cosh,
    Atan,
    Pow,
    Abs,
    Max,
    Min,
    /// <summary>A function with a user-supplied tangent rule ([DerivativeOf]); see <see cref="Call.User"/>.</summary>
    User,
}

internal static class IrTypeExtensions
{
    public static bool IsFloating(this IrType type) => type is IrType.Real or IrType.Lanes;

    public static bool IsComparison(this BinaryOp op) =>
        op is BinaryOp.Less or BinaryOp.LessOrEqual or BinaryOp.Greater or BinaryOp.GreaterOrEqual or BinaryOp.Equal or BinaryOp.NotEqual;

    public static bool IsLogical(this BinaryOp op) => op is BinaryOp.And or BinaryOp.Or;

    public static int Arity(this Fn fn) => fn is Fn.Pow or Fn.Max or Fn.Min ? 2 : 1; // Fn.User: its argument count
}
