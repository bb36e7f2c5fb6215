using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// The one table of derivative rules for intrinsic functions. <see cref="Partial"/> gives ∂f/∂arg_k as an
/// IR expression of the arguments and, where cheaper, of the function's value <c>y</c>. Every rule's
/// result is itself built from intrinsics, so the tangent of a reverse sweep (H·v) differentiates it again.
/// </summary>
internal static class Rules
{
    private static Expr Call(Fn fn, params Expr[] args) => new Call(fn, args.ToEquatableArray());

    /// <summary>True when the rule reads only the function's value (exp, sqrt, tan, tanh), never its argument.</summary>
    public static bool UsesOnlyValue(Fn fn) => fn is Fn.Exp or Fn.Sqrt or Fn.Tan or Fn.Tanh;

    /// <summary>True when a first or second derivative rule reads the function's value <c>y</c>.</summary>
    public static bool ReadsValue(Fn fn) => UsesOnlyValue(fn) || fn is Fn.Pow;

    /// <param name="call">The call node.</param>
    /// <param name="k">The argument index.</param>
    /// <param name="y">An expression holding the call's value (the call itself when nothing holds it).</param>
    public static Expr Partial(Call call, int k, Expr y, RuleSet rules)
    {
        if (call.Function == Fn.User) return rules.Partial(call, k);
        var a = call.Args[0];
        var one = Ex.Real(1);
        switch (call.Function)
        {
            case Fn.Exp: return y;
            case Fn.Log: return Ex.Div(one, a);
            case Fn.Sqrt: return Ex.Div(Ex.Real(0.5), y);
            case Fn.Sin: return Call(Fn.Cos, a);
            case Fn.Cos: return Ex.Neg(Call(Fn.Sin, a));
            case Fn.Tan: return Ex.Add(one, Ex.Mul(y, y));
            case Fn.Tanh: return Ex.Sub(one, Ex.Mul(y, y));
            case Fn.Sinh: return Call(Fn.Cosh, a);
            case Fn.Cosh: return Call(Fn.Sinh, a);
            case Fn.Atan: return Ex.Div(one, Ex.Add(one, Ex.Mul(a, a)));
            case Fn.Abs:
                // sign(a), with NaN for NaN (a NaN input must not get a zero derivative).
                return new Conditional(new Binary(BinaryOp.Greater, a, Lit.Zero), one,
                    new Conditional(new Binary(BinaryOp.Less, a, Lit.Zero), Ex.Real(-1),
                        new Conditional(new Binary(BinaryOp.Equal, a, Lit.Zero), Lit.Zero, Ex.Real(double.NaN))));
            case Fn.Max:
            case Fn.Min:
            {
                // Ties go to the first argument: a one-sided (sub)gradient, as in the primal's choice;
                // NaN in either argument gives NaN (Math.Max/Min return NaN then).
                var b = call.Args[1];
                var firstWins = new Binary(call.Function == Fn.Max ? BinaryOp.GreaterOrEqual : BinaryOp.LessOrEqual, a, b);
                var anyNaN = new Binary(BinaryOp.Or, new Binary(BinaryOp.NotEqual, a, a), new Binary(BinaryOp.NotEqual, b, b));
                var choice = k == 0 ? new Conditional(firstWins, one, Lit.Zero) : new Conditional(firstWins, Lit.Zero, one);
                return new Conditional(anyNaN, Ex.Real(double.NaN), choice);
            }
            case Fn.Pow:
            {
                var b = call.Args[1];
                // ∂/∂b a^b = a^b ln a, whose limit at a = 0 is 0 (not 0·(−∞)).
                if (k == 1) return new Conditional(new Binary(BinaryOp.Equal, a, Lit.Zero), Lit.Zero, Ex.Mul(y, Call(Fn.Log, a)));
                if (b is Lit { LitType: IrType.Real } c)
                {
                    if (c.Value == 0) return Lit.Zero;
                    if (c.Value == 1) return one;
                    if (c.Value == 2) return Ex.Mul(Ex.Real(2), a);
                    return Ex.Mul(Ex.Real(c.Value), Call(Fn.Pow, a, Ex.Real(c.Value - 1)));
                }
                // b·a^(b−1) is 0 for b = 0 at a = 0 too (not 0·∞).
                return new Conditional(new Binary(BinaryOp.Equal, b, Lit.Zero), Lit.Zero, Ex.Mul(b, Call(Fn.Pow, a, Ex.Sub(b, one))));
            }
            default:
                throw new System.NotSupportedException("no derivative rule for " + call.Function);
        }
    }

    /// <summary>∂²f/∂arg_k² (the diagonal second derivative the Becker–LeCun approximation keeps).</summary>
    public static Expr SecondPartial(Call call, int k, Expr y, RuleSet rules)
    {
        if (call.Function == Fn.User) return rules.SecondPartial(call, k);
        var a = call.Args[0];
        var one = Ex.Real(1);
        switch (call.Function)
        {
            case Fn.Exp: return y;
            case Fn.Log: return Ex.Neg(Ex.Div(one, Ex.Mul(a, a)));
            case Fn.Sqrt: return Ex.Neg(Ex.Div(Ex.Real(0.25), Ex.Mul(y, Ex.Mul(y, y))));
            case Fn.Sin: return Ex.Neg(Call(Fn.Sin, a));
            case Fn.Cos: return Ex.Neg(Call(Fn.Cos, a));
            case Fn.Tan: return Ex.Mul(Ex.Mul(Ex.Real(2), y), Ex.Add(one, Ex.Mul(y, y)));
            case Fn.Tanh: return Ex.Mul(Ex.Mul(Ex.Real(-2), y), Ex.Sub(one, Ex.Mul(y, y)));
            case Fn.Sinh: return Call(Fn.Sinh, a);
            case Fn.Cosh: return Call(Fn.Cosh, a);
            case Fn.Atan:
            {
                var d = Ex.Add(one, Ex.Mul(a, a));
                return Ex.Neg(Ex.Div(Ex.Mul(Ex.Real(2), a), Ex.Mul(d, d)));
            }
            case Fn.Abs or Fn.Max or Fn.Min: return Lit.Zero;
            case Fn.Pow:
            {
                var b = call.Args[1];
                if (k == 1)
                {
                    var log = Call(Fn.Log, a);
                    return new Conditional(new Binary(BinaryOp.Equal, a, Lit.Zero), Lit.Zero, Ex.Mul(y, Ex.Mul(log, log)));
                }
                if (b is Lit { LitType: IrType.Real } c)
                {
                    if (c.Value == 0 || c.Value == 1) return Lit.Zero;
                    if (c.Value == 2) return Ex.Real(2);
                    return Ex.Mul(Ex.Real(c.Value * (c.Value - 1)), Call(Fn.Pow, a, Ex.Real(c.Value - 2)));
                }
                var degenerate = new Binary(BinaryOp.Or, new Binary(BinaryOp.Equal, b, Lit.Zero), new Binary(BinaryOp.Equal, b, one));
                return new Conditional(degenerate, Lit.Zero, Ex.Mul(Ex.Mul(b, Ex.Sub(b, one)), Call(Fn.Pow, a, Ex.Sub(b, Ex.Real(2)))));
            }
            default:
                throw new System.NotSupportedException("no second derivative rule for " + call.Function);
        }
    }
}
