using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Removes assignments to scalar locals whose value is never read (backward liveness over the structured IR).
/// Composing modes leaves such stores behind: forward-over-reverse computes the tangent of the value and of
/// every forward-sweep local, though H·v needs only the tangents the reverse sweep reads (and the reverse sweep
/// recomputes loop-local values anyway). Expressions are pure, so dropping a dead store never changes a result.
/// Parameters, the function's result, span elements, stack operations and runtime calls are always kept, except a loss
/// value or loss tangent call whose result is dead.
/// </summary>
internal static class DeadStores
{
    /// <summary>Loops nested deeper than this are analysed conservatively (every name read inside stays live).</summary>
    private const int MaxExactDepth = 6;

    public static IrFunction Apply(IrFunction function)
    {
        var pinned = new HashSet<string>(function.Parameters.Select(p => p.Name));
        var exit = new HashSet<string>(pinned);
        if (function.Result is not null)
        {
            pinned.Add(function.Result);
            exit.Add(function.Result);
        }
        var body = RemoveWriteOnlySpans(function.Body, out bool spansRemoved);
        var pass = new Pass(pinned);
        body = pass.Block(body, exit, mutate: true, depth: 0, out _);
        if (!pass.Changed && !spansRemoved) return function;
        // Declarations left with no other mention at all go too.
        body = DropUnmentionedDeclarations(body);
        return function with { Body = body };
    }

    private sealed class Pass
    {
        private readonly HashSet<string> _pinned;

        public Pass(HashSet<string> pinned) => _pinned = pinned;

        public bool Changed { get; private set; }

        /// <summary>Statements of <paramref name="block"/> given the names live after it; returns the block (rewritten when mutating).</summary>
        public Block Block(Block block, HashSet<string> liveOut, bool mutate, int depth, out HashSet<string> liveIn)
        {
            var live = new HashSet<string>(liveOut);
            var kept = mutate ? new List<Stmt>(block.Statements.Count) : null;
            bool changed = false;
            for (int k = block.Statements.Count - 1; k >= 0; k--)
            {
                var s = block.Statements[k];
                var result = Statement(s, live, mutate, depth);
                if (!ReferenceEquals(result, s)) changed = true;
                if (result is not null) kept?.Add(result);
                else if (kept is { Count: > 0 }) MoveSourceComment(s, kept);
            }
            liveIn = live;
            if (!mutate || !changed) return block;
            kept!.Reverse();
            Changed = true;
            return new Block(kept.ToEquatableArray());
        }

        /// <summary>
        /// A dropped statement that carried the user's source line hands it to the statement after it (the last one
        /// kept, as the block is walked backwards), so the generated code keeps its line comments.
        /// </summary>
        private static void MoveSourceComment(Stmt dropped, List<Stmt> kept)
        {
            var (line, source) = dropped switch
            {
                Assign a => (a.Line, a.Source),
                Declare d => (d.Line, d.Source),
                _ => (0, null),
            };
            if (source is null) return;
            kept[kept.Count - 1] = kept[kept.Count - 1] switch
            {
                Assign { Source: null } a => a with { Line = line, Source = source },
                Declare { Source: null } d => d with { Line = line, Source = source },
                var other => other,
            };
        }

