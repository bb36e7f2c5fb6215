using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Reverse mode as an IR → IR transformation. The forward sweep runs the program, recording on a value
/// stack only the values the reverse sweep will need after they are overwritten (a "to be recorded"
/// dataflow analysis); the reverse sweep visits the statements backwards, restoring recorded values at
/// their mirror points and accumulating adjoints. Loops run their counters backwards; branches are
/// re-evaluated when their condition cannot have changed, recorded otherwise.
/// </summary>
internal sealed class AdjointTransform
{
    private readonly HashSet<string> _varied;
    private readonly IReadOnlyDictionary<string, string> _names;
    private readonly HashSet<string> _primalNames;
    private readonly Dictionary<Stmt, bool> _push = new(ReferenceComparer.Instance);
    private readonly HashSet<Stmt> _recordedIfs = new(ReferenceComparer.Instance);
    private readonly HashSet<Stmt> _writeOnce = new(ReferenceComparer.Instance);
    private readonly HashSet<Stmt> _recompute = new(ReferenceComparer.Instance);
    private readonly List<string> _counters = new();
    private HashSet<string> _readOnly = new();
    private int _loopDepth;
    private int _temps;

    /// <param name="varied">Varied names (from <see cref="Activity"/>).</param>
    /// <param name="names">Adjoint names fixed by the caller (gradient parameters, seeded output).</param>
    /// <param name="primalNames">Every name of the primal program (parameters, locals, spans, counters).</param>
    /// <param name="lanes">Vector mode: adjoints carry several cotangents at once.</param>
    /// <param name="secondOrderNames">With <paramref name="beckerLeCun"/>: names of second-order adjoints fixed by the caller.</param>
    /// <param name="beckerLeCun">Also propagate Becker–LeCun diagonal second-order adjoints ū₂ (see <see cref="AccumulateDiagonal"/>).</param>
    public AdjointTransform(HashSet<string> varied, IReadOnlyDictionary<string, string> names, HashSet<string> primalNames, bool lanes,
        bool beckerLeCun = false, IReadOnlyDictionary<string, string>? secondOrderNames = null, RuleSet? rules = null)
    {
        _rules = rules ?? RuleSet.Empty;
        _varied = varied;
        _names = names;
        _primalNames = primalNames;
        Lanes = lanes;
        BeckerLeCun = beckerLeCun;
        _secondNames = secondOrderNames ?? new Dictionary<string, string>();
    }

    private readonly IReadOnlyDictionary<string, string> _secondNames;
    private readonly RuleSet _rules;

    /// <summary>Whether diagonal second-order adjoints are propagated.</summary>
    public bool BeckerLeCun { get; }

    public static string DefaultSecondName(string name) => "_d2_" + name;

    public string SecondNameOf(string name) => _secondNames.TryGetValue(name, out var n) ? n : DefaultSecondName(name);

    public bool Lanes { get; }

    public IrType AdjointType => Lanes ? IrType.Lanes : IrType.Real;

    /// <summary>Adjoint names: <c>_d_</c> + name; injective because user names never start with '_' (AC0019).</summary>
    public static string DefaultName(string name) => "_d_" + name;

    public string NameOf(string name) => _names.TryGetValue(name, out var n) ? n : DefaultName(name);

    private bool IsVaried(string name) => _varied.Contains(name);

    private bool IsActive(Expr e) => e.Type == IrType.Real && IrWalk.Reads(e).Any(IsVaried);

    /// <summary>The result of differentiating a body.</summary>
    /// <param name="Declarations">Hoisted primal locals and adjoint scalars, to put before the forward sweep.</param>
    /// <param name="Forward">The forward sweep (with recording and adjoint span declarations).</param>
    /// <param name="Reverse">The reverse sweep.</param>
    public sealed record Result(Block Declarations, Block Forward, Block Reverse);

    public Result Transform(Block body, IEnumerable<string> variedScalarParameters)
    {
        var declarations = new List<Stmt>();
        var seen = new HashSet<string>();
        var hoisted = Hoist(body, declarations, seen);
        var adjointScalars = variedScalarParameters.ToList();
        foreach (var d in declarations.OfType<Declare>().ToList())
        {
            if (d.Type == IrType.Real && IsVaried(d.Name) && !adjointScalars.Contains(d.Name)) adjointScalars.Add(d.Name);
        }
        foreach (var name in adjointScalars)
        {
            declarations.Add(new Declare(NameOf(name), AdjointType, Ex.Zero(AdjointType)));
            if (BeckerLeCun) declarations.Add(new Declare(SecondNameOf(name), AdjointType, Ex.Zero(AdjointType)));
        }
        _readOnly = new HashSet<string>(_primalNames);
        _readOnly.ExceptWith(IrWalk.Writes(hoisted));
        Analyze(hoisted, new HashSet<string>(), record: true);
        var forward = Forward(hoisted);
        var reverse = Reverse(hoisted);
        return new Result(new Block(declarations.ToEquatableArray()), forward, reverse);
    }

