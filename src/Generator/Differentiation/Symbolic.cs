using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Symbolic helpers over scalar expressions: substitution (with folding) and the derivative with respect
/// to a named variable. Used to turn a user's tangent rule into partial derivatives.
/// </summary>
internal static class Symbolic
{
    public static Expr Substitute(Expr e, IReadOnlyDictionary<string, Expr> map) => e switch
    {
        Var v when map.TryGetValue(v.Name, out var r) => r,
        Unary { Op: UnaryOp.Negate } u => Ex.Neg(Substitute(u.Operand, map)),
        Unary u => u with { Operand = Substitute(u.Operand, map) },
        Binary b => Rebuild(b.Op, Substitute(b.Left, map), Substitute(b.Right, map)),
        Conditional c => Choose(Substitute(c.Condition, map), Substitute(c.WhenTrue, map), Substitute(c.WhenFalse, map)),
        Call call => call with { Args = call.Args.Select(a => Substitute(a, map)).ToEquatableArray() },
        ToReal r => r with { Operand = Substitute(r.Operand, map) },
        _ => e,
    };

    private static Expr Rebuild(BinaryOp op, Expr a, Expr b) => op switch
    {
        BinaryOp.Add => Ex.Add(a, b),
        BinaryOp.Subtract => Ex.Sub(a, b),
        BinaryOp.Multiply => Ex.Mul(a, b),
        BinaryOp.Divide when Ex.IsLit(a, 0) => Lit.Zero,
        BinaryOp.Divide => Ex.Div(a, b),
        _ => new Binary(op, a, b),
    };

    public static Expr Choose(Expr c, Expr a, Expr b) => a == b ? a : new Conditional(c, a, b);

    /// <summary>∂e/∂x for the scalar variable named <paramref name="x"/>.</summary>
    public static Expr Derivative(Expr e, string x, RuleSet rules)
    {
        switch (e)
        {
            case Var v: return v.Name == x ? Ex.Real(1) : Lit.Zero;
            case Unary { Op: UnaryOp.Negate } u: return Ex.Neg(Derivative(u.Operand, x, rules));
            case Binary b when b.Type == IrType.Real:
            {
                var da = Derivative(b.Left, x, rules);
                var db = Derivative(b.Right, x, rules);
                return b.Op switch
                {
                    BinaryOp.Add => Ex.Add(da, db),
                    BinaryOp.Subtract => Ex.Sub(da, db),
                    BinaryOp.Multiply => Ex.Add(Ex.Mul(da, b.Right), Ex.Mul(b.Left, db)),
                    BinaryOp.Divide => Ex.IsLit(db, 0) ? Ex.Div(da, b.Right) : Ex.Div(Ex.Sub(da, Ex.Mul(db, b)), b.Right),
                    _ => Lit.Zero,
                };
            }
            case Conditional c: return Choose(c.Condition, Derivative(c.WhenTrue, x, rules), Derivative(c.WhenFalse, x, rules));
            case Call call:
            {
                Expr sum = Lit.Zero;
                for (int k = 0; k < call.Args.Count; k++)
                {
                    var inner = Derivative(call.Args[k], x, rules);
                    if (Ex.IsLit(inner, 0)) continue;
                    sum = Ex.Add(sum, Ex.Mul(Rules.Partial(call, k, call, rules), inner));
                }
                return sum;
            }
            default: return Lit.Zero;
        }
    }

    public static bool Mentions(Expr e, IEnumerable<string> names)
    {
        var reads = IrWalk.Reads(e);
        return names.Any(reads.Contains);
    }
}
