using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;

namespace AutoCurv.Generator.Emit;

/// <summary>
/// Recognises unit-stride loops whose every statement is a dot-product reduction
/// (<c>s += x[a + j] * y[b + j]</c>), an axpy update (<c>z[c + j] += k * y[b + j]</c>) or a two-term axpy
/// (<c>z[c + j] += k * y[b + j] + m * u[e + j]</c>, the tangent of a bilinear term in a reverse sweep), and
/// emits SIMD kernels (<c>AutoCurv.CompilerServices.Kernels</c>) instead. It runs on the final IR of every
/// mode, so forward sweeps, tangents, reverse sweeps and H·v of dense layers all get them. Axpy and the
/// two-term Axpy2 are exact (the loop's operations in the loop's order); Dot reassociates the sum (values agree with the loop to rounding). The squares of an axpy's
/// contributions in the GGN diagonal's reverse sweep (<see cref="AccumulateSquare"/>) become one
/// <c>Lanes.AddSquares</c> per range, which factors out x[j]² (equal to the loop up to rounding).
/// </summary>
internal static class LoopKernels
{
    private const string Kernels = "global::AutoCurv.CompilerServices.Kernels";

    /// <summary>
    /// One recognised statement: kind, target, the two operands and their offsets. <paramref name="Square"/>: the
    /// statement is the square of an axpy's contributions (<c>Squares[c + j] ⊕= (k·y[b + j])²</c>), with the target
    /// its squares span. <paramref name="Second"/>: an axpy's second term (<c>z[c + j] += k·x[a + j] + m·u[e + j]</c>).
    /// </summary>
    internal sealed record Kernel(bool IsDot, Expr Target, Expr Scale, string X, Expr OffsetX, string? Y, Expr? OffsetY, bool Negate,
        AccumulateSquare? Square = null, AxpyTerm? Second = null);

    /// <summary>The second term <c>Scale·X[OffsetX + j]</c> of a two-term axpy.</summary>
    internal sealed record AxpyTerm(Expr Scale, string X, Expr OffsetX);

