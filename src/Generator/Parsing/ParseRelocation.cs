using System;
using System.Linq;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Parsing;

/// <summary>
/// Rewrites the positions a parse holds, and nothing else: the line of each statement (the comments of the
/// generated code) and the locations (the method's identifier, the call sites of functions with [DerivativeOf]
/// rules). <see cref="ParseCache"/> uses it to turn a traced parse's line tokens into lines, and to move a parse to
/// where its declarations are now when they moved without changing.
/// </summary>
/// <remarks>
/// A parse holds positions only in those fields (<see cref="ParseTrace.PositionSensitive"/> marks the parses that
/// computed a value from one). An IR node this class does not know could hold another, so it makes the rewrite
/// fail, and so does a position a mapping cannot place: the caller then lowers the method again.
/// </remarks>
internal sealed class ParseRelocation
{
    private readonly Func<int, int?> _line;
    private readonly Func<LocationInfo, LocationInfo?> _location;
    private bool _failed;

    private ParseRelocation(Func<int, int?> line, Func<LocationInfo, LocationInfo?> location)
    {
        _line = line;
        _location = location;
    }

    /// <summary>
    /// The parse with every statement's line <c>n</c> (0, a generated statement, excepted) replaced by
    /// <c>line(n)</c> and every location of the spec by <c>location(l)</c>; null when a mapping returns null or a node
    /// is unknown. Diagnostics are left as they are: <see cref="ParseCache"/> never reuses a parse that has any.
    /// </summary>
    public static ParseResult? Rewrite(ParseResult result, Func<int, int?> line, Func<LocationInfo, LocationInfo?> location)
    {
        if (result.Spec is null) return result; // a failure holds no line, and its diagnostics are not rewritten
        var relocation = new ParseRelocation(line, location);
        var spec = result.Spec;
        var identifier = spec.Location is null ? null : relocation.Move(spec.Location);
        var body = relocation.Move(spec.Primal.Body);
        if (relocation._failed) return null;
        return result with { Spec = spec with { Location = identifier, Primal = spec.Primal with { Body = body } } };
    }

    private int MoveLine(int line)
    {
        if (line == 0) return 0;
        int? moved = _line(line);
        if (moved is null) _failed = true;
        return moved ?? line;
    }

    private LocationInfo Move(LocationInfo location)
    {
        var moved = _location(location);
        if (moved is null) _failed = true;
        return moved ?? location;
    }

    private Block Move(Block block) => new(block.Statements.Select(Move).ToEquatableArray());

    private Stmt Move(Stmt statement)
    {
        switch (statement)
        {
            case Declare d:
                return d with { Init = d.Init is null ? null : Move(d.Init), Line = MoveLine(d.Line) };
            case DeclareSpan d:
                return d with { Length = Move(d.Length), Line = MoveLine(d.Line) };
            case Assign a:
                return a with { Target = Move(a.Target), Value = Move(a.Value), Line = MoveLine(a.Line) };
            case For f:
                return f with { Start = Move(f.Start), Bound = Move(f.Bound), Body = Move(f.Body), Line = MoveLine(f.Line) };
            case If i:
                return i with { Condition = Move(i.Condition), Then = Move(i.Then), Else = Move(i.Else), Line = MoveLine(i.Line) };
            case Comment:
                return statement;
            default:
                // A statement the parser does not produce today: it may hold a position this class would miss.
                _failed = true;
                return statement;
        }
    }

    private Expr Move(Expr expression)
    {
        switch (expression)
        {
            case Lit or Var or Len:
                return expression;
            case Elem e:
                return new Elem(e.Span, Move(e.Index), e.ElemType);
            case Unary u:
                return new Unary(u.Op, Move(u.Operand));
            case Binary b:
                return new Binary(b.Op, Move(b.Left), Move(b.Right));
            case Conditional c:
                return new Conditional(Move(c.Condition), Move(c.WhenTrue), Move(c.WhenFalse));
            case Call c:
                return new Call(c.Function, c.Args.Select(Move).ToEquatableArray(), c.User, c.Location is null ? null : Move(c.Location));
            case ToReal r:
                return new ToReal(Move(r.Operand));
            default:
                _failed = true;
                return expression;
        }
    }
}
