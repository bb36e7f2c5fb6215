using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;

namespace AutoCurv.Generator.Emit;

/// <summary>
/// Which result spans of a member are cleared lazily (<c>AutoCurv.CompilerServices.FirstTouch</c>): instead of
/// <c>gw.Clear()</c> before the sweep, a bitmap records which groups of 8 elements something has added to; the first
/// contribution to a group zeroes it, an axpy that reaches a group first writes <c>a·x</c> without reading it, and the
/// groups nothing reached are zeroed at the end. A dense layer's weight gradient is then written once instead of
/// cleared, read and written, which is most of a one-sample gradient's memory traffic.
/// </summary>
/// <remarks>
/// A span qualifies when it is a parameter of element type double, cleared once by a statement of the member's
/// top level, and otherwise only accumulated into (<c>s[i] += t</c>, <c>s[i] -= t</c>, never read in a term, never
/// passed to a call), when at least one of those accumulations is an axpy loop the emitter turns into a kernel, and
/// when every scalar accumulation runs at most once per such axpy (outside loops, or beside an axpy in a row loop):
/// members that update the span element by element (Rosenbrock's gradient)
/// keep the plain clear, which costs them less than a bit test per update.
/// Batched, lanes and float members are not considered.
/// </remarks>
internal static class LazyClear
{
    public static HashSet<string> Spans(IrFunction f)
    {
        var result = new HashSet<string>();
        var candidates = f.Parameters.Where(p => p.Shape == ParamShape.Span && p.Type == IrType.Real && p.IsOutput).Select(p => p.Name).ToList();
        foreach (var span in candidates)
        {
            int clears = f.Body.Statements.Count(s => s is ClearSpan c && c.Name == span);
            if (clears != 1) continue;
            var first = f.Body.Statements.First(s => Mentions(s, span));
            if (first is not ClearSpan) continue;
            bool onlyAccumulations = true, axpy = false;
            Visit(f.Body, span, ref onlyAccumulations, ref axpy, top: true, perRow: true);
            if (onlyAccumulations && axpy) result.Add(span);
        }
        return result;
    }

    /// <param name="perRow">
    /// Whether a scalar accumulation here runs at most once per axpy: outside loops, or in a loop whose body holds an
    /// axpy kernel into the span (a dense layer's bias next to its row). Elsewhere (a scalar loop over the elements)
    /// every element would pay the first-touch test, which costs more than the clear it saves.
    /// </param>
    private static void Visit(Block block, string span, ref bool onlyAccumulations, ref bool axpy, bool top, bool perRow)
    {
        foreach (var s in block.Statements)
        {
            if (!onlyAccumulations) return;
            switch (s)
            {
                case ClearSpan c when c.Name == span:
                    if (!top) onlyAccumulations = false;
                    break;
                case For f:
                    if (LoopKernels.Recognise(f, out var kernels, out _, out _))
                    {
                        // A kernel loop: its axpys into the span are what pays; a dot over it would read it.
                        foreach (var k in kernels)
                        {
                            bool intoSpan = k.Target is Elem e && e.Span == span;
                            if (intoSpan && (k.IsDot || k.Scale.Type != IrType.Real)) onlyAccumulations = false;
                            else if (intoSpan) axpy = true;
                            else if (k.X == span || k.Y == span || IrWalk.Mentions(k.Scale, span)) onlyAccumulations = false;
                            if (k.Second is { } t && (t.X == span || IrWalk.Mentions(t.Scale, span) || intoSpan && t.Scale.Type != IrType.Real)) onlyAccumulations = false;
                        }
                        break;
                    }
                    if (IrWalk.Mentions(f.Start, span) || IrWalk.Mentions(f.Bound, span)) onlyAccumulations = false;
                    bool rows = f.Body.Statements.Any(b => b is For inner && LoopKernels.Recognise(inner, out var ks, out _, out _)
                        && ks.Any(k => !k.IsDot && k.Target is Elem e && e.Span == span));
                    Visit(f.Body, span, ref onlyAccumulations, ref axpy, top: false, perRow: rows);
                    break;
                case If i:
                    if (IrWalk.Mentions(i.Condition, span)) onlyAccumulations = false;
                    Visit(i.Then, span, ref onlyAccumulations, ref axpy, top: false, perRow);
                    Visit(i.Else, span, ref onlyAccumulations, ref axpy, top: false, perRow);
                    break;
                default:
                    if (Mentions(s, span) && (!IsAccumulation(s, span) || !perRow)) onlyAccumulations = false;
                    break;
            }
        }
    }

    /// <summary>An accumulation into the span (<see cref="Differentiation.AccumulationFusion.IsAccumulation"/>) of doubles, at an index that does not read it.</summary>
    internal static bool IsAccumulation(Stmt s, string span) =>
        Differentiation.AccumulationFusion.IsAccumulation(s, out var e, out _, out var term)
        && e.Span == span && e.ElemType == IrType.Real && term.Type == IrType.Real && !IrWalk.Mentions(e.Index, span);

    private static bool Mentions(Stmt s, string span)
    {
        var names = new HashSet<string>();
        IrWalk.AddWrites(s, names);
        IrWalk.AddStatementReads(s, names);
        return names.Contains(span);
    }
}
