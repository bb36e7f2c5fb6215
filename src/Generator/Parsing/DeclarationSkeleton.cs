using System.Collections.Immutable;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoCurv.Generator.Parsing;

/// <summary>
/// A syntax tree with the bodies of its methods, constructors, operators, accessors and expression-bodied
/// properties left out: every other token, in order, and every preprocessor directive, bodies included, in
/// its place. Two trees with one skeleton declare the same types, members, signatures, attributes, constants,
/// usings and aliases, so a method body bound against either binds to the same symbols. Whitespace and comments
/// are left out too: moving a declaration down a line changes no skeleton (<see cref="ParseCache"/> checks the
/// position of each method it reuses on its own).
/// </summary>
internal sealed class DeclarationSkeleton
{
    private const char TokenEnd = '\u0001';
    private const char BodyMark = '\u0002';

    private DeclarationSkeleton(string text, ImmutableArray<MethodDeclarationSyntax> methods)
    {
        Text = text;
        Methods = methods;
    }

    /// <summary>The skeleton itself.</summary>
    public string Text { get; }

    /// <summary>
    /// The tree's method declarations in document order. Trees with one skeleton have the same list, so an index
    /// into it names "the same method" in both, wherever it now starts.
    /// </summary>
    public ImmutableArray<MethodDeclarationSyntax> Methods { get; }

    public static DeclarationSkeleton Of(SyntaxNode root, CancellationToken cancellationToken)
    {
        var text = new StringBuilder(root.FullSpan.Length / 4);
        var methods = ImmutableArray.CreateBuilder<MethodDeclarationSyntax>();
        int visited = 0;
        foreach (var item in root.DescendantNodesAndTokens(static node => !IsBody(node)))
        {
            if ((++visited & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (item.AsNode() is MethodDeclarationSyntax method) methods.Add(method);
            if (item.IsToken)
            {
                var token = item.AsToken();
                if (token.ContainsDirectives) AppendDirectives(text, token.LeadingTrivia);
                text.Append(token.Text).Append(TokenEnd);
                if (token.ContainsDirectives) AppendDirectives(text, token.TrailingTrivia);
            }
            else if (item.AsNode() is { } node && IsBody(node))
            {
                // The kind of body is kept: a partial method's definition (no body) differs from its implementation.
                text.Append(BodyMark).Append(node is BlockSyntax ? "{}" : "=>").Append(TokenEnd);
                if (node.ContainsDirectives)
                {
                    // #pragma warning, #nullable and #define inside a body act on the text after it, other methods included.
                    foreach (var trivia in node.DescendantTrivia())
                    {
                        if (trivia.IsDirective) text.Append(trivia.ToFullString()).Append(TokenEnd);
                    }
                }
            }
        }
        return new DeclarationSkeleton(text.ToString(), methods.ToImmutable());
    }

    /// <summary>
    /// Code that only runs when its member is called: nothing outside it can observe its text. A [Differentiable]
    /// method's own body and the bodies it inlines are keyed separately, by their full text.
    /// </summary>
    private static bool IsBody(SyntaxNode node) => node switch
    {
        BlockSyntax { Parent: BaseMethodDeclarationSyntax or AccessorDeclarationSyntax } => true,
        ArrowExpressionClauseSyntax { Parent: BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or BasePropertyDeclarationSyntax } => true,
        _ => false,
    };

    private static void AppendDirectives(StringBuilder text, SyntaxTriviaList trivia)
    {
        foreach (var t in trivia)
        {
            if (t.IsDirective) text.Append(t.ToFullString()).Append(TokenEnd);
        }
    }
}
