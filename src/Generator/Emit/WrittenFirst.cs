using System;
using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Emit;

/// <summary>
/// Which declared spans a member writes in full before it reads any element: they need no clearing after their
/// <c>stackalloc</c>. Every other declared span is cleared, because a project may compile with SkipLocalsInit
/// (then <c>stackalloc</c> memory is not zeroed).
/// A hidden layer <c>h[j] = Math.Tanh(a)</c>, the tangents of its values, and the primal values a lanes pass
/// restores from its tape are the usual cases.
/// </summary>
/// <remarks>
/// A span qualifies when, after its declaration and in the same block, the first statement that mentions it is a
/// loop <c>for (c = 0; c &lt; n; c++)</c> with n the declared length (the same expression, or the span's
/// <c>Length</c>), and
/// <list type="bullet">
/// <item>no statement in between writes a name the length reads, nor does the loop body (so the loop runs over
/// exactly the declared elements), and the body never writes the counter;</item>
/// <item>a statement of the loop body's own level (not inside a branch or an inner loop) assigns <c>span[c]</c>
/// from a value that does not read the span, and no statement before it in the body mentions the span;</item>
/// <item>after it, the body mentions the span only as <c>span[c]</c>, already written in this iteration, and never
/// hands the whole span to a statement (a clear, a copy, a runtime call).</item>
/// </list>
/// The IR has no <c>break</c>, <c>continue</c> or early <c>return</c>, so the loop writes every element
/// 0 … n − 1 before anything after it runs, and within it nothing reads an element not yet written.
/// In members over doubles, a loss gradient or H_ℓ·v accumulated into the whole span (its length is the output's) as
/// the first statement that mentions it qualifies too; that call is then emitted as a write
/// (<c>LossCalls.WriteGradient</c>, <c>WriteHessianVectorProduct</c>). Anything else keeps the clear.
/// </remarks>
internal sealed class WrittenFirst
{
    /// <summary>The declared spans that need no clearing.</summary>
    public HashSet<string> Spans { get; } = new(StringComparer.Ordinal);

    /// <summary>The loss calls that write their span in full as its first contribution (emitted as writes, not accumulations).</summary>
    private readonly List<RuntimeCall> _fillingCalls = new();

    /// <summary>Whether <paramref name="call"/> (this very statement) is the first write of its span.</summary>
    public bool IsFillingCall(RuntimeCall call) => _fillingCalls.Any(c => ReferenceEquals(c, call));

    /// <param name="body">The member's body.</param>
    /// <param name="lossCallsMayWrite">Whether a loss call over doubles may write its adjoint span instead of adding
    /// to it (false in batched members, whose loss calls take sample blocks).</param>
    public WrittenFirst(Block body, bool lossCallsMayWrite)
    {
        _lossCallsMayWrite = lossCallsMayWrite;
        Visit(body);
    }

    private readonly bool _lossCallsMayWrite;

    private void Visit(Block block)
    {
        var statements = block.Statements;
        for (int k = 0; k < statements.Count; k++)
        {
            switch (statements[k])
            {
                case DeclareSpan d when FilledBeforeRead(d, statements, k + 1): Spans.Add(d.Name); break;
                case For f: Visit(f.Body); break;
                case If i: Visit(i.Then); Visit(i.Else); break;
            }
        }
    }

    private bool FilledBeforeRead(DeclareSpan d, EquatableArray<Stmt> statements, int from)
    {
        var lengthReads = IrWalk.Reads(d.Length);
        for (int k = from; k < statements.Count; k++)
        {
            var s = statements[k];
            if (Mentions(s, d.Name))
            {
                if (s is For f) return Fills(f, d, lengthReads);
                if (s is RuntimeCall r && _lossCallsMayWrite && WritesAll(r, d))
                {
                    _fillingCalls.Add(r);
                    return true;
                }
                return false;
            }
            var written = new HashSet<string>(StringComparer.Ordinal);
            IrWalk.AddWrites(s, written);
            if (written.Overlaps(lengthReads)) return false;
        }
        return false;
    }