    /// <param name="arrays">Names of spans that are arrays in the generated code (T[] parameters): sliced with AsSpan.</param>
    /// <param name="elementType">The element type keyword (double or float), for the generic lane kernels.</param>
    /// <param name="varies">
    /// In a batched member, whether an expression is a sample block: the kernels have block overloads of the same
    /// names for every shape but one, an axpy of shared values into a block span, which stays a loop.
    /// </param>
    /// <param name="lazy">Result spans cleared lazily (<see cref="LazyClear"/>) and their touched bitmaps: axpys into them go through FirstTouch.</param>
    public static bool TryEmit(For f, SourceWriter w, System.Func<Expr, int, string> e, ISet<string> arrays, string elementType, System.Func<string, string> name,
        System.Func<Expr, bool>? varies = null, IReadOnlyDictionary<string, string>? lazy = null)
    {
        if (!Recognise(f, out var kernels, out var lo, out var count)) return false;
        if (varies is not null && kernels.Any(k => !k.IsDot && varies(k.Target) && !varies(k.Scale) && !varies(new Elem(k.X, Lit.Int(0), IrType.Real)))) return false;
        // The two-term axpy has only the all-shared shape (no block overloads): a batched loop with a varying operand stays a loop.
        if (varies is not null && kernels.Any(k => k.Second is { } t && (varies(k.Target) || varies(k.Scale) || varies(t.Scale)
            || varies(new Elem(k.X, Lit.Int(0), IrType.Real)) || varies(new Elem(t.X, Lit.Int(0), IrType.Real))))) return false;
        var counter = new Var(f.Counter, IrType.Int);
        string n = "_n_" + f.Counter;
        string start = "_lo_" + f.Counter;
        w.Open("");
        w.Line($"int {start} = {e(lo, 0)};");
        w.Line($"int {n} = {e(count, 0)};");
        w.Open($"if ({n} > 0)");
        var partners = elementType == "double" ? DotPartners(kernels, varies) : new Dictionary<int, int>();
        int dots = 0;
        for (int index = 0; index < kernels.Count; index++)
        {
            var k = kernels[index];
            string Slice(string span, Expr offset) => arrays.Contains(span)
                ? $"global::System.MemoryExtensions.AsSpan({name(span)}, {e(Add(offset, new Var(start, IrType.Int)), 0)}, {n})"
                : $"{name(span)}.Slice({e(Add(offset, new Var(start, IrType.Int)), 0)}, {n})";
            bool lanes = k.Target.Type == IrType.Lanes || k.Scale.Type == IrType.Lanes;
            string generic = lanes ? $"<{elementType}>" : "";
            string sign = k.Negate ? "-" : "";
            if (k.Square is { } q)
            {
                var offsetSquares = Offset(q.Index, counter)!;
                w.Line($"{name(q.Flag)} &= global::AutoCurv.CompilerServices.Lanes.AddSquares<{elementType}>({e(k.Scale, 0)}, {e(q.Weights, 0)}, {Slice(k.X, k.OffsetX)}, " +
                    $"{name(q.Squares)}, {e(Add(offsetSquares, new Var(start, IrType.Int)), 0)}, {name(q.Touched)});");
            }
            else if (k.IsDot && partners.TryGetValue(index, out int other))
            {
                if (other < index) continue; // emitted with its partner
                // Two sums over the same operand: one pass (Dot2 sums each exactly as Dot does).
                var p = kernels[other];
                var (shared, sharedOffset, first, firstOffset) = SharedOperand(k, p);
                // p's other operand is the one that is not the shared one k chose (p may list them in either order).
                var (second, secondOffset) = p.X == shared && p.OffsetX == sharedOffset ? (p.Y!, p.OffsetY!) : (p.X, p.OffsetX);
                string a = $"_dot_{f.Counter}_{++dots}", b = a;
                if (first == second && firstOffset == secondOffset)
                {
                    // The same dot twice (the product rule of x·x gives ẋ·x + x·ẋ): computed once, added twice.
                    w.Line($"double {a} = {Kernels}.Dot({Slice(shared!, sharedOffset)}, {Slice(first, firstOffset)});");
                }
                else
                {
                    b = $"_dot_{f.Counter}_{++dots}";
                    w.Line($"var ({a}, {b}) = {Kernels}.Dot2({Slice(shared!, sharedOffset)}, {Slice(first, firstOffset)}, {Slice(second, secondOffset)});");
                }
                w.Line($"{e(k.Target, 0)} {(k.Negate ? "-=" : "+=")} {a};");
                w.Line($"{e(p.Target, 0)} {(p.Negate ? "-=" : "+=")} {b};");
            }
            else if (k.IsDot)
            {
                string op = k.Negate ? "-=" : "+=";
                w.Line($"{e(k.Target, 0)} {op} {Kernels}.Dot{generic}({Slice(k.X, k.OffsetX)}, {Slice(k.Y!, k.OffsetY!)});");
            }
            else if (k.Second is { } second)
            {
                var target = (Elem)k.Target;
                var offsetZ = Offset(target.Index, counter)!;
                string operands = $"{e(k.Scale, 0)}, {Slice(k.X, k.OffsetX)}, {e(second.Scale, 0)}, {Slice(second.X, second.OffsetX)}";
                if (lazy is not null && lazy.TryGetValue(target.Span, out var touched))
                    w.Line($"global::AutoCurv.CompilerServices.FirstTouch.Axpy2({operands}, {name(target.Span)}, {e(Add(offsetZ, new Var(start, IrType.Int)), 0)}, {touched});");
                else
                    w.Line($"{Kernels}.Axpy2({operands}, {Slice(target.Span, offsetZ)});");
            }
            else
            {
                var target = (Elem)k.Target;
                var offsetZ = Offset(target.Index, counter)!;
                if (lazy is not null && lazy.TryGetValue(target.Span, out var touched))
                {
                    w.Line($"global::AutoCurv.CompilerServices.FirstTouch.Axpy({sign}({e(k.Scale, 0)}), {Slice(k.X, k.OffsetX)}, {name(target.Span)}, {e(Add(offsetZ, new Var(start, IrType.Int)), 0)}, {touched});");
                    continue;
                }
                w.Line($"{Kernels}.Axpy{generic}({sign}({e(k.Scale, 0)}), {Slice(k.X, k.OffsetX)}, {Slice(target.Span, offsetZ)});");
            }
        }
        w.Close();
        w.Close();
        return true;
    }

