using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// An accumulation into a local that is known to hold zero becomes an assignment: <c>_d_a = _d_a + t</c> turns into
/// <c>_d_a = t</c>. Reverse mode resets every adjoint to zero after its last use (<c>_d_a = 0.0</c>) and adds each
/// partial derivative into it, so in a loop body the first contribution of every iteration used to add to a zero
/// that had just been stored; the resets those first contributions no longer read are then dead stores
/// (<see cref="DeadStores"/> runs after this pass and removes them).
/// <para>
/// "Known to hold zero" is a must-analysis forward over the structured IR: a local is zero after a declaration or
/// assignment of the literal zero and stops being zero at any other write; at an if it must be zero on both
/// branches, and in a loop on entry and at the end of the body (iterated to a fixpoint).
/// </para>
/// <para>
/// The value is the same number: 0 + t = t for every t but t = −0, where the sum is +0 and the assignment keeps −0.
/// Adjoints are only ever added and multiplied, so the sign of a zero adjoint never changes a non-zero result.
/// </para>
/// </summary>
internal static class ZeroedAccumulators
{
    public static IrFunction Apply(IrFunction function)
    {
        bool changed = false;
        var body = Walk(function.Body, new HashSet<string>(), rewrite: true, ref changed);
        return changed ? function with { Body = body } : function;
    }

    /// <summary>
    /// Walks <paramref name="block"/> from the state <paramref name="zero"/> (updated in place to the state after it);
    /// returns the block, rewritten when <paramref name="rewrite"/> is set.
    /// </summary>
    private static Block Walk(Block block, HashSet<string> zero, bool rewrite, ref bool changed)
    {
        List<Stmt>? statements = null;
        for (int k = 0; k < block.Statements.Count; k++)
        {
            var s = block.Statements[k];
            var result = Statement(s, zero, rewrite, ref changed);
            if (!ReferenceEquals(result, s))
            {
                statements ??= block.Statements.ToList();
                statements[k] = result;
            }
        }
        return statements is null ? block : new Block(statements.ToEquatableArray());
    }

    private static Stmt Statement(Stmt s, HashSet<string> zero, bool rewrite, ref bool changed)
    {
        switch (s)
        {
            case Declare d:
                Set(zero, d.Name, d.Type.IsFloating() && IsZero(d.Init));
                return s;
            case Assign { Target: Var v } a:
                if (v.VarType.IsFloating() && IsZero(a.Value))
                {
                    zero.Add(v.Name);
                    return s;
                }
                bool wasZero = zero.Remove(v.Name);
                if (rewrite && wasZero && Accumulated(a.Value, v) is { } term)
                {
                    changed = true;
                    return a with { Value = term };
                }
                return s;
            case Pop { Target: Var v }:
                zero.Remove(v.Name);
                return s;
            case RuntimeCall { ResultVar: { } result }:
                zero.Remove(result);
                return s;
            case If i:
            {
                var then = new HashSet<string>(zero);
                var @else = new HashSet<string>(zero);
                var newThen = Walk(i.Then, then, rewrite, ref changed);
                var newElse = Walk(i.Else, @else, rewrite, ref changed);
                then.IntersectWith(@else);
                zero.Clear();
                zero.UnionWith(then);
                return ReferenceEquals(newThen, i.Then) && ReferenceEquals(newElse, i.Else) ? s : i with { Then = newThen, Else = newElse };
            }
            case For f:
            {
                // The state at the top of the body: zero on entry and at the end of every iteration. Each round can
                // only remove names, so this ends within (number of names) rounds.
                var top = new HashSet<string>(zero);
                bool ignored = false;
                while (true)
                {
                    var end = new HashSet<string>(top);
                    Walk(f.Body, end, rewrite: false, ref ignored);
                    int before = top.Count;
                    top.IntersectWith(end);
                    if (top.Count == before) break;
                }
                var body = Walk(f.Body, new HashSet<string>(top), rewrite, ref changed);
                // After the loop: zero on entry (no iteration) and after any iteration, which is the fixpoint.
                zero.Clear();
                zero.UnionWith(top);
                return ReferenceEquals(body, f.Body) ? s : f with { Body = body };
            }
            default:
                // Span element writes, pushes, span-wide statements and comments write no scalar local.
                return s;
        }
    }

    /// <summary>For <c>v + t</c> or <c>v − t</c> with a term of v's type that does not read v: t or −t.</summary>
    private static Expr? Accumulated(Expr value, Var v)
    {
        if (value is not Binary { Op: BinaryOp.Add or BinaryOp.Subtract } b || !b.Left.Equals(v)) return null;
        if (b.Right.Type != v.VarType || IrWalk.Mentions(b.Right, v.Name)) return null;
        return b.Op == BinaryOp.Add ? b.Right : new Unary(UnaryOp.Negate, b.Right);
    }

    private static bool IsZero(Expr? e) => e is Lit { Value: 0 } lit && lit.LitType.IsFloating();

    private static void Set(HashSet<string> set, string name, bool member)
    {
        if (member) set.Add(name);
        else set.Remove(name);
    }
}
