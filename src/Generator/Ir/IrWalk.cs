using System.Collections.Generic;
using System.Linq;

namespace AutoCurv.Generator.Ir;

/// <summary>Read and write sets of IR fragments (names of scalars and spans).</summary>
internal static class IrWalk
{
    /// <summary>Names an expression reads: scalar variables, spans (by name) and span lengths.</summary>
    public static HashSet<string> Reads(Expr expr)
    {
        var names = new HashSet<string>();
        AddReads(expr, names);
        return names;
    }

    public static void AddReads(Expr expr, HashSet<string> names)
    {
        switch (expr)
        {
            case Var v: names.Add(v.Name); break;
            case Elem e: names.Add(e.Span); AddReads(e.Index, names); break;
            case Len: break; // a span's length never changes: not a value read
            case Unary u: AddReads(u.Operand, names); break;
            case Binary b: AddReads(b.Left, names); AddReads(b.Right, names); break;
            case Conditional c: AddReads(c.Condition, names); AddReads(c.WhenTrue, names); AddReads(c.WhenFalse, names); break;
            case Call call: foreach (var a in call.Args) AddReads(a, names); break;
            case ToReal r: AddReads(r.Operand, names); break;
            case Splat s: AddReads(s.Operand, names); break;
            case LaneOf l: AddReads(l.Operand, names); break;
        }
    }

    /// <summary>Names of scalars and spans a block writes (spans count when any element is written).</summary>
    public static HashSet<string> Writes(Block block)
    {
        var names = new HashSet<string>();
        AddWrites(block, names);
        return names;
    }

    public static void AddWrites(Block block, HashSet<string> names)
    {
        foreach (var s in block.Statements) AddWrites(s, names);
    }

    public static void AddWrites(Stmt stmt, HashSet<string> names)
    {
        switch (stmt)
        {
            case Declare d: names.Add(d.Name); break;
            case DeclareSpan d: names.Add(d.Name); break;
            case Assign a: names.Add(TargetName(a.Target)); break;
            case Pop p: names.Add(TargetName(p.Target)); break;
            case ClearSpan c: names.Add(c.Name); break;
            case CopySpan c: names.Add(c.To); break;
            case AccumulateSquare q: names.Add(q.Squares); names.Add(q.Touched); names.Add(q.Flag); break;
            case For f: names.Add(f.Counter); AddWrites(f.Body, names); break;
            case If i: AddWrites(i.Then, names); AddWrites(i.Else, names); break;
            case RuntimeCall r:
                if (r.ResultVar is not null) names.Add(r.ResultVar);
                if (r.Kind is RuntimeCallKind.LossGradientAccumulate) names.Add(r.Spans[2]);
                if (r.Kind is RuntimeCallKind.LossHvpAccumulate) names.Add(r.Spans[3]);
                if (r.Kind is RuntimeCallKind.RecordedLossHvpAccumulate) names.Add(r.Spans[2]);
                break;
        }
    }

    public static string TargetName(Expr target) => target switch
    {
        Var v => v.Name,
        Elem e => e.Span,
        _ => throw new System.InvalidOperationException("not an assignable target: " + target),
    };

    /// <summary>
    /// For an index that is a sum of terms exactly one of which is the counter (<c>o + r*n + j</c>), the
    /// sum of the other terms (free of the counter); null for any other shape.
    /// </summary>
    public static Expr? CounterOffset(Expr index, string counter)
    {
        var terms = new List<Expr>();
        void Flatten(Expr e)
        {
            if (e is Binary { Op: BinaryOp.Add } b) { Flatten(b.Left); Flatten(b.Right); }
            else terms.Add(e);
        }
        Flatten(index);
        int at = terms.FindIndex(t => t is Var v && v.Name == counter);
        if (at < 0) return null;
        terms.RemoveAt(at);
        if (terms.Any(t => Mentions(t, counter))) return null;
        if (terms.Count == 0) return Lit.Int(0);
        Expr offset = terms[0];
        for (int i = 1; i < terms.Count; i++) offset = new Binary(BinaryOp.Add, offset, terms[i]);
        return offset;
    }

    /// <summary>True when the expression calls a function anywhere (an intrinsic or a user function).</summary>
    public static bool ContainsCall(Expr e) => e switch
    {
        Call => true,
        Unary u => ContainsCall(u.Operand),
        Binary b => ContainsCall(b.Left) || ContainsCall(b.Right),
        Conditional c => ContainsCall(c.Condition) || ContainsCall(c.WhenTrue) || ContainsCall(c.WhenFalse),
        Elem el => ContainsCall(el.Index),
        ToReal r => ContainsCall(r.Operand),
        Splat sp => ContainsCall(sp.Operand),
        LaneOf l => ContainsCall(l.Operand),
        _ => false,
    };

    /// <summary>True when the expression mentions the named scalar or span.</summary>
    public static bool Mentions(Expr expr, string name) => Reads(expr).Contains(name);

    /// <summary>
    /// Names a statement reads, nested statements included: scalars and spans in its expressions and indices, the
    /// spans of span-wide statements and runtime calls, and the target of a pop (restored in place).
    /// </summary>
    public static void AddStatementReads(Stmt s, HashSet<string> names)
    {
        switch (s)
        {
            case Declare d: if (d.Init is not null) AddReads(d.Init, names); break;
            case DeclareSpan d: AddReads(d.Length, names); break;
            case Assign a: AddReads(a.Value, names); if (a.Target is Elem e) AddReads(e.Index, names); break;
            case For f:
                AddReads(f.Start, names);
                AddReads(f.Bound, names);
                foreach (var b in f.Body.Statements) AddStatementReads(b, names);
                break;
            case If i:
                AddReads(i.Condition, names);
                foreach (var b in i.Then.Statements) AddStatementReads(b, names);
                foreach (var b in i.Else.Statements) AddStatementReads(b, names);
                break;
            case Push p: AddReads(p.Value, names); break;
            case Pop p: if (p.Target is Elem pe) AddReads(pe.Index, names); names.Add(TargetName(p.Target)); break;
            case ClearSpan c: names.Add(c.Name); break;
            case CopySpan c: names.Add(c.From); names.Add(c.To); break;
            case AccumulateSquare q:
                AddReads(q.Index, names);
                AddReads(q.Value, names);
                AddReads(q.Weights, names);
                names.Add(q.Squares);
                names.Add(q.Touched);
                names.Add(q.Flag);
                break;
            case RuntimeCall r:
                foreach (var span in r.Spans) names.Add(span);
                foreach (var scalar in r.Scalars) AddReads(scalar, names);
                break;
        }
    }

    /// <summary>Every name a block reads or writes, nested statements included.</summary>
    public static void AddMentions(Block block, HashSet<string> names)
    {
        foreach (var s in block.Statements)
        {
            AddWrites(s, names);
            AddStatementReads(s, names);
        }
    }
}
