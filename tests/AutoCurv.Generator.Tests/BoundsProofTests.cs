using System;
using System.Linq;
using System.Reflection;
using AutoCurv.Generator.Emit;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;
using AutoCurv.Generator.Tests.Infrastructure;
using Xunit;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// <see cref="BoundsProof"/>: which loop accesses the emitter writes without a bounds check. Each case states the
/// loop and the access; a proven access must be in range for every length, an unproven one keeps the check (and so
/// still throws IndexOutOfRangeException where the user's code would).
/// </summary>
public sealed class BoundsProofTests
{
    private static readonly Expr I = new Var("i", IrType.Int);

    private static Expr Len(string span) => new Len(span);

    private static Expr Plus(Expr a, int c) => c == 0 ? a : new Binary(c > 0 ? BinaryOp.Add : BinaryOp.Subtract, a, Lit.Int(Math.Abs(c)));

    private static Elem At(string span, Expr index) => new(span, index, IrType.Real);

    /// <summary>x and y user spans, vx tied to x's length by the member's length check, a an array, n an int.</summary>
    private static IrFunction Function() => new(
        new[]
        {
            new IrParam("x", IrType.Real, ParamShape.Span, false, "global::System.ReadOnlySpan<double>"),
            new IrParam("y", IrType.Real, ParamShape.Span, false, "global::System.ReadOnlySpan<double>"),
            new IrParam("a", IrType.Real, ParamShape.Span, false, "double[]"),
            new IrParam("n", IrType.Int, ParamShape.Scalar, false, "int"),
            new IrParam("vx", IrType.Real, ParamShape.Span, false, null, LengthOf: "x"),
        }.ToEquatableArray(),
        Block.Empty,
        null);

    private static BoundsProof Proof()
    {
        var f = Function();
        return new BoundsProof(f, BoundsProof.SpanParameters(f));
    }

    private static For Loop(Expr start, BinaryOp compare, Expr bound, int step, params Stmt[] body) =>
        new("i", start, compare, bound, step, new Block(body.ToEquatableArray()));

    /// <summary>Whether <paramref name="access"/> is proven inside <paramref name="loop"/>.</summary>
    private static bool Proven(For loop, Elem access)
    {
        var proof = Proof();
        proof.Enter(loop);
        bool proven = proof.InBounds(access);
        proof.Leave();
        return proven;
    }

    /// <summary>The reverse sweep's loop: i from x.Length − 1 − 1 down to 0.</summary>
    private static For Reversed(params Stmt[] body) => Loop(Plus(Plus(Len("x"), -1), -1), BinaryOp.GreaterOrEqual, Lit.Int(0), -1, body);

    [Fact]
    public void Reverse_loop_over_a_stencil_proves_i_and_i_plus_1_on_spans_of_the_same_length()
    {
        Assert.True(Proven(Reversed(), At("x", I)));
        Assert.True(Proven(Reversed(), At("x", Plus(I, 1))));
        Assert.True(Proven(Reversed(), At("vx", Plus(I, 1))), "vx.Length == x.Length by the length check");
        Assert.False(Proven(Reversed(), At("x", Plus(I, 2))), "i + 2 reaches x.Length at i = x.Length − 2");
        Assert.False(Proven(Reversed(), At("x", Plus(I, -1))), "i − 1 is −1 at i = 0");
        Assert.False(Proven(Reversed(), At("y", I)), "y's length is unrelated to x's");
        Assert.False(Proven(Reversed(), At("a", I)), "arrays keep their checks (they may be null)");
        Assert.False(Proven(Reversed(), At("x", new Var("n", IrType.Int))), "not indexed by the counter");
        Assert.False(Proven(Reversed(), At("x", new Binary(BinaryOp.Multiply, Lit.Int(2), I))), "the counter's coefficient must be 1");
    }

    [Fact]
    public void Forward_loops_prove_exactly_the_range_their_bound_gives()
    {
        Assert.True(Proven(Loop(Lit.Int(0), BinaryOp.Less, Len("x"), 1), At("x", I)));
        Assert.False(Proven(Loop(Lit.Int(0), BinaryOp.Less, Len("x"), 1), At("x", Plus(I, 1))));
        Assert.True(Proven(Loop(Lit.Int(1), BinaryOp.Less, Len("x"), 1), At("x", Plus(I, -1))));
        Assert.False(Proven(Loop(Lit.Int(0), BinaryOp.Less, Len("x"), 1), At("x", Plus(I, -1))));
        Assert.True(Proven(Loop(Lit.Int(0), BinaryOp.LessOrEqual, Plus(Len("x"), -1), 1), At("x", I)));
        Assert.False(Proven(Loop(Lit.Int(0), BinaryOp.LessOrEqual, Len("x"), 1), At("x", I)));
        Assert.True(Proven(Loop(Plus(Len("x"), -1), BinaryOp.Greater, Lit.Int(-1), -1), At("x", I)));
        Assert.False(Proven(Loop(Len("x"), BinaryOp.Greater, Lit.Int(-1), -1), At("x", I)), "starts at x.Length");
    }