    /// <summary>Whether a statement, nested ones included, reads or writes the name.</summary>
    private static bool Mentions(Stmt s, string name)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        IrWalk.AddWrites(s, names);
        IrWalk.AddStatementReads(s, names);
        return names.Contains(name);
    }

    /// <summary>
    /// A loss gradient or H_ℓ·v accumulated into the whole of a span of doubles as long as the output, that reads the
    /// span in no other role: writing it gives the same values as adding it to zeros.
    /// </summary>
    private static bool WritesAll(RuntimeCall r, DeclareSpan d)
    {
        int into = r.Kind switch
        {
            RuntimeCallKind.LossGradientAccumulate => 2,
            RuntimeCallKind.LossHvpAccumulate => 3,
            _ => -1,
        };
        if (into < 0 || d.ElemType != IrType.Real || r.Spans[into] != d.Name) return false;
        if (d.Length is not Len { Span: var of } || of != r.Spans[0]) return false;
        for (int k = 0; k < into; k++)
        {
            if (r.Spans[k] == d.Name) return false;
        }
        return !r.Scalars.Any(x => IrWalk.Mentions(x, d.Name));
    }

    private static bool Fills(For f, DeclareSpan d, HashSet<string> lengthReads)
    {
        if (f.Start is not Lit { Value: 0 } || f.Compare != BinaryOp.Less || f.Step != 1) return false;
        bool overDeclaredLength = f.Bound.Equals(d.Length) || f.Bound is Len { Span: var of } && of == d.Name;
        if (!overDeclaredLength) return false;
        var written = IrWalk.Writes(f.Body);
        if (written.Contains(f.Counter) || written.Overlaps(lengthReads)) return false;
        var body = f.Body.Statements;
        int m = 0;
        while (m < body.Count && !Mentions(body[m], d.Name)) m++;
        if (m == body.Count) return false;
        if (!IsWriteAtCounter(body[m], d.Name, f.Counter)) return false;
        for (int k = m + 1; k < body.Count; k++)
        {
            if (!OnlyAtCounter(body[k], d.Name, f.Counter)) return false;
        }
        return true;
    }

    /// <summary><c>span[c] = value</c> with a value that does not read the span, or a pop into <c>span[c]</c>.</summary>
    private static bool IsWriteAtCounter(Stmt s, string span, string counter) => s switch
    {
        Assign { Target: Elem e } a => IsAtCounter(e, span, counter) && !IrWalk.Mentions(a.Value, span),
        Pop { Target: Elem e } => IsAtCounter(e, span, counter),
        _ => false,
    };

    private static bool IsAtCounter(Elem e, string span, string counter) =>
        e.Span == span && e.Index is Var { Name: var name } && name == counter;

    /// <summary>Whether a statement, nested ones included, mentions the span only as <c>span[c]</c>.</summary>
    private static bool OnlyAtCounter(Stmt s, string span, string counter)
    {
        bool Ok(Expr? e) => e is null || ExprOnlyAtCounter(e, span, counter);
        bool Target(Expr t) => t is Elem e && e.Span == span ? IsAtCounter(e, span, counter) : Ok(t);
        bool All(Block b) => b.Statements.All(x => OnlyAtCounter(x, span, counter));
        return s switch
        {
            Declare d => Ok(d.Init),
            DeclareSpan d => Ok(d.Length),
            Assign a => Target(a.Target) && Ok(a.Value),
            For f => Ok(f.Start) && Ok(f.Bound) && All(f.Body),
            If i => Ok(i.Condition) && All(i.Then) && All(i.Else),
            Push p => Ok(p.Value),
            Pop p => Target(p.Target),
            Comment => true,
            ClearSpan c => c.Name != span,
            CopySpan c => c.From != span && c.To != span,
            AccumulateSquare q => q.Squares != span && q.Touched != span && q.Flag != span && Ok(q.Index) && Ok(q.Value) && Ok(q.Weights),
            RuntimeCall r => !r.Spans.Contains(span) && r.Scalars.All(x => Ok(x)),
            _ => false,
        };
    }

    private static bool ExprOnlyAtCounter(Expr e, string span, string counter) => e switch
    {
        Elem el when el.Span == span => IsAtCounter(el, span, counter),
        Elem el => ExprOnlyAtCounter(el.Index, span, counter),
        Unary u => ExprOnlyAtCounter(u.Operand, span, counter),
        Binary b => ExprOnlyAtCounter(b.Left, span, counter) && ExprOnlyAtCounter(b.Right, span, counter),
        Conditional c => ExprOnlyAtCounter(c.Condition, span, counter) && ExprOnlyAtCounter(c.WhenTrue, span, counter) && ExprOnlyAtCounter(c.WhenFalse, span, counter),
        Call call => call.Args.All(a => ExprOnlyAtCounter(a, span, counter)),
        ToReal r => ExprOnlyAtCounter(r.Operand, span, counter),
        Splat sp => ExprOnlyAtCounter(sp.Operand, span, counter),
        LaneOf lo => ExprOnlyAtCounter(lo.Operand, span, counter),
        Var v => v.Name != span,
        Lit or Len => true,
        _ => false,
    };
}
