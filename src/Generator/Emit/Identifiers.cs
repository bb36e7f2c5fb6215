using Microsoft.CodeAnalysis.CSharp;

namespace AutoCurv.Generator.Emit;

/// <summary>Identifiers as C# text, and hint names the compiler accepts.</summary>
internal static class Identifiers
{
    /// <summary>Puts back the '@' of a name that is a reserved keyword (@in, @double, @class).</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A hint name with only characters AddSource accepts (letters, digits, '.', '_', '-').</summary>
    public static string HintName(string name)
    {
        var chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            if (!(char.IsLetterOrDigit(c) || c is '.' or '_' or '-' or '`' or ',' or '+')) chars[i] = '_';
        }
        return new string(chars);
    }
}
