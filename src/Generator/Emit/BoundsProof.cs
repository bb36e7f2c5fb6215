using System;
using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;

namespace AutoCurv.Generator.Emit;

/// <summary>
/// Span element accesses inside loops that the emitter may write without a bounds check, because the loop's own
/// bounds prove the index in range for every iteration. RyuJIT removes the checks of an up-counting loop such as
/// <c>for (i = 0; i &lt; x.Length - 1; i++) … x[i + 1]</c>, but not those of the reverse sweep's down-counting copy
/// <c>for (i = x.Length - 1 - 1; i &gt;= 0; i--)</c>, nor of spans whose length equals <c>x.Length</c> only through
/// the member's length check (<c>vx</c>, <c>gx</c>, <c>hx</c>). Rosenbrock's H·v loop paid six compare-and-branch
/// pairs per iteration for them, and the registers that hold the four lengths made the JIT spill.
/// <para>
/// The proof is symbolic and conservative. Integers are linear forms over span lengths (each in [0, int.MaxValue],
/// spans tied by a member's length check share one symbol) and literals. A loop of step +1 (<c>&lt;</c>,
/// <c>&lt;=</c>) or −1 (<c>&gt;=</c>, <c>&gt;</c>) whose counter its body never writes, and whose start and bound
/// are such forms whose every subexpression stays within int for every length (so the int the loop computes is the
/// form's value, and the counter cannot wrap), runs its counter over [lo, hi]. An access <c>s[i + r]</c>, with
/// <c>i</c> such a counter of an enclosing loop and <c>r</c> a form, is in range when lo + r ≥ 0 and
/// s.Length − 1 − (hi + r) ≥ 0 hold for every length: a form is known non-negative only when its constant and all
/// its coefficients are (an index is computed modulo 2³², so its int value is the form's whenever the form is in
/// range). Only span parameters qualify (not arrays, which may be null, nor scratch spans), and only in members that
/// are neither batched nor lazily cleared. Whether the access is executed at all (it may sit under an <c>if</c>)
/// does not matter: the proof covers every value the counter takes.
/// </para>
/// </summary>
internal sealed class BoundsProof
{
    private readonly Dictionary<string, string> _lengthClass = new(StringComparer.Ordinal);
    private readonly HashSet<string> _eligible;

    /// <summary>The loops around the statement being emitted, innermost last; null for a loop without a proven range.</summary>
    private readonly List<CounterRange?> _loops = new();

    private sealed record CounterRange(string Counter, Form Lo, Form Hi);

    /// <param name="function">The member's IR (its parameters' length checks tie span lengths together).</param>
    /// <param name="eligible">The span parameters whose accesses may be unchecked.</param>
    public BoundsProof(IrFunction function, IEnumerable<string> eligible)
    {
        _eligible = new HashSet<string>(eligible, StringComparer.Ordinal);
        foreach (var p in function.Parameters)
        {
            if (p.LengthOf is not null) Union(p.Name, p.LengthOf);
        }
    }

    /// <summary>Span parameters of <paramref name="function"/> that can qualify: spans, not arrays.</summary>
    public static IEnumerable<string> SpanParameters(IrFunction function) =>
        function.Parameters
            .Where(p => p.Shape == ParamShape.Span && (p.DeclaredType is null
                || p.DeclaredType.StartsWith("global::System.ReadOnlySpan<", StringComparison.Ordinal)
                || p.DeclaredType.StartsWith("global::System.Span<", StringComparison.Ordinal)))
            .Select(p => p.Name);

    /// <summary>Enters a loop's body (call <see cref="Leave"/> after it).</summary>
    public void Enter(For loop) => _loops.Add(RangeOf(loop));

    public void Leave() => _loops.RemoveAt(_loops.Count - 1);