    /// <summary>
    /// Pairs of real dot products of the loop that share an operand (the same span at the same offset, like a row of w
    /// and a row of v against the same input in a tangent sweep), each index mapped to its partner; greedy in order.
    /// In a batched member only dots of shared (not per-sample) values pair, since Dot2 has no block overloads (nor
    /// float ones: float members keep two Dots).
    /// </summary>
    private static Dictionary<int, int> DotPartners(List<Kernel> kernels, System.Func<Expr, bool>? varies)
    {
        var partners = new Dictionary<int, int>();
        bool Plain(Kernel k) => k.IsDot && k.Square is null && k.Target.Type == IrType.Real
            && (varies is null || !varies(k.Target) && !varies(new Elem(k.X, Lit.Int(0), IrType.Real)) && !varies(new Elem(k.Y!, Lit.Int(0), IrType.Real)));
        for (int i = 0; i < kernels.Count; i++)
        {
            if (partners.ContainsKey(i) || !Plain(kernels[i])) continue;
            for (int j = i + 1; j < kernels.Count; j++)
            {
                if (partners.ContainsKey(j) || !Plain(kernels[j]) || SharedOperand(kernels[i], kernels[j]).Shared is null) continue;
                partners[i] = j;
                partners[j] = i;
                break;
            }
        }
        return partners;
    }

    /// <summary>
    /// The operand dot <paramref name="k"/> shares with dot <paramref name="p"/> and k's other operand (Shared null if
    /// none; <see cref="DotPartners"/> pairs only dots with one).
    /// </summary>
    private static (string? Shared, Expr SharedOffset, string Other, Expr OtherOffset) SharedOperand(Kernel k, Kernel p)
    {
        bool Same(string span, Expr offset) => p.X == span && p.OffsetX == offset || p.Y == span && p.OffsetY == offset;
        if (Same(k.X, k.OffsetX)) return (k.X, k.OffsetX, k.Y!, k.OffsetY!);
        if (Same(k.Y!, k.OffsetY!)) return (k.Y, k.OffsetY!, k.X, k.OffsetX);
        return (null, k.OffsetX, k.X, k.OffsetX);
    }

