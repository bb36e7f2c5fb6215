using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Folds negated temporaries into the expressions that read them. The adjoint of <c>a - b·c</c> negates the adjoint
/// once (<c>double _g1 = -_d_a;</c>) and multiplies the negation into each partial derivative
/// (<c>_acc2 += _g1 * x[i];</c>): one sign flip per iteration that RyuJIT keeps, because the temporary has several
/// readers. This pass substitutes <c>-e</c> for such a temporary <c>g</c> (declared as the negation of a local
/// <c>e</c> and never written again) in every statement that reads it, and moves the signs outwards until an
/// addition or subtraction absorbs them (<c>_acc2 -= _d_a * x[i];</c>). It keeps the result only when the rewritten
/// statements hold no more negations than before, so the declaration's negation is saved and none is added; the
/// declaration goes.
/// <para>
/// The rules are IEEE identities: (−a)·b = −(a·b) and (−a)/b = −(a/b) (the sign of a product or quotient is the
/// exclusive or of the signs, the magnitude is rounded the same), a + (−b) = a − b and a − (−b) = a + b (the
/// definition of subtraction), (−a) + b = b − a and (−a) − (−b) = b − a (addition commutes), −(−a) = a: these give
/// the same bits. Two more, (−a) + (−b) = −(a + b) and (−a) − b = −(a + b), give the same number (round to
/// nearest is symmetric) except for the sign of an exact zero: when a + b is exactly zero the left side is +0, the
/// right −0. A zero's sign never changes a non-zero value the adjoints are added to, so as in
/// <see cref="ZeroedAccumulators"/> only a result that is exactly zero may come out as −0 instead of +0.
/// Applies to real and lanes values only (lane-wise, the same identities).
/// </para>
/// </summary>
internal static class NegationFolding
{
    public static IrFunction Apply(IrFunction function)
    {
        var body = Rewrite(function.Body);
        return ReferenceEquals(body, function.Body) ? function : function with { Body = body };
    }

    private static Block Rewrite(Block block)
    {
        var statements = block.Statements.ToList();
        bool changed = false;
        for (int k = 0; k < statements.Count; k++)
        {
            Stmt? nested = statements[k] switch
            {
                For f when Rewrite(f.Body) is var body && !ReferenceEquals(body, f.Body) => f with { Body = body },
                If i when (Rewrite(i.Then), Rewrite(i.Else)) is var (then, @else) && (!ReferenceEquals(then, i.Then) || !ReferenceEquals(@else, i.Else)) =>
                    i with { Then = then, Else = @else },
                _ => null,
            };
            if (nested is not null)
            {
                statements[k] = nested;
                changed = true;
            }
        }

        for (int k = 0; k < statements.Count; k++)
        {
            if (statements[k] is not Declare { Init: Unary { Op: UnaryOp.Negate, Operand: Var e } } d) continue;
            if (d.Type is not (IrType.Real or IrType.Lanes) || e.Name == d.Name) continue;
            if (TryFold(statements, k, d.Name, e))
            {
                statements.RemoveAt(k);
                k--;
                changed = true;
            }
        }
        return changed ? new Block(statements.ToEquatableArray()) : block;
    }

    /// <summary>
    /// Substitutes −e for <paramref name="temporary"/> (declared at <paramref name="at"/>) in the statements after it,
    /// when it is never written again, e keeps its value wherever the temporary is read, and the folded statements
    /// hold no more negations than before. Returns whether it did.
    /// </summary>
    private static bool TryFold(List<Stmt> statements, int at, string temporary, Var e)
    {
        int last = -1;
        for (int j = at + 1; j < statements.Count; j++)
        {
            var mentioned = new HashSet<string>();
            IrWalk.AddStatementReads(statements[j], mentioned);
            IrWalk.AddWrites(statements[j], mentioned);
            if (mentioned.Contains(temporary)) last = j;
        }
        if (last < 0) return false;
        for (int j = at + 1; j <= last; j++)
        {
            var writes = new HashSet<string>();
            IrWalk.AddWrites(statements[j], writes);
            if (writes.Contains(temporary)) return false;
            // The last reader may write e itself: an assignment evaluates its value (reading the old e) first.
            if (writes.Contains(e.Name) && !(j == last && statements[j] is Assign { Target: Var })) return false;
        }

        var negation = new Unary(UnaryOp.Negate, e);
        var folded = new Stmt[last - at];
        int before = 0, after = 0;
        for (int j = at + 1; j <= last; j++)
        {
            var s = statements[j];
            var r = Substitute(s, temporary, negation);
            before += Negations(s);
            after += Negations(r);
            folded[j - at - 1] = r;
        }
        if (after > before) return false;
        for (int j = at + 1; j <= last; j++) statements[j] = folded[j - at - 1];
        return true;
    }

    // ---------------------------------------------------------------- substitution with folding

    private static Stmt Substitute(Stmt s, string name, Expr value)
    {
        Expr X(Expr e) => Substitute(e, name, value);
        Block B(Block b) => new(b.Statements.Select(x => Substitute(x, name, value)).ToEquatableArray());
        return s switch
        {
            Declare d when d.Init is not null => d with { Init = X(d.Init) },
            DeclareSpan d => d with { Length = X(d.Length) },
            Assign a => a with { Target = a.Target is Elem el ? el with { Index = X(el.Index) } : a.Target, Value = X(a.Value) },
            For f => f with { Start = X(f.Start), Bound = X(f.Bound), Body = B(f.Body) },
            If i => i with { Condition = X(i.Condition), Then = B(i.Then), Else = B(i.Else) },
            Push p => p with { Value = X(p.Value) },
            Pop p when p.Target is Elem el => p with { Target = el with { Index = X(el.Index) } },
            AccumulateSquare q => q with { Index = X(q.Index), Value = X(q.Value), Weights = X(q.Weights) },
            RuntimeCall r => r with { Scalars = r.Scalars.Select(X).ToEquatableArray() },
            _ => s,
        };
    }

