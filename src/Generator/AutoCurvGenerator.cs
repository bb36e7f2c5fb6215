using System.Linq;
using AutoCurv.Generator.Differentiation;
using AutoCurv.Generator.Emit;
using AutoCurv.Generator.Model;
using AutoCurv.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoCurv.Generator;

/// <summary>
/// The AutoCurv source generator: parse → model → differentiate → emit. This file only wires the
/// incremental pipeline; each stage lives in its own folder.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class AutoCurvGenerator : IIncrementalGenerator
{
    /// <summary>
    /// Parses of earlier compilations: a driver keeps this object across runs, and every new compilation would
    /// otherwise re-lower every method (see <see cref="Parsing.ParseCache"/>).
    /// </summary>
    internal ParseCache ParseCache { get; }

    /// <summary>Creates the generator (the compiler calls this).</summary>
    public AutoCurvGenerator()
        : this(reuseParses: true)
    {
    }

    /// <param name="reuseParses">False lowers every method on every run, as before the parse cache (for measurements).</param>
    internal AutoCurvGenerator(bool reuseParses) => ParseCache = new ParseCache(reuseParses);

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                MethodParser.DifferentiableAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                ParseCache.Parse)
            .WithTrackingName(TrackingNames.Parse);

        var diagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, info) => spc.ReportDiagnostic(info.ToDiagnostic()));

        var specs = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        // [DerivativeOf] tangent rules: parsed on their own, then handed to every method as one
        // equatable list, so editing a rule re-differentiates the methods and nothing else does.
        var rules = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                MethodParser.DerivativeOfAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                MethodParser.ParseRule)
            .WithTrackingName(TrackingNames.Rules);
        context.RegisterSourceOutput(rules.SelectMany(static (r, _) => r.Diagnostics), static (spc, info) => spc.ReportDiagnostic(info.ToDiagnostic()));
        var ruleList = rules
            .Where(static r => r.Rule is not null)
            .Select(static (r, _) => r.Rule!)
            .Collect()
            .Select(static (list, _) => list.ToEquatableArray())
            .WithTrackingName(TrackingNames.RuleList);
        var ruleCheck = ruleList.Select(RuleValidation.Check);
        context.RegisterSourceOutput(ruleCheck.SelectMany(static (c, _) => c.Diagnostics), static (spc, info) => spc.ReportDiagnostic(info.ToDiagnostic()));
        var validRules = ruleCheck.Select(static (c, _) => c.Valid);

        var differentiated = specs
            .Combine(validRules)
            .Select(static (pair, ct) => MemberBuilder.Build(pair.Left, pair.Right, ct))
            .WithTrackingName(TrackingNames.Differentiate);

        // Cross-method checks, each a small equatable value so that edits elsewhere leave them cached: the runtime
        // must be referenced (AC0027), and two methods of one type must not generate the same member (AC0028).
        var hasRuntime = context.CompilationProvider
            .Select(RuntimeReference.IsPresent)
            .WithTrackingName(TrackingNames.Runtime);
        var collisions = differentiated
            .Select(DeclaredMembers.Of)
            .WithTrackingName(TrackingNames.Signatures)
            .Collect()
            .Select(MemberCollisions.Find)
            .WithTrackingName(TrackingNames.Collisions);

        context.RegisterSourceOutput(differentiated.Combine(collisions).Combine(hasRuntime), static (spc, input) =>
        {
            var method = input.Left.Left;
            foreach (var info in method.Diagnostics) spc.ReportDiagnostic(info.ToDiagnostic());
            if (method.Members.Count == 0) return;
            if (!input.Right)
            {
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.DiagnosticDescriptors.RuntimeNotReferenced, method.Spec.Location?.ToLocation(), method.Spec.Name));
                return;
            }
            if (input.Left.Right.For(method.Spec.HintName) is { } collision)
            {
                spc.ReportDiagnostic(collision.ToDiagnostic());
                return;
            }
            string text;
            try
            {
                text = FileEmitter.Emit(method);
            }
            catch (System.Exception ex)
            {
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.DiagnosticDescriptors.InternalError, method.Spec.Location?.ToLocation(),
                    method.Spec.Name, ex.GetType().Name + ": " + ex.Message));
                return;
            }
            spc.AddSource(method.Spec.HintName, text);
        });
    }
}