    // ---------------------------------------------------------------- hoisting

    /// <summary>
    /// Moves every scalar declaration to method scope (the reverse sweep reads locals that the forward
    /// sweep declared inside loops); an initialised declaration becomes an assignment in place.
    /// </summary>
    private static Block Hoist(Block block, List<Stmt> declarations, HashSet<string> seen)
    {
        var output = new List<Stmt>();
        foreach (var s in block.Statements)
        {
            switch (s)
            {
                case Declare d:
                    if (seen.Add(d.Name)) declarations.Add(new Declare(d.Name, d.Type, d.Type == IrType.Bool ? new Lit(0, IrType.Bool) : new Lit(0, d.Type)));
                    if (d.Init is not null) output.Add(new Assign(new Var(d.Name, d.Type), d.Init, d.Line, d.Source));
                    break;
                case For f:
                    output.Add(f with { Body = Hoist(f.Body, declarations, seen) });
                    break;
                case If i:
                    output.Add(i with { Then = Hoist(i.Then, declarations, seen), Else = Hoist(i.Else, declarations, seen) });
                    break;
                default:
                    output.Add(s);
                    break;
            }
        }
        return new Block(output.ToEquatableArray());
    }

    // ---------------------------------------------------------------- what to record

    /// <summary>
    /// Forward dataflow over "reverse-live" names: a name is reverse-live at a point when the reverse code
    /// of some earlier statement reads it and no write came in between. An assignment records the old
    /// value of its target exactly when the target is reverse-live before it (or its own reverse code
    /// reads the old value). Spans are tracked as a whole: an element write never ends liveness.
    /// </summary>
    private HashSet<string> Analyze(Block block, HashSet<string> live, bool record)
    {
        foreach (var s in block.Statements) live = Analyze(s, live, record);
        return live;
    }

    private HashSet<string> Analyze(Stmt s, HashSet<string> live, bool record)
    {
        switch (s)
        {
            case Assign a:
            {
                string target = IrWalk.TargetName(a.Target);
                var reads = ReverseReads(a);
                bool overwritesOwnInput = IrWalk.Mentions(a.Value, target) && !IsIncrement(a, out _, out _);
                bool push = (live.Contains(target) || (overwritesOwnInput && reads.Contains(target))) && !_writeOnce.Contains(a) && !_recompute.Contains(a);
                if (record) _push[a] = push;
                var result = new HashSet<string>(live);
                if (a.Target is Var)
                {
                    if (overwritesOwnInput)
                    {
                        result.UnionWith(reads);
                        if (!ReusesValue(a)) result.Remove(target);
                    }
                    else { result.Remove(target); result.UnionWith(reads); }
                }
                else result.UnionWith(reads);
                return result;
            }
            case For f:
            {
                if (_loopDepth == 0) _writeOnce.UnionWith(WriteOnceAssignments(f, live));
                _counters.Add(f.Counter);
                if (record) _recompute.UnionWith(RecomputableAssignments(f, live));
                _loopDepth++;
                var head = new HashSet<string>(live);
                for (int iteration = 0; iteration < 64; iteration++)
                {
                    var end = Analyze(f.Body, new HashSet<string>(head), record: false);
                    end.UnionWith(live);
                    if (end.SetEquals(head)) break;
                    head = end;
                }
                Analyze(f.Body, new HashSet<string>(head), record);
                _loopDepth--;
                _counters.RemoveAt(_counters.Count - 1);
                var result = new HashSet<string>(head);
                IrWalk.AddReads(f.Start, result);
                IrWalk.AddReads(f.Bound, result);
                return result;
            }
            case If i:
            {
                var condition = IrWalk.Reads(i.Condition);
                var writes = IrWalk.Writes(i.Then);
                IrWalk.AddWrites(i.Else, writes);
                bool recordDecision = condition.Any(writes.Contains);
                if (record && recordDecision) _recordedIfs.Add(i);
                var result = Analyze(i.Then, new HashSet<string>(live), record);
                result.UnionWith(Analyze(i.Else, new HashSet<string>(live), record));
                if (!recordDecision) result.UnionWith(condition);
                return result;
            }
            case RuntimeCall r:
            {
                var result = new HashSet<string>(live);
                if (r.ResultVar is not null) result.Remove(r.ResultVar);
                result.Add(r.Spans[0]);
                result.Add(r.Spans[1]);
                return result;
            }
            default:
                return live;
        }
    }