    /// <summary>
    /// The kernels of a loop whose every statement is a dot-product reduction or an axpy update, with the iteration
    /// range [<paramref name="lo"/>, <paramref name="lo"/> + <paramref name="count"/>); false for any other loop.
    /// </summary>
    internal static bool Recognise(For f, out List<Kernel> found, out Expr lo, out Expr count)
    {
        var kernels = found = new List<Kernel>();
        lo = count = Lit.Int(0);
        if (f.Step is not (1 or -1)) return false;
        if (f.Body.Statements.Count == 0) return false;
        var counter = new Var(f.Counter, IrType.Int);
        foreach (var s in f.Body.Statements)
        {
            if (s is Comment) continue;
            if (s is AccumulateSquare q)
            {
                if (MatchSquare(q, counter) is not { } square) return false;
                kernels.Add(square);
                continue;
            }
            if (s is not Assign a) return false;
            var matched = Match(a, counter);
            if (matched is null) return false;
            kernels.AddRange(matched);
        }
        if (kernels.Count == 0) return false;
        // Independence: no statement reads what another writes (or a reduction reads its own span).
        var targets = kernels.Select(k => IrWalk.TargetName(k.Target)).ToList();
        if (kernels.Where(k => !k.IsDot).Select(k => IrWalk.TargetName(k.Target)).Distinct().Count() != kernels.Count(k => !k.IsDot)) return false;
        if (kernels.Where(k => !k.IsDot).Any(k => kernels.Any(d => d.IsDot && IrWalk.TargetName(d.Target) == IrWalk.TargetName(k.Target)))) return false;
        for (int i = 0; i < kernels.Count; i++)
        {
            var reads = IrWalk.Reads(kernels[i].Scale);
            reads.Add(kernels[i].X);
            if (kernels[i].Y is not null) reads.Add(kernels[i].Y!);
            if (kernels[i].Second is { } second)
            {
                IrWalk.AddReads(second.Scale, reads);
                reads.Add(second.X);
                IrWalk.AddReads(second.OffsetX, reads);
            }
            IrWalk.AddReads(kernels[i].OffsetX, reads);
            if (kernels[i].Square is { } q) IrWalk.AddReads(q.Weights, reads);
            if (kernels[i].OffsetY is not null) IrWalk.AddReads(kernels[i].OffsetY!, reads);
            if (kernels[i].Target is Elem te) IrWalk.AddReads(te.Index, reads);
            if (targets.Any(reads.Contains)) return false;
            if (kernels[i].IsDot && kernels.Any(k => !k.IsDot && IrWalk.Reads(k.Scale).Contains(IrWalk.TargetName(kernels[i].Target)))) return false;
        }

        return Range(f, out lo, out count);
    }

    /// <summary>The iteration range [<paramref name="lo"/>, <paramref name="lo"/> + <paramref name="count"/>) of a unit-step loop; false for other loops.</summary>
    internal static bool Range(For f, out Expr lo, out Expr count)
    {
        lo = count = Lit.Int(0);
        switch (f.Step, f.Compare)
        {
            case (1, BinaryOp.Less): lo = f.Start; count = Sub(f.Bound, f.Start); return true;
            case (1, BinaryOp.LessOrEqual): lo = f.Start; count = Add(Sub(f.Bound, f.Start), Lit.Int(1)); return true;
            case (-1, BinaryOp.GreaterOrEqual): lo = f.Bound; count = Add(Sub(f.Start, f.Bound), Lit.Int(1)); return true;
            case (-1, BinaryOp.Greater): lo = Add(f.Bound, Lit.Int(1)); count = Sub(f.Start, f.Bound); return true;
            default: return false;
        }
    }

    internal static Expr Add(Expr a, Expr b) => b is Lit { Value: 0 } ? a : a is Lit { Value: 0 } ? b : new Binary(BinaryOp.Add, a, b);

    internal static Expr Sub(Expr a, Expr b) => b is Lit { Value: 0 } ? a : new Binary(BinaryOp.Subtract, a, b);

    /// <summary>The offset o of an index <c>o + j</c> (or <c>j</c>, <c>j + o</c>), o free of j; else null.</summary>
    private static Expr? Offset(Expr index, Var counter) => IrWalk.CounterOffset(index, counter.Name);

    private static List<Kernel>? Match(Assign a, Var counter)
    {
        if (a.Value is not Binary { Op: BinaryOp.Add or BinaryOp.Subtract } sum || sum.Left != a.Target) return null;
        bool negate = sum.Op == BinaryOp.Subtract;
        if (a.Target is Var && !negate)
        {
            // s += x·y + u·v + …: one dot per product term.
            var terms = new List<Expr>();
            Terms(sum.Right, terms);
            var dots = new List<Kernel>();
            foreach (var term in terms)
            {
                if (term is not Binary { Op: BinaryOp.Multiply } p || MatchOne(a.Target, p, counter, false) is not { } k) return null;
                dots.Add(k);
            }
            return dots;
        }
        if (a.Target is Elem && !negate && sum.Right is Binary { Op: BinaryOp.Add, Left: Binary { Op: BinaryOp.Multiply } p1, Right: Binary { Op: BinaryOp.Multiply } p2 })
        {
            // z[c + j] += k·x[a + j] + m·u[e + j]: one two-term axpy (doubles only), which adds the pair's sum as the loop does.
            if (MatchOne(a.Target, p1, counter, false) is not { } first || MatchOne(a.Target, p2, counter, false) is not { } second) return null;
            if (a.Target.Type != IrType.Real || first.Scale.Type != IrType.Real || second.Scale.Type != IrType.Real) return null;
            return new List<Kernel> { first with { Second = new AxpyTerm(second.Scale, second.X, second.OffsetX) } };
        }
        if (sum.Right is not Binary { Op: BinaryOp.Multiply } product) return null;
        return MatchOne(a.Target, product, counter, negate) is { } one ? new List<Kernel> { one } : null;
    }