        /// <summary>Updates <paramref name="live"/> from after to before <paramref name="s"/>; returns the statement to keep (null to drop).</summary>
        private Stmt? Statement(Stmt s, HashSet<string> live, bool mutate, int depth)
        {
            switch (s)
            {
                case Assign { Target: Var v } a:
                    if (!live.Contains(v.Name) && !_pinned.Contains(v.Name)) return null;
                    live.Remove(v.Name);
                    IrWalk.AddReads(a.Value, live);
                    return s;
                case Assign a:
                    IrWalk.AddReads(a.Value, live);
                    IrWalk.AddReads(((Elem)a.Target).Index, live);
                    return s;
                case Declare d:
                    bool dead = !live.Contains(d.Name) && !_pinned.Contains(d.Name);
                    live.Remove(d.Name);
                    if (dead)
                    {
                        // The local stays declared (later statements may assign it); only its value goes.
                        if (d.Init is null || d.Init is Lit) return s;
                        return d with { Init = Ex.Zero(d.Type) };
                    }
                    if (d.Init is not null) IrWalk.AddReads(d.Init, live);
                    return s;
                case DeclareSpan d:
                    IrWalk.AddReads(d.Length, live);
                    return s;
                case Push p:
                    IrWalk.AddReads(p.Value, live);
                    return s;
                case Pop p:
                    if (p.Target is Var pv) live.Remove(pv.Name);
                    else IrWalk.AddReads(((Elem)p.Target).Index, live);
                    return s;
                case RuntimeCall { Kind: RuntimeCallKind.LossValue or RuntimeCallKind.LossJvp, ResultVar: { } result } when !live.Contains(result) && !_pinned.Contains(result):
                    // A loss value or its tangent nobody reads: forward-over-reverse's tangent of the loss (H·v reads the
                    // tangents of the adjoints, not of the value). The calls only compute their result.
                    return null;
                case RuntimeCall r:
                    if (r.ResultVar is not null) live.Remove(r.ResultVar);
                    foreach (var e in r.Scalars) IrWalk.AddReads(e, live);
                    return s;
                case If i:
                {
                    var then = Block(i.Then, live, mutate, depth, out var liveThen);
                    var @else = Block(i.Else, live, mutate, depth, out var liveElse);
                    live.Clear();
                    live.UnionWith(liveThen);
                    live.UnionWith(liveElse);
                    IrWalk.AddReads(i.Condition, live);
                    return ReferenceEquals(then, i.Then) && ReferenceEquals(@else, i.Else) ? s : i with { Then = then, Else = @else };
                }
                case For f:
                {
                    // Live at the end of the body: what is live after the loop plus what the next iteration reads.
                    var header = new HashSet<string> { f.Counter };
                    IrWalk.AddReads(f.Bound, header);
                    var bodyOut = new HashSet<string>(live);
                    bodyOut.UnionWith(header);
                    if (depth >= MaxExactDepth)
                    {
                        IrWalk.AddMentions(f.Body, bodyOut);
                    }
                    else
                    {
                        for (int round = 0; round < 64; round++)
                        {
                            Block(f.Body, bodyOut, mutate: false, depth + 1, out var bodyIn);
                            int before = bodyOut.Count;
                            bodyOut.UnionWith(bodyIn);
                            if (bodyOut.Count == before) break;
                            if (round == 63) IrWalk.AddMentions(f.Body, bodyOut);
                        }
                    }
                    var body = Block(f.Body, bodyOut, mutate, depth + 1, out var liveIn);
                    // Before the loop: the body may run zero times (live after), or once at least (its live-in).
                    live.UnionWith(liveIn);
                    live.Remove(f.Counter);
                    IrWalk.AddReads(f.Start, live);
                    IrWalk.AddReads(f.Bound, live);
                    return ReferenceEquals(body, f.Body) ? s : f with { Body = body };
                }
                default:
                    return s; // ClearSpan, CopySpan, Comment
            }
        }
    }

    /// <summary>
    /// Local spans that are written but never read, and every write to them: the internal gradient of a lanes H·V
    /// helper (forward-over-reverse reads the tangents of the adjoints, never the adjoints of the inputs), and its
    /// axpy loops. A span counts as read when any expression, copy, runtime call or length mentions it; spans that
    /// are popped into stay (the value stack must balance). Loops and branches left empty go too.
    /// </summary>
    private static Block RemoveWriteOnlySpans(Block body, out bool removed)
    {
        var declared = new HashSet<string>();
        var read = new HashSet<string>();
        void Scan(Block b)
        {
            foreach (var s in b.Statements)
            {
                switch (s)
                {
                    case DeclareSpan d: declared.Add(d.Name); AddReadsWithLengths(d.Length, read); break;
                    case Declare d: if (d.Init is not null) AddReadsWithLengths(d.Init, read); break;
                    // s[i] += e reads s only to update that element: it does not make s read.
                    case Assign { Target: Elem e, Value: Binary { Op: BinaryOp.Add or BinaryOp.Subtract } bin } when bin.Left.Equals(e):
                        AddReadsWithLengths(bin.Right, read);
                        AddReadsWithLengths(e.Index, read);
                        break;
                    case Assign a: AddReadsWithLengths(a.Value, read); if (a.Target is Elem te) AddReadsWithLengths(te.Index, read); break;
                    case Push p: AddReadsWithLengths(p.Value, read); break;
                    case Pop p: read.Add(IrWalk.TargetName(p.Target)); if (p.Target is Elem pe) AddReadsWithLengths(pe.Index, read); break;
                    case CopySpan c: read.Add(c.From); read.Add(c.To); break;
                    case RuntimeCall r: foreach (var span in r.Spans) read.Add(span); foreach (var scalar in r.Scalars) AddReadsWithLengths(scalar, read); break;
                    case For f: AddReadsWithLengths(f.Start, read); AddReadsWithLengths(f.Bound, read); Scan(f.Body); break;
                    case If i: AddReadsWithLengths(i.Condition, read); Scan(i.Then); Scan(i.Else); break;
                }
            }
        }
        Scan(body);
        declared.ExceptWith(read);
        removed = declared.Count > 0;
        return removed ? Strip(body, declared) : body;
    }

