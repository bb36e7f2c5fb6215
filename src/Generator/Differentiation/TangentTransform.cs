using System;
using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Forward mode as an IR → IR transformation: every varied value u gets a tangent u̇ computed next to it.
/// With <see cref="Lanes"/> the tangents are Vector256 values carrying several directions at once.
/// Applied to the output of <see cref="AdjointTransform"/> it yields forward-over-reverse H·v.
/// </summary>
internal sealed class TangentTransform
{
    private readonly HashSet<string> _varied;
    private readonly IReadOnlyDictionary<string, string> _names;
    private int _temps;
    private readonly RuleSet _rules;

    /// <param name="varied">Names whose tangents are propagated (from <see cref="Activity"/>).</param>
    /// <param name="names">Tangent names fixed by the caller (parameters); others get <see cref="DefaultName"/>.</param>
    /// <param name="lanes">Vector mode.</param>
    /// <param name="stackTangents">Record tangents beside recorded values (needed when the program is a reverse sweep).</param>
    public TangentTransform(HashSet<string> varied, IReadOnlyDictionary<string, string> names, bool lanes, bool stackTangents, RuleSet? rules = null)
    {
        _rules = rules ?? RuleSet.Empty;
        _varied = varied;
        _names = names;
        Lanes = lanes;
        StackTangents = stackTangents;
    }

    public bool Lanes { get; }

    public bool StackTangents { get; }

    public IrType DerivativeType => Lanes ? IrType.Lanes : IrType.Real;

    /// <summary>Tangent names: <c>_t_</c> + name (so the tangent of the adjoint <c>_d_x</c> is <c>_t__d_x</c>).</summary>
    public static string DefaultName(string name) => "_t_" + name;

    public string NameOf(string name) => _names.TryGetValue(name, out var n) ? n : DefaultName(name);

    public bool IsVaried(string name) => _varied.Contains(name);

    public Block Transform(Block block)
    {
        var output = new List<Stmt>();
        foreach (var s in block.Statements) TransformStatement(s, output);
        return new Block(output.ToEquatableArray());
    }

    private Expr TangentTarget(Expr target) => target switch
    {
        Var v => new Var(NameOf(v.Name), DerivativeType),
        Elem e => new Elem(NameOf(e.Span), e.Index, DerivativeType),
        _ => throw new InvalidOperationException("not a target"),
    };

    private void TransformStatement(Stmt s, List<Stmt> output)
    {
        switch (s)
        {
            case Declare d when d.Type == IrType.Real && IsVaried(d.Name) && _names.ContainsKey(d.Name):
                // The tangent is a parameter of the caller (out T): assign it instead of declaring it.
                output.Add(d);
                output.Add(new Assign(new Var(NameOf(d.Name), DerivativeType), (d.Init is null ? null : Tangent(d.Init)) ?? Ex.Zero(DerivativeType)));
                break;
            case DeclareSpan d when IsVaried(d.Name) && _names.ContainsKey(d.Name):
                output.Add(d);
                output.Add(new ClearSpan(NameOf(d.Name)));
                break;
            case Declare d:
                if (d.Type == IrType.Real && IsVaried(d.Name))
                {
                    var tangentInit = d.Init is null ? null : Tangent(d.Init, d.Init is Call ? new Var(d.Name, IrType.Real) : null) ?? Ex.Zero(DerivativeType);
                    if (d.Init is Call)
                    {
                        output.Add(d);
                        output.Add(new Declare(NameOf(d.Name), DerivativeType, tangentInit));
                    }
                    else
                    {
                        output.Add(new Declare(NameOf(d.Name), DerivativeType, tangentInit ?? Ex.Zero(DerivativeType)));
                        output.Add(d);
                    }
                }
                else output.Add(d);
                break;
            case DeclareSpan d:
                output.Add(d);
                if (IsVaried(d.Name)) output.Add(new DeclareSpan(NameOf(d.Name), DerivativeType, d.Length));
                break;
            case Assign a:
            {
                string name = IrWalk.TargetName(a.Target);
                if (a.Target.Type != IrType.Real || !IsVaried(name))
                {
                    output.Add(a);
                    break;
                }
                var target = TangentTarget(a.Target);
                // An intrinsic's value is reused by its derivative (exp, tanh, sqrt): compute it first
                // when the target does not feed its own right-hand side.
                bool valueFirst = a.Value is Call && !IrWalk.Mentions(a.Value, name);
                if (a.Value is Call && !valueFirst)
                {
                    // h = tanh(a·h + x): keep the value in a temporary so the rule reuses it.
                    string temp = "_c" + (++_temps);
                    output.Add(new Declare(temp, IrType.Real, a.Value, a.Line, a.Source));
                    output.Add(new Assign(target, Tangent(a.Value, new Var(temp, IrType.Real)) ?? Ex.Zero(DerivativeType)));
                    output.Add(new Assign(a.Target, new Var(temp, IrType.Real)));
                    break;
                }
                var tangent = Tangent(a.Value, valueFirst ? a.Target : null) ?? Ex.Zero(DerivativeType);
                if (valueFirst)
                {
                    output.Add(a);
                    output.Add(new Assign(target, tangent));
                }
                else if (tangent == target)
                {
                    output.Add(a); // t = t + (constant): the tangent is unchanged
                }
                else
                {
                    output.Add(new Assign(target, tangent, a.Line, a.Source));
                    output.Add(a with { Line = 0, Source = null });
                }
                break;
            }
            case For f:
                output.Add(f with { Body = Transform(f.Body) });
                break;
            case If i:
                output.Add(i with { Then = Transform(i.Then), Else = Transform(i.Else) });
                break;
            case Push p:
                output.Add(p);
                if (StackTangents && p.Value.Type == IrType.Real && IsVaried(IrWalk.TargetName(p.Value))) output.Add(new Push(TangentTarget(p.Value)));
                break;
            case Pop p:
                if (StackTangents && p.Target.Type == IrType.Real && IsVaried(IrWalk.TargetName(p.Target))) output.Add(new Pop(TangentTarget(p.Target)));
                output.Add(p);
                break;
            case ClearSpan c:
                output.Add(c);
                if (IsVaried(c.Name)) output.Add(new ClearSpan(NameOf(c.Name)));
                break;
            case CopySpan c:
                output.Add(c);
                if (IsVaried(c.To)) output.Add(IsVaried(c.From) ? new CopySpan(NameOf(c.From), NameOf(c.To)) : new ClearSpan(NameOf(c.To)));
                break;
            case Comment:
                output.Add(s);
                break;
            case RuntimeCall r:
                TransformRuntimeCall(r, output);
                break;
            default:
                throw new NotSupportedException("tangent of " + s.GetType().Name);
        }
    }

