using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AutoCurv.Generator.Parsing;

internal sealed partial class MethodParser
{
    public const string PrimitivesTypeName = "AutoCurv.Primitives";

    /// <summary>A span argument: a span of the method, or a Slice of one.</summary>
    private sealed record SpanView(string Name, Expr Offset, Expr Length);

    private int _primitiveCount;

    /// <summary>
    /// Expands a call of <c>AutoCurv.Primitives</c> into IR loops (route (a) of the performance work):
    /// every mode then differentiates plain loops, and the emitter turns them back into SIMD kernels.
    /// </summary>
    private Expr? ExpandPrimitive(IInvocationOperation invocation, List<Stmt> pre)
    {
        var method = invocation.TargetMethod;
        var args = invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value).ToList();
        int id = ++_primitiveCount;
        string P(string name) => $"_{id}p_{method.Name}_{name}";
        Expr I(string name) => new Var(P(name), IrType.Int);
        Expr Add(Expr a, Expr b) => b is Lit { Value: 0 } ? a : a is Lit { Value: 0 } ? b : new Binary(BinaryOp.Add, a, b);
        Expr Mul(Expr a, Expr b) => new Binary(BinaryOp.Multiply, a, b);
        Expr At(SpanView s, Expr index) => new Elem(s.Name, Add(s.Offset, index), IrType.Real);
        Stmt Loop(string counter, Expr bound, params Stmt[] body) =>
            new For(P(counter), Lit.Int(0), BinaryOp.Less, bound, 1, new Block(body.ToEquatableArray()));
        Stmt Increment(Expr target, Expr term) => new Assign(target, new Binary(BinaryOp.Add, target, term));
        string source = SourceText(invocation);
        int line = Line(invocation);

        switch (method.Name)
        {
            case "Dot" when args.Count == 2:
            {
                var x = View(args[0], pre);
                var y = View(args[1], pre);
                if (x is null || y is null) return null;
                var acc = new Var(P("sum"), IrType.Real);
                pre.Add(new Declare(acc.Name, IrType.Real, Lit.Zero, line, source));
                pre.Add(Loop("i", x.Length, Increment(acc, new Binary(BinaryOp.Multiply, At(x, I("i")), At(y, I("i"))))));
                return acc;
            }
            case "MatVec" or "MatTVec" when args.Count == 5:
            {
                var m = View(args[0], pre);
                var rows = LowerInt(args[1], pre);
                var cols = LowerInt(args[2], pre);
                var x = View(args[3], pre);
                var y = View(args[4], pre, writable: true);
                if (m is null || rows is null || cols is null || x is null || y is null) return null;
                if (method.Name == "MatVec")
                {
                    // y[r] = Σ_c M[r, c] x[c]: a dot per row, written once.
                    var acc = new Var(P("sum"), IrType.Real);
                    pre.Add(Loop("r", rows,
                        new Declare(acc.Name, IrType.Real, Lit.Zero, line, source),
                        Loop("c", cols, Increment(acc, new Binary(BinaryOp.Multiply, At(m, Add(Mul(I("r"), cols), I("c"))), At(x, I("c"))))),
                        new Assign(At(y, I("r")), acc)));
                }
                else
                {
                    // y = Σ_r x[r] M[r, :]: an axpy per row.
                    pre.Add(Loop("z", cols, new Assign(At(y, I("z")), Lit.Zero, line, source)));
                    pre.Add(Loop("r", rows, Loop("c", cols, Increment(At(y, I("c")), new Binary(BinaryOp.Multiply, At(x, I("r")), At(m, Add(Mul(I("r"), cols), I("c"))))))));
                }
                return Lit.Zero;
            }
            case "Axpy" when args.Count == 3:
            {
                var a = LowerReal(args[0], pre);
                var x = View(args[1], pre);
                var y = View(args[2], pre, writable: true);
                if (a is null || x is null || y is null) return null;
                var scale = new Var(P("a"), IrType.Real);
                pre.Add(new Declare(scale.Name, IrType.Real, a, line, source));
                pre.Add(Loop("i", x.Length, Increment(At(y, I("i")), new Binary(BinaryOp.Multiply, scale, At(x, I("i"))))));
                return Lit.Zero;
            }
            case "Rank1Update" when args.Count == 4:
            {
                var a = LowerReal(args[0], pre);
                var x = View(args[1], pre);
                var y = View(args[2], pre);
                var m = View(args[3], pre, writable: true);
                if (a is null || x is null || y is null || m is null) return null;
                var scale = new Var(P("a"), IrType.Real);
                pre.Add(new Declare(scale.Name, IrType.Real, a, line, source));
                pre.Add(Loop("r", x.Length, Loop("c", y.Length,
                    Increment(At(m, Add(Mul(I("r"), y.Length), I("c"))), new Binary(BinaryOp.Multiply, new Binary(BinaryOp.Multiply, scale, At(x, I("r"))), At(y, I("c")))))));
                return Lit.Zero;
            }
            case "MatMul" when args.Count == 6:
            {
                var a = View(args[0], pre);
                var b = View(args[1], pre);
                var c = View(args[2], pre, writable: true);
                var m = LowerInt(args[3], pre);
                var k = LowerInt(args[4], pre);
                var n = LowerInt(args[5], pre);
                if (a is null || b is null || c is null || m is null || k is null || n is null) return null;
                pre.Add(Loop("z", Mul(m, n), new Assign(At(c, I("z")), Lit.Zero, line, source)));
                pre.Add(Loop("i", m, Loop("p", k, Loop("j", n,
                    Increment(At(c, Add(Mul(I("i"), n), I("j"))), new Binary(BinaryOp.Multiply, At(a, Add(Mul(I("i"), k), I("p"))), At(b, Add(Mul(I("p"), n), I("j")))))))));
                return Lit.Zero;
            }
            default:
                return Unsupported(invocation, $"Primitives.{method.Name} overload", "use Dot, MatVec, MatTVec, Axpy, Rank1Update or MatMul on spans of the element type");
        }
    }

    /// <summary>A span argument: a span of the method or <c>span.Slice(offset[, length])</c>.</summary>
    private SpanView? View(IOperation operation, List<Stmt> pre, bool writable = false)
    {
        var op = Unwrap(operation)!;
        if (SpanOf(op) is { } whole)
        {
            if (writable && !whole.IsWritable) { Report(DiagnosticDescriptors.WriteToInput, operation.Syntax, whole.Name); return null; }
            return new SpanView(whole.Name, Lit.Int(0), new Len(whole.Name));
        }
        if (op is IInvocationOperation { TargetMethod.Name: "Slice", Instance: { } instance } slice && SpanOf(instance) is { } span
            && slice.Arguments.Length is 1 or 2)
        {
            if (writable && !span.IsWritable) { Report(DiagnosticDescriptors.WriteToInput, operation.Syntax, span.Name); return null; }
            var offset = LowerInt(slice.Arguments[0].Value, pre);
            if (offset is null) return null;
            Expr length = slice.Arguments.Length == 2
                ? LowerInt(slice.Arguments[1].Value, pre)!
                : new Binary(BinaryOp.Subtract, new Len(span.Name), offset);
            return length is null ? null : new SpanView(span.Name, offset, length);
        }
        Report(DiagnosticDescriptors.UnsupportedExpression, operation.Syntax, "span argument",
            "pass a span of the method or its .Slice(offset, length) to a Primitives function");
        return null;
    }
}