    /// <summary>
    /// Element writes <c>a[i] = …</c> directly in a loop that runs once (not nested), indexed by its own
    /// counter, the only writes of <c>a</c> in the loop, with no earlier reverse read of <c>a</c> and only
    /// later reads of the same element: every element is written once, so its old value is never needed.
    /// (Span liveness is tracked per span, which would otherwise record each element.)
    /// </summary>
    private IEnumerable<Stmt> WriteOnceAssignments(For f, HashSet<string> live)
    {
        var counter = new Var(f.Counter, IrType.Int);
        var statements = f.Body.Statements;
        for (int k = 0; k < statements.Count; k++)
        {
            if (statements[k] is not Assign { Target: Elem target } a || !IsCounterPlusInvariant(target.Index, counter, f.Body)) continue;
            string span = target.Span;
            if (live.Contains(span) || IrWalk.Mentions(a.Value, span)) continue;
            var writes = new List<string>();
            CollectWriteSites(f.Body, span, writes);
            if (writes.Count != 1) continue;
            bool ok = true;
            for (int j = 0; j < statements.Count && ok; j++)
            {
                if (j == k) continue;
                var elements = new List<Elem>();
                CollectElements(statements[j], span, elements);
                if (elements.Count == 0) continue;
                ok = j > k && elements.All(e => e.Index == target.Index);
            }
            if (ok) yield return a;
        }
    }

    /// <summary>An index <c>j</c> or <c>o + j</c> with o not written in the loop body.</summary>
    private static bool IsCounterPlusInvariant(Expr index, Var counter, Block body)
    {
        var offset = IrWalk.CounterOffset(index, counter.Name);
        if (offset is null) return false;
        var written = IrWalk.Writes(body);
        return !IrWalk.Reads(offset).Any(written.Contains);
    }

    private static void CollectWriteSites(Block block, string span, List<string> sites)
    {
        foreach (var s in block.Statements)
        {
            switch (s)
            {
                case Assign a when IrWalk.TargetName(a.Target) == span: sites.Add(span); break;
                case For f: CollectWriteSites(f.Body, span, sites); break;
                case If i: CollectWriteSites(i.Then, span, sites); CollectWriteSites(i.Else, span, sites); break;
                case ClearSpan c when c.Name == span: sites.Add(span); sites.Add(span); break;
                case CopySpan c when c.To == span: sites.Add(span); sites.Add(span); break;
            }
        }
    }

    private static void CollectElements(Stmt s, string span, List<Elem> elements)
    {
        void FromExpr(Expr e)
        {
            switch (e)
            {
                case Elem el:
                    if (el.Span == span) elements.Add(el);
                    FromExpr(el.Index);
                    break;
                case Unary u: FromExpr(u.Operand); break;
                case Binary b: FromExpr(b.Left); FromExpr(b.Right); break;
                case Conditional c: FromExpr(c.Condition); FromExpr(c.WhenTrue); FromExpr(c.WhenFalse); break;
                case Call call: foreach (var x in call.Args) FromExpr(x); break;
                case ToReal r: FromExpr(r.Operand); break;
            }
        }
        switch (s)
        {
            case Assign a: FromExpr(a.Target); FromExpr(a.Value); break;
            case For f:
                FromExpr(f.Start);
                FromExpr(f.Bound);
                foreach (var inner in f.Body.Statements) CollectElements(inner, span, elements);
                break;
            case If i:
                FromExpr(i.Condition);
                foreach (var inner in i.Then.Statements) CollectElements(inner, span, elements);
                foreach (var inner in i.Else.Statements) CollectElements(inner, span, elements);
                break;
            case RuntimeCall r when r.Spans.Contains(span):
                elements.Add(new Elem(span, Lit.Int(-1), IrType.Real));
                break;
        }
    }

    /// <summary>
    /// Loop-local values recomputed at the start of each reverse iteration instead of recorded: an
    /// assignment at the top level of the loop body, the only write of its target there, computing with
    /// arithmetic only (no calls) from loop counters, inputs the program never writes and earlier such
    /// values, its target neither read earlier in the body nor needed by reverse code before the loop.
    /// (Rosenbrock's <c>a = x[i+1] − x[i]²</c>: recomputing is cheaper than a push and a pop.)
    /// </summary>
    private IEnumerable<Stmt> RecomputableAssignments(For f, HashSet<string> live)
    {
        var allowed = new HashSet<string>(_readOnly);
        allowed.UnionWith(_counters);
        var statements = f.Body.Statements;
        var readBefore = new HashSet<string>();
        var found = new List<Stmt>();
        for (int k = 0; k < statements.Count; k++)
        {
            var s = statements[k];
            if (s is Assign { Target: Var v } a && !live.Contains(v.Name) && !readBefore.Contains(v.Name)
                && !IrWalk.ContainsCall(a.Value) && IrWalk.Reads(a.Value).All(allowed.Contains)
                && statements.Count(t => t is not Comment && IrWalk.Writes(new Block(new[] { t }.ToEquatableArray())).Contains(v.Name)) == 1)
            {
                found.Add(a);
                allowed.Add(v.Name);
            }
            if (s is Assign asg) IrWalk.AddReads(asg.Value, readBefore);
            else CollectAllReads(s, readBefore);
        }
        return found;
    }

