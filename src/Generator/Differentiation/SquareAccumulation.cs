using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// The exact GGN diagonal needs, per parameter element i, Σ_l σ_l g_l[i]² of the lanes VJP g = Jᵀ U. When every
/// element of a parameter adjoint receives at most one contribution c in the reverse sweep, g_l[i] = c_l and the
/// square can be added where the contribution is made: no n × lanes gradient has to be cleared, filled and read
/// back. This pass rewrites the lanes VJP into that form: each accumulation <c>g[i] += c</c> into a lanes span
/// adjoint becomes an <see cref="AccumulateSquare"/> into a real span of squares, which also marks element i in a
/// bitmap and clears a flag when i was marked already in this sweep. The property is checked at run time, not
/// proven: a weight read twice, layers sharing weights, indices that overlap for some inputs all clear the flag,
/// and the driver then discards the squares and takes the lanes-gradient path (exact in every case).
/// </summary>
internal static class SquareAccumulation
{
    /// <summary>The span adjoints to rewrite: lanes span → its squares span and bitmap.</summary>
    internal sealed record Target(string Squares, string Touched);

    /// <summary>
    /// The rewritten body, or null when a span adjoint is used otherwise than cleared (the clear becomes the
    /// bitmap's) or accumulated into, with a contribution and an index that do not read any of them.
    /// </summary>
    public static Block? Rewrite(Block body, IReadOnlyDictionary<string, Target> targets, Expr weights, string flag)
    {
        var rewritten = RewriteBlock(body, targets, weights, flag);
        if (rewritten is null) return null;
        var statements = new List<Stmt> { new Assign(new Var(flag, IrType.Bool), new Lit(1, IrType.Bool)) };
        statements.AddRange(rewritten.Statements);
        return new Block(statements.ToEquatableArray());
    }

    private static Block? RewriteBlock(Block block, IReadOnlyDictionary<string, Target> targets, Expr weights, string flag)
    {
        var statements = new List<Stmt>();
        foreach (var s in block.Statements)
        {
            var r = RewriteStatement(s, targets, weights, flag);
            if (r is null) return null;
            statements.Add(r);
        }
        return new Block(statements.ToEquatableArray());
    }

    private static Stmt? RewriteStatement(Stmt s, IReadOnlyDictionary<string, Target> targets, Expr weights, string flag)
    {
        bool Mentions(Expr e) => IrWalk.Reads(e).Overlaps(targets.Keys);
        switch (s)
        {
            case ClearSpan c when targets.TryGetValue(c.Name, out var cleared):
                return new ClearSpan(cleared.Touched);
            case Assign { Target: Elem e, Value: Binary { Op: BinaryOp.Add or BinaryOp.Subtract } sum } when targets.TryGetValue(e.Span, out var target):
                // g[i] -= c contributes −c: the same square.
                if (!sum.Left.Equals(e) || Mentions(sum.Right) || Mentions(e.Index)) return null;
                return new AccumulateSquare(target.Squares, e.Index, sum.Right, weights, target.Touched, flag);
            case For f:
            {
                if (Mentions(f.Start) || Mentions(f.Bound)) return null;
                var body = RewriteBlock(f.Body, targets, weights, flag);
                return body is null ? null : f with { Body = body };
            }
            case If i:
            {
                if (Mentions(i.Condition)) return null;
                var then = RewriteBlock(i.Then, targets, weights, flag);
                var @else = RewriteBlock(i.Else, targets, weights, flag);
                return then is null || @else is null ? null : i with { Then = then, Else = @else };
            }
            default:
            {
                var names = new HashSet<string>();
                IrWalk.AddWrites(s, names);
                IrWalk.AddStatementReads(s, names);
                return names.Overlaps(targets.Keys) ? null : s;
            }
        }
    }
}
