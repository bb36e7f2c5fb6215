using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AutoCurv.Generator.Parsing;

/// <summary>
/// Lowers a [Differentiable] method (symbols + IOperation tree) to a <see cref="MethodSpec"/> holding IR.
/// Every AutoCurv diagnostic about user code is raised here; nothing Roslyn leaves this stage.
/// Calls to other [Differentiable] methods are inlined at the IR level, so every mode sees one program.
/// </summary>
internal sealed partial class MethodParser
{
    public const string DifferentiableAttributeName = "AutoCurv.DifferentiableAttribute";
    public const string WrtAttributeName = "AutoCurv.WrtAttribute";

    private readonly Compilation _compilation;
    private readonly CancellationToken _cancellationToken;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly Stack<Frame> _frames = new();
    private readonly ParseTrace? _trace;
    private ITypeSymbol _element = null!;
    private bool _failedSilently;
    private bool _isFloat;
    private int _inlineCount;
    private int _depth;

    private MethodParser(Compilation compilation, CancellationToken cancellationToken, ParseTrace? trace = null)
    {
        _compilation = compilation;
        _cancellationToken = cancellationToken;
        _trace = trace;
    }

    /// <summary>Lowers one [Differentiable] method. Never throws (except for cancellation).</summary>
    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(context, cancellationToken, trace: null);

