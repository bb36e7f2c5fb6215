using AutoCurv.Generator.Ir;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Smart constructors that fold the trivial cases (×1, +0, −−) so generated code stays readable.
/// Multiplying by a literal zero drops the term, as every AD tool does (0·∞ is not propagated).
/// </summary>
internal static class Ex
{
    public static bool IsLit(Expr e, double value) => e is Lit l && l.Value == value && l.LitType != IrType.Bool;

    public static Expr Zero(IrType type) => new Lit(0, type);

    public static Expr Add(Expr a, Expr b)
    {
        if (IsLit(a, 0)) return b;
        if (IsLit(b, 0)) return a;
        if (b is Unary { Op: UnaryOp.Negate } nb) return new Binary(BinaryOp.Subtract, a, nb.Operand);
        return new Binary(BinaryOp.Add, a, b);
    }

    public static Expr Sub(Expr a, Expr b)
    {
        if (IsLit(b, 0)) return a;
        if (IsLit(a, 0)) return Neg(b);
        if (b is Unary { Op: UnaryOp.Negate } nb) return new Binary(BinaryOp.Add, a, nb.Operand);
        return new Binary(BinaryOp.Subtract, a, b);
    }

    public static Expr Neg(Expr a) => a switch
    {
        Unary { Op: UnaryOp.Negate } n => n.Operand,
        Lit l when l.LitType == IrType.Real => Lit.Real(-l.Value),
        _ => new Unary(UnaryOp.Negate, a),
    };

    /// <summary>a·b; keep a derivative (Lanes) operand on the left where there is one.</summary>
    public static Expr Mul(Expr a, Expr b)
    {
        if (IsLit(a, 1)) return b;
        if (IsLit(b, 1)) return a;
        if (IsLit(a, -1)) return Neg(b);
        if (IsLit(b, -1)) return Neg(a);
        if (IsLit(a, 0)) return Zero(b.Type == IrType.Lanes ? IrType.Lanes : a.Type);
        if (IsLit(b, 0)) return Zero(a.Type == IrType.Lanes ? IrType.Lanes : b.Type);
        if (a is Unary { Op: UnaryOp.Negate } na) return Neg(Mul(na.Operand, b));
        if (b is Unary { Op: UnaryOp.Negate } nb) return Neg(Mul(a, nb.Operand));
        return new Binary(BinaryOp.Multiply, a, b);
    }

    public static Expr Div(Expr a, Expr b)
    {
        if (IsLit(b, 1)) return a;
        if (a is Unary { Op: UnaryOp.Negate } na) return Neg(Div(na.Operand, b));
        return new Binary(BinaryOp.Divide, a, b);
    }

    public static Expr Real(double v) => Lit.Real(v);

    /// <summary>True for expressions cheap enough to repeat (no need for a temporary).</summary>
    public static bool IsSimple(Expr e) => e is Lit or Var || e is Elem { Index: Var or Lit };
}
