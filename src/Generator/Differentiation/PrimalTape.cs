using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Splits a vector-mode forward-over-reverse helper (H·V for one block of lanes directions) in two, so that a dense
/// Hessian or an exact diagonal, which run ⌈n / lanes⌉ such passes, computes the primal only once:
/// <list type="bullet">
/// <item>the <b>recording sweep</b>: the helper without its tangent statements (the primal forward sweep, the loss
/// and the primal reverse sweep, values only), which appends to a value tape every primal value the tangent
/// statements will need;</item>
/// <item>the <b>pass</b>: the helper's tangent statements, its integer and boolean statements (indices, loop
/// counters, recorded branch decisions) and the primal statements that are cheaper to redo than to read back
/// (constants, loads of inputs nothing writes), with every other primal assignment replaced by a read of the
/// tape at a cursor that advances in step.</item>
/// </list>
/// Both keep the helper's control flow, and every value a condition or a bound reads is exact in the pass, so the
/// pass reads the tape in the order the sweep wrote it. The tape holds the values the primal statements computed,
/// so the pass's tangent arithmetic is the helper's on the same primal values (H_ℓ·V, the one exception, is a product
/// with the recorded loss Hessian, see <c>LossHessian</c>). Which values are recorded comes from a liveness
/// analysis of the pass (<see cref="DeadStores"/> on a version whose tape reads are marked): only those a tangent
/// statement needs, directly or through a recomputed statement. The tangent statements themselves stay as they
/// are; they never write a primal value (forward-over-reverse), which the split checks.
/// </summary>
internal static class PrimalTape
{
    /// <summary>The tape parameter of both halves: a <c>ref ValueStack</c> in the sweep, a read-only span in the pass.</summary>
    public const string Tape = "_tape";

    /// <summary>The pass's read position on the tape.</summary>
    private const string Cursor = "_replay";

    /// <summary>The counter of the loops that record and replay a whole span.</summary>
    private const string Counter = "_replayI";

    /// <summary>Loss outputs up to which the sweep records H_ℓ (C × C) for the passes.</summary>
    public const int MaxRecordedLossOutputs = 256;

    /// <summary>Marks a tape read during the liveness analysis; never emitted.</summary>
    private const string Marker = "_replay#";

    private enum Mode
    {
        /// <summary>The pass with every candidate read of the tape marked by its number (for the liveness analysis).</summary>
        Marked,
        /// <summary>The pass: the needed reads, in order.</summary>
        Pass,
        /// <summary>The recording sweep.</summary>
        Sweep,
    }

    /// <summary>
    /// The recording sweep (parameters: the helper's non-lanes parameters and the tape, declared as
    /// <paramref name="tapeType"/>; returns the helper's result) and the pass (the helper's parameters with the
    /// recorded values before the lanes parameters; returns nothing).
    /// </summary>
    public static (IrFunction Sweep, IrFunction Pass) Split(IrFunction lanes, string tapeType)
    {
        var types = new Dictionary<string, IrType>();
        foreach (var p in lanes.Parameters) types[p.Name] = p.Type;
        var lengths = new Dictionary<string, Expr>();
        CollectTypes(lanes.Body, types, lengths);
        var taken = new HashSet<string>(types.Keys);
        IrWalk.AddMentions(lanes.Body, taken);
        lanes = lanes with { Body = new CallBinder(types, taken).Block(lanes.Body) };
        var written = IrWalk.Writes(lanes.Body);

        var scalars = lanes.Parameters.Where(p => p.Type != IrType.Lanes).ToList();
        var passParameters = scalars.Concat(new[] { new IrParam(Tape, IrType.Real, ParamShape.Span, false) })
            .Concat(lanes.Parameters.Where(p => p.Type == IrType.Lanes)).ToEquatableArray();

        var marked = new Builder(types, lengths, written, Mode.Marked, new HashSet<int>()).Block(lanes.Body);
        var live = DeadStores.Apply(new IrFunction(passParameters, marked, null)).Body;
        var reads = new HashSet<string>();
        IrWalk.AddMentions(live, reads);
        var needed = new HashSet<int>(reads.Where(n => n.StartsWith(Marker, StringComparison.Ordinal))
            .Select(n => int.Parse(n.Substring(Marker.Length), CultureInfo.InvariantCulture)));

        var pass = new Builder(types, lengths, written, Mode.Pass, needed).Block(lanes.Body);
        var passBody = new Block(new Stmt[] { new Declare(Cursor, IrType.Int, Lit.Int(0)) }.Concat(pass.Statements).ToEquatableArray());
        var sweep = new Builder(types, lengths, written, Mode.Sweep, needed).Block(lanes.Body);
        var sweepParameters = scalars.Concat(new[] { new IrParam(Tape, IrType.Real, ParamShape.Scalar, false, "ref " + tapeType) }).ToEquatableArray();
        return (new IrFunction(sweepParameters, sweep, lanes.Result), new IrFunction(passParameters, passBody, null));
    }

