using System;
using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Differentiation;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;
using Xunit;

namespace AutoCurv.Generator.Tests;

/// <summary>
/// <see cref="NegationFolding"/>: which negated temporaries fold into their readers, and the floating-point
/// identities the folding relies on, checked bit for bit on ordinary numbers, zeros of both signs, subnormals,
/// infinities, the largest values and NaN.
/// </summary>
public sealed class NegationFoldingTests
{
    private static readonly Var G = new("_g1", IrType.Real);
    private static readonly Var D = new("_d_a", IrType.Real);
    private static readonly Var Acc = new("_acc1", IrType.Real);
    private static readonly Elem X = new("x", new Var("i", IrType.Int), IrType.Real);

    private static IrFunction Function(params Stmt[] body) => new(
        new[] { new IrParam("x", IrType.Real, ParamShape.Span, false) }.ToEquatableArray(),
        new Block(body.ToEquatableArray()),
        null);

    private static Stmt Accumulate(Var target, Expr term) => new Assign(target, new Binary(BinaryOp.Add, target, term));

    [Fact]
    public void A_negated_temporary_read_in_accumulations_becomes_subtractions()
    {
        var f = Function(
            new Declare("_g1", IrType.Real, new Unary(UnaryOp.Negate, D)),
            Accumulate(Acc, new Binary(BinaryOp.Multiply, G, X)),
            Accumulate(Acc, new Binary(BinaryOp.Multiply, X, G)));
        var folded = NegationFolding.Apply(f).Body.Statements;
        Assert.Equal(2, folded.Count);
        Assert.Equal(new Assign(Acc, new Binary(BinaryOp.Subtract, Acc, new Binary(BinaryOp.Multiply, D, X))), folded[0]);
        Assert.Equal(new Assign(Acc, new Binary(BinaryOp.Subtract, Acc, new Binary(BinaryOp.Multiply, X, D))), folded[1]);
    }

    [Fact]
    public void Two_negated_temporaries_in_one_sum_fold_into_one_subtraction()
    {
        // _acc1 += _t__g1 * x[i] + vx[i] * _g1 (H·v's tangent accumulation) → _acc1 -= vx[i] * _d_a + _t__d_a * x[i].
        var t = new Var("_t__d_a", IrType.Real);
        var vx = new Elem("vx", new Var("i", IrType.Int), IrType.Real);
        var f = Function(
            new Declare("_t__g1", IrType.Real, new Unary(UnaryOp.Negate, t)),
            new Declare("_g1", IrType.Real, new Unary(UnaryOp.Negate, D)),
            Accumulate(Acc, new Binary(BinaryOp.Add, new Binary(BinaryOp.Multiply, new Var("_t__g1", IrType.Real), X), new Binary(BinaryOp.Multiply, vx, G))));
        var folded = NegationFolding.Apply(f).Body.Statements;
        var expected = new Assign(Acc, new Binary(BinaryOp.Subtract, Acc,
            new Binary(BinaryOp.Add, new Binary(BinaryOp.Multiply, vx, D), new Binary(BinaryOp.Multiply, t, X))));
        Assert.Equal(new Stmt[] { expected }, folded.ToArray());
    }

    [Fact]
    public void Temporaries_whose_negation_would_stay_or_whose_source_changes_are_kept()
    {
        // Recorded on the tape: the negation would only move.
        var pushed = Function(new Declare("_g1", IrType.Real, new Unary(UnaryOp.Negate, D)), new Push(G));
        Assert.Same(pushed, NegationFolding.Apply(pushed));
        // Read twice where nothing absorbs it: two negations for one.
        var called = Function(
            new Declare("_g1", IrType.Real, new Unary(UnaryOp.Negate, D)),
            new Assign(Acc, new Call(Fn.Exp, new Expr[] { G }.ToEquatableArray())),
            new Assign(Acc, new Call(Fn.Exp, new Expr[] { G }.ToEquatableArray())));
        Assert.Same(called, NegationFolding.Apply(called));
        // The negated local changes between the declaration and a reader.
        var rewritten = Function(
            new Declare("_g1", IrType.Real, new Unary(UnaryOp.Negate, D)),
            new Assign(D, Lit.One),
            Accumulate(Acc, new Binary(BinaryOp.Multiply, G, X)));
        Assert.Same(rewritten, NegationFolding.Apply(rewritten));
        // The temporary itself is written again.
        var reassigned = Function(
            new Declare("_g1", IrType.Real, new Unary(UnaryOp.Negate, D)),
            Accumulate(G, X),
            Accumulate(Acc, new Binary(BinaryOp.Multiply, G, X)));
        Assert.Same(reassigned, NegationFolding.Apply(reassigned));
    }

