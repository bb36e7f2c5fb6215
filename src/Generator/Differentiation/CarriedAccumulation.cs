using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Scalar replacement of an accumulation that the next iteration of a loop continues. A stencil like
/// <c>a = x[i + 1] − x[i]²</c> makes the reverse loop add into <c>gx[i + 1]</c> and <c>gx[i]</c>, and the iteration after
/// (i − 1) adds into <c>gx[i]</c> again: every element is loaded, added to and stored twice. This pass keeps the
/// contribution the next iteration continues in a local instead of storing it, adds it to the next iteration's
/// contribution to the same element, and stores the last one after the loop:
/// <code>
/// double _carry1 = 0.0; int _carryAt1 = -1;
/// for (int i = …; …; i--) { …; gx[i + 1] += _carry1 + t1; …; _carry1 = t0; _carryAt1 = i; }
/// if (_carryAt1 &gt;= 0) gx[_carryAt1] += _carry1;
/// </code>
/// <para>
/// It applies to a loop of step ±1 whose counter the body does not write, and a span the body touches only through
/// exactly two accumulation statements of its own (not nested), <c>s[i + c] ±= t</c> and <c>s[i + c + 1] ±= t'</c>,
/// in either order (when the carried one comes first, its value waits in a local <c>_pending{n}</c> until the other
/// has read the previous iteration's). Loops made of nothing but accumulations are left alone: they are dot/axpy
/// loops that the emitter turns into kernels.
/// </para>
/// <para>
/// Each element receives the same contributions in the same order; only their grouping changes
/// (<c>s + (c + t)</c> instead of <c>(s + c) + t</c>), so the result agrees to rounding, and exactly when the span
/// starts at zero (a cleared gradient).
/// </para>
/// </summary>
internal static class CarriedAccumulation
{
    public static IrFunction Apply(IrFunction function)
    {
        var names = new HashSet<string>(function.Parameters.Select(p => p.Name));
        IrWalk.AddMentions(function.Body, names);
        int counter = 0;
        string[] stems = ["_carry", "_carryAt", "_pending"];
        // A fresh number n for the names _carry{n}, _carryAt{n} and _pending{n}.
        string Fresh()
        {
            string n;
            do n = (++counter).ToString(System.Globalization.CultureInfo.InvariantCulture);
            while (stems.Any(stem => names.Contains(stem + n)));
            foreach (var stem in stems) names.Add(stem + n);
            return n;
        }
        var body = Rewrite(function.Body, Fresh);
        return ReferenceEquals(body, function.Body) ? function : function with { Body = body };
    }

    private static Block Rewrite(Block block, System.Func<string> fresh)
    {
        List<Stmt>? statements = null;
        for (int k = 0; k < block.Statements.Count; k++)
        {
            var s = statements is null ? block.Statements[k] : statements[k];
            switch (s)
            {
                case If i:
                {
                    var then = Rewrite(i.Then, fresh);
                    var @else = Rewrite(i.Else, fresh);
                    if (ReferenceEquals(then, i.Then) && ReferenceEquals(@else, i.Else)) continue;
                    statements ??= block.Statements.ToList();
                    statements[k] = i with { Then = then, Else = @else };
                    continue;
                }
                case For f:
                {
                    var inner = Rewrite(f.Body, fresh);
                    var loop = ReferenceEquals(inner, f.Body) ? f : f with { Body = inner };
                    var before = new List<Stmt>();
                    var after = new List<Stmt>();
                    loop = Carry(loop, fresh, before, after);
                    if (ReferenceEquals(loop, f)) continue;
                    statements ??= block.Statements.ToList();
                    statements[k] = loop;
                    statements.InsertRange(k + 1, after);
                    statements.InsertRange(k, before);
                    k += before.Count + after.Count;
                    continue;
                }
            }
        }
        return statements is null ? block : new Block(statements.ToEquatableArray());
    }

