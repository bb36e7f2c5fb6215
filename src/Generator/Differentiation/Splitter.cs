using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Splits large statements into three-address form before any mode runs, so that generated code grows
/// linearly with the size of the user's expressions.
/// </summary>
/// <remarks>
/// <para>
/// Derivative rules copy parts of the primal expression into the derivative code: a product's partials are
/// its other factors (d(a·b) = ȧ·b + a·ḃ), sin′(u) = cos(u) repeats u, tanh′ = 1 − tanh² repeats the call
/// when its value is not held by a variable, a quotient's tangent repeats the quotient. When such a copied
/// operand is itself a large expression, its copies hold copies of their own operands: nested
/// <c>Math.Tanh(… * y + x)</c> of depth n gives first-order code of size O(n²), and forward-over-reverse
/// (the tangent of the reverse sweep) multiplies that again.
/// </para>
/// <para>
/// The pass binds every subexpression that some rule copies — an operand of a product, quotient or call
/// whose rule reads it, a call whose rule reads its value, a quotient with a varied divisor — to a fresh
/// local <c>_e{n}</c> declared just before the statement, unless it is already a literal, a variable or a
/// span element. Each copy in any mode is then a name, so every member's code is linear in the input.
/// A <c>?:</c> whose branches need temporaries becomes an <c>if</c>/<c>else</c> assigning one temporary,
/// so a branch's temporaries are evaluated only when that branch is taken (hoisting <c>Math.Sqrt(x)</c>
/// out of <c>x &gt; 0 ? … : 0</c> would give 0·∞ in the reverse sweep).
/// </para>
/// <para>
/// Only statements whose copied operands add up to more than <see cref="Budget"/> nodes are split (see
/// <see cref="Measure"/>). Below it the copies cost a bounded amount per statement, so code stays linear in
/// the number of statements, and ordinary statements (<c>100 * a * a + b * b</c>,
/// <c>Math.Log(1 + Math.Exp(z))</c>; no statement of the snapshots, benchmarks, samples or test corpus
/// copies more than 35 nodes) keep their shape. That matters in loops: a temporary holding a call would be
/// recorded on the value stack by the reverse sweep, where the unsplit derivative recomputes it from
/// inputs that are still available.
/// </para>
/// <para>
/// The temporaries are ordinary locals to every later stage: activity, the adjoint's hoisting and its
/// record-or-recompute analysis treat them like a local the user declared in the same place.
/// </para>
/// </remarks>
internal sealed class Splitter
{
    /// <summary>Statements whose derivative rules copy at most this many nodes are left as written.</summary>
    public const int Budget = 40;

    /// <summary>The prefix of the temporaries (user names never start with '_', AC0019).</summary>
    public const string Prefix = "_e";

    private readonly HashSet<string> _varied;
    private int _temps;

    private Splitter(HashSet<string> varied) => _varied = varied;

    /// <summary>The function with its large statements split; the same instance when nothing is split.</summary>
    public static IrFunction Apply(IrFunction function, IEnumerable<string> wrt)
    {
        var splitter = new Splitter(Activity.Varied(function.Body, wrt));
        var body = splitter.SplitBlock(function.Body);
        return splitter._temps == 0 ? function : function with { Body = body };
    }

    private Block SplitBlock(Block block)
    {
        var output = new List<Stmt>();
        foreach (var s in block.Statements)
        {
            switch (s)
            {
                case Declare { Init: { Type: IrType.Real } init } d when IsLarge(init):
                    output.Add(d with { Init = SplitRoot(init, output) });
                    break;
                case Assign { Value.Type: IrType.Real } a when IsLarge(a.Value):
                    output.Add(a with { Value = SplitRoot(a.Value, output) });
                    break;
                case For f:
                    output.Add(f with { Body = SplitBlock(f.Body) });
                    break;
                case If i:
                    output.Add(i with { Then = SplitBlock(i.Then), Else = SplitBlock(i.Else) });
                    break;
                default:
                    output.Add(s);
                    break;
            }
        }
        return new Block(output.ToEquatableArray());
    }

    /// <summary>
    /// True when the derivative rules would copy more than <see cref="Budget"/> nodes of the expression:
    /// the sum, over the subexpressions <see cref="Split"/> would bind, of their sizes.
    /// </summary>
    private bool IsLarge(Expr e) => Measure(e).Copied > Budget;