    [Fact]
    public void The_last_reader_may_overwrite_the_negated_local()
    {
        // _d_a = x[i] + _g1 reads the old _d_a: x[i] − _d_a.
        var f = Function(
            new Declare("_g1", IrType.Real, new Unary(UnaryOp.Negate, D)),
            Accumulate(Acc, new Binary(BinaryOp.Multiply, G, X)),
            new Assign(D, new Binary(BinaryOp.Add, X, G)));
        var folded = NegationFolding.Apply(f).Body.Statements;
        Assert.Equal(new Assign(D, new Binary(BinaryOp.Subtract, X, D)), folded[1]);
    }

    // ---------------------------------------------------------------- the identities, bit for bit

    private static double[] Values()
    {
        var values = new List<double>
        {
            0.0, -0.0, 1.0, -1.0, 0.1, -0.3, 3.0, 1e308, -1e308, double.MaxValue, -double.MaxValue, double.Epsilon,
            -double.Epsilon, 2.2250738585072014E-308, double.PositiveInfinity, double.NegativeInfinity, double.NaN,
        };
        var random = new Random(5);
        for (int k = 0; k < 60; k++) values.Add((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-320, 309)));
        return values.ToArray();
    }

    /// <summary>Evaluates an IR expression over the variables a and b.</summary>
    private static double Eval(Expr e, double a, double b) => e switch
    {
        Var { Name: "a" } => a,
        Var { Name: "b" } => b,
        Unary { Op: UnaryOp.Negate } u => -Eval(u.Operand, a, b),
        Binary { Op: BinaryOp.Add } x => Eval(x.Left, a, b) + Eval(x.Right, a, b),
        Binary { Op: BinaryOp.Subtract } x => Eval(x.Left, a, b) - Eval(x.Right, a, b),
        Binary { Op: BinaryOp.Multiply } x => Eval(x.Left, a, b) * Eval(x.Right, a, b),
        Binary { Op: BinaryOp.Divide } x => Eval(x.Left, a, b) / Eval(x.Right, a, b),
        _ => throw new ArgumentException(e.ToString()),
    };

    public static TheoryData<string, bool, bool> Shapes()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var op in new[] { "Add", "Subtract", "Multiply", "Divide" })
        {
            data.Add(op, true, false);
            data.Add(op, false, true);
            data.Add(op, true, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Folding_gives_the_same_bits_except_the_sign_of_an_exact_zero_sum(string operation, bool negateLeft, bool negateRight)
    {
        var op = Enum.Parse<BinaryOp>(operation);
        Expr a = new Var("a", IrType.Real), b = new Var("b", IrType.Real);
        Expr left = negateLeft ? new Unary(UnaryOp.Negate, a) : a;
        Expr right = negateRight ? new Unary(UnaryOp.Negate, b) : b;
        var original = new Binary(op, left, right);
        var folded = NegationFolding.Fold(op, left, right);
        // Only (−a) + (−b) and (−a) − b become a negated sum; every other shape must keep every bit.
        bool zeroSignMayChange = negateLeft && (op == BinaryOp.Add && negateRight || op == BinaryOp.Subtract && !negateRight);
        foreach (double x in Values())
        {
            foreach (double y in Values())
            {
                double expected = Eval(original, x, y), actual = Eval(folded, x, y);
                if (double.IsNaN(expected))
                {
                    Assert.True(double.IsNaN(actual), $"{op}({x:R}, {y:R}): NaN became {actual:R}");
                    continue;
                }
                if (BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual)) continue;
                Assert.True(zeroSignMayChange && expected == 0 && actual == 0,
                    $"{original} → {folded} at a = {x:R}, b = {y:R}: {expected:R} became {actual:R}");
            }
        }
    }
}