    /// <summary>True when the access is provably in range for every iteration of the loops entered.</summary>
    public bool InBounds(Elem access)
    {
        if (!_eligible.Contains(access.Span)) return false;
        var index = Linear(access.Index, allowCounters: true, checkRange: false);
        if (index is null) return false;
        var counters = index.Coefficients.Where(c => c.Key.StartsWith(CounterPrefix, StringComparison.Ordinal)).ToList();
        if (counters.Count != 1 || counters[0].Value != 1) return false;
        string counter = counters[0].Key.Substring(CounterPrefix.Length);
        CounterRange? range = null;
        for (int k = _loops.Count - 1; k >= 0; k--)
        {
            if (_loops[k]?.Counter == counter) { range = _loops[k]; break; }
        }
        if (range is null) return false;
        try
        {
            var rest = index.Plus(Form.Symbol(counters[0].Key).Times(-1));
            var lowest = range.Lo.Plus(rest);
            var highest = range.Hi.Plus(rest);
            var room = Form.Symbol(LengthSymbol(access.Span)).Plus(Form.Constant(-1)).Plus(highest.Times(-1));
            return lowest.IsNonNegative && room.IsNonNegative;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    // ---------------------------------------------------------------- loop ranges

    private CounterRange? RangeOf(For loop)
    {
        if (IrWalk.Writes(loop.Body).Contains(loop.Counter)) return null;
        var start = Linear(loop.Start, allowCounters: false, checkRange: true);
        var bound = Linear(loop.Bound, allowCounters: false, checkRange: true);
        if (start is null || bound is null) return null;
        // Both are within int for every length (checked above), so Min and Max do not overflow.
        switch (loop.Step, loop.Compare)
        {
            case (1, BinaryOp.Less):
                return new CounterRange(loop.Counter, start, bound.Plus(Form.Constant(-1)));
            case (1, BinaryOp.LessOrEqual):
                // i++ after i = int.MaxValue would wrap.
                return bound.Max < int.MaxValue ? new CounterRange(loop.Counter, start, bound) : null;
            case (-1, BinaryOp.GreaterOrEqual):
                return bound.Min > int.MinValue ? new CounterRange(loop.Counter, bound, start) : null;
            case (-1, BinaryOp.Greater):
                return new CounterRange(loop.Counter, bound.Plus(Form.Constant(1)), start);
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------- linear forms

    private const string CounterPrefix = "i:";

    private string LengthSymbol(string span) => "n:" + Find(span);

    /// <summary>
    /// The expression as a linear form, or null when it is not one: int literals, span lengths, +, −, negation,
    /// products with a constant, and (<paramref name="allowCounters"/>) loop counters. With
    /// <paramref name="checkRange"/>, also null when any subexpression may leave int for some lengths.
    /// </summary>
    private Form? Linear(Expr e, bool allowCounters, bool checkRange)
    {
        Form? form;
        try
        {
            form = e switch
            {
                Lit { LitType: IrType.Int } l when l.Value == Math.Floor(l.Value) => Form.Constant((long)l.Value),
                Len len => Form.Symbol(LengthSymbol(len.Span)),
                Var v when allowCounters && v.Type == IrType.Int => Form.Symbol(CounterPrefix + v.Name),
                Unary { Op: UnaryOp.Negate } u => Linear(u.Operand, allowCounters, checkRange)?.Times(-1),
                Binary { Op: BinaryOp.Add } b => Both(b, allowCounters, checkRange, (l, r) => l.Plus(r)),
                Binary { Op: BinaryOp.Subtract } b => Both(b, allowCounters, checkRange, (l, r) => l.Plus(r.Times(-1))),
                Binary { Op: BinaryOp.Multiply } b => Both(b, allowCounters, checkRange,
                    (l, r) => l.IsConstant ? r.Times(l.ConstantTerm) : r.IsConstant ? l.Times(r.ConstantTerm) : null),
                _ => null,
            };
            if (form is not null && checkRange && (form.Min < int.MinValue || form.Max > int.MaxValue)) return null;
        }
        catch (OverflowException)
        {
            return null;
        }
        return form;
    }

    private Form? Both(Binary b, bool allowCounters, bool checkRange, Func<Form, Form, Form?> combine)
    {
        var left = Linear(b.Left, allowCounters, checkRange);
        var right = Linear(b.Right, allowCounters, checkRange);
        return left is null || right is null ? null : combine(left, right);
    }

    /// <summary>Σ coefficient·symbol + constant, every symbol a length in [0, int.MaxValue] (or a counter).</summary>
    private sealed class Form
    {
        public SortedDictionary<string, long> Coefficients { get; } = new(StringComparer.Ordinal);

        public long ConstantTerm { get; private set; }

        public static Form Constant(long value) => new() { ConstantTerm = value };

        public static Form Symbol(string name)
        {
            var f = new Form();
            f.Coefficients[name] = 1;
            return f;
        }

        public bool IsConstant => Coefficients.Count == 0;

        public Form Plus(Form other)
        {
            var sum = new Form { ConstantTerm = checked(ConstantTerm + other.ConstantTerm) };
            foreach (var c in Coefficients) sum.Coefficients[c.Key] = c.Value;
            foreach (var c in other.Coefficients)
            {
                long k = checked((sum.Coefficients.TryGetValue(c.Key, out var existing) ? existing : 0) + c.Value);
                if (k == 0) sum.Coefficients.Remove(c.Key);
                else sum.Coefficients[c.Key] = k;
            }
            return sum;
        }

        public Form Times(long factor)
        {
            var product = new Form { ConstantTerm = checked(ConstantTerm * factor) };
            if (factor == 0) return product;
            foreach (var c in Coefficients) product.Coefficients[c.Key] = checked(c.Value * factor);
            return product;
        }

        /// <summary>The least value over every length (counters have no range here: callers remove them first).</summary>
        public long Min => checked(ConstantTerm + Coefficients.Values.Where(k => k < 0).Sum(k => checked(k * int.MaxValue)));

        public long Max => checked(ConstantTerm + Coefficients.Values.Where(k => k > 0).Sum(k => checked(k * int.MaxValue)));

        /// <summary>Non-negative for every length: only lengths left, none with a negative coefficient.</summary>
        public bool IsNonNegative =>
            ConstantTerm >= 0 && Coefficients.All(c => c.Value >= 0 && !c.Key.StartsWith(CounterPrefix, StringComparison.Ordinal));
    }

    // ---------------------------------------------------------------- length classes

    private void Union(string a, string b)
    {
        string ra = Find(a), rb = Find(b);
        if (ra == rb) return;
        // The smaller name represents the class: the same classes whatever the parameter order.
        if (string.CompareOrdinal(ra, rb) < 0) _lengthClass[rb] = ra;
        else _lengthClass[ra] = rb;
    }

    private string Find(string span)
    {
        while (_lengthClass.TryGetValue(span, out var parent)) span = parent;
        return span;
    }
}