    private static void CollectAllReads(Stmt s, HashSet<string> reads)
    {
        switch (s)
        {
            case Assign a: IrWalk.AddReads(a.Value, reads); if (a.Target is Elem e) IrWalk.AddReads(e.Index, reads); break;
            case For f:
                IrWalk.AddReads(f.Start, reads);
                IrWalk.AddReads(f.Bound, reads);
                foreach (var inner in f.Body.Statements) CollectAllReads(inner, reads);
                break;
            case If i:
                IrWalk.AddReads(i.Condition, reads);
                foreach (var inner in i.Then.Statements) CollectAllReads(inner, reads);
                foreach (var inner in i.Else.Statements) CollectAllReads(inner, reads);
                break;
            case RuntimeCall r: foreach (var span in r.Spans) reads.Add(span); break;
        }
    }

    /// <summary>An assignment of an intrinsic whose derivative reads only the intrinsic's value.</summary>
    private static bool ReusesValue(Assign a) => a.Value is Call { Function: not Fn.User } call && call.Args.Count == 1 && Rules.UsesOnlyValue(call.Function);

    /// <summary>Primal names the reverse code of an assignment reads (found by generating it).</summary>
    private HashSet<string> ReverseReads(Assign a)
    {
        var saved = _temps;
        var code = ReverseAssign(a, pushed: false);
        _temps = saved;
        var reads = new HashSet<string>();
        CollectReads(code, reads);
        if (a.Target is Elem e) IrWalk.AddReads(e.Index, reads);
        reads.IntersectWith(_primalNames);
        return reads;
    }

    private static void CollectReads(IEnumerable<Stmt> statements, HashSet<string> reads)
    {
        foreach (var s in statements)
        {
            switch (s)
            {
                case Assign a:
                    IrWalk.AddReads(a.Value, reads);
                    if (a.Target is Elem e) IrWalk.AddReads(e.Index, reads);
                    break;
                case Declare { Init: { } init }: IrWalk.AddReads(init, reads); break;
                case If i:
                    IrWalk.AddReads(i.Condition, reads);
                    CollectReads(i.Then.Statements, reads);
                    CollectReads(i.Else.Statements, reads);
                    break;
                case Pop p when p.Target is Elem pe: IrWalk.AddReads(pe.Index, reads); break;
            }
        }
    }

    // ---------------------------------------------------------------- forward sweep

    private Block Forward(Block block)
    {
        var output = new List<Stmt>();
        foreach (var s in block.Statements)
        {
            switch (s)
            {
                case Assign a:
                    if (_push.TryGetValue(a, out var push) && push) output.Add(new Push(a.Target));
                    output.Add(a);
                    break;
                case For f:
                    output.Add(f with { Body = Forward(f.Body) });
                    break;
                case If i:
                    if (_recordedIfs.Contains(i))
                    {
                        // The decision is recorded at the END of each branch, so that it is on top of the
                        // stack when the reverse sweep reaches the if, above anything the branch recorded.
                        var thenBlock = Forward(i.Then).Statements.Concat(new Stmt[] { new Push(Lit.Int(1)) });
                        var elseBlock = Forward(i.Else).Statements.Concat(new Stmt[] { new Push(Lit.Int(0)) });
                        output.Add(i with { Then = new Block(thenBlock.ToEquatableArray()), Else = new Block(elseBlock.ToEquatableArray()) });
                    }
                    else output.Add(i with { Then = Forward(i.Then), Else = Forward(i.Else) });
                    break;
                case DeclareSpan d:
                    output.Add(d);
                    if (IsVaried(d.Name)) output.Add(new DeclareSpan(NameOf(d.Name), AdjointType, d.Length));
                    if (IsVaried(d.Name) && BeckerLeCun) output.Add(new DeclareSpan(SecondNameOf(d.Name), AdjointType, d.Length));
                    break;
                default:
                    output.Add(s);
                    break;
            }
        }
        return new Block(output.ToEquatableArray());
    }

    // ---------------------------------------------------------------- reverse sweep

