using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace AutoCurv.Generator.Parsing;

/// <summary>
/// What a parse read besides symbols and the target's own declaration, and where its line numbers came from,
/// recorded by <see cref="MethodParser"/> for <see cref="ParseCache"/>.
/// </summary>
internal sealed class ParseTrace
{
    private readonly List<(SyntaxNode? Declaration, int Line)> _lines = new();

    /// <summary>
    /// Method declarations whose text the result depends on: the callees it inlines, transitively, and the
    /// implementation part of a partial method.
    /// </summary>
    public List<SyntaxNode> Consulted { get; } = new();

    /// <summary>
    /// The result holds a value computed from a position, not only positions themselves: a caller-info default
    /// argument (<c>[CallerLineNumber]</c> and kin). Such a parse is reused only where it was made.
    /// </summary>
    public bool PositionSensitive { get; set; }

    /// <summary>The source of each line token handed out: index <c>token - 1</c>.</summary>
    public IReadOnlyList<(SyntaxNode? Declaration, int Line)> Lines => _lines;

    /// <summary>
    /// A stand-in for the one-based <paramref name="line"/> of a statement of <paramref name="declaration"/>:
    /// while tracing, the parser's IR holds tokens instead of lines, so the cache can later give every statement
    /// the line of its own declaration wherever that declaration has moved (a bare line number does not say which
    /// file it is in, and callees from several files are inlined into one method).
    /// </summary>
    public int LineToken(SyntaxNode? declaration, int line)
    {
        _lines.Add((declaration, line));
        return _lines.Count;
    }
}
