using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;

namespace AutoCurv.Generator.Parsing;

/// <summary>
/// Infers a model's output size from its lowered body by interval analysis: when every write to the output span
/// has an index built from int constants and loop counters whose bounds are themselves such intervals, the output
/// size is one more than the largest index written. Any other write (an index read from a local or a length, a
/// whole-span clear or copy) and any read of <c>output.Length</c> (the model adapts to the length it is given)
/// give no inference.
/// </summary>
internal static class OutputSizeInference
{
    /// <summary>A closed interval of ints [Low, High]; empty when Low &gt; High.</summary>
    private readonly record struct Interval(long Low, long High)
    {
        public bool IsEmpty => Low > High;
    }

    /// <summary>The inferred size, or -1.</summary>
    public static int Infer(Block body, string output)
    {
        var state = new State(output);
        if (!state.Walk(body) || state.Highest < 0) return -1;
        return state.Highest >= int.MaxValue ? -1 : (int)state.Highest + 1;
    }

    private sealed class State
    {
        private readonly string _output;
        private readonly Dictionary<string, Interval> _counters = new();

        public State(string output) => _output = output;

        /// <summary>The largest index written so far; -1 before any write.</summary>
        public long Highest { get; private set; } = -1;

        /// <summary>False as soon as something makes the size unknowable.</summary>
        public bool Walk(Block block)
        {
            foreach (var statement in block.Statements)
            {
                if (!Walk(statement)) return false;
            }
            return true;
        }

        private bool Walk(Stmt statement)
        {
            switch (statement)
            {
                case Declare d:
                    return d.Init is null || !ReadsLength(d.Init);
                case DeclareSpan d:
                    return !ReadsLength(d.Length);
                case Assign a:
                    if (ReadsLength(a.Value)) return false;
                    if (a.Target is not Elem e) return true;
                    if (ReadsLength(e.Index)) return false;
                    if (e.Span != _output) return true;
                    if (Evaluate(e.Index) is not { } index || index.Low < 0) return false;
                    if (index.High > Highest) Highest = index.High;
                    return true;
                case For f:
                {
                    if (ReadsLength(f.Start) || ReadsLength(f.Bound)) return false;
                    if (Evaluate(f.Start) is not { } start || Evaluate(f.Bound) is not { } bound) return Writes(f.Body) ? false : Walk(f.Body);
                    Interval? range = (f.Step, f.Compare) switch
                    {
                        ( > 0, BinaryOp.Less) => new Interval(start.Low, bound.High - 1),
                        ( > 0, BinaryOp.LessOrEqual) => new Interval(start.Low, bound.High),
                        ( < 0, BinaryOp.Greater) => new Interval(bound.Low + 1, start.High),
                        ( < 0, BinaryOp.GreaterOrEqual) => new Interval(bound.Low, start.High),
                        _ => null,
                    };
                    if (range is not { } counter) return false;
                    if (counter.IsEmpty) return true; // the body never runs
                    bool had = _counters.TryGetValue(f.Counter, out var outer);
                    _counters[f.Counter] = counter;
                    bool ok = Walk(f.Body);
                    if (had) _counters[f.Counter] = outer;
                    else _counters.Remove(f.Counter);
                    return ok;
                }
                case If i:
                    return !ReadsLength(i.Condition) && Walk(i.Then) && Walk(i.Else);
                case ClearSpan c:
                    return c.Name != _output;
                case CopySpan c:
                    return c.To != _output && c.From != _output;
                case RuntimeCall r:
                    return !r.Spans.Contains(_output);
                default:
                    return true;
            }
        }

        /// <summary>True when a loop whose counter cannot be bounded writes the output (its indices are then unknown).</summary>
        private bool Writes(Block body) => IrWalk.Writes(body).Contains(_output);

        private bool ReadsLength(Expr expr) => expr switch
        {
            Len l => l.Span == _output,
            Elem e => ReadsLength(e.Index),
            Unary u => ReadsLength(u.Operand),
            Binary b => ReadsLength(b.Left) || ReadsLength(b.Right),
            Conditional c => ReadsLength(c.Condition) || ReadsLength(c.WhenTrue) || ReadsLength(c.WhenFalse),
            Call call => ContainsLength(call.Args),
            ToReal r => ReadsLength(r.Operand),
            Splat s => ReadsLength(s.Operand),
            LaneOf l => ReadsLength(l.Operand),
            _ => false,
        };

        private bool ContainsLength(Model.EquatableArray<Expr> args)
        {
            foreach (var a in args)
            {
                if (ReadsLength(a)) return true;
            }
            return false;
        }

        /// <summary>
        /// The interval of an int expression, or null when it depends on anything but constants and counters (or
        /// leaves the int range, where the program's own arithmetic would wrap).
        /// </summary>
        private Interval? Evaluate(Expr expr) =>
            Raw(expr) is { } interval && interval.Low >= int.MinValue && interval.High <= int.MaxValue ? interval : null;

        private Interval? Raw(Expr expr)
        {
            switch (expr)
            {
                case Lit { LitType: IrType.Int } l:
                    return new Interval((long)l.Value, (long)l.Value);
                case Var v when _counters.TryGetValue(v.Name, out var counter):
                    return counter;
                case Unary { Op: UnaryOp.Negate } u when Evaluate(u.Operand) is { } operand:
                    return new Interval(-operand.High, -operand.Low);
                case Binary b when Evaluate(b.Left) is { } left && Evaluate(b.Right) is { } right:
                    return b.Op switch
                    {
                        BinaryOp.Add => new Interval(left.Low + right.Low, left.High + right.High),
                        BinaryOp.Subtract => new Interval(left.Low - right.High, left.High - right.Low),
                        BinaryOp.Multiply => Product(left, right),
                        // Truncating division and remainder, for a non-negative dividend and a positive constant divisor.
                        BinaryOp.Divide when left.Low >= 0 && right.Low == right.High && right.Low > 0 =>
                            new Interval(left.Low / right.Low, left.High / right.Low),
                        BinaryOp.Remainder when left.Low >= 0 && right.Low == right.High && right.Low > 0 =>
                            left.High < right.Low ? left : new Interval(0, right.Low - 1),
                        _ => null,
                    };
                case Conditional c when Evaluate(c.WhenTrue) is { } whenTrue && Evaluate(c.WhenFalse) is { } whenFalse:
                    return new Interval(System.Math.Min(whenTrue.Low, whenFalse.Low), System.Math.Max(whenTrue.High, whenFalse.High));
                default:
                    return null;
            }
        }

        private static Interval? Product(Interval a, Interval b)
        {
            // Both operands lie in the int range (Evaluate), so their products fit a long.
            long p1 = a.Low * b.Low, p2 = a.Low * b.High, p3 = a.High * b.Low, p4 = a.High * b.High;
            return new Interval(System.Math.Min(System.Math.Min(p1, p2), System.Math.Min(p3, p4)), System.Math.Max(System.Math.Max(p1, p2), System.Math.Max(p3, p4)));
        }
    }
}