    /// <summary>Applies the carry to every span of the loop that qualifies; declarations go to before, the final stores to after.</summary>
    private static For Carry(For f, System.Func<string> fresh, List<Stmt> before, List<Stmt> after)
    {
        if (f.Step is not (1 or -1)) return f;
        var bodyWrites = new HashSet<string>();
        IrWalk.AddWrites(f.Body, bodyWrites);
        if (bodyWrites.Contains(f.Counter)) return f;
        if (f.Body.Statements.All(s => IsAccumulation(s, out _, out _, out _))) return f;

        var candidates = new List<string>();
        foreach (var s in f.Body.Statements)
        {
            if (IsAccumulation(s, out var e, out _, out _) && !candidates.Contains(e.Span)) candidates.Add(e.Span);
        }
        var body = f.Body.Statements.ToList();
        var flushes = new List<(Expr Index, string Number, List<Stmt> Stores)>();
        foreach (var span in candidates)
        {
            // The span's two accumulations, and no other mention of it anywhere in the body.
            var at = new List<int>();
            bool other = false;
            for (int k = 0; k < body.Count && !other; k++)
            {
                if (IsAccumulation(body[k], out var e, out _, out _) && e.Span == span && Offset(e.Index, f.Counter) is not null)
                {
                    at.Add(k);
                    continue;
                }
                var mentioned = new HashSet<string>();
                IrWalk.AddWrites(body[k], mentioned);
                IrWalk.AddStatementReads(body[k], mentioned);
                other = mentioned.Contains(span);
            }
            if (other || at.Count != 2) continue;
            IsAccumulation(body[at[0]], out var first, out _, out _);
            IsAccumulation(body[at[1]], out var second, out _, out _);
            long c0 = Offset(first.Index, f.Counter)!.Value, c1 = Offset(second.Index, f.Counter)!.Value;
            // The statement that carries writes element i + c; the next iteration (i + step) writes the same element
            // through the other statement's offset c − step, and that statement receives the carry.
            bool carriedSecond = c0 == c1 - f.Step;
            if (!carriedSecond && c1 != c0 - f.Step) continue;
            int receiverAt = carriedSecond ? at[0] : at[1], carrierAt = carriedSecond ? at[1] : at[0];
            IsAccumulation(body[receiverAt], out var receiver, out var receiverOp, out var receiverTerm);
            IsAccumulation(body[carrierAt], out var carrier, out var carrierOp, out var carrierTerm);
            var receiverAssign = (Assign)body[receiverAt];
            var carrierAssign = (Assign)body[carrierAt];
            var type = carrier.ElemType;

            // Carries of one loop that continue the same element share one position (and one store condition).
            string n = fresh();
            int group = flushes.FindIndex(g => g.Index.Equals(carrier.Index));
            if (group < 0)
            {
                flushes.Add((carrier.Index, n, new List<Stmt>()));
                group = flushes.Count - 1;
            }
            var carry = new Var("_carry" + n, type);
            var carryAt = new Var("_carryAt" + flushes[group].Number, IrType.Int);
            var carried = carrierOp == BinaryOp.Add ? carrierTerm : new Unary(UnaryOp.Negate, carrierTerm);
            // s[i + c] += carry ± t: the carried contribution first, as it was made first.
            var received = new Assign(receiver, new Binary(BinaryOp.Add, receiver, new Binary(receiverOp, carry, receiverTerm)),
                receiverAssign.Line, receiverAssign.Source);
            var position = new Assign(carryAt, carrier.Index);
            bool newPosition = flushes[group].Stores.Count == 0;
            if (carriedSecond)
            {
                // { …; s[i + c0] += carry ± t0; …; carry = ±t1; carryAt = i + c1; … }
                body[receiverAt] = received;
                body[carrierAt] = new Assign(carry, carried, carrierAssign.Line, carrierAssign.Source);
                if (newPosition) body.Insert(carrierAt + 1, position);
            }
            else
            {
                // { …; double pending = ±t0; carryAt = i + c0; …; s[i + c1] += carry ± t1; carry = pending; … }: the carry
                // the receiver reads is the previous iteration's, so this iteration's waits in a local until then.
                string pending = "_pending" + n;
                body[receiverAt] = received;
                body.Insert(receiverAt + 1, new Assign(carry, new Var(pending, type)));
                body[carrierAt] = new Declare(pending, type, carried, carrierAssign.Line, carrierAssign.Source);
                if (newPosition) body.Insert(carrierAt + 1, position);
            }
            before.Add(new Declare(carry.Name, type, Ex.Zero(type)));
            var last = new Elem(span, carryAt, type);
            flushes[group].Stores.Add(new Assign(last, new Binary(BinaryOp.Add, last, carry)));
        }
        foreach (var (_, number, stores) in flushes)
        {
            var at = new Var("_carryAt" + number, IrType.Int);
            before.Add(new Declare(at.Name, IrType.Int, Lit.Int(-1)));
            after.Add(new If(new Binary(BinaryOp.GreaterOrEqual, at, Lit.Int(0)), new Block(stores.ToEquatableArray()), Block.Empty));
        }
        return before.Count == 0 ? f : f with { Body = new Block(body.ToEquatableArray()) };
    }

    /// <summary>An accumulation (<see cref="AccumulationFusion.IsAccumulation"/>) whose term has the element's type.</summary>
    private static bool IsAccumulation(Stmt s, out Elem target, out BinaryOp op, out Expr term) =>
        AccumulationFusion.IsAccumulation(s, out target, out op, out term) && term.Type == target.Type;

    /// <summary>c for an index <c>counter + c</c> (or <c>counter − c</c>, or the counter alone) with an integer literal c; null otherwise.</summary>
    private static long? Offset(Expr index, string counter) => index switch
    {
        Var v when v.Name == counter => 0,
        Binary { Op: BinaryOp.Add, Left: Var v, Right: Lit { LitType: IrType.Int } c } when v.Name == counter => (long)c.Value,
        Binary { Op: BinaryOp.Add, Left: Lit { LitType: IrType.Int } c, Right: Var v } when v.Name == counter => (long)c.Value,
        Binary { Op: BinaryOp.Subtract, Left: Var v, Right: Lit { LitType: IrType.Int } c } when v.Name == counter => -(long)c.Value,
        _ => null,
    };
}