    private Block Reverse(Block block)
    {
        var output = new List<Stmt>();
        for (int k = block.Statements.Count - 1; k >= 0; k--)
        {
            var s = block.Statements[k];
            switch (s)
            {
                case Assign a:
                {
                    var code = ReverseAssign(a, _push.TryGetValue(a, out var p) && p);
                    if (code.Count > 0 && a.Source is not null) output.Add(new Comment($"line {a.Line}: {a.Source}"));
                    output.AddRange(code);
                    break;
                }
                case For f:
                {
                    var body = Reverse(f.Body);
                    if (body.Statements.Count == 0) break;
                    var recomputed = f.Body.Statements.Where(_recompute.Contains).ToList();
                    if (recomputed.Count > 0)
                    {
                        var withRecompute = new List<Stmt> { new Comment("recompute this iteration's loop-local values") };
                        withRecompute.AddRange(recomputed.Cast<Assign>().Select(a => a with { Line = 0, Source = null }));
                        withRecompute.AddRange(body.Statements);
                        body = new Block(withRecompute.ToEquatableArray());
                    }
                    if (f.Source is not null) output.Add(new Comment($"line {f.Line}: {f.Source}, reversed"));
                    output.Add(new For(f.Counter, LastIteration(f), f.Step > 0 ? BinaryOp.GreaterOrEqual : BinaryOp.LessOrEqual, f.Start, -f.Step, body));
                    break;
                }
                case If i:
                {
                    var thenBlock = Reverse(i.Then);
                    var elseBlock = Reverse(i.Else);
                    bool recorded = _recordedIfs.Contains(i);
                    if (thenBlock.Statements.Count == 0 && elseBlock.Statements.Count == 0 && !recorded) break;
                    if (i.Source is not null) output.Add(new Comment($"line {i.Line}: if ({i.Source})"));
                    var condition = i.Condition;
                    if (recorded)
                    {
                        string branch = "_b" + (++_temps);
                        output.Add(new Declare(branch, IrType.Int, Lit.Int(0)));
                        output.Add(new Pop(new Var(branch, IrType.Int)));
                        condition = new Binary(BinaryOp.NotEqual, new Var(branch, IrType.Int), Lit.Int(0));
                    }
                    output.Add(new If(condition, thenBlock, elseBlock));
                    break;
                }
                case RuntimeCall { Kind: RuntimeCallKind.LossValue, ResultVar: { } result } r when IsVaried(result):
                {
                    var adjoint = new Var(NameOf(result), AdjointType);
                    output.Add(new RuntimeCall(RuntimeCallKind.LossGradientAccumulate,
                        new[] { r.Spans[0], r.Spans[1], NameOf(r.Spans[0]) }.ToEquatableArray(), new Expr[] { adjoint }.ToEquatableArray(), null));
                    output.Add(new Assign(adjoint, Ex.Zero(AdjointType)));
                    break;
                }
            }
        }
        return new Block(output.ToEquatableArray());
    }

    /// <summary>The counter's value in the last iteration (or one step before the start when there is none).</summary>
    private static Expr LastIteration(For f)
    {
        Expr Int(int v) => Lit.Int(v);
        Expr Sub(Expr a, Expr b) => b is Lit { Value: 0 } ? a : new Binary(BinaryOp.Subtract, a, b);
        Expr Add(Expr a, Expr b) => b is Lit { Value: 0 } ? a : new Binary(BinaryOp.Add, a, b);
        int step = Math.Abs(f.Step);
        if (step == 1)
        {
            return f.Compare switch
            {
                BinaryOp.Less => Sub(f.Bound, Int(1)),
                BinaryOp.Greater => Add(f.Bound, Int(1)),
                _ => f.Bound,
            };
        }
        // Increasing: start + ((bound' - start) / step) * step with bound' the last admissible value.
        bool up = f.Step > 0;
        Expr lastAdmissible = f.Compare switch
        {
            BinaryOp.Less => Sub(f.Bound, Int(1)),
            BinaryOp.Greater => Add(f.Bound, Int(1)),
            _ => f.Bound,
        };
        Expr distance = up ? Sub(lastAdmissible, f.Start) : Sub(f.Start, lastAdmissible);
        Expr span = new Binary(BinaryOp.Multiply, new Binary(BinaryOp.Divide, distance, Int(step)), Int(step));
        Expr last = up ? Add(f.Start, span) : Sub(f.Start, span);
        Expr runs = new Binary(up ? BinaryOp.GreaterOrEqual : BinaryOp.LessOrEqual, lastAdmissible, f.Start);
        return new Conditional(runs, last, up ? Sub(f.Start, Int(step)) : Add(f.Start, Int(step)));
    }

