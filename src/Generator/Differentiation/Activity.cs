using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Activity analysis: which floating scalars and spans depend on the seeds (the Wrt inputs). Only those
/// get derivative variables; ints, bools, data inputs and constants are copied, never differentiated.
/// Flow-insensitive (a variable is varied if any assignment to it is), iterated to a fixed point.
/// </summary>
internal static class Activity
{
    public static HashSet<string> Varied(Block body, IEnumerable<string> seeds)
    {
        var varied = new HashSet<string>(seeds);
        bool changed = true;
        while (changed)
        {
            changed = false;
            Visit(body, varied, ref changed);
        }
        return varied;
    }

    private static bool DependsOn(Expr e, HashSet<string> varied) =>
        e.Type.IsFloating() && IrWalk.Reads(e).Any(varied.Contains);

    private static void Mark(string name, HashSet<string> varied, ref bool changed)
    {
        if (varied.Add(name)) changed = true;
    }

    private static void Visit(Block block, HashSet<string> varied, ref bool changed)
    {
        foreach (var s in block.Statements)
        {
            switch (s)
            {
                case Declare { Init: { } init } d when DependsOn(init, varied): Mark(d.Name, varied, ref changed); break;
                case Assign a when DependsOn(a.Value, varied): Mark(IrWalk.TargetName(a.Target), varied, ref changed); break;
                case CopySpan c when varied.Contains(c.From): Mark(c.To, varied, ref changed); break;
                case For f: Visit(f.Body, varied, ref changed); break;
                case If i: Visit(i.Then, varied, ref changed); Visit(i.Else, varied, ref changed); break;
                case RuntimeCall r:
                    bool input = varied.Contains(r.Spans[0]) || r.Scalars.Any(x => DependsOn(x, varied))
                        || (r.Kind == RuntimeCallKind.LossHvpAccumulate && varied.Contains(r.Spans[2]));
                    if (!input) break;
                    if (r.ResultVar is not null) Mark(r.ResultVar, varied, ref changed);
                    if (r.Kind == RuntimeCallKind.LossGradientAccumulate) Mark(r.Spans[2], varied, ref changed);
                    if (r.Kind == RuntimeCallKind.LossHvpAccumulate) Mark(r.Spans[3], varied, ref changed);
                    break;
            }
        }
    }
}