    private static void CollectTypes(Block block, Dictionary<string, IrType> types, Dictionary<string, Expr> lengths)
    {
        foreach (var s in block.Statements)
        {
            switch (s)
            {
                case Declare d: types[d.Name] = d.Type; break;
                case DeclareSpan d: types[d.Name] = d.ElemType; lengths[d.Name] = d.Length; break;
                case For f: types[f.Counter] = IrType.Int; CollectTypes(f.Body, types, lengths); break;
                case If i: CollectTypes(i.Then, types, lengths); CollectTypes(i.Else, types, lengths); break;
            }
        }
    }

    /// <summary>
    /// Binds the largest primal parts of tangent expressions that call a function (<c>1 − tanh(z)²</c> in
    /// <c>_t_h = _t_z * (1.0 - Math.Tanh(z) * Math.Tanh(z))</c>) to fresh primal locals declared just before the
    /// statement, so that the sweep evaluates them once and the passes read them back instead of calling the function
    /// in every pass. The parts of a <c>?:</c> are left where they are: a branch not taken must not be evaluated.
    /// </summary>
    private sealed class CallBinder
    {
        private readonly Dictionary<string, IrType> _types;
        private readonly HashSet<string> _taken;
        private int _next;

        public CallBinder(Dictionary<string, IrType> types, HashSet<string> taken)
        {
            _types = types;
            _taken = taken;
        }

        public Block Block(Block block)
        {
            var output = new List<Stmt>(block.Statements.Count);
            foreach (var s in block.Statements)
            {
                var binds = new List<(Expr Value, string Name)>();
                Stmt rewritten = s switch
                {
                    For f => f with { Body = Block(f.Body) },
                    If i => i with { Then = Block(i.Then), Else = Block(i.Else) },
                    Assign a when a.Target.Type == IrType.Lanes => a with { Value = Bind(a.Value, binds) },
                    Declare { Type: IrType.Lanes, Init: { } init } d => d with { Init = Bind(init, binds) },
                    _ => s,
                };
                foreach (var (value, name) in binds) output.Add(new Declare(name, IrType.Real, value));
                output.Add(rewritten);
            }
            return new Block(output.ToEquatableArray());
        }

        private Expr Bind(Expr e, List<(Expr Value, string Name)> binds)
        {
            if (e.Type == IrType.Real && IrWalk.ContainsCall(e) && !IrWalk.Reads(e).Any(n => _types.TryGetValue(n, out var t) && t == IrType.Lanes))
            {
                foreach (var (value, name) in binds)
                {
                    if (value.Equals(e)) return new Var(name, IrType.Real);
                }
                string fresh;
                do fresh = "_p" + ++_next; while (!_taken.Add(fresh));
                _types[fresh] = IrType.Real;
                binds.Add((e, fresh));
                return new Var(fresh, IrType.Real);
            }
            return e switch
            {
                Binary { Op: BinaryOp.And or BinaryOp.Or } => e, // the right operand may not run
                Unary u => new Unary(u.Op, Bind(u.Operand, binds)),
                Binary b => new Binary(b.Op, Bind(b.Left, binds), Bind(b.Right, binds)),
                Splat sp => new Splat(Bind(sp.Operand, binds)),
                _ => e, // ?: (a branch not taken must not run), leaves, calls that read tangents
            };
        }
    }

    /// <summary>What a statement is to the split.</summary>
    private enum Role
    {
        /// <summary>Writes a tangent: in the pass only.</summary>
        Tangent,
        /// <summary>Int, bool, span-wide or cheap primal work: in both.</summary>
        Both,
        /// <summary>Records a primal value for the primal reverse sweep (a real push): in the sweep only.</summary>
        SweepOnly,
        /// <summary>A primal scalar or element assignment: computed and recorded by the sweep, read back by the pass.</summary>
        Value,
        /// <summary>A runtime call that writes a primal span: the whole span is recorded and read back.</summary>
        SpanValue,
    }

    private sealed class Builder
    {
        private readonly Dictionary<string, IrType> _types;
        private readonly Dictionary<string, Expr> _lengths;
        private readonly HashSet<string> _written;
        private readonly Mode _mode;
        private readonly HashSet<int> _needed;
        private int _next;

        public Builder(Dictionary<string, IrType> types, Dictionary<string, Expr> lengths, HashSet<string> written, Mode mode, HashSet<int> needed)
        {
            _types = types;
            _lengths = lengths;
            _written = written;
            _mode = mode;
            _needed = needed;
        }

