using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Differentiation;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AutoCurv.Generator.Parsing;

/// <summary>The parse stage's output for one [DerivativeOf] method.</summary>
internal sealed record RuleParseResult(UserRule? Rule, EquatableArray<DiagnosticInfo> Diagnostics);

internal sealed partial class MethodParser
{
    public const string DerivativeOfAttributeName = "AutoCurv.DerivativeOfAttribute";

    /// <summary>Parses a tangent rule: <c>T FTangent(T a.., T da..)</c> with one expression as body.</summary>
    public static RuleParseResult ParseRule(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        try
        {
            var parser = new MethodParser(context.SemanticModel.Compilation, cancellationToken);
            var rule = parser.ParseRuleCore(method, syntax, context.SemanticModel, context.Attributes[0]);
            return new RuleParseResult(parser._diagnostics.Count == 0 ? rule : null, parser._diagnostics.ToEquatableArray());
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, syntax.Identifier.GetLocation(), method.Name, ex.GetType().Name + ": " + ex.Message);
            return new RuleParseResult(null, new[] { info }.ToEquatableArray());
        }
    }

    private UserRule? ParseRuleCore(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, AttributeData attribute)
    {
        var location = syntax.Identifier.GetLocation();
        void Invalid(string message) => Report(DiagnosticDescriptors.InvalidRule, location, message);
        var element = method.ReturnType;
        if (element.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single))
        {
            Invalid($"Tangent rule '{method.Name}' must return double or float (the directional derivative)");
            return null;
        }
        int count = method.Parameters.Length;
        if (!method.IsStatic || method.IsGenericMethod || count == 0 || count % 2 != 0
            || method.Parameters.Any(p => p.RefKind != RefKind.None || !SymbolEqualityComparer.Default.Equals(p.Type, element)))
        {
            Invalid($"Tangent rule '{method.Name}' must be a static, non-generic method taking the function's {element} parameters and then one {element} tangent per parameter");
            return null;
        }
        int arity = count / 2;

        INamedTypeSymbol? type = method.ContainingType;
        string? name = null;
        var args = attribute.ConstructorArguments;
        if (args.Length == 1) name = args[0].Value as string;
        else if (args.Length == 2)
        {
            type = args[0].Value as INamedTypeSymbol;
            name = args[1].Value as string;
        }
        if (type is null || name is null)
        {
            Invalid($"[DerivativeOf] on '{method.Name}' must name a function: [DerivativeOf(nameof(F))] or [DerivativeOf(typeof(T), nameof(T.F))]");
            return null;
        }
        var target = type.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault(m =>
            m.IsStatic && m.Parameters.Length == arity && SymbolEqualityComparer.Default.Equals(m.ReturnType, element)
            && m.Parameters.All(p => p.RefKind == RefKind.None && SymbolEqualityComparer.Default.Equals(p.Type, element)));
        if (target is null)
        {
            Invalid($"'{type.ToDisplayString()}' has no static function '{name}' taking {arity} {element} parameter(s) and returning {element}, which the rule '{method.Name}' ({count} parameters) describes");
            return null;
        }

        IOperation? body = (model.GetOperation(syntax, _cancellationToken) as IMethodBodyOperation) is { } b
            ? (IOperation?)b.BlockBody ?? b.ExpressionBody
            : null;
        var returned = body switch
        {
            IBlockOperation { Operations.Length: 1 } block when block.Operations[0] is IReturnOperation { ReturnedValue: { } value } => value,
            _ => null,
        };
        if (returned is null)
        {
            Invalid($"The body of tangent rule '{method.Name}' must be a single expression (=> expr, or {{ return expr; }})");
            return null;
        }

        _element = element;
        _isFloat = element.SpecialType == SpecialType.System_Single;
        var frame = new Frame(method, model, prefix: "", result: null);
        foreach (var p in method.Parameters) frame.Bindings[p] = new Binding(p.Name, IrType.Real, IsSpan: false, IsParameter: true, IsWritable: false);
        _frames.Push(frame);
        var pre = new List<Stmt>();
        var tangent = LowerReal(returned, pre);
        _frames.Pop();
        if (tangent is null) return null;
        if (pre.Count > 0)
        {
            Invalid($"Tangent rule '{method.Name}' calls a [Differentiable] method; a rule is one expression of Math functions and functions with rules of their own");
            return null;
        }

        var parameters = method.Parameters.Take(arity).Select(p => p.Name).ToEquatableArray();
        var tangents = method.Parameters.Skip(arity).Select(p => p.Name).ToEquatableArray();
        var rule = new UserRule(RuleKey(target), parameters, tangents, tangent, method.Name, LocationInfo.From(location));
        if (!IsLinear(rule))
        {
            Report(DiagnosticDescriptors.NonlinearRule, location, method.Name, string.Join(", ", tangents));
            return null;
        }
        return rule;
    }

    /// <summary>ḟ is linear in the tangents: each ∂ḟ/∂t_k is free of tangents, and ḟ(t = 0) folds to 0.</summary>
    private static bool IsLinear(UserRule rule)
    {
        var rules = new Differentiation.RuleSet(new[] { rule });
        foreach (var t in rule.Tangents)
        {
            if (Symbolic.Mentions(Symbolic.Derivative(rule.Tangent, t, rules), rule.Tangents)) return false;
        }
        var zero = rule.Tangents.ToDictionary(t => t, _ => (Expr)Lit.Zero);
        return Ex.IsLit(Symbolic.Substitute(rule.Tangent, zero), 0);
    }
}