    /// <summary>An expression's node count, whether it is varied, whether its own rule copies it, and its copy volume.</summary>
    private readonly struct Size
    {
        public Size(int nodes, bool active, bool copiesItself, int copied, bool isName = false)
        {
            IsName = isName;
            Nodes = nodes;
            Active = active;
            CopiesItself = copiesItself;
            Copied = copied;
        }

        public bool IsName { get; }
        public int Nodes { get; }
        public bool Active { get; }
        public bool CopiesItself { get; }
        public int Copied { get; }
    }

    /// <summary>Mirrors <see cref="Split"/>: where it would bind an operand, its size is added to the copy volume.</summary>
    private Size Measure(Expr e)
    {
        int Copy(Size operand, bool copied) => (copied || operand.CopiesItself) && !operand.IsName ? operand.Nodes : 0;
        switch (e)
        {
            case Unary { Op: UnaryOp.Negate, Type: IrType.Real } u:
            {
                var operand = Measure(u.Operand);
                return new Size(operand.Nodes + 1, operand.Active, false, operand.Copied + Copy(operand, false), operand.IsName);
            }
            case Binary { Type: IrType.Real, Op: BinaryOp.Add or BinaryOp.Subtract or BinaryOp.Multiply or BinaryOp.Divide } b:
            {
                var left = Measure(b.Left);
                var right = Measure(b.Right);
                int copied = left.Copied + right.Copied
                    + Copy(left, CopiesLeft(b.Op, right.Active)) + Copy(right, CopiesRight(b.Op, left.Active, right.Active));
                return new Size(left.Nodes + right.Nodes + 1, left.Active || right.Active, b.Op == BinaryOp.Divide && right.Active, copied);
            }
            case Conditional { Type: IrType.Real } c:
            {
                var whenTrue = Measure(c.WhenTrue);
                var whenFalse = Measure(c.WhenFalse);
                int copied = whenTrue.Copied + whenFalse.Copied + Copy(whenTrue, false) + Copy(whenFalse, false);
                return new Size(whenTrue.Nodes + whenFalse.Nodes + 2, whenTrue.Active || whenFalse.Active, false, copied);
            }
            case Call call:
            {
                var args = call.Args.Select(Measure).ToList();
                bool active = args.Any(a => a.Active);
                bool copiesArguments = CopiesArguments(call, active);
                int copied = args.Sum(a => a.Copied + Copy(a, copiesArguments));
                return new Size(args.Sum(a => a.Nodes) + 1, active, CopiesItself(call, active), copied);
            }
            default:
                return new Size(1, IsActive(e), false, 0, isName: true);
        }
    }

    // The copying rules, shared by Measure and Split. They follow Rules, TangentTransform and AdjointTransform:
    // d(a·b) copies b into a's partial and a into b's; d(a/b) copies b, and a/b itself when b varies.

    private static bool CopiesLeft(BinaryOp op, bool rightActive) => op is BinaryOp.Multiply or BinaryOp.Divide && rightActive;

    private static bool CopiesRight(BinaryOp op, bool leftActive, bool rightActive) =>
        op == BinaryOp.Multiply ? leftActive : op == BinaryOp.Divide && (leftActive || rightActive);

    /// <summary>Rules that read the arguments (all but exp, sqrt, tan, tanh, which read the value).</summary>
    private static bool CopiesArguments(Call call, bool active) => active && (call.Function == Fn.User || !Rules.UsesOnlyValue(call.Function));

    /// <summary>Rules that read the call's value: when nothing holds it, the call is repeated.</summary>
    private static bool CopiesItself(Call call, bool active) => active && call.Function != Fn.User && Rules.ReadsValue(call.Function);

    /// <summary>The root is not bound: the transformations read its value from the assignment's target.</summary>
    private Expr SplitRoot(Expr e, List<Stmt> pre) => Split(e, pre).Expr;

    /// <summary>A split subexpression: whether it is varied, and whether its own rule copies it (see <see cref="Split"/>).</summary>
    private readonly struct Part
    {
        public Part(Expr expr, bool active, bool copiesItself)
        {
            Expr = expr;
            Active = active;
            CopiesItself = copiesItself;
        }

        public Expr Expr { get; }
        public bool Active { get; }
        public bool CopiesItself { get; }
    }