    private void TransformRuntimeCall(RuntimeCall r, List<Stmt> output)
    {
        switch (r.Kind)
        {
            case RuntimeCallKind.LossValue:
                output.Add(r);
                if (r.ResultVar is not null && IsVaried(r.ResultVar))
                {
                    output.Add(new RuntimeCall(RuntimeCallKind.LossJvp, new[] { r.Spans[0], r.Spans[1], NameOf(r.Spans[0]) }.ToEquatableArray(),
                        EquatableArray<Expr>.Empty, NameOf(r.ResultVar)));
                }
                break;
            case RuntimeCallKind.LossGradientAccumulate:
                output.Add(r);
                if (r.Scalars.Any(x => IrWalk.Reads(x).Any(IsVaried)))
                    throw new NotSupportedException("tangent of a loss gradient with a varied scale");
                if (IsVaried(r.Spans[0]))
                {
                    output.Add(new RuntimeCall(RuntimeCallKind.LossHvpAccumulate,
                        new[] { r.Spans[0], r.Spans[1], NameOf(r.Spans[0]), NameOf(r.Spans[2]) }.ToEquatableArray(), r.Scalars, null));
                }
                break;
            default:
                throw new NotSupportedException("tangent of " + r.Kind);
        }
    }

    /// <summary>The tangent of an expression, or null when it is identically zero.</summary>
    /// <param name="value">An expression holding the value of <paramref name="e"/> when it is a call (reused by its rule).</param>
    public Expr? Tangent(Expr e, Expr? value = null)
    {
        switch (e)
        {
            case Var v:
                return v.Type == IrType.Real && IsVaried(v.Name) ? new Var(NameOf(v.Name), DerivativeType) : null;
            case Elem el:
                return el.Type == IrType.Real && IsVaried(el.Span) ? new Elem(NameOf(el.Span), el.Index, DerivativeType) : null;
            case Unary { Op: UnaryOp.Negate } u:
                return Tangent(u.Operand) is { } tu ? Ex.Neg(tu) : null;
            case Binary b when b.Type == IrType.Real:
            {
                var ta = Tangent(b.Left);
                var tb = Tangent(b.Right);
                if (ta is null && tb is null) return null;
                switch (b.Op)
                {
                    case BinaryOp.Add: return ta is null ? tb : tb is null ? ta : Ex.Add(ta, tb);
                    case BinaryOp.Subtract: return ta is null ? Ex.Neg(tb!) : tb is null ? ta : Ex.Sub(ta, tb);
                    case BinaryOp.Multiply:
                    {
                        var left = ta is null ? null : Ex.Mul(ta, b.Right);
                        var right = tb is null ? null : Ex.Mul(tb, b.Left);
                        return left is null ? right : right is null ? left : Ex.Add(left, right);
                    }
                    case BinaryOp.Divide:
                    {
                        // d(a/b) = (ȧ − ḃ·(a/b)) / b
                        if (tb is null) return Ex.Div(ta!, b.Right);
                        var q = Ex.Mul(tb, b);
                        return Ex.Div(ta is null ? Ex.Neg(q) : Ex.Sub(ta, q), b.Right);
                    }
                    default: throw new NotSupportedException("tangent of " + b.Op);
                }
            }
            case Conditional c when c.Type == IrType.Real:
            {
                var tt = Tangent(c.WhenTrue);
                var tf = Tangent(c.WhenFalse);
                if (tt is null && tf is null) return null;
                return new Conditional(c.Condition, tt ?? Ex.Zero(DerivativeType), tf ?? Ex.Zero(DerivativeType));
            }
            case Call call:
            {
                Expr? sum = null;
                for (int k = 0; k < call.Args.Count; k++)
                {
                    var ta = Tangent(call.Args[k]);
                    if (ta is null) continue;
                    var term = Ex.Mul(ta, Rules.Partial(call, k, value ?? call, _rules));
                    sum = sum is null ? term : Ex.Add(sum, term);
                }
                return sum;
            }
            default:
                return null; // literals, ints, bools, lengths: constant
        }
    }
}