    private bool IsIncrement(Assign a, out Expr rest, out bool negate)
    {
        rest = a.Value;
        negate = false;
        if (a.Value is Binary { Op: BinaryOp.Add or BinaryOp.Subtract } b && b.Left == a.Target && !IrWalk.Mentions(b.Right, IrWalk.TargetName(a.Target)))
        {
            rest = b.Right;
            negate = b.Op == BinaryOp.Subtract;
            return true;
        }
        return false;
    }

    private Expr AdjointOf(Expr target) => target switch
    {
        Var v => new Var(NameOf(v.Name), AdjointType),
        Elem e => new Elem(NameOf(e.Span), e.Index, AdjointType),
        _ => throw new InvalidOperationException("not a target"),
    };

    /// <summary>The reverse code of one assignment: propagate its adjoint to its operands, then restore.</summary>
    private List<Stmt> ReverseAssign(Assign a, bool pushed)
    {
        var code = new List<Stmt>();
        string target = IrWalk.TargetName(a.Target);
        if (a.Target.Type != IrType.Real || !IsVaried(target))
        {
            if (pushed) code.Add(new Pop(a.Target));
            return code;
        }
        var adjoint = AdjointOf(a.Target);
        if (BeckerLeCun) return ReverseAssignDiagonal(a, pushed, adjoint);
        if (!IsActive(a.Value))
        {
            code.Add(new Assign(adjoint, Ex.Zero(AdjointType)));
            if (pushed) code.Add(new Pop(a.Target));
            return code;
        }
        if (IsIncrement(a, out var rest, out bool negate))
        {
            // t = t ± r: the adjoint of t passes through unchanged; r receives ± it.
            Accumulate(rest, negate ? Ex.Neg(adjoint) : adjoint, null, code);
            if (pushed) code.Add(new Pop(a.Target));
            return code;
        }
        if (!IrWalk.Mentions(a.Value, target))
        {
            // The target's value (after the assignment) is what an intrinsic's rule reuses.
            Accumulate(a.Value, adjoint, a.Value is Call ? a.Target : null, code);
            code.Add(new Assign(adjoint, Ex.Zero(AdjointType)));
            if (pushed) code.Add(new Pop(a.Target));
            return code;
        }
        // General case: the right-hand side reads the target's old value.
        string g = "_g" + (++_temps);
        code.Add(new Declare(g, AdjointType, adjoint));
        code.Add(new Assign(adjoint, Ex.Zero(AdjointType)));
        if (ReusesValue(a))
        {
            // h = tanh(a·h + x): the rule needs the new h, the argument's partials the old one.
            var call = (Call)a.Value;
            string inner = "_g" + (++_temps);
            code.Add(new Declare(inner, AdjointType, Ex.Mul(new Var(g, AdjointType), Rules.Partial(call, 0, a.Target, _rules))));
            if (pushed) code.Add(new Pop(a.Target));
            Accumulate(call.Args[0], new Var(inner, AdjointType), null, code);
            return code;
        }
        if (pushed) code.Add(new Pop(a.Target));
        Accumulate(a.Value, new Var(g, AdjointType), null, code);
        return code;
    }

    private Expr SecondAdjointOf(Expr target) => target switch
    {
        Var v => new Var(SecondNameOf(v.Name), AdjointType),
        Elem e => new Elem(SecondNameOf(e.Span), e.Index, AdjointType),
        _ => throw new InvalidOperationException("not a target"),
    };

    /// <summary>Reverse code of an assignment with Becker–LeCun second-order adjoints.</summary>
    private List<Stmt> ReverseAssignDiagonal(Assign a, bool pushed, Expr adjoint)
    {
        var code = new List<Stmt>();
        var second = SecondAdjointOf(a.Target);
        if (!IsActive(a.Value))
        {
            code.Add(new Assign(adjoint, Ex.Zero(AdjointType)));
            code.Add(new Assign(second, Ex.Zero(AdjointType)));
            if (pushed) code.Add(new Pop(a.Target));
            return code;
        }
        if (IsIncrement(a, out var rest, out bool negate))
        {
            AccumulateDiagonal(rest, Ex.Real(negate ? -1 : 1), Lit.Zero, adjoint, second, null, code);
            if (pushed) code.Add(new Pop(a.Target));
            return code;
        }
        if (!IrWalk.Mentions(a.Value, IrWalk.TargetName(a.Target)))
        {
            AccumulateDiagonal(a.Value, Ex.Real(1), Lit.Zero, adjoint, second, a.Value is Call ? a.Target : null, code);
            code.Add(new Assign(adjoint, Ex.Zero(AdjointType)));
            code.Add(new Assign(second, Ex.Zero(AdjointType)));
            if (pushed) code.Add(new Pop(a.Target));
            return code;
        }
        string g = "_g" + (++_temps);
        string g2 = "_g" + (++_temps);
        code.Add(new Declare(g, AdjointType, adjoint));
        code.Add(new Declare(g2, AdjointType, second));
        code.Add(new Assign(adjoint, Ex.Zero(AdjointType)));
        code.Add(new Assign(second, Ex.Zero(AdjointType)));
        if (pushed) code.Add(new Pop(a.Target));
        AccumulateDiagonal(a.Value, Ex.Real(1), Lit.Zero, new Var(g, AdjointType), new Var(g2, AdjointType), null, code);
        return code;
    }