    /// <summary>
    /// Splits the operands of <paramref name="e"/> (temporaries go to <paramref name="pre"/>) and binds each
    /// operand that a rule of <paramref name="e"/> or of the operand itself copies.
    /// </summary>
    private Part Split(Expr e, List<Stmt> pre)
    {
        switch (e)
        {
            case Unary { Op: UnaryOp.Negate, Type: IrType.Real } u:
            {
                var operand = Split(u.Operand, pre);
                return new Part(Ex.Neg(Operand(operand, copied: false, pre)), operand.Active, false);
            }
            case Binary { Type: IrType.Real, Op: BinaryOp.Add or BinaryOp.Subtract or BinaryOp.Multiply or BinaryOp.Divide } b:
            {
                var left = Split(b.Left, pre);
                var right = Split(b.Right, pre);
                var l = Operand(left, CopiesLeft(b.Op, right.Active), pre);
                var r = Operand(right, CopiesRight(b.Op, left.Active, right.Active), pre);
                return new Part(new Binary(b.Op, l, r), left.Active || right.Active, b.Op == BinaryOp.Divide && right.Active);
            }
            case Conditional { Type: IrType.Real } c:
                return SplitConditional(c, pre);
            case Call call:
            {
                var parts = call.Args.Select(a => Split(a, pre)).ToList();
                bool active = parts.Any(p => p.Active);
                bool copiesArguments = CopiesArguments(call, active);
                var args = parts.Select(p => Operand(p, copiesArguments, pre)).ToEquatableArray();
                return new Part(call with { Args = args }, active, CopiesItself(call, active));
            }
            default:
                // Literals, variables, elements (int index), lengths, int-to-real, and bool or int expressions,
                // which no mode differentiates.
                return new Part(e, IsActive(e), false);
        }
    }

    /// <summary>
    /// <c>c ? a : b</c>. Temporaries of a branch must only be computed when that branch is taken, so when
    /// either branch needs some the conditional becomes <c>if (c) { …; _e = a; } else { …; _e = b; }</c>
    /// (where <c>_e</c> also holds a branch's value for a rule that reads it).
    /// </summary>
    private Part SplitConditional(Conditional c, List<Stmt> pre)
    {
        var thenPre = new List<Stmt>();
        var elsePre = new List<Stmt>();
        var whenTrue = Split(c.WhenTrue, thenPre);
        var whenFalse = Split(c.WhenFalse, elsePre);
        bool active = whenTrue.Active || whenFalse.Active;
        if (thenPre.Count == 0 && elsePre.Count == 0 && !whenTrue.CopiesItself && !whenFalse.CopiesItself)
            return new Part(new Conditional(c.Condition, whenTrue.Expr, whenFalse.Expr), active, false);
        var temp = Fresh(active);
        pre.Add(new Declare(temp.Name, IrType.Real, null));
        thenPre.Add(new Assign(temp, whenTrue.Expr));
        elsePre.Add(new Assign(temp, whenFalse.Expr));
        pre.Add(new If(c.Condition, new Block(thenPre.ToEquatableArray()), new Block(elsePre.ToEquatableArray())));
        return new Part(temp, active, false);
    }

    /// <summary>An operand as its parent uses it: bound to a temporary when it is copied and not already a name.</summary>
    private Expr Operand(Part part, bool copied, List<Stmt> pre)
    {
        if (!(copied || part.CopiesItself) || IsName(part.Expr)) return part.Expr;
        var temp = Fresh(part.Active);
        pre.Add(new Declare(temp.Name, IrType.Real, part.Expr));
        return temp;
    }

    private Var Fresh(bool active)
    {
        string name = Prefix + (++_temps);
        if (active) _varied.Add(name);
        return new Var(name, IrType.Real);
    }

    /// <summary>Cheap to repeat: literals, variables, span elements (their index is int arithmetic), their negations.</summary>
    private static bool IsName(Expr e) => e is Lit or Var or Elem or Len or ToReal || e is Unary { Op: UnaryOp.Negate } u && IsName(u.Operand);

    private bool IsActive(Expr e) => e switch
    {
        Var v => v.Type == IrType.Real && _varied.Contains(v.Name),
        Elem el => el.Type == IrType.Real && _varied.Contains(el.Span),
        Lit or Len or ToReal => false,
        _ => e.Type == IrType.Real && IrWalk.Reads(e).Any(_varied.Contains),
    };
}
