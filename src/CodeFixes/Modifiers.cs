using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace AutoCurv.CodeFixes;

/// <summary>Adds a modifier where C# requires it, keeping the declaration's trivia (comments, indentation) in place.</summary>
internal static class Modifiers
{
    /// <summary>Adds <c>partial</c>, which must come last, right before <c>class</c>/<c>struct</c>/<c>record</c>.</summary>
    public static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Any(SyntaxKind.PartialKeyword)) return declaration;
        if (declaration.Modifiers.Count == 0)
        {
            // The keyword carries the declaration's indentation (after any attributes): hand it to partial.
            var keyword = declaration.Keyword;
            var partial = Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, TriviaList(Space));
            return declaration.WithKeyword(keyword.WithLeadingTrivia()).WithModifiers(TokenList(partial));
        }
        return declaration.WithModifiers(declaration.Modifiers.Add(Token(TriviaList(), SyntaxKind.PartialKeyword, TriviaList(Space))));
    }

    /// <summary>Adds <c>static</c> after the accessibility modifiers (and <c>new</c>), the conventional order.</summary>
    public static MethodDeclarationSyntax AddStatic(MethodDeclarationSyntax method)
    {
        var modifiers = method.Modifiers;
        if (modifiers.Any(SyntaxKind.StaticKeyword)) return method;
        if (modifiers.Count == 0)
        {
            var returnType = method.ReturnType;
            var token = Token(returnType.GetLeadingTrivia(), SyntaxKind.StaticKeyword, TriviaList(Space));
            return method.WithReturnType(returnType.WithLeadingTrivia()).WithModifiers(TokenList(token));
        }

        int index = 0;
        while (index < modifiers.Count && IsAccessibilityOrNew(modifiers[index].Kind())) index++;
        if (index == 0)
        {
            var first = modifiers[0];
            var token = Token(first.LeadingTrivia, SyntaxKind.StaticKeyword, TriviaList(Space));
            modifiers = modifiers.Replace(first, first.WithLeadingTrivia()).Insert(0, token);
        }
        else
        {
            modifiers = modifiers.Insert(index, Token(TriviaList(), SyntaxKind.StaticKeyword, TriviaList(Space)));
        }
        return method.WithModifiers(modifiers);
    }

    /// <summary>Modifiers that cannot be combined with <c>static</c> on a method.</summary>
    public static bool ForbidsStatic(MethodDeclarationSyntax method) =>
        method.Modifiers.Any(m => m.IsKind(SyntaxKind.VirtualKeyword) || m.IsKind(SyntaxKind.OverrideKeyword)
            || m.IsKind(SyntaxKind.AbstractKeyword) || m.IsKind(SyntaxKind.SealedKeyword))
        || method.ExplicitInterfaceSpecifier is not null;

    private static bool IsAccessibilityOrNew(SyntaxKind kind) =>
        kind is SyntaxKind.PublicKeyword or SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword
            or SyntaxKind.InternalKeyword or SyntaxKind.NewKeyword;
}