        public Block Block(Block block)
        {
            var output = new List<Stmt>(block.Statements.Count);
            foreach (var s in block.Statements) Statement(s, output);
            return new Block(output.ToEquatableArray());
        }

        private static bool IsEmpty(Block block) => block.Statements.All(s => s is Comment);

        private void Statement(Stmt s, List<Stmt> output)
        {
            switch (s)
            {
                case Comment:
                    output.Add(s);
                    return;
                case For f:
                {
                    CheckPrimal(f.Start, s);
                    CheckPrimal(f.Bound, s);
                    var body = Block(f.Body);
                    if (!IsEmpty(body)) output.Add(f with { Body = body });
                    return;
                }
                case If i:
                {
                    CheckPrimal(i.Condition, s);
                    var then = Block(i.Then);
                    var @else = Block(i.Else);
                    if (!IsEmpty(then) || !IsEmpty(@else)) output.Add(i with { Then = then, Else = @else });
                    return;
                }
            }
            var role = RoleOf(s);
            if (role != Role.Tangent)
            {
                var reads = new HashSet<string>();
                IrWalk.AddStatementReads(s, reads);
                foreach (var name in reads) CheckPrimal(name, s);
            }
            switch (role)
            {
                case Role.Tangent when s is RuntimeCall { Kind: RuntimeCallKind.LossHvpAccumulate } hvp:
                    LossHessian(hvp, output);
                    return;
                case Role.Tangent:
                    if (_mode != Mode.Sweep) output.Add(s);
                    return;
                case Role.Both:
                    output.Add(s);
                    return;
                case Role.SweepOnly:
                    if (_mode == Mode.Sweep) output.Add(s);
                    return;
                case Role.Value:
                    Value(s, output);
                    return;
                case Role.SpanValue:
                    SpanValue((RuntimeCall)s, output);
                    return;
            }
        }

        private bool IsLanes(string name) => _types.TryGetValue(name, out var type) && type == IrType.Lanes;

        private Role RoleOf(Stmt s) => s switch
        {
            Declare d => d.Type == IrType.Lanes ? Role.Tangent
                : d.Type == IrType.Real && d.Init is not null && !Recomputable(d.Init) ? Role.Value : Role.Both,
            DeclareSpan d => d.ElemType == IrType.Lanes ? Role.Tangent : Role.Both,
            Assign a => a.Target.Type == IrType.Lanes ? Role.Tangent
                : a.Target.Type == IrType.Real && !Recomputable(a.Value) ? Role.Value : Role.Both,
            Push p => p.Value.Type == IrType.Lanes ? Role.Tangent : p.Value.Type == IrType.Real ? Role.SweepOnly : Role.Both,
            Pop p => p.Target.Type == IrType.Lanes ? Role.Tangent : p.Target.Type == IrType.Real ? Role.Value : Role.Both,
            ClearSpan c => IsLanes(c.Name) ? Role.Tangent : Role.Both,
            CopySpan c => IsLanes(c.To) ? Role.Tangent : Role.Both,
            RuntimeCall r => RoleOf(r),
            _ => throw new InvalidOperationException("primal tape: unexpected statement " + s.GetType().Name),
        };

        private Role RoleOf(RuntimeCall r)
        {
            var writes = new HashSet<string>();
            IrWalk.AddWrites(r, writes);
            if (writes.Any(IsLanes)) return writes.All(IsLanes) ? Role.Tangent : throw new InvalidOperationException("primal tape: a runtime call writes tangents and values");
            if (r.ResultVar is not null) return writes.Count == 1 ? Role.Value : throw new InvalidOperationException("primal tape: a runtime call writes a value and a span");
            return writes.Count switch
            {
                0 => Role.Both,
                1 => Role.SpanValue,
                _ => throw new InvalidOperationException("primal tape: a runtime call writes several spans"),
            };
        }

        /// <summary>A value the pass can compute again as cheaply as it could read it: from literals, ints and inputs nothing writes.</summary>
        private bool Recomputable(Expr value)
        {
            var reads = IrWalk.Reads(value);
            return reads.All(n => _types.TryGetValue(n, out var type) && (type is IrType.Int or IrType.Bool || (type == IrType.Real && !_written.Contains(n))));
        }

        private void CheckPrimal(Expr expr, Stmt s)
        {
            foreach (var name in IrWalk.Reads(expr)) CheckPrimal(name, s);
        }

        private void CheckPrimal(string name, Stmt s)
        {
            if (IsLanes(name)) throw new InvalidOperationException($"primal tape: a primal statement reads the tangent {name} ({s.GetType().Name})");
        }

        private Stmt Record(Expr value) => new RuntimeCall(RuntimeCallKind.Record, new[] { Tape }.ToEquatableArray(), new[] { value }.ToEquatableArray(), null);

        private static Expr Read(Expr at) => new Elem(Tape, at, IrType.Real);