    /// <summary>Reads of an expression, counting <c>span.Length</c> as a use of the span.</summary>
    private static void AddReadsWithLengths(Expr expr, HashSet<string> names)
    {
        IrWalk.AddReads(expr, names);
        void Lengths(Expr e)
        {
            switch (e)
            {
                case Len l: names.Add(l.Span); break;
                case Elem el: Lengths(el.Index); break;
                case Unary u: Lengths(u.Operand); break;
                case Binary b: Lengths(b.Left); Lengths(b.Right); break;
                case Conditional c: Lengths(c.Condition); Lengths(c.WhenTrue); Lengths(c.WhenFalse); break;
                case Call call: foreach (var a in call.Args) Lengths(a); break;
                case ToReal r: Lengths(r.Operand); break;
                case Splat sp: Lengths(sp.Operand); break;
                case LaneOf lo: Lengths(lo.Operand); break;
            }
        }
        Lengths(expr);
    }

    private static Block Strip(Block block, HashSet<string> spans)
    {
        var list = new List<Stmt>(block.Statements.Count);
        bool changed = false;
        foreach (var s in block.Statements)
        {
            switch (s)
            {
                case DeclareSpan d when spans.Contains(d.Name):
                case ClearSpan c when spans.Contains(c.Name):
                case Assign { Target: Elem e } when spans.Contains(e.Span):
                    changed = true;
                    continue;
                case For f:
                {
                    var body = Strip(f.Body, spans);
                    if (ReferenceEquals(body, f.Body)) { list.Add(f); continue; }
                    changed = true;
                    if (!body.Statements.All(x => x is Comment)) list.Add(f with { Body = body });
                    continue;
                }
                case If i:
                {
                    var then = Strip(i.Then, spans);
                    var @else = Strip(i.Else, spans);
                    if (ReferenceEquals(then, i.Then) && ReferenceEquals(@else, i.Else)) { list.Add(i); continue; }
                    changed = true;
                    if (!(then.Statements.All(x => x is Comment) && @else.Statements.All(x => x is Comment))) list.Add(i with { Then = then, Else = @else });
                    continue;
                }
                default:
                    list.Add(s);
                    continue;
            }
        }
        return changed ? new Block(list.ToEquatableArray()) : block;
    }

    /// <summary>Drops declarations (now initialised with a constant) of locals nothing else mentions.</summary>
    private static Block DropUnmentionedDeclarations(Block block)
    {
        // A declaration mentions its own name once; count mentions per name to find the lonely ones.
        var counts = new Dictionary<string, int>();
        void Count(Block b)
        {
            foreach (var s in b.Statements)
            {
                var names = new HashSet<string>();
                switch (s)
                {
                    case If i: IrWalk.AddReads(i.Condition, names); Count(i.Then); Count(i.Else); break;
                    case For f: names.Add(f.Counter); IrWalk.AddReads(f.Start, names); IrWalk.AddReads(f.Bound, names); Count(f.Body); break;
                    default: IrWalk.AddWrites(s, names); IrWalk.AddStatementReads(s, names); break;
                }
                foreach (var n in names) counts[n] = counts.TryGetValue(n, out int c) ? c + 1 : 1;
            }
        }
        Count(block);
        Block Drop(Block b)
        {
            var list = new List<Stmt>();
            bool changed = false;
            foreach (var s in b.Statements)
            {
                switch (s)
                {
                    case Declare { Init: null or Lit } d when counts.TryGetValue(d.Name, out int c) && c == 1:
                        changed = true;
                        continue;
                    case If i:
                    {
                        var t = Drop(i.Then);
                        var e = Drop(i.Else);
                        if (!ReferenceEquals(t, i.Then) || !ReferenceEquals(e, i.Else)) { changed = true; list.Add(i with { Then = t, Else = e }); }
                        else list.Add(s);
                        continue;
                    }
                    case For f:
                    {
                        var body = Drop(f.Body);
                        if (!ReferenceEquals(body, f.Body)) { changed = true; list.Add(f with { Body = body }); }
                        else list.Add(s);
                        continue;
                    }
                    default:
                        list.Add(s);
                        continue;
                }
            }
            return changed ? new Block(list.ToEquatableArray()) : b;
        }
        return Drop(block);
    }
}
