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
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace AutoCurv.CodeFixes;

/// <summary>
/// AC0010 on a <c>foreach</c> over an array or span: rewrites it as the index-based <c>for</c> loop the
/// differentiable subset accepts, <c>for (int i = 0; i &lt; x.Length; i++) { T v = x[i]; ... }</c>.
/// Other AC0010 statements (while, switch, ...) have no mechanical rewrite and get no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ForEachToForCodeFixProvider)), Shared]
public sealed class ForEachToForCodeFixProvider : CodeFixProvider
{
    internal const string Title = "Convert to an index-based for loop";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnsupportedStatement);

    /// <inheritdoc />
    // Each fix picks its index name from the document it sees; batching would rename nothing but is safe
    // only one loop at a time, so fix-all is left to repeated single fixes.
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        if (root.FindNode(context.Span, getInnermostNodeForTie: true) is not ForEachStatementSyntax loop) return;
        if (!CanRewrite(loop, model, context.CancellationToken)) return;

        context.RegisterCodeFix(
            CodeAction.Create(Title, ct => RewriteAsync(document, loop, ct), equivalenceKey: nameof(ForEachToForCodeFixProvider)),
            context.Diagnostics);
    }

    private static bool CanRewrite(ForEachStatementSyntax loop, SemanticModel model, CancellationToken cancellationToken)
    {
        if (loop.AwaitKeyword.IsKind(SyntaxKind.AwaitKeyword) || loop.Type is RefTypeSyntax) return false;
        // The collection is read on every iteration: only names and member accesses of names are side-effect free.
        if (!IsSimpleName(loop.Expression)) return false;
        var type = model.GetTypeInfo(loop.Expression, cancellationToken).Type;
        return type switch
        {
            IArrayTypeSymbol array => array.Rank == 1,
            INamedTypeSymbol named => named.Arity == 1 && named.Name is "Span" or "ReadOnlySpan"
                && named.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true },
            _ => false,
        };
    }

    private static bool IsSimpleName(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax => true,
        ThisExpressionSyntax => true,
        MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access => IsSimpleName(access.Expression),
        _ => false,
    };

    private static async Task<Document> RewriteAsync(Document document, ForEachStatementSyntax loop, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return document;

        var scope = loop.Ancestors().FirstOrDefault(n => n is MemberDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax) ?? loop;
        string index = FreeNames.Choose(model, scope, loop.SpanStart, "i", "j", "k");
        var collection = loop.Expression.WithoutTrivia();

        // foreach applies an explicit conversion from the element type to the declared type; keep it explicit.
        var conversion = model.GetForEachStatementInfo(loop).ElementConversion;
        ExpressionSyntax element = ElementAccessExpression(collection, BracketedArgumentList(SingletonSeparatedList(Argument(IdentifierName(index)))));
        if (!loop.Type.IsVar && conversion.Exists && !conversion.IsImplicit) element = CastExpression(loop.Type.WithoutTrivia(), element);

        var local = LocalDeclarationStatement(VariableDeclaration(loop.Type.WithoutTrivia(),
            SingletonSeparatedList(VariableDeclarator(loop.Identifier.WithoutTrivia()).WithInitializer(EqualsValueClause(element)))));
        var body = loop.Statement is BlockSyntax block
            ? block.WithStatements(block.Statements.Insert(0, local))
            : Block(local, loop.Statement.WithoutLeadingTrivia());

        var replacement = ForStatement(
                VariableDeclaration(PredefinedType(Token(SyntaxKind.IntKeyword)),
                    SingletonSeparatedList(VariableDeclarator(Identifier(index))
                        .WithInitializer(EqualsValueClause(LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(0)))))),
                SeparatedList<ExpressionSyntax>(),
                BinaryExpression(SyntaxKind.LessThanExpression, IdentifierName(index),
                    MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, collection, IdentifierName("Length"))),
                SingletonSeparatedList<ExpressionSyntax>(PostfixUnaryExpression(SyntaxKind.PostIncrementExpression, IdentifierName(index))),
                body)
            .WithLeadingTrivia(loop.GetLeadingTrivia())
            .WithTrailingTrivia(loop.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);

        return document.WithSyntaxRoot(root.ReplaceNode(loop, replacement));
    }
}