    /// <summary>The expression with <paramref name="name"/> replaced, signs folded at every node rebuilt.</summary>
    private static Expr Substitute(Expr e, string name, Expr value)
    {
        switch (e)
        {
            case Var v when v.Name == name:
                return value;
            case Elem el:
            {
                var index = Substitute(el.Index, name, value);
                return ReferenceEquals(index, el.Index) ? e : el with { Index = index };
            }
            case Unary u:
            {
                var operand = Substitute(u.Operand, name, value);
                if (ReferenceEquals(operand, u.Operand)) return e;
                return u.Op == UnaryOp.Negate ? Negate(operand) : u with { Operand = operand };
            }
            case Binary b:
            {
                var left = Substitute(b.Left, name, value);
                var right = Substitute(b.Right, name, value);
                if (ReferenceEquals(left, b.Left) && ReferenceEquals(right, b.Right)) return e;
                return Fold(b.Op, left, right);
            }
            case Conditional c:
            {
                var condition = Substitute(c.Condition, name, value);
                var whenTrue = Substitute(c.WhenTrue, name, value);
                var whenFalse = Substitute(c.WhenFalse, name, value);
                return ReferenceEquals(condition, c.Condition) && ReferenceEquals(whenTrue, c.WhenTrue) && ReferenceEquals(whenFalse, c.WhenFalse)
                    ? e
                    : new Conditional(condition, whenTrue, whenFalse);
            }
            case Call call:
            {
                var args = call.Args.Select(a => Substitute(a, name, value)).ToList();
                return args.Select((a, k) => ReferenceEquals(a, call.Args[k])).All(same => same) ? e : call with { Args = args.ToEquatableArray() };
            }
            case ToReal r:
            {
                var operand = Substitute(r.Operand, name, value);
                return ReferenceEquals(operand, r.Operand) ? e : new ToReal(operand);
            }
            case Splat s:
            {
                var operand = Substitute(s.Operand, name, value);
                return ReferenceEquals(operand, s.Operand) ? e : new Splat(operand);
            }
            case LaneOf l:
            {
                var operand = Substitute(l.Operand, name, value);
                return ReferenceEquals(operand, l.Operand) ? e : l with { Operand = operand };
            }
            default:
                return e;
        }
    }

    private static bool IsNumber(Expr e) => e.Type is IrType.Real or IrType.Lanes;

    private static Expr Negate(Expr e) => e is Unary { Op: UnaryOp.Negate } n ? n.Operand : new Unary(UnaryOp.Negate, e);

    /// <summary>A binary node with its operands' signs moved out (see the class remarks for the identities).</summary>
    internal static Expr Fold(BinaryOp op, Expr left, Expr right)
    {
        var l = left is Unary { Op: UnaryOp.Negate } negatedLeft ? negatedLeft : null;
        var r = right is Unary { Op: UnaryOp.Negate } negatedRight ? negatedRight : null;
        if ((l is null && r is null) || !IsNumber(left) || !IsNumber(right)) return new Binary(op, left, right);
        switch (op)
        {
            case BinaryOp.Multiply or BinaryOp.Divide:
                if (l is not null && r is not null) return new Binary(op, l.Operand, r.Operand);
                return l is not null ? Negate(new Binary(op, l.Operand, right)) : Negate(new Binary(op, left, r!.Operand));
            case BinaryOp.Add:
                if (l is not null && r is not null) return Negate(new Binary(BinaryOp.Add, l.Operand, r.Operand));
                return r is not null ? new Binary(BinaryOp.Subtract, left, r.Operand) : new Binary(BinaryOp.Subtract, right, l!.Operand);
            case BinaryOp.Subtract:
                if (l is not null && r is not null) return new Binary(BinaryOp.Subtract, r.Operand, l.Operand);
                return r is not null ? new Binary(BinaryOp.Add, left, r.Operand) : Negate(new Binary(BinaryOp.Add, l!.Operand, right));
            default:
                return new Binary(op, left, right);
        }
    }

    private static int Negations(Stmt s)
    {
        int count = 0;
        void X(Expr? e)
        {
            switch (e)
            {
                case null: break;
                case Unary u: if (u.Op == UnaryOp.Negate) count++; X(u.Operand); break;
                case Binary b: X(b.Left); X(b.Right); break;
                case Elem el: X(el.Index); break;
                case Conditional c: X(c.Condition); X(c.WhenTrue); X(c.WhenFalse); break;
                case Call call: foreach (var a in call.Args) X(a); break;
                case ToReal r: X(r.Operand); break;
                case Splat sp: X(sp.Operand); break;
                case LaneOf lo: X(lo.Operand); break;
            }
        }
        void S(Stmt st)
        {
            switch (st)
            {
                case Declare d: X(d.Init); break;
                case DeclareSpan d: X(d.Length); break;
                case Assign a: X(a.Target); X(a.Value); break;
                case For f: X(f.Start); X(f.Bound); foreach (var b in f.Body.Statements) S(b); break;
                case If i: X(i.Condition); foreach (var b in i.Then.Statements) S(b); foreach (var b in i.Else.Statements) S(b); break;
                case Push p: X(p.Value); break;
                case Pop p: X(p.Target); break;
                case AccumulateSquare q: X(q.Index); X(q.Value); X(q.Weights); break;
                case RuntimeCall r: foreach (var x in r.Scalars) X(x); break;
            }
        }
        S(s);
        return count;
    }
}
