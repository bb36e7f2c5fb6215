using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Batched (SPMD) twins of a model's loss members: the same program run for a block of
/// <c>SampleBlock.Size</c> samples at once. A value is <em>varying</em> when it depends on the sample (the input,
/// the output, the target, and everything computed from them); varying scalars and spans become
/// <c>SampleBlock</c> values and <c>Span&lt;SampleBlock&gt;</c> (lane b = sample b), while values of the parameters
/// only (weights, tangent directions, lengths, indices, loop counters) stay scalars shared by the lanes. The
/// parameter-sized results (gradient, H·v, G·v) are reduction targets: each contribution is summed over the lanes
/// before it is added. Lanes never interact, so lane b computes exactly what the per-sample member computes for
/// sample b, and the sum over lanes is the sum over samples.
/// <para>
/// The transformation is refused (the member is not batched; the operators then run per sample) when the program
/// is not uniform across samples: a branch condition, loop bound, index or integer that depends on the sample; a
/// result span written other than by accumulation, or read; a user function or a vector-mode (lanes) value on a
/// sample value. Sample values the reverse sweep saves go on a stack of blocks.
/// </para>
/// </summary>
internal static class Batching
{
    /// <summary>The C# type of one varying scalar.</summary>
    public const string BlockType = "global::AutoCurv.CompilerServices.SampleBlock";

    /// <summary>
    /// The batched twin of <paramref name="member"/> named <paramref name="name"/>, with <paramref name="samples"/>
    /// (input, output, target) as the varying parameters, or null when the program is not uniform across samples.
    /// </summary>
    public static GeneratedMember? TryApply(GeneratedMember member, string name, string summary, IReadOnlyCollection<string> samples, out string? reason)
    {
        reason = "not a program";
        if (member.Driver is not null) return null;
        var f = member.Function;
        var reductions = new HashSet<string>(f.Parameters.Where(p => p.IsOutput && p.Shape == ParamShape.Span && !samples.Contains(p.Name)).Select(p => p.Name));
        if (f.Parameters.Any(p => p.Type != IrType.Real && p.Shape == ParamShape.Span)) return null;
        if (f.Parameters.Any(p => p.Shape == ParamShape.Scalar && (p.IsOutput || samples.Contains(p.Name)))) return null;
        var varying = Varying(f.Body, samples, reductions, out reason);
        if (varying is null) return null;
        reason = Uniform(f.Body, varying, reductions);
        if (reason is not null) return null;
        if (f.Result is not null && !varying.Contains(f.Result))
        {
            reason = "the loss does not depend on the sample";
            return null;
        }

        var parameters = f.Parameters.Select(p => varying.Contains(p.Name)
            ? p with { DeclaredType = $"global::System.{(p.IsOutput ? "Span" : "ReadOnlySpan")}<{BlockType}>" }
            : p).ToEquatableArray();
        var plan = new BatchPlan(varying.OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray());
        return member with { Name = name, Summary = summary, Function = f with { Parameters = parameters }, Batch = plan };
    }

