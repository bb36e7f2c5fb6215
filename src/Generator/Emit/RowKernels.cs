using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Emit;

/// <summary>
/// Dense layers of batched members as one kernel call per layer instead of one per row. A loop over rows j whose
/// body holds a dot-product loop <c>s += W[o(j) + i] · X[p + i]</c> (W shared, X a span of sample blocks) or an
/// accumulation <c>Z[o(j) + i] += k · X[p + i]</c> into a shared span (the weight-gradient row of a reverse sweep)
/// runs that inner loop for all rows in one call, where the kernel loads each X[i] once for several rows:
/// <list type="bullet">
/// <item>a dot: <c>Kernels.DotRows</c> computes every row's dot before the row loop, and the inner loop becomes
/// <c>s += _rows[j - lo]</c> (the same value, added at the same point);</item>
/// <item>an accumulation: the inner loop becomes <c>_rows[j - lo] = k</c> (the scale it would have used), and
/// <c>Kernels.AxpyRows</c> adds every row after the row loop.</item>
/// </list>
/// Legal when the row offsets are affine in j (o(j) = base + j·stride), the inner range, X's offset, base and stride
/// do not change in the row loop, W and X are not written in it, and (for a deferred accumulation) Z is only ever
/// accumulated into in the row loop, never read, so moving its additions after the loop changes only their order.
/// Only loops outside any other loop or branch are rewritten: their row scratch is declared in the member's scope.
/// </summary>
internal static class RowKernels
{
    /// <summary>One inner loop served by a row kernel.</summary>
    /// <param name="Rows">The scratch span of one block per row (dot results, or accumulation scales).</param>
    /// <param name="Shared">W (dot) or Z (accumulation): the span addressed by the row offsets.</param>
    /// <param name="Base">o(0) + the inner loop's start.</param>
    /// <param name="X">The span of sample blocks, its offset and the inner range.</param>
    internal sealed record Row(bool IsDot, string Rows, string Shared, Expr Base, Expr Stride, string X, Expr OffsetX, Expr InnerLo, Expr InnerCount);

    /// <summary>
    /// The rewrite of a row loop: the names of its first row and row count in the emitted code, the row kernels, and
    /// the loop with their inner loops replaced.
    /// </summary>
    internal sealed record Plan(string LoName, string CountName, Expr Lo, Expr Count, List<Row> Rows, For Loop);

    /// <param name="varies">Whether an expression is a sample block.</param>
    /// <param name="id">Makes the plan's names unique in the member (several row loops share one scope).</param>
    public static Plan? TryPlan(For outer, System.Func<Expr, bool> varies, int id)
    {
        string loName = $"_rows{id}_lo", countName = $"_rows{id}_n";
        int spans = 0;
        string NewName() => $"_rows{id}_{++spans}";
        if (!LoopKernels.Range(outer, out var lo, out var count)) return null;
        string j = outer.Counter;
        var written = IrWalk.Writes(outer.Body);
        written.Add(j);
        bool Invariant(Expr e) => !IrWalk.Reads(e).Overlaps(written);
        var loVar = new Var(loName, IrType.Int);
        var rowIndex = new Binary(BinaryOp.Subtract, new Var(j, IrType.Int), loVar);

        var rows = new List<Row>();
        var body = new List<Stmt>();
        foreach (var s in outer.Body.Statements)
        {
            if (s is For inner && Match(inner, outer, varies, written, Invariant, rowIndex, NewName) is { } matches)
            {
                foreach (var (row, replacement) in matches)
                {
                    rows.Add(row);
                    body.Add(replacement);
                }
            }
            else body.Add(s);
        }
        if (rows.Count == 0) return null;
        // A deferred accumulation target must only be accumulated into elsewhere in the loop.
        foreach (var row in rows.Where(r => !r.IsDot))
        {
            if (!OnlyAccumulated(body, row.Shared)) return null;
        }
        if (!Invariant(lo) || !Invariant(count)) return null;
        return new Plan(loName, countName, lo, count, rows, outer with { Body = new Block(body.ToEquatableArray()), Source = null });
    }

    /// <summary>
    /// Row kernels for every statement of an inner loop (LoopKernels' kernels, independent of each other), in order, with
    /// the statements that replace the loop; null unless every one qualifies.
    /// </summary>
    private static List<(Row Row, Stmt Replacement)>? Match(For inner, For outer, System.Func<Expr, bool> varies, HashSet<string> written,
        System.Func<Expr, bool> invariant, Expr rowIndex, System.Func<string> newName)
    {
        if (!LoopKernels.Recognise(inner, out var kernels, out var innerLo, out var innerCount)) return null;
        if (!invariant(innerLo) || !invariant(innerCount)) return null;
        var matches = new List<(Row, Stmt)>();
        foreach (var k in kernels)
        {
            if (MatchOne(k, inner, outer, varies, written, invariant, rowIndex, newName, innerLo, innerCount) is not { } one) return null;
            matches.Add(one);
        }
        return matches;
    }