    /// <summary>
    /// Lowers one [Differentiable] method and records in <paramref name="trace"/> every method declaration other
    /// than the target whose text the result depends on (the callees it inlines, transitively, and the
    /// implementation part of a partial method) and whether it computed a value from a position. Everything else
    /// it reads is a symbol. <see cref="ParseCache"/> relies on this: keep the trace complete when the parser learns
    /// to read another declaration's body or another position-dependent value. With a trace, the statements' line
    /// numbers in the result are tokens of <see cref="ParseTrace.LineToken"/>, to be replaced by the caller
    /// (<see cref="ParseRelocation"/>).
    /// </summary>
    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken, ParseTrace? trace)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        try
        {
            return new MethodParser(context.SemanticModel.Compilation, cancellationToken, trace).ParseRoot(method, syntax, context.SemanticModel);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, syntax.Identifier.GetLocation(), method.Name, ex.GetType().Name + ": " + ex.Message);
            return new ParseResult(null, new[] { info }.ToEquatableArray());
        }
    }

    private ParseResult Fail() => new(null, _diagnostics.ToEquatableArray());

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode? node, params object?[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, node?.GetLocation(), args));

    private void Report(DiagnosticDescriptor descriptor, Location? location, params object?[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));

    /// <summary>
    /// The part of <paramref name="method"/> that holds its body: for the bodiless defining declaration of a partial
    /// method (where <c>[Differentiable]</c> may sit), the implementing part and its syntax; otherwise the method itself.
    /// </summary>
    private (IMethodSymbol Method, MethodDeclarationSyntax Syntax) WithBody(IMethodSymbol method, MethodDeclarationSyntax syntax)
    {
        if (syntax.Body is null && syntax.ExpressionBody is null && method.PartialImplementationPart is { } implementation
            && implementation.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is MethodDeclarationSyntax implementationSyntax)
        {
            _trace?.Consulted.Add(implementationSyntax); // its text is lowered: a reused parse must check it
            return (implementation, implementationSyntax);
        }
        return (method, syntax);
    }

    /// <summary>Whether two symbols are one method, either part of a partial method standing for both.</summary>
    private static bool SameMethod(IMethodSymbol a, IMethodSymbol b) =>
        SymbolEqualityComparer.Default.Equals(a.PartialDefinitionPart ?? a, b.PartialDefinitionPart ?? b);

    private ParseResult ParseRoot(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model)
    {
        var withBody = WithBody(method, syntax);
        if (!ReferenceEquals(withBody.Syntax, syntax))
        {
            (method, syntax) = withBody;
            model = _compilation.GetSemanticModel(syntax.SyntaxTree);
        }
        // Two methods with one signature (CS0111): the compiler reports it; calls would only be ambiguous.
        if (method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().Count(m =>
                m.Parameters.Length == method.Parameters.Length
                && m.Parameters.Zip(method.Parameters, (a, b) => SymbolEqualityComparer.Default.Equals(a.Type, b.Type) && a.RefKind == b.RefKind).All(x => x)) > 1)
        {
            return Fail();
        }
        var signature = AnalyzeSignature(method, syntax, reportCollisions: true);
        if (signature is null || _diagnostics.Count > 0) return Fail();

        _element = signature.Element;
        _isFloat = signature.IsFloat;
        // Before the body: a bad size is reported even while the body does not compile yet.
        var sizes = ReadSizes(method, signature);

        var body = GetBody(method, syntax, model);
        if (body is null) return Fail();

        var frame = new Frame(method, model, prefix: "", result: signature.IsVector ? null : "_result");
        foreach (var p in method.Parameters)
        {
            var kind = signature.Parameters.First(s => s.Name == p.Name).Kind;
            frame.Bindings[p] = kind switch
            {
                SourceParamKind.RealScalar => new Binding(p.Name, IrType.Real, IsSpan: false, IsParameter: true, IsWritable: false),
                SourceParamKind.IntConstant => new Binding(p.Name, IrType.Int, IsSpan: false, IsParameter: true, IsWritable: false),
                SourceParamKind.BoolConstant => new Binding(p.Name, IrType.Bool, IsSpan: false, IsParameter: true, IsWritable: false),
                SourceParamKind.Output => new Binding(p.Name, IrType.Real, IsSpan: true, IsParameter: true, IsWritable: true),
                _ => new Binding(p.Name, IrType.Real, IsSpan: true, IsParameter: true, IsWritable: false),
            };
        }
        NameLocals(frame, body);

        var statements = new List<Stmt>();
        if (frame.Result is not null) statements.Add(new Declare(frame.Result, IrType.Real, Lit.Zero));
        _frames.Push(frame);
        LowerSequence(Flatten(body), statements);
        _frames.Pop();
        if (_diagnostics.Count == 0 && !_failedSilently) sizes = InferOutputSize(method, signature, sizes, statements);
        if (_diagnostics.Count > 0 || _failedSilently) return Fail();

        var parameters = method.Parameters.Select(p =>
        {
            var s = signature.Parameters.First(q => q.Name == p.Name);
            var type = s.Kind switch { SourceParamKind.IntConstant => IrType.Int, SourceParamKind.BoolConstant => IrType.Bool, _ => IrType.Real };
            var shape = s.Kind is SourceParamKind.RealSpan or SourceParamKind.Output ? ParamShape.Span : ParamShape.Scalar;
            return new IrParam(p.Name, type, shape, s.Kind == SourceParamKind.Output, s.DeclaredType);
        }).ToEquatableArray();

        var primal = new IrFunction(parameters, new Block(statements.ToEquatableArray()), frame.Result);
        var containers = new List<ContainingType>();
        for (var t = method.ContainingType; t is not null; t = t.ContainingType)
        {
            containers.Insert(0, DescribeContainer(t));
        }
        string? ns = method.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var spec = new MethodSpec(ns, containers.ToEquatableArray(), method.Name, Accessibility(method), signature.IsFloat, signature.IsVector,
            signature.Parameters.ToEquatableArray(), primal, HintName(method), LocationInfo.From(syntax.Identifier.GetLocation()),
            HasSampler: FindSampler(method), Sizes: sizes);
        return new ParseResult(spec, _diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// The sizes declared by <c>[Differentiable(InputSize = d, OutputSize = C, ParameterCount = n)]</c>, or null when
    /// none is. AC0029 at the argument for a size below 1, and for any size on a method without the model roles
    /// (w, x, output): there is no span for it to describe.
    /// </summary>
    private ModelSizes? ReadSizes(IMethodSymbol method, Signature signature)
    {
        var attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttributeName);
        if (attribute is null || attribute.NamedArguments.IsEmpty) return null;
        bool roles = MethodSpec.ModelRoles(signature.IsVector, signature.Parameters);
        string t = signature.IsFloat ? "float" : "double";
        var values = new[] { -1, -1, -1 }; // w, x, output
        foreach (var named in attribute.NamedArguments)
        {
            int role = named.Key switch { "ParameterCount" => 0, "InputSize" => 1, "OutputSize" => 2, _ => -1 };
            if (role < 0 || named.Value.Value is not int value) continue;
            var location = NamedArgumentLocation(attribute, named.Key);
            if (!roles)
            {
                Report(DiagnosticDescriptors.ModelSize, location,
                    $"{named.Key} describes a model 'void {method.Name}([Wrt] ReadOnlySpan<{t}> w, ReadOnlySpan<{t}> x, Span<{t}> output)', and '{method.Name}' does not have that shape; remove {named.Key}");
                continue;
            }
            if (value < 1)
            {
                Report(DiagnosticDescriptors.ModelSize, location,
                    $"{named.Key} = {value} is not a length; declare the positive length of '{signature.Parameters[role].Name}', or remove {named.Key} to leave it undeclared (not checked)");
                continue;
            }
            values[role] = value;
        }
        var sizes = new ModelSizes(Input: values[1], Output: values[2], Parameters: values[0]);
        return sizes.Any ? sizes : null;
    }

    /// <summary>
    /// Adds the output size read off the lowered body (<see cref="OutputSizeInference"/>) to the declared sizes, or,
    /// when the model declares another one, reports AC0029 at its OutputSize argument: the body writes past the
    /// declared end or leaves entries unwritten.
    /// </summary>
    private ModelSizes? InferOutputSize(IMethodSymbol method, Signature signature, ModelSizes? sizes, List<Stmt> statements)
    {
        if (!MethodSpec.ModelRoles(signature.IsVector, signature.Parameters)) return sizes;
        string output = signature.Parameters[2].Name;
        int inferred = OutputSizeInference.Infer(new Block(statements.ToEquatableArray()), output);
        if (inferred < 0) return sizes;
        if (sizes is null) return new ModelSizes(-1, inferred, -1, OutputInferred: true);
        if (sizes.Output < 0) return sizes with { Output = inferred, OutputInferred = true };
        if (sizes.Output != inferred)
        {
            var attribute = method.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttributeName);
            Report(DiagnosticDescriptors.ModelSize, NamedArgumentLocation(attribute, "OutputSize"),
                $"OutputSize = {sizes.Output}, but '{method.Name}' writes '{output}' only at indices with constant bounds, the largest {inferred - 1}, so its output has {inferred} values; declare OutputSize = {inferred}, or remove OutputSize (it is then inferred)");
        }
        return sizes;
    }

    private Location? NamedArgumentLocation(AttributeData attribute, string name)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is not AttributeSyntax syntax) return null;
        var argument = syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        return (argument ?? (SyntaxNode)syntax).GetLocation();
    }

    /// <summary>
    /// The sampler of a loss written in C#: <c>static void LSample(ReadOnlySpan&lt;double&gt;, ref RandomSource, Span&lt;double&gt;)</c>.
    /// A method of that name with another shape gets AC0024.
    /// </summary>
    private bool FindSampler(IMethodSymbol method)
    {
        var candidates = method.ContainingType.GetMembers(method.Name + "Sample").OfType<IMethodSymbol>().ToList();
        bool Matches(IMethodSymbol m) =>
            m.IsStatic && m.ReturnsVoid && !m.IsGenericMethod && m.Parameters.Length == 3
            && m.Parameters[0].RefKind == RefKind.None && m.Parameters[0].Type.ToDisplayString() == "System.ReadOnlySpan<double>"
            && m.Parameters[1].RefKind == RefKind.Ref && m.Parameters[1].Type.ToDisplayString() == "AutoCurv.RandomSource"
            && m.Parameters[2].RefKind == RefKind.None && m.Parameters[2].Type.ToDisplayString() == "System.Span<double>";
        if (candidates.Any(Matches)) return true;
        foreach (var wrong in candidates)
        {
            Report(DiagnosticDescriptors.InvalidSampler, wrong.Locations.FirstOrDefault(), wrong.Name, method.Name);
        }
        return false;
    }

    private static string HintName(IMethodSymbol method)
    {
        var parts = new List<string>();
        for (var t = method.ContainingType; t is not null; t = t.ContainingType) parts.Insert(0, t.Name + (t.Arity > 0 ? "`" + t.Arity : ""));
        if (method.ContainingNamespace is { IsGlobalNamespace: false } ns) parts.Insert(0, ns.ToDisplayString());
        var overloads = method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().ToList();
        string name = method.Name;
        if (overloads.Count > 1) name += "_" + overloads.IndexOf(method);
        parts.Add(name);
        return Emit.Identifiers.HintName(string.Join(".", parts)) + ".AutoCurv.g.cs";
    }

    private static string Accessibility(ISymbol symbol) => symbol.DeclaredAccessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };

    private static ContainingType DescribeContainer(INamedTypeSymbol type)
    {
        string keyword = type.IsRecord ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record")
            : type.TypeKind == TypeKind.Struct ? "struct"
            : type.TypeKind == TypeKind.Interface ? "interface"
            : "class";
        string name = Emit.Identifiers.Escape(type.Name);
        if (type.TypeParameters.Length > 0) name += "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";
        string modifiers = type.IsStatic ? "static partial" : "partial";
        return new ContainingType(keyword, name, modifiers);
    }

    private IOperation? GetBody(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model)
    {
        if (syntax.Body is null && syntax.ExpressionBody is null)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, syntax.Identifier.GetLocation(), "method without a body", "give the method a body");
            return null;
        }
        var operation = model.GetOperation(syntax, _cancellationToken) as IMethodBodyOperation;
        IOperation? body = operation?.BlockBody ?? (IOperation?)operation?.ExpressionBody;
        if (body is null)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, syntax.Identifier.GetLocation(), "method body", "the body could not be analysed (does it compile?)");
            return null;
        }
        if (body.Descendants().Any(o => o is IInvalidOperation) || model.GetDiagnostics(syntax.Span, _cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            // The compiler reports the errors; differentiating half-written code would only add noise.
            return null;
        }
        if (_trace is not null && body.Descendants().Any(IsCallerInfoDefault)) _trace.PositionSensitive = true;
        return body;
    }

    /// <summary>An omitted argument the compiler fills from the call site ([CallerLineNumber] and kin).</summary>
    private static bool IsCallerInfoDefault(IOperation operation) =>
        operation is IArgumentOperation { ArgumentKind: ArgumentKind.DefaultValue, Parameter: { } parameter }
        && parameter.GetAttributes().Any(a => a.AttributeClass?.Name.StartsWith("Caller", StringComparison.Ordinal) == true);

    internal sealed record Signature(ITypeSymbol Element, bool IsFloat, bool IsVector, List<SourceParam> Parameters);

    /// <summary>Checks the method's shape and classifies its parameters; null when it cannot be differentiated.</summary>
    private Signature? AnalyzeSignature(IMethodSymbol method, MethodDeclarationSyntax? syntax, bool reportCollisions)
    {
        var location = syntax?.Identifier.GetLocation() ?? method.Locations.FirstOrDefault();
        int before = _diagnostics.Count;
        if (!method.IsStatic) Report(DiagnosticDescriptors.MethodNotStatic, location, method.Name);
        if (method.IsGenericMethod) Report(DiagnosticDescriptors.GenericMethod, location, method.Name);
        if (method.IsAsync || (syntax?.Body?.DescendantNodes().Any(n => n is YieldStatementSyntax) ?? false))
            Report(DiagnosticDescriptors.AsyncMethod, location, method.Name);

        for (var t = method.ContainingType; t is not null; t = t.ContainingType)
        {
            if (t.IsFileLocal) Report(DiagnosticDescriptors.FileLocalType, t.Locations.FirstOrDefault() ?? location, t.Name, method.Name);
            foreach (var reference in t.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(_cancellationToken) is TypeDeclarationSyntax decl && !decl.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    Report(DiagnosticDescriptors.TypeNotPartial, decl.Identifier.GetLocation(), t.Name, method.Name);
                }
            }
        }

        bool isVector = method.ReturnsVoid;
        ITypeSymbol? element = null;
        if (!isVector)
        {
            if (method.ReturnType.SpecialType is SpecialType.System_Double or SpecialType.System_Single) element = method.ReturnType;
            else Report(DiagnosticDescriptors.UnsupportedReturnType, location, method.Name, method.ReturnType.ToDisplayString());
        }
        else
        {
            element = method.Parameters.Select(p => SpanElement(p.Type, "Span")).FirstOrDefault(e => e is not null);
            if (element is null)
            {
                Report(DiagnosticDescriptors.OutputShape, location,
                    $"Vector function '{method.Name}' returns void but has no Span<double> or Span<float> output; add one Span<T> parameter for its result, or return the value");
            }
        }
        if (element is null) return null;
        bool isFloat = element.SpecialType == SpecialType.System_Single;
        string t0 = isFloat ? "float" : "double";

        var parameters = new List<SourceParam>();
        bool anyWrt = method.Parameters.Any(p => HasAttribute(p, WrtAttributeName));
        int outputs = 0;
        foreach (var p in method.Parameters)
        {
            var pLocation = p.Locations.FirstOrDefault();
            if (p.RefKind != RefKind.None)
            {
                Report(DiagnosticDescriptors.RefParameter, pLocation, p.Name, p.RefKind.ToString().ToLowerInvariant().Replace("readonly", "ref readonly"));
                continue;
            }
            if (p.Name.StartsWith("_", StringComparison.Ordinal)) Report(DiagnosticDescriptors.ReservedIdentifier, pLocation, p.Name);
            SourceParamKind kind;
            var type = p.Type;
            if (SymbolEqualityComparer.Default.Equals(type, element)) kind = SourceParamKind.RealScalar;
            else if (SpanElement(type, "ReadOnlySpan") is { } e1 && SymbolEqualityComparer.Default.Equals(e1, element)) kind = SourceParamKind.RealSpan;
            else if (type is IArrayTypeSymbol { Rank: 1 } arr && SymbolEqualityComparer.Default.Equals(arr.ElementType, element)) kind = SourceParamKind.RealSpan;
            else if (SpanElement(type, "Span") is { } e2 && SymbolEqualityComparer.Default.Equals(e2, element)) kind = SourceParamKind.Output;
            else if (type.SpecialType == SpecialType.System_Int32) kind = SourceParamKind.IntConstant;
            else if (type.SpecialType == SpecialType.System_Boolean) kind = SourceParamKind.BoolConstant;
            else
            {
                Report(DiagnosticDescriptors.UnsupportedParameterType, pLocation, p.Name, type.ToDisplayString(), t0);
                continue;
            }
            bool hasWrt = HasAttribute(p, WrtAttributeName);
            if (hasWrt && kind is not (SourceParamKind.RealScalar or SourceParamKind.RealSpan))
            {
                Report(DiagnosticDescriptors.WrtOnNonFloating, pLocation, p.Name, type.ToDisplayString(), t0);
            }
            if (kind == SourceParamKind.Output)
            {
                outputs++;
                if (!isVector)
                {
                    Report(DiagnosticDescriptors.OutputShape, pLocation,
                        $"Scalar function '{method.Name}' has the Span<{t0}> parameter '{p.Name}'; a scalar function only reads its inputs: take it as ReadOnlySpan<{t0}>, or use a local stackalloc for scratch");
                }
            }
            bool isWrt = kind is SourceParamKind.RealScalar or SourceParamKind.RealSpan && (anyWrt ? hasWrt : true);
            parameters.Add(new SourceParam(p.Name, kind, isWrt, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
        }
        if (isVector && outputs > 1)
        {
            Report(DiagnosticDescriptors.OutputShape, location,
                $"Vector function '{method.Name}' has {outputs} Span<{t0}> parameters; it must have exactly one output: concatenate the outputs into one span");
        }
        if (_diagnostics.Count == before && !parameters.Any(p => p.IsWrt))
        {
            Report(DiagnosticDescriptors.NoDifferentiableInput, location, method.Name, t0);
        }

        if (reportCollisions && _diagnostics.Count == before)
        {
            bool lossShape = !isVector && parameters.Count == 2
                && parameters[0].Kind == SourceParamKind.RealSpan && parameters[0].IsWrt && parameters[0].DeclaredType.StartsWith("global::System.ReadOnlySpan", StringComparison.Ordinal)
                && parameters[1].Kind == SourceParamKind.RealSpan && !parameters[1].IsWrt && parameters[1].DeclaredType.StartsWith("global::System.ReadOnlySpan", StringComparison.Ordinal);
            foreach (var suffix in MemberNames.Suffixes(isVector).Concat(lossShape ? new[] { "Loss" } : Array.Empty<string>()))
            {
                string member = method.Name + suffix;
                var existing = method.ContainingType.GetMembers(member).FirstOrDefault();
                if (existing is not null)
                {
                    Report(DiagnosticDescriptors.NameCollision, existing.Locations.FirstOrDefault() ?? location, method.ContainingType.Name, member, method.Name);
                }
            }
        }
        return _diagnostics.Count == before ? new Signature(element, isFloat, isVector, parameters) : null;
    }

    internal static bool HasAttribute(ISymbol symbol, string fullName) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == fullName);

    private static ITypeSymbol? SpanElement(ITypeSymbol type, string name) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
        && named.Name == name && named.ContainingNamespace?.ToDisplayString() == "System"
            ? named.TypeArguments[0]
            : null;

    private bool IsElement(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, _element);
}

/// <summary>
/// The member names generated for a method (suffixes appended to its name), private helpers included. Conservative:
/// the model-only names (the nested Model struct, the Accumulate and Batch twins) count for every vector function.
/// </summary>
internal static class MemberNames
{
    public static readonly string[] Scalar = { "Gradient", "Jvp", "Hvp", "HessianDiagonal", "HessianDiagonalApprox", "Hessian", "HvpLanes", "HvpLanesPrimal" };
    public static readonly string[] Vector =
    {
        "Jvp", "Vjp", "Loss", "LossGradient", "LossHvp", "Ggnvp", "GgnDiagonal", "LossHessianDiagonal", "LossHessian", "Model",
        "VjpLanes", "VjpSquares", "LossHvpLanes", "LossHvpLanesPrimal",
        "LossGradientAccumulate", "LossHvpAccumulate", "GgnvpAccumulate", "GgnDiagonalAccumulate", "LossHessianDiagonalAccumulate",
        "LossBatch", "LossGradientBatch", "LossHvpBatch", "GgnvpBatch",
    };

    public static string[] Suffixes(bool isVector) => isVector ? Vector : Scalar;
}