        private Var MarkerOf(int id) => new(Marker + id.ToString(CultureInfo.InvariantCulture), IrType.Int);

        private static readonly Var CursorVar = new(Cursor, IrType.Int);

        private static Stmt Advance(Expr by) => new Assign(CursorVar, new Binary(BinaryOp.Add, CursorVar, by));

        private void Value(Stmt s, List<Stmt> output)
        {
            int id = _next++;
            Expr target = s switch
            {
                Declare d => new Var(d.Name, IrType.Real),
                Assign a => a.Target,
                Pop p => p.Target,
                RuntimeCall r => new Var(r.ResultVar!, IrType.Real),
                _ => throw new InvalidOperationException("primal tape: not a value " + s.GetType().Name),
            };
            switch (_mode)
            {
                case Mode.Sweep:
                    output.Add(s);
                    if (_needed.Contains(id)) output.Add(Record(target));
                    return;
                case Mode.Marked:
                    output.Add(Replay(s, target, MarkerOf(id)));
                    return;
                default:
                    if (_needed.Contains(id))
                    {
                        output.Add(Replay(s, target, CursorVar));
                        output.Add(Advance(Lit.Int(1)));
                    }
                    else if (s is Declare d) output.Add(d with { Init = Ex.Zero(IrType.Real) });
                    return;
            }
        }

        private static Stmt Replay(Stmt s, Expr target, Expr at) => s switch
        {
            Declare d => d with { Init = Read(at) },
            Assign a => a with { Value = Read(at) },
            _ => new Assign(target, Read(at)),
        };

        /// <summary>
        /// H_ℓ·V at the seed of the tangent reverse sweep: the sweep records H_ℓ (C × C; a primal value like any other),
        /// the pass multiplies its lanes by it instead of evaluating the loss's derivatives again for every lane.
        /// </summary>
        /// <remarks>
        /// Up to <see cref="MaxRecordedLossOutputs"/> outputs: beyond, C² values per pass would cost more than the loss's own
        /// product per lane, and the pass calls the loss as the helper did (both halves test the same length).
        /// </remarks>
        private void LossHessian(RuntimeCall hvp, List<Stmt> output)
        {
            string loss = hvp.Spans[0];
            var length = _lengths.TryGetValue(loss, out var declared) ? declared : new Len(loss);
            var small = new Binary(BinaryOp.LessOrEqual, length, Lit.Int(MaxRecordedLossOutputs));
            if (_mode == Mode.Sweep)
            {
                var record = new RuntimeCall(RuntimeCallKind.RecordLossHessian, new[] { Tape, loss, hvp.Spans[1] }.ToEquatableArray(), EquatableArray<Expr>.Empty, null);
                output.Add(new If(small, new Block(new Stmt[] { record }.ToEquatableArray()), Ir.Block.Empty));
                return;
            }
            var replay = new List<Stmt>
            {
                new RuntimeCall(RuntimeCallKind.RecordedLossHvpAccumulate, new[] { Tape, hvp.Spans[2], hvp.Spans[3] }.ToEquatableArray(),
                    new[] { CursorVar, hvp.Scalars[0] }.ToEquatableArray(), null),
            };
            if (_mode == Mode.Pass) replay.Add(Advance(new Binary(BinaryOp.Multiply, length, length)));
            output.Add(new If(small, new Block(replay.ToEquatableArray()), new Block(new Stmt[] { hvp }.ToEquatableArray())));
        }

        private void SpanValue(RuntimeCall r, List<Stmt> output)
        {
            int id = _next++;
            var writes = new HashSet<string>();
            IrWalk.AddWrites(r, writes);
            string span = writes.Single();
            var counter = new Var(Counter, IrType.Int);
            var element = new Elem(span, counter, IrType.Real);
            // The length as the span's declaration gives it: a bound of span.Length would count as a read of the span
            // and keep a span the pass never reads (DeadStores) alive.
            var length = _lengths.TryGetValue(span, out var declared) ? declared : new Len(span);
            For Loop(Stmt body) => new For(Counter, Lit.Int(0), BinaryOp.Less, length, 1, new Block(new[] { body }.ToEquatableArray()));
            switch (_mode)
            {
                case Mode.Sweep:
                    output.Add(r);
                    if (_needed.Contains(id)) output.Add(Loop(Record(element)));
                    return;
                case Mode.Marked:
                    output.Add(Loop(new Assign(element, Read(new Binary(BinaryOp.Add, MarkerOf(id), counter)))));
                    return;
                default:
                    if (!_needed.Contains(id)) return;
                    output.Add(Loop(new Assign(element, Read(new Binary(BinaryOp.Add, CursorVar, counter)))));
                    output.Add(Advance(length));
                    return;
            }
        }
    }
}