    /// <summary>
    /// <c>Squares[c + j] ⊕= (k·y[b + j])²</c> with lanes k and weights free of j and a real span y: one
    /// <c>Lanes.AddSquares</c> over the range.
    /// </summary>
    private static Kernel? MatchSquare(AccumulateSquare q, Var counter)
    {
        if (Offset(q.Index, counter) is null || IrWalk.Mentions(q.Weights, counter.Name)) return null;
        if (q.Value is not Binary { Op: BinaryOp.Multiply } product) return null;
        var (y, k) = product.Right is Elem r ? (r, product.Left) : product.Left is Elem l ? (l, product.Right) : (null, null);
        if (y is null || k is null || y.Type != IrType.Real || k.Type != IrType.Lanes || IrWalk.Mentions(k, counter.Name)) return null;
        var oy = Offset(y.Index, counter);
        if (oy is null) return null;
        return new Kernel(false, new Elem(q.Squares, q.Index, IrType.Real), k, y.Span, oy, null, null, false, q);
    }

    private static void Terms(Expr e, List<Expr> terms)
    {
        if (e is Binary { Op: BinaryOp.Add } b)
        {
            Terms(b.Left, terms);
            Terms(b.Right, terms);
        }
        else terms.Add(e);
    }

    private static Kernel? MatchOne(Expr target, Binary product, Var counter, bool negate)
    {
        if (target is Var s)
        {
            // s += x[a + j] * y[b + j]
            if (product.Left is not Elem x || product.Right is not Elem y) return null;
            if (x.Type == IrType.Lanes && y.Type == IrType.Lanes) return null;
            if (y.Type == IrType.Lanes) (x, y) = (y, x);
            if (s.Type != (x.Type == IrType.Lanes ? IrType.Lanes : IrType.Real)) return null;
            var ox = Offset(x.Index, counter);
            var oy = Offset(y.Index, counter);
            if (ox is null || oy is null || x.Span == y.Span && x.Type == IrType.Lanes) return null;
            return new Kernel(true, s, Lit.Zero, x.Span, ox, y.Span, oy, negate);
        }
        if (target is Elem z)
        {
            // z[c + j] += k * y[b + j] (or y[b + j] * k), k free of j
            if (Offset(z.Index, counter) is null) return null;
            Elem? e = null;
            Expr? k = null;
            if (product.Right is Elem r && !IrWalk.Mentions(product.Left, counter.Name)) { e = r; k = product.Left; }
            else if (product.Left is Elem l && !IrWalk.Mentions(product.Right, counter.Name)) { e = l; k = product.Right; }
            if (e is null || k is null) return null;
            var oy = Offset(e.Index, counter);
            if (oy is null) return null;
            // Kernel shapes: (T, T[], T[]), (Lanes, T[], Lanes[]), (T, Lanes[], Lanes[]).
            bool ok = (z.Type, k.Type, e.Type) switch
            {
                (IrType.Real, IrType.Real, IrType.Real) => true,
                (IrType.Lanes, IrType.Lanes, IrType.Real) => true,
                (IrType.Lanes, IrType.Real, IrType.Lanes) => true,
                _ => false,
            };
            if (!ok || IrWalk.Reads(k).Contains(z.Span)) return null;
            return new Kernel(false, z, k, e.Span, oy, null, null, negate);
        }
        return null;
    }
}