    private Expr Bind(Expr e, List<Stmt> code)
    {
        if (Ex.IsSimple(e)) return e;
        string temp = "_g" + (++_temps);
        code.Add(new Declare(temp, IrType.Real, e));
        return new Var(temp, IrType.Real);
    }

    /// <summary>
    /// Becker–LeCun: for a leaf u reached from the target t along one path with ∂t/∂u = J and
    /// ∂²t/∂u² = K (second derivatives along that path only), ū += J t̄ and ū₂ += J² t̄₂ + K t̄.
    /// Cross terms between different paths to the same input (x·x written as a product, an input
    /// used by two statements) are dropped: exact when every input reaches the result along one path.
    /// </summary>
    private void AccumulateDiagonal(Expr e, Expr j, Expr k, Expr bar, Expr bar2, Expr? value, List<Stmt> code)
    {
        if (!IsActive(e)) return;
        if (ActiveLeaves(e) > 1)
        {
            j = Bind(j, code);
            k = Bind(k, code);
        }
        void Child(Expr child, Expr p, Expr q, Expr? childValue = null)
        {
            // J' = J·p, K' = K·p² + J·q
            var jc = Ex.Mul(j, p);
            var kc = Ex.Add(Ex.Mul(k, Ex.Mul(p, p)), Ex.Mul(j, q));
            AccumulateDiagonal(child, jc, kc, bar, bar2, childValue, code);
        }
        switch (e)
        {
            case Var or Elem:
            {
                var adjoint = AdjointOf(e);
                var second = SecondAdjointOf(e);
                code.Add(new Assign(adjoint, Ex.Add(adjoint, Ex.Mul(bar, j))));
                code.Add(new Assign(second, Ex.Add(second, Ex.Add(Ex.Mul(bar2, Ex.Mul(j, j)), Ex.Mul(bar, k)))));
                break;
            }
            case Unary { Op: UnaryOp.Negate } u:
                Child(u.Operand, Ex.Real(-1), Lit.Zero);
                break;
            case Binary b:
                switch (b.Op)
                {
                    case BinaryOp.Add: Child(b.Left, Ex.Real(1), Lit.Zero); Child(b.Right, Ex.Real(1), Lit.Zero); break;
                    case BinaryOp.Subtract: Child(b.Left, Ex.Real(1), Lit.Zero); Child(b.Right, Ex.Real(-1), Lit.Zero); break;
                    case BinaryOp.Multiply:
                    {
                        // A product with a repeated factor (a·a, 100·a·a) is a power of that factor:
                        // keep its own second derivative instead of treating the copies as two paths.
                        var factors = new List<Expr>();
                        Flatten(b, factors);
                        var groups = factors.Where(IsActive).GroupBy(f => f).ToList();
                        if (groups.All(g => g.Count() == 1))
                        {
                            Child(b.Left, b.Right, Lit.Zero);
                            Child(b.Right, b.Left, Lit.Zero);
                            break;
                        }
                        foreach (var group in groups)
                        {
                            int power = group.Count();
                            var others = factors.ToList();
                            for (int r = 0; r < power; r++) others.Remove(group.Key);
                            Expr rest = others.Aggregate((Expr)Ex.Real(1), Ex.Mul);
                            Expr Pow(int m) => Enumerable.Repeat(group.Key, m).Aggregate((Expr)Ex.Real(1), Ex.Mul);
                            var p1 = Ex.Mul(Ex.Mul(Ex.Real(power), Pow(power - 1)), rest);
                            var q1 = power < 2 ? Lit.Zero : Ex.Mul(Ex.Mul(Ex.Real(power * (power - 1)), Pow(power - 2)), rest);
                            Child(group.Key, p1, q1);
                        }
                        break;
                    }
                    case BinaryOp.Divide:
                    {
                        Child(b.Left, Ex.Div(Ex.Real(1), b.Right), Lit.Zero);
                        var b2 = Ex.Mul(b.Right, b.Right);
                        Child(b.Right, Ex.Neg(Ex.Div(b.Left, b2)), Ex.Div(Ex.Mul(Ex.Real(2), b.Left), Ex.Mul(b2, b.Right)));
                        break;
                    }
                    default: throw new NotSupportedException("adjoint of " + b.Op);
                }
                break;
            case Conditional c:
            {
                var whenTrue = new List<Stmt>();
                var whenFalse = new List<Stmt>();
                AccumulateDiagonal(c.WhenTrue, j, k, bar, bar2, null, whenTrue);
                AccumulateDiagonal(c.WhenFalse, j, k, bar, bar2, null, whenFalse);
                code.Add(new If(c.Condition, new Block(whenTrue.ToEquatableArray()), new Block(whenFalse.ToEquatableArray())));
                break;
            }
            case Call call:
                for (int n = 0; n < call.Args.Count; n++)
                {
                    if (IsActive(call.Args[n])) Child(call.Args[n], Rules.Partial(call, n, value ?? call, _rules), Rules.SecondPartial(call, n, value ?? call, _rules));
                }
                break;
            default:
                throw new NotSupportedException("adjoint of " + e.GetType().Name);
        }
    }