    [Fact]
    public void Loops_it_cannot_bound_prove_nothing()
    {
        // A bound that is not a form of lengths and literals.
        Assert.False(Proven(Loop(Lit.Int(0), BinaryOp.Less, new Var("n", IrType.Int), 1), At("x", I)));
        // A body that writes the counter.
        Assert.False(Proven(Loop(Lit.Int(0), BinaryOp.Less, Len("x"), 1, new Assign(I, Plus(I, 1))), At("x", I)));
        // A step other than ±1, and a step whose direction does not match the comparison.
        Assert.False(Proven(Loop(Lit.Int(0), BinaryOp.Less, Len("x"), 2), At("x", I)));
        Assert.False(Proven(Loop(Lit.Int(0), BinaryOp.Less, Len("x"), -1), At("x", I)));
        // i from y.Length to x.Length + y.Length reading x[i − y.Length] is in range as mathematics, but the bound
        // can overflow int (both lengths near int.MaxValue), and then the loop would not run over that range.
        var overflowing = Loop(Len("y"), BinaryOp.Less, new Binary(BinaryOp.Add, Len("x"), Len("y")), 1);
        Assert.False(Proven(overflowing, At("x", new Binary(BinaryOp.Subtract, I, Len("y")))));
    }

    [Fact]
    public void Nested_loops_use_the_range_of_the_counter_in_the_index()
    {
        var proof = Proof();
        var outer = Loop(Lit.Int(0), BinaryOp.Less, Plus(Len("x"), -1), 1);
        var inner = new For("j", Lit.Int(0), BinaryOp.Less, Len("y"), 1, Block.Empty);
        proof.Enter(outer);
        proof.Enter(inner);
        Assert.True(proof.InBounds(At("x", Plus(I, 1))));
        Assert.True(proof.InBounds(At("y", new Var("j", IrType.Int))));
        Assert.False(proof.InBounds(At("x", new Var("j", IrType.Int))));
        Assert.False(proof.InBounds(At("x", new Binary(BinaryOp.Add, I, new Var("j", IrType.Int)))), "two counters");
        proof.Leave();
        proof.Leave();
        Assert.False(proof.InBounds(At("x", I)), "outside the loop");
    }

    private const string Header = """
        using System;
        using AutoCurv;

        namespace Bounds;

        """;

    [Fact]
    public void Rosenbrock_reverse_loop_is_unchecked_and_the_final_carry_store_checked()
    {
        var run = GeneratorHarness.Run(SnapshotTests.RosenbrockSource);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        string source = run.Source("Snapshots.Functions.Rosenbrock.AutoCurv.g.cs");
        string hvp = source.Substring(source.IndexOf("RosenbrockHvp(", StringComparison.Ordinal));
        Assert.Contains("global::System.Runtime.CompilerServices.Unsafe.Add(ref _at_hx, i + 1) += _carry1", hvp, StringComparison.Ordinal);
        Assert.Contains("hx[_carryAt1] += _carry1;", hvp, StringComparison.Ordinal);
        Assert.DoesNotContain("vx[i", hvp.Substring(0, hvp.IndexOf("RosenbrockHessianDiagonal(", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void An_index_the_loop_does_not_bound_keeps_its_check_and_still_throws()
    {
        // The user's loop runs to n, which nothing ties to x.Length: x[i] must stay checked in every member.
        var run = GeneratorHarness.Run(Header + """
            public static partial class F
            {
                [Differentiable]
                public static double Prefix(ReadOnlySpan<double> x, int n)
                {
                    double sum = 0.0;
                    for (int i = 0; i < n; i++) sum += Math.Sin(x[i]);
                    return sum;
                }

                public static double Gradient(double[] x, int n, double[] g) => PrefixGradient(x, n, g);
            }
            """);
        Assert.True(run.OutputErrors.IsEmpty, GeneratorHarness.Format(run.OutputErrors));
        Assert.DoesNotContain("Unsafe.Add", run.Source("Bounds.F.Prefix.AutoCurv.g.cs"), StringComparison.Ordinal);
        using var loaded = GeneratorHarness.EmitAndLoad(run.OutputCompilation);
        var g = new double[3];
        loaded.Invoke("Bounds.F", "Gradient", new double[] { 1, 2, 3 }, 3, g);
        Assert.Equal(new[] { Math.Cos(1.0), Math.Cos(2.0), Math.Cos(3.0) }, g);
        Assert.Throws<IndexOutOfRangeException>(() => loaded.Invoke("Bounds.F", "Gradient", new double[] { 1, 2, 3 }, 4, new double[3]));
    }
}
