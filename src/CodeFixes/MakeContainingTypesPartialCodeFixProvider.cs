using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AutoCurv.CodeFixes;

/// <summary>
/// AC0002: adds <c>partial</c> to the reported type, to every type declaration containing it and to the
/// types between it and the [Differentiable] methods it holds, so one fix makes the whole chain partial.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeContainingTypesPartialCodeFixProvider)), Shared]
public sealed class MakeContainingTypesPartialCodeFixProvider : CodeFixProvider
{
    internal const string Title = "Make containing types partial";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TypeNotPartial);

    /// <inheritdoc />
    // One document pass for all diagnostics: nested types share ancestors, whose edits would overlap in a batch fixer.
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(
        async (context, document, diagnostics) =>
            await FixAsync(document, diagnostics.Select(d => d.Location.SourceSpan), context.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || FindType(root, context.Span) is null) return;
        var span = context.Span;
        context.RegisterCodeFix(
            CodeAction.Create(Title, ct => FixAsync(context.Document, new[] { span }, ct), equivalenceKey: nameof(MakeContainingTypesPartialCodeFixProvider)),
            context.Diagnostics);
    }

    private static TypeDeclarationSyntax? FindType(SyntaxNode root, TextSpan span) =>
        root.FindToken(span.Start).Parent?.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault();

    private static void AddChain(SyntaxNode node, HashSet<TypeDeclarationSyntax> targets)
    {
        foreach (var declaration in node.AncestorsAndSelf().OfType<TypeDeclarationSyntax>())
        {
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword)) targets.Add(declaration);
        }
    }

    private static bool IsDifferentiable(MethodDeclarationSyntax method) =>
        method.AttributeLists.SelectMany(list => list.Attributes).Any(attribute =>
        {
            string name = attribute.Name switch
            {
                QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
                AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
                SimpleNameSyntax simple => simple.Identifier.ValueText,
                _ => "",
            };
            return name is "Differentiable" or "DifferentiableAttribute";
        });

    private static async Task<Document> FixAsync(Document document, IEnumerable<TextSpan> spans, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;
        var targets = new HashSet<TypeDeclarationSyntax>();
        foreach (var span in spans)
        {
            var type = FindType(root, span);
            if (type is null) continue;
            // The chain above the reported type, and (when an outer type is reported) the chain down to
            // each [Differentiable] method inside it: the generator reports each link separately.
            AddChain(type, targets);
            foreach (var method in type.DescendantNodes().OfType<MethodDeclarationSyntax>().Where(IsDifferentiable))
            {
                AddChain(method, targets);
            }
        }
        if (targets.Count == 0) return document;
        // ReplaceNodes hands inner rewrites to the outer callback, so nested declarations compose.
        var newRoot = root.ReplaceNodes(targets, (_, rewritten) => Modifiers.AddPartial(rewritten));
        return document.WithSyntaxRoot(newRoot);
    }
}