    private static void Flatten(Expr e, List<Expr> factors)
    {
        if (e is Binary { Op: BinaryOp.Multiply } b)
        {
            Flatten(b.Left, factors);
            Flatten(b.Right, factors);
        }
        else factors.Add(e);
    }

    private int ActiveLeaves(Expr e) => e switch
    {
        Var v => v.Type == IrType.Real && IsVaried(v.Name) ? 1 : 0,
        Elem el => el.Type == IrType.Real && IsVaried(el.Span) ? 1 : 0,
        Unary u => ActiveLeaves(u.Operand),
        Binary b => ActiveLeaves(b.Left) + ActiveLeaves(b.Right),
        Conditional c => ActiveLeaves(c.WhenTrue) + ActiveLeaves(c.WhenFalse),
        Call call => call.Args.Sum(ActiveLeaves),
        _ => 0,
    };

    /// <summary>Adds to the adjoint of every varied leaf of <paramref name="e"/> its share of <paramref name="g"/>.</summary>
    private void Accumulate(Expr e, Expr g, Expr? value, List<Stmt> code)
    {
        if (!IsActive(e)) return;
        if (!Ex.IsSimple(g) && ActiveLeaves(e) > 1)
        {
            string temp = "_g" + (++_temps);
            code.Add(new Declare(temp, AdjointType, g));
            g = new Var(temp, AdjointType);
        }
        switch (e)
        {
            case Var or Elem:
            {
                var adjoint = AdjointOf(e);
                code.Add(new Assign(adjoint, Ex.Add(adjoint, g)));
                break;
            }
            case Unary { Op: UnaryOp.Negate } u:
                Accumulate(u.Operand, Ex.Neg(g), null, code);
                break;
            case Binary b:
                switch (b.Op)
                {
                    case BinaryOp.Add:
                        Accumulate(b.Left, g, null, code);
                        Accumulate(b.Right, g, null, code);
                        break;
                    case BinaryOp.Subtract:
                        Accumulate(b.Left, g, null, code);
                        Accumulate(b.Right, Ex.Neg(g), null, code);
                        break;
                    case BinaryOp.Multiply:
                        Accumulate(b.Left, Ex.Mul(g, b.Right), null, code);
                        Accumulate(b.Right, Ex.Mul(g, b.Left), null, code);
                        break;
                    case BinaryOp.Divide:
                        Accumulate(b.Left, Ex.Div(g, b.Right), null, code);
                        Accumulate(b.Right, Ex.Neg(Ex.Mul(Ex.Div(g, b.Right), b)), null, code);
                        break;
                    default:
                        throw new NotSupportedException("adjoint of " + b.Op);
                }
                break;
            case Conditional c:
            {
                var whenTrue = new List<Stmt>();
                var whenFalse = new List<Stmt>();
                Accumulate(c.WhenTrue, g, null, whenTrue);
                Accumulate(c.WhenFalse, g, null, whenFalse);
                code.Add(new If(c.Condition, new Block(whenTrue.ToEquatableArray()), new Block(whenFalse.ToEquatableArray())));
                break;
            }
            case Call call:
                for (int k = 0; k < call.Args.Count; k++)
                {
                    if (IsActive(call.Args[k])) Accumulate(call.Args[k], Ex.Mul(g, Rules.Partial(call, k, value ?? call, _rules)), null, code);
                }
                break;
            default:
                throw new NotSupportedException("adjoint of " + e.GetType().Name);
        }
    }

    private sealed class ReferenceComparer : IEqualityComparer<Stmt>
    {
        public static readonly ReferenceComparer Instance = new();

        public bool Equals(Stmt? x, Stmt? y) => ReferenceEquals(x, y);

        public int GetHashCode(Stmt obj) => RuntimeHelpers.GetHashCode(obj);
    }
}
