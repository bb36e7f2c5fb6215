using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Scalar replacement of repeated accumulations into one span element. Reverse mode adds every partial derivative
/// into an input's adjoint separately, so one loop body often holds <c>gx[i] -= a; …; gx[i] += b; gx[i] += c;</c>:
/// three loads and stores of the same element, each waiting on the previous store. This pass sums them in a local
/// (<c>double _acc1 = -a; …; _acc1 += b; _acc1 += c; gx[i] += _acc1;</c>) when nothing between the first and the
/// last touches that span at an index that may be the same element, and nothing rewrites the index's variables.
/// The sum is the same up to rounding (the additions are regrouped); no other statement moves.
/// </summary>
internal static class AccumulationFusion
{
    public static IrFunction Apply(IrFunction function)
    {
        var names = new HashSet<string>(function.Parameters.Select(p => p.Name));
        IrWalk.AddMentions(function.Body, names);
        int counter = 0;
        string Fresh()
        {
            string name;
            do name = "_acc" + ++counter; while (names.Contains(name));
            names.Add(name);
            return name;
        }
        var body = Rewrite(function.Body, Fresh);
        return ReferenceEquals(body, function.Body) ? function : function with { Body = body };
    }

    private static Block Rewrite(Block block, System.Func<string> fresh)
    {
        var statements = block.Statements.ToList();
        bool changed = false;
        for (int k = 0; k < statements.Count; k++)
        {
            Stmt? nested = statements[k] switch
            {
                For f => RewriteFor(f, fresh),
                If i => RewriteIf(i, fresh),
                _ => null,
            };
            if (nested is not null)
            {
                statements[k] = nested;
                changed = true;
            }
        }

        // Groups of accumulations into the same element among this block's own statements, first come first.
        for (int first = 0; first < statements.Count; first++)
        {
            if (!IsAccumulation(statements[first], out var target, out _, out _)) continue;
            var members = new List<int> { first };
            for (int k = first + 1; k < statements.Count; k++)
            {
                var s = statements[k];
                if (IsAccumulation(s, out var other, out _, out _) && SameElement(other, target))
                {
                    members.Add(k);
                    continue;
                }
                if (!Independent(s, target)) break;
            }
            if (members.Count < 2) continue;

            string acc = fresh();
            var type = target.ElemType;
            var local = new Var(acc, type);
            for (int m = 0; m < members.Count; m++)
            {
                IsAccumulation(statements[members[m]], out _, out var op, out var term);
                var a = (Assign)statements[members[m]];
                statements[members[m]] = m == 0
                    ? new Declare(acc, type, op == BinaryOp.Add ? term : new Unary(UnaryOp.Negate, term), a.Line, a.Source)
                    : new Assign(local, new Binary(op, local, term), a.Line, a.Source);
            }
            statements.Insert(members[members.Count - 1] + 1, new Assign(target, new Binary(BinaryOp.Add, target, local)));
            changed = true;
        }
        return changed ? new Block(statements.ToEquatableArray()) : block;
    }

    private static Stmt? RewriteFor(For f, System.Func<string> fresh)
    {
        var body = Rewrite(f.Body, fresh);
        return ReferenceEquals(body, f.Body) ? null : f with { Body = body };
    }

    private static Stmt? RewriteIf(If i, System.Func<string> fresh)
    {
        var then = Rewrite(i.Then, fresh);
        var @else = Rewrite(i.Else, fresh);
        return ReferenceEquals(then, i.Then) && ReferenceEquals(@else, i.Else) ? null : i with { Then = then, Else = @else };
    }

    /// <summary><c>s[i] += term</c> or <c>s[i] -= term</c>, with a term that does not read the span.</summary>
    internal static bool IsAccumulation(Stmt s, out Elem target, out BinaryOp op, out Expr term)
    {
        target = null!;
        op = BinaryOp.Add;
        term = null!;
        if (s is not Assign { Target: Elem e, Value: Binary { Op: BinaryOp.Add or BinaryOp.Subtract } b }) return false;
        if (!b.Left.Equals(e) || IrWalk.Mentions(b.Right, e.Span) || e.Type != b.Type) return false;
        target = e;
        op = b.Op;
        term = b.Right;
        return true;
    }

    /// <summary>
    /// True when <paramref name="s"/> neither touches <paramref name="target"/>'s element (reading or writing the span
    /// at an index not provably different) nor rewrites a variable of its index.
    /// </summary>
    private static bool Independent(Stmt s, Elem target)
    {
        var indexVariables = IrWalk.Reads(target.Index);
        var writes = new HashSet<string>();
        IrWalk.AddWrites(s, writes);
        if (writes.Overlaps(indexVariables)) return false;
        switch (s)
        {
            case Comment:
                return true;
            case Declare d:
                return d.Init is null || !TouchesElement(d.Init, target);
            case Assign a:
                if (a.Target is Elem e && e.Span == target.Span && !Distinct(e.Index, target.Index)) return false;
                if (a.Target is Elem te && TouchesElement(te.Index, target)) return false;
                return !TouchesElement(a.Value, target);
            default:
                // Loops, branches, stack operations, span-wide statements and runtime calls: only when they never
                // mention the span at all.
                var mentioned = new HashSet<string>(writes);
                IrWalk.AddStatementReads(s, mentioned);
                return !mentioned.Contains(target.Span);
        }
    }

    /// <summary>Whether the expression reads the span at an index that may equal the target's.</summary>
    private static bool TouchesElement(Expr expr, Elem target)
    {
        switch (expr)
        {
            case Elem e:
                if (e.Span == target.Span && !Distinct(e.Index, target.Index)) return true;
                return TouchesElement(e.Index, target);
            case Unary u: return TouchesElement(u.Operand, target);
            case Binary b: return TouchesElement(b.Left, target) || TouchesElement(b.Right, target);
            case Conditional c: return TouchesElement(c.Condition, target) || TouchesElement(c.WhenTrue, target) || TouchesElement(c.WhenFalse, target);
            case Call call: return call.Args.Any(a => TouchesElement(a, target));
            case ToReal r: return TouchesElement(r.Operand, target);
            case Splat s: return TouchesElement(s.Operand, target);
            case LaneOf l: return TouchesElement(l.Operand, target);
            default: return false;
        }
    }

    private static bool SameElement(Elem a, Elem b) => a.Span == b.Span && a.Type == b.Type && Split(a.Index).Equals(Split(b.Index));

    /// <summary>Two indices that differ by a non-zero constant (the same terms plus different literals).</summary>
    private static bool Distinct(Expr a, Expr b)
    {
        var (termsA, constantA) = Split(a);
        var (termsB, constantB) = Split(b);
        return constantA != constantB && termsA.Equals(termsB);
    }

    /// <summary>An index as its non-literal terms (in order) and the sum of its integer literals.</summary>
    private static (TermList Terms, long Constant) Split(Expr index)
    {
        var terms = new List<Expr>();
        long constant = 0;
        void Walk(Expr e, int sign)
        {
            switch (e)
            {
                case Binary { Op: BinaryOp.Add } add: Walk(add.Left, sign); Walk(add.Right, sign); break;
                case Binary { Op: BinaryOp.Subtract, Right: Lit } sub: Walk(sub.Left, sign); Walk(sub.Right, -sign); break;
                case Lit { LitType: IrType.Int } lit: constant += sign * (long)lit.Value; break;
                default: terms.Add(sign > 0 ? e : new Unary(UnaryOp.Negate, e)); break;
            }
        }
        Walk(index, 1);
        return (new TermList(terms.ToEquatableArray()), constant);
    }

    private sealed record TermList(EquatableArray<Expr> Terms);
}