    /// <summary>
    /// The varying names: a flow-insensitive fixpoint from the sample parameters over every assignment (a target
    /// assigned a varying value is varying, except the reduction targets) and every span-wide statement (a copy,
    /// and the spans of a runtime call, are all varying or all uniform). Null when an integer or bool would vary.
    /// </summary>
    private static HashSet<string>? Varying(Block body, IEnumerable<string> samples, HashSet<string> reductions, out string? reason)
    {
        string? culprit = null;
        var varying = new HashSet<string>(samples);
        bool changed = true;
        bool failed = false;
        void Mark(string name, IrType type)
        {
            if (reductions.Contains(name) || varying.Contains(name)) return;
            if (type != IrType.Real) { failed = true; culprit = name; return; }
            varying.Add(name);
            changed = true;
        }
        bool Varies(Expr e) => IrWalk.Reads(e).Overlaps(varying);
        void Visit(Block block)
        {
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Declare d when d.Init is not null && Varies(d.Init): Mark(d.Name, d.Type); break;
                    case Assign a when Varies(a.Value): Mark(IrWalk.TargetName(a.Target), a.Target.Type); break;
                    case CopySpan c:
                        if (varying.Contains(c.From)) Mark(c.To, IrType.Real);
                        if (varying.Contains(c.To)) Mark(c.From, IrType.Real);
                        break;
                    case RuntimeCall r:
                        foreach (var span in r.Spans) Mark(span, IrType.Real);
                        if (r.ResultVar is not null) Mark(r.ResultVar, IrType.Real);
                        break;
                    case For loop: Visit(loop.Body); break;
                    case If i: Visit(i.Then); Visit(i.Else); break;
                }
            }
        }
        while (changed && !failed)
        {
            changed = false;
            Visit(body);
        }
        reason = failed ? $"the integer or bool '{culprit}' depends on the sample" : null;
        return failed ? null : varying;
    }

    /// <summary>
    /// Checks what the fixpoint does not: control flow, indices and stacks are free of sample values, reduction
    /// targets are only accumulated into, and no construct without a block form meets a sample value.
    /// </summary>
    private static string? Uniform(Block body, HashSet<string> varying, HashSet<string> reductions)
    {
        bool Varies(Expr e) => IrWalk.Reads(e).Overlaps(varying);
        bool HasBlockForm(Expr e) => Scan(e, varying, out _);
        // A reduction target may appear only as the left operand of its own accumulation.
        bool ReadsReduction(Expr e) => IrWalk.Reads(e).Overlaps(reductions);
        string? Ok(Block block)
        {
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Declare d:
                        if (d.Type == IrType.Lanes) return Where(s, "a vector-mode value");
                        if (d.Init is not null && !HasBlockForm(d.Init)) return Where(s, NoBlockForm(d.Init, varying));
                        if (d.Init is not null && ReadsReduction(d.Init)) return Where(s, "a result span is read");
                        break;
                    case DeclareSpan d:
                        if (d.ElemType == IrType.Lanes || Varies(d.Length)) return Where(s, "a span length depends on the sample");
                        break;
                    case Assign a:
                    {
                        if (!HasBlockForm(a.Value)) return Where(s, NoBlockForm(a.Value, varying));
                        if (a.Target is Elem te && Varies(te.Index)) return Where(s, "an index that depends on the sample");
                        string target = IrWalk.TargetName(a.Target);
                        if (reductions.Contains(target))
                        {
                            if (a.Value is not Binary { Op: BinaryOp.Add or BinaryOp.Subtract } sum || sum.Left != a.Target || ReadsReduction(sum.Right)) return Where(s, "a result span is assigned other than by accumulation");
                        }
                        else if (ReadsReduction(a.Value)) return Where(s, "a result span is read");
                        break;
                    }
                    case For f:
                        if (Varies(f.Start) || Varies(f.Bound)) return Where(f.Line, "a loop bound depends on the sample");
                        if (Ok(f.Body) is { } inLoop) return inLoop;
                        break;
                    case If i:
                        if (Varies(i.Condition)) return Where(i.Line, "an if condition depends on the sample");
                        if ((Ok(i.Then) ?? Ok(i.Else)) is { } inBranch) return inBranch;
                        break;
                    case Push p:
                        // A sample value goes on a stack of blocks; its pop restores the same name, so push and pop agree.
                        if (p.Value.Type == IrType.Lanes || !HasBlockForm(p.Value) || ReadsReduction(p.Value)) return Where(s, "a saved value has no block form");
                        if (Varies(p.Value) && !(p.Value is Var or Elem && varying.Contains(IrWalk.TargetName(p.Value)))) return Where(s, "a saved value has no block form");
                        break;
                    case Pop p:
                        if (reductions.Contains(IrWalk.TargetName(p.Target)) || p.Target is Elem pe && Varies(pe.Index)) return Where(s, "a result span is restored");
                        break;
                    case ClearSpan c:
                        if (reductions.Contains(c.Name)) return Where(s, "a result span is cleared");
                        break;
                    case CopySpan c:
                        if (reductions.Contains(c.From) || reductions.Contains(c.To)) return Where(s, "a result span is copied");
                        break;
                    case RuntimeCall r:
                        if (r.Spans.Any(reductions.Contains) || r.Scalars.Any(e => !HasBlockForm(e) || ReadsReduction(e))) return Where(s, "a loss call reads a result span");
                        break;
                }
            }
            return null;
        }
        return Ok(body);
    }

    private static string Where(Stmt s, string what) => Where(s switch
    {
        Declare d => d.Line,
        DeclareSpan d => d.Line,
        Assign a => a.Line,
        _ => 0,
    }, what);

    private static string Where(int line, string what) => line > 0 ? $"{what} (line {line})" : what;

    /// <summary>What in <paramref name="e"/> has no block form (the first such node that <see cref="Scan(Expr, HashSet{string}, bool, out bool)"/> refuses).</summary>
    private static string NoBlockForm(Expr e, HashSet<string> varying, bool inCondition = false)
    {
        bool Varies(Expr x) => IrWalk.Reads(x).Overlaps(varying);
        switch (e)
        {
            case Call { Function: Fn.User } c when c.Args.Any(Varies):
                return $"a call of {c.UserTarget.Replace("global::", "")} on a sample value (a [DerivativeOf] function has no block form)";
            case Elem el when Varies(el.Index):
                return "an index that depends on the sample";
            case Binary b when b.Op == BinaryOp.Remainder && Varies(b):
                return "a remainder (%) of sample values";
            case Binary b when (b.Op.IsComparison() || b.Op.IsLogical()) && !inCondition && Varies(b):
                return "a comparison of sample values outside the condition of a ?:";
            case ToReal r when Varies(r.Operand):
                return "an integer that depends on the sample";
            case Splat or LaneOf:
                return "a vector-mode value";
        }
        IEnumerable<(Expr Child, bool InCondition)> children = e switch
        {
            Elem el => new[] { (el.Index, false) },
            Unary u => new[] { (u.Operand, u.Op == UnaryOp.Not && inCondition) },
            Binary b => new[] { (b.Left, b.Op.IsLogical() && inCondition), (b.Right, b.Op.IsLogical() && inCondition) },
            Conditional c => new[] { (c.Condition, true), (c.WhenTrue, false), (c.WhenFalse, false) },
            Call call => call.Args.Select(a => (a, false)),
            ToReal r => new[] { (r.Operand, false) },
            _ => System.Array.Empty<(Expr, bool)>(),
        };
        foreach (var (child, condition) in children)
        {
            if (!Scan(child, varying, condition, out _)) return NoBlockForm(child, varying, condition);
        }
        return "a value with no block form";
    }

    /// <summary>
    /// False when <paramref name="e"/> has a node with no block form on a sample value: an index, a condition, a
    /// comparison or a remainder that varies, a user function or a lanes value on a varying operand.
    /// <paramref name="varies"/>: whether <paramref name="e"/> reads a varying name. One pass, bottom-up.
    /// </summary>
    private static bool Scan(Expr e, HashSet<string> varying, out bool varies) => Scan(e, varying, inCondition: false, out varies);

    /// <param name="inCondition">
    /// Whether <paramref name="e"/> is (part of) the condition of a <c>?:</c>: there a comparison of sample values
    /// is a per-lane mask and the <c>?:</c> a per-lane select (both arms are pure expressions, so evaluating both
    /// and keeping one per lane is what the scalar program computes in each lane).
    /// </param>
    private static bool Scan(Expr e, HashSet<string> varying, bool inCondition, out bool varies)
    {
        bool ok = true;
        varies = false;
        switch (e)
        {
            case Var v:
                varies = varying.Contains(v.Name);
                break;
            case Elem el:
                ok = Scan(el.Index, varying, out bool index) && !index;
                varies = varying.Contains(el.Span);
                break;
            case Unary u:
                ok = Scan(u.Operand, varying, u.Op == UnaryOp.Not && inCondition, out varies);
                if (varies && u.Op == UnaryOp.Not && !inCondition) ok = false;
                break;
            case Binary b:
            {
                bool logical = b.Op.IsLogical();
                ok = Scan(b.Left, varying, logical && inCondition, out bool l) & Scan(b.Right, varying, logical && inCondition, out bool r);
                varies = l || r;
                if (varies && ((b.Op.IsComparison() || logical) && !inCondition || b.Op == BinaryOp.Remainder || b.Type == IrType.Lanes)) ok = false;
                // A mask compares reals; sample values are never ints.
                if (varies && b.Op.IsComparison() && (b.Left.Type != IrType.Real || b.Right.Type != IrType.Real)) ok = false;
                break;
            }
            case Conditional c:
            {
                ok = Scan(c.Condition, varying, inCondition: true, out bool condition) & Scan(c.WhenTrue, varying, out bool t) & Scan(c.WhenFalse, varying, out bool f);
                if (c.Type == IrType.Lanes || condition && c.Type != IrType.Real) ok = false;
                varies = condition || t || f;
                break;
            }
            case Call call:
                foreach (var a in call.Args)
                {
                    ok &= Scan(a, varying, out bool arg);
                    varies |= arg;
                }
                if (varies && call.Function == Fn.User) ok = false;
                break;
            case ToReal r:
                ok = Scan(r.Operand, varying, out varies) && !varies;
                break;
            case Splat or LaneOf:
                ok = false;
                break;
        }
        return ok;
    }
}

/// <summary>The varying names of a batched member (sorted): the emitter declares them as blocks.</summary>
internal sealed record BatchPlan(EquatableArray<string> Varying);
