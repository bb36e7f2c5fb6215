using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AutoCurv.CodeFixes;

/// <summary>
/// Picks names a fix can introduce without changing what any existing name means: a name is free when
/// no identifier in the enclosing member spells it and nothing named so is in scope (fields, types, ...).
/// </summary>
internal static class FreeNames
{
    /// <summary>The first free name among <paramref name="preferred"/>, then <c>preferred[0]</c> + 2, 3, ...</summary>
    public static string Choose(SemanticModel model, SyntaxNode scope, int position, params string[] preferred)
    {
        var used = new HashSet<string>(scope.DescendantTokens()
            .Where(t => t.IsKind(SyntaxKind.IdentifierToken))
            .Select(t => t.ValueText));
        bool IsFree(string name) => !used.Contains(name) && model.LookupSymbols(position, name: name).IsEmpty;

        foreach (var name in preferred)
        {
            if (IsFree(name)) return name;
        }
        for (int suffix = 2; ; suffix++)
        {
            string name = preferred[0] + suffix;
            if (IsFree(name)) return name;
        }
    }

    /// <summary>
    /// The name an underscore-prefixed identifier becomes: the underscores dropped (<c>_x</c> → <c>x</c>),
    /// made a valid non-keyword identifier (<c>_1</c> → <c>v1</c>, <c>_double</c> → <c>doubleValue</c>).
    /// </summary>
    public static string WithoutReservedPrefix(string name)
    {
        string stripped = name.TrimStart('_');
        if (stripped.Length == 0) return "value";
        if (!SyntaxFacts.IsIdentifierStartCharacter(stripped[0])) stripped = "v" + stripped;
        if (SyntaxFacts.GetKeywordKind(stripped) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(stripped) != SyntaxKind.None)
        {
            stripped += "Value";
        }
        return stripped;
    }
}