    private static (Row Row, Stmt Replacement)? MatchOne(LoopKernels.Kernel k, For inner, For outer, System.Func<Expr, bool> varies, HashSet<string> written,
        System.Func<Expr, bool> invariant, Expr rowIndex, System.Func<string> newName, Expr innerLo, Expr innerCount)
    {
        string j = outer.Counter;
        bool Varying(string span) => varies(new Elem(span, Lit.Int(0), IrType.Real));
        if (k.Second is not null) return null; // no two-term row kernel
        if (k.IsDot)
        {
            // s ± Σ W[o(j) + i]·X[p + i]: W shared and addressed by the row, X sample blocks not moving with j.
            if (k.Target is not Var s || !varies(s)) return null;
            string w, x;
            Expr ow, ox;
            if (!Varying(k.X) && Varying(k.Y!)) { w = k.X; ow = k.OffsetX; x = k.Y!; ox = k.OffsetY!; }
            else if (Varying(k.X) && !Varying(k.Y!)) { w = k.Y!; ow = k.OffsetY!; x = k.X; ox = k.OffsetX; }
            else return null;
            if (written.Contains(w) || written.Contains(x) || !invariant(ox)) return null;
            if (Affine(ow, j) is not { } a || !invariant(a.Base) || !invariant(a.Stride)) return null;
            string rows = newName();
            var value = new Binary(k.Negate ? BinaryOp.Subtract : BinaryOp.Add, s, new Elem(rows, rowIndex, IrType.Real));
            return (new Row(true, rows, w, LoopKernels.Add(a.Base, innerLo), a.Stride, x, ox, innerLo, innerCount),
                new Assign(s, value));
        }
        else
        {
            // Z[o(j) + i] ±= k·X[p + i]: Z shared, k a sample block, X sample blocks not moving with j.
            var z = (Elem)k.Target;
            if (Varying(z.Span) || !varies(k.Scale) || !Varying(k.X)) return null;
            if (written.Contains(k.X) || !invariant(k.OffsetX)) return null;
            if (IrWalk.CounterOffset(z.Index, inner.Counter) is not { } oz || Affine(oz, j) is not { } a || !invariant(a.Base) || !invariant(a.Stride)) return null;
            string rows = newName();
            Expr scale = k.Negate ? new Unary(UnaryOp.Negate, k.Scale) : k.Scale;
            return (new Row(false, rows, z.Span, LoopKernels.Add(a.Base, innerLo), a.Stride, k.X, k.OffsetX, innerLo, innerCount),
                new Assign(new Elem(rows, rowIndex, IrType.Real), scale));
        }
    }

    /// <summary>Every statement that mentions <paramref name="span"/> is <c>span[e] ±= v</c> with v and e free of it.</summary>
    private static bool OnlyAccumulated(IEnumerable<Stmt> statements, string span)
    {
        foreach (var s in statements)
        {
            switch (s)
            {
                case Assign { Target: Elem t, Value: Binary { Op: BinaryOp.Add or BinaryOp.Subtract } b } a when t.Span == span && b.Left == a.Target:
                    if (IrWalk.Mentions(b.Right, span) || IrWalk.Mentions(t.Index, span)) return false;
                    break;
                case For f:
                    if (IrWalk.Mentions(f.Start, span) || IrWalk.Mentions(f.Bound, span) || !OnlyAccumulated(f.Body.Statements, span)) return false;
                    break;
                case If i:
                    if (IrWalk.Mentions(i.Condition, span) || !OnlyAccumulated(i.Then.Statements, span) || !OnlyAccumulated(i.Else.Statements, span)) return false;
                    break;
                default:
                {
                    var names = new HashSet<string>();
                    IrWalk.AddWrites(s, names);
                    IrWalk.AddStatementReads(s, names);
                    if (names.Contains(span)) return false;
                    break;
                }
            }
        }
        return true;
    }

    /// <summary>e = Base + j·Stride with Base and Stride free of j (a sum of terms, each free of j, j, or j·c / c·j).</summary>
    private static (Expr Base, Expr Stride)? Affine(Expr e, string j)
    {
        var terms = new List<Expr>();
        void Flatten(Expr x)
        {
            if (x is Binary { Op: BinaryOp.Add } b) { Flatten(b.Left); Flatten(b.Right); }
            else terms.Add(x);
        }
        Flatten(e);
        Expr? @base = null, stride = null;
        static Expr Plus(Expr? a, Expr b) => a is null ? b : new Binary(BinaryOp.Add, a, b);
        foreach (var t in terms)
        {
            if (!IrWalk.Mentions(t, j)) @base = Plus(@base, t);
            else if (t is Var v && v.Name == j) stride = Plus(stride, Lit.Int(1));
            else if (t is Binary { Op: BinaryOp.Multiply } m && m.Left is Var l && l.Name == j && !IrWalk.Mentions(m.Right, j)) stride = Plus(stride, m.Right);
            else if (t is Binary { Op: BinaryOp.Multiply } m2 && m2.Right is Var r && r.Name == j && !IrWalk.Mentions(m2.Left, j)) stride = Plus(stride, m2.Left);
            else return null;
        }
        if (stride is null) return null;
        return (@base ?? Lit.Int(0), stride);
    }
}
