using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Rename;

namespace AutoCurv.CodeFixes;

/// <summary>
/// AC0019: renames an underscore-prefixed parameter or local (reserved for generated code) to the same
/// name without the underscores, or the first free variant of it, with every reference updated.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RenameReservedIdentifierCodeFixProvider)), Shared]
public sealed class RenameReservedIdentifierCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ReservedIdentifier);

    /// <inheritdoc />
    // A rename touches the whole solution; renames of different symbols must not be merged as text edits.
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;

        // The generator reports a parameter at its identifier and a local at its declarator.
        var node = root.FindToken(context.Span.Start).Parent;
        var declaration = node?.AncestorsAndSelf().FirstOrDefault(n => n is ParameterSyntax or VariableDeclaratorSyntax);
        var symbol = declaration is null ? null : model.GetDeclaredSymbol(declaration, context.CancellationToken);
        if (declaration is null || symbol is null || !symbol.Name.StartsWith("_", System.StringComparison.Ordinal)) return;

        var scope = declaration.Ancestors().FirstOrDefault(n => n is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax)
            ?? declaration.Parent!;
        string newName = FreeNames.Choose(model, scope, declaration.SpanStart, FreeNames.WithoutReservedPrefix(symbol.Name));
        var solution = document.Project.Solution;
        context.RegisterCodeFix(
            CodeAction.Create(
                $"Rename '{symbol.Name}' to '{newName}'",
                ct => Renamer.RenameSymbolAsync(solution, symbol, new SymbolRenameOptions(), newName, ct),
                equivalenceKey: nameof(RenameReservedIdentifierCodeFixProvider)),
            context.Diagnostics);
    }
}
