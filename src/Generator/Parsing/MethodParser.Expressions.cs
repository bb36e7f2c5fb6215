using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AutoCurv.Generator.Parsing;

internal sealed partial class MethodParser
{
    private static readonly Dictionary<string, Fn> s_functions = new()
    {
        ["Exp"] = Fn.Exp, ["Log"] = Fn.Log, ["Sqrt"] = Fn.Sqrt, ["Sin"] = Fn.Sin, ["Cos"] = Fn.Cos, ["Tan"] = Fn.Tan,
        ["Tanh"] = Fn.Tanh, ["Sinh"] = Fn.Sinh, ["Cosh"] = Fn.Cosh, ["Atan"] = Fn.Atan, ["Pow"] = Fn.Pow,
        ["Abs"] = Fn.Abs, ["Max"] = Fn.Max, ["Min"] = Fn.Min,
    };

    private Expr? LowerReal(IOperation op, List<Stmt> pre) => Expect(LowerExpr(op, pre), IrType.Real, op);

    private Expr? LowerInt(IOperation op, List<Stmt> pre) => Expect(LowerExpr(op, pre), IrType.Int, op);

    private Expr? LowerCondition(IOperation op, List<Stmt> pre) => Expect(LowerExpr(op, pre), IrType.Bool, op);

    private Expr? Expect(Expr? expr, IrType type, IOperation op)
    {
        if (expr is null || expr.Type == type) return expr;
        Report(DiagnosticDescriptors.UnsupportedExpression, op.Syntax, $"{Describe(expr.Type)} value", $"a {Describe(type)} is needed here");
        return null;
    }

    private string Describe(IrType type) => type switch
    {
        IrType.Real => _isFloat ? "float" : "double",
        IrType.Int => "int",
        IrType.Bool => "bool",
        _ => type.ToString(),
    };

    /// <summary>Lowers an expression; statements it needs first (inlined calls) go to <paramref name="pre"/>.</summary>
    private Expr? LowerExpr(IOperation op, List<Stmt> pre)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (op.ConstantValue.HasValue && op.Type is not null)
        {
            switch (op.ConstantValue.Value)
            {
                case double d when IsElement(op.Type): return Lit.Real(d);
                case float f when IsElement(op.Type): return Lit.Real(f);
                case int i: return Lit.Int(i);
                case bool b: return new Lit(b ? 1 : 0, IrType.Bool);
            }
        }
        switch (op)
        {
            case IParenthesizedOperation parenthesized:
                return LowerExpr(parenthesized.Operand, pre);
            case IConversionOperation conversion:
                return LowerConversion(conversion, pre);
            case ILocalReferenceOperation local:
                return LowerReference(local.Local, op);
            case IParameterReferenceOperation parameter:
                return LowerReference(parameter.Parameter, op);
            case IArrayElementReferenceOperation element:
            {
                var span = SpanOf(element.ArrayReference);
                if (span is null || element.Indices.Length != 1) return Unsupported(op, "array access", "index a one-dimensional array or span of the method");
                var index = LowerInt(element.Indices[0], pre);
                return index is null ? null : new Elem(span.Name, index, IrType.Real);
            }
            case IPropertyReferenceOperation property:
            {
                var span = property.Instance is null ? null : SpanOf(property.Instance);
                if (span is not null && property.Property.IsIndexer && property.Arguments.Length == 1)
                {
                    var index = LowerInt(property.Arguments[0].Value, pre);
                    return index is null ? null : new Elem(span.Name, index, IrType.Real);
                }
                if (span is not null && property.Property.Name == "Length") return new Len(span.Name);
                return Unsupported(op, $"property '{property.Property.Name}'", "only span indexing and .Length are supported");
            }
            case IBinaryOperation binary:
                return LowerBinary(binary, pre);
            case IUnaryOperation unary:
            {
                if (unary.OperatorMethod is not null) return Unsupported(op, "user-defined operator", "use the built-in arithmetic of double/float");
                var operand = LowerExpr(unary.Operand, pre);
                if (operand is null) return null;
                switch (unary.OperatorKind)
                {
                    case UnaryOperatorKind.Plus: return operand;
                    case UnaryOperatorKind.Minus when operand.Type is IrType.Real or IrType.Int: return new Unary(UnaryOp.Negate, operand);
                    case UnaryOperatorKind.Not when operand.Type == IrType.Bool: return new Unary(UnaryOp.Not, operand);
                    default: return Unsupported(op, $"'{unary.OperatorKind}' operator", "use +, -, *, / and comparisons");
                }
            }
            case IConditionalOperation conditional when conditional.WhenFalse is not null:
            {
                var condition = LowerCondition(conditional.Condition, pre);
                var whenTrue = LowerExpr(conditional.WhenTrue, pre);
                var whenFalse = LowerExpr(conditional.WhenFalse, pre);
                if (condition is null || whenTrue is null || whenFalse is null) return null;
                if (whenTrue.Type != whenFalse.Type) return Unsupported(op, "conditional with two types", "make both branches the same type");
                return new Conditional(condition, whenTrue, whenFalse);
            }
            case IInvocationOperation invocation:
                return LowerInvocation(invocation, pre);
            case IIncrementOrDecrementOperation:
                return Unsupported(op, "increment inside an expression", "increment in its own statement (i++;)");
            case IAssignmentOperation:
                return Unsupported(op, "assignment inside an expression", "assign in its own statement");
            case IAnonymousFunctionOperation or IDelegateCreationOperation:
                return Unsupported(op, "lambda", "write a separate static [Differentiable] method and call it");
            case IFieldReferenceOperation field:
                return Unsupported(op, $"field '{field.Field.Name}'", "pass the value as a parameter (const fields are fine)");
            default:
                return Unsupported(op, "expression", "use arithmetic, comparisons, ?:, indexing, .Length, Math functions and calls to [Differentiable] methods");
        }
    }

    private Expr? Unsupported(IOperation op, string what, string instead)
    {
        Report(DiagnosticDescriptors.UnsupportedExpression, op.Syntax, what, instead);
        return null;
    }

    private Expr? LowerReference(ISymbol symbol, IOperation op)
    {
        if (!Current.Bindings.TryGetValue(symbol, out var binding))
        {
            return Unsupported(op, $"reference to '{symbol.Name}'", "use the method's parameters and locals");
        }
        if (binding.IsSpan) return Unsupported(op, $"span '{symbol.Name}' used as a value", "index it, take its .Length, or pass it to a [Differentiable] method");
        return new Var(binding.Name, binding.Type);
    }

    /// <summary>The span binding an operation denotes (a span/array parameter or scratch local), else null.</summary>
    private Binding? SpanOf(IOperation operation)
    {
        operation = Unwrap(operation)!;
        ISymbol? symbol = operation switch
        {
            ILocalReferenceOperation l => l.Local,
            IParameterReferenceOperation p => p.Parameter,
            _ => null,
        };
        return symbol is not null && Current.Bindings.TryGetValue(symbol, out var binding) && binding.IsSpan ? binding : null;
    }

    private Expr? LowerConversion(IConversionOperation conversion, List<Stmt> pre)
    {
        if (conversion.OperatorMethod is not null) return Unsupported(conversion, "user-defined conversion", "use double/float, int and bool values");
        var from = conversion.Operand.Type;
        var to = conversion.Type;
        if (from is not null && to is not null && SymbolEqualityComparer.Default.Equals(from, to)) return LowerExpr(conversion.Operand, pre);
        if (from?.SpecialType == SpecialType.System_Int32 && IsElement(to))
        {
            var operand = LowerInt(conversion.Operand, pre);
            return operand is null ? null : new ToReal(operand);
        }
        string t0 = _isFloat ? "float" : "double";
        return Unsupported(conversion, $"conversion from '{from?.ToDisplayString() ?? "?"}' to '{to?.ToDisplayString() ?? "?"}'",
            $"compute in {t0}; only int-to-{t0} conversions are differentiable here");
    }

    private Expr? LowerBinary(IBinaryOperation binary, List<Stmt> pre)
    {
        if (binary.OperatorMethod is not null || binary.IsLifted) return Unsupported(binary, "user-defined or lifted operator", "use the built-in arithmetic of double/float, int and bool");
        var left = LowerExpr(binary.LeftOperand, pre);
        var right = LowerExpr(binary.RightOperand, pre);
        if (left is null || right is null) return null;
        BinaryOp? op = binary.OperatorKind switch
        {
            BinaryOperatorKind.ConditionalAnd => BinaryOp.And,
            BinaryOperatorKind.ConditionalOr => BinaryOp.Or,
            BinaryOperatorKind.And when left.Type == IrType.Bool => BinaryOp.And,
            BinaryOperatorKind.Or when left.Type == IrType.Bool => BinaryOp.Or,
            _ => MapArithmetic(binary.OperatorKind) ?? MapComparison(binary.OperatorKind),
        };
        if (op is null) return Unsupported(binary, $"'{binary.OperatorKind}' operator", "use +, -, *, /, % (int), comparisons, &&, || and !");
        if (left.Type != right.Type) return Unsupported(binary, "operation on two types", "convert both operands to one type");
        if (op == BinaryOp.Remainder && left.Type != IrType.Int) return Unsupported(binary, "floating remainder", "% is supported on ints only");
        if (op.Value.IsLogical() && left.Type != IrType.Bool) return Unsupported(binary, "logical operator on non-bools", "use && and || on conditions");
        if (!op.Value.IsLogical() && !op.Value.IsComparison() && left.Type == IrType.Bool) return Unsupported(binary, "arithmetic on bools", "use ?: to turn a condition into a number");
        return new Binary(op.Value, left, right);
    }

    private Expr? LowerInvocation(IInvocationOperation invocation, List<Stmt> pre)
    {
        var target = invocation.TargetMethod;
        string? container = target.ContainingType?.ToDisplayString();
        if ((container == "System.Math" || container == "System.MathF") && s_functions.TryGetValue(target.Name, out var fn)
            && target.Parameters.Length == fn.Arity())
        {
            if (!target.Parameters.All(p => IsElement(p.Type)))
            {
                string t0 = _isFloat ? "float" : "double";
                return Unsupported(invocation, $"{container}.{target.Name} overload for '{target.Parameters[0].Type.ToDisplayString()}'",
                    _isFloat ? "use the MathF function on float arguments" : $"use the {t0} overload (Math on doubles)");
            }
            var args = new List<Expr>();
            foreach (var argument in invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
            {
                var arg = LowerReal(argument.Value, pre);
                if (arg is null) return null;
                args.Add(arg);
            }
            return new Call(fn, args.ToEquatableArray());
        }
        if (container == PrimitivesTypeName) return ExpandPrimitive(invocation, pre);
        if (HasAttribute(target, DifferentiableAttributeName) && !HasSiblingRule(target))
        {
            if (target.ReturnsVoid) return Unsupported(invocation, "vector function call inside an expression", "call it as a statement; it writes its output span");
            return Inline(invocation, pre);
        }
        if (target.IsStatic && !target.IsGenericMethod && !target.ReturnsVoid && IsElement(target.ReturnType) && target.Parameters.Length > 0
            && target.Parameters.All(p => p.RefKind == RefKind.None && IsElement(p.Type)))
        {
            // Possibly backed by a [DerivativeOf] rule; checked against the rules when differentiating.
            var args = new List<Expr>();
            foreach (var argument in invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
            {
                var arg = LowerReal(argument.Value, pre);
                if (arg is null) return null;
                args.Add(arg);
            }
            return new Call(Fn.User, args.ToEquatableArray(), RuleKey(target), LocationInfo.From(invocation.Syntax.GetLocation()));
        }
        Report(DiagnosticDescriptors.UnknownCall, invocation.Syntax, target.ToDisplayString());
        return null;
    }

    /// <summary>
    /// A [DerivativeOf(nameof(F))] rule declared beside F: the user's rule then wins over inlining F
    /// (a numerically stable tangent, say). Rules for F declared in other types are not seen here.
    /// </summary>
    private static bool HasSiblingRule(IMethodSymbol target) =>
        target.ContainingType.GetMembers().OfType<IMethodSymbol>().Any(m => m.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == DerivativeOfAttributeName
            && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value as string == target.Name
            && m.Parameters.Length == 2 * target.Parameters.Length));

    /// <summary>The key of a function for user rules: <c>global::Ns.Type.Name(param types)</c>.</summary>
    internal static string RuleKey(IMethodSymbol method) =>
        method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + method.Name
        + "(" + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString())) + ")";

    /// <summary>
    /// Inlines a call to another [Differentiable] method: scalar arguments become locals, span arguments
    /// alias the caller's spans, the callee's locals get a per-call-site prefix. Every mode then
    /// differentiates one program, so calls need no derivative members of their own.
    /// </summary>
    private Expr? Inline(IInvocationOperation invocation, List<Stmt> pre)
    {
        var callee = invocation.TargetMethod.OriginalDefinition;
        if (_frames.Any(f => SameMethod(f.Method, callee)))
        {
            Report(DiagnosticDescriptors.Recursion, invocation.Syntax, callee.Name);
            return null;
        }
        var calleeSyntax = callee.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
        if (calleeSyntax is null)
        {
            Report(DiagnosticDescriptors.UnknownCall, invocation.Syntax, callee.ToDisplayString());
            return null;
        }
        _trace?.Consulted.Add(calleeSyntax); // its body is lowered into this method: a reused parse must check its text
        int before = _diagnostics.Count;
        var signature = AnalyzeSignature(callee, calleeSyntax, reportCollisions: false);
        if (signature is null || !SymbolEqualityComparer.Default.Equals(signature.Element, _element))
        {
            _diagnostics.RemoveRange(before, _diagnostics.Count - before); // reported at the callee's own declaration
            return Unsupported(invocation, $"call to '{callee.Name}'", signature is null
                ? "fix the diagnostics on that [Differentiable] method first"
                : "the callee computes in another element type; call a version for this one");
        }
        // A partial method called through its defining declaration: the body, and the parameters it reads, are the
        // implementing part's.
        var (bodyMethod, bodySyntax) = WithBody(callee, calleeSyntax);
        var model = _compilation.GetSemanticModel(bodySyntax.SyntaxTree);
        var body = GetBody(bodyMethod, bodySyntax, model);
        if (body is null)
        {
            if (_diagnostics.Count == before) Report(DiagnosticDescriptors.UnsupportedExpression, invocation.Syntax, $"call to '{callee.Name}'", "the callee does not compile");
            return null;
        }

        int id = ++_inlineCount;
        string prefix = "_" + id + "_" + callee.Name + "_";
        var frame = new Frame(bodyMethod, model, prefix, signature.IsVector ? null : prefix + "result");
        var statements = new List<Stmt>();
        foreach (var argument in invocation.Arguments)
        {
            var parameter = argument.Parameter;
            if (parameter is null) return Unsupported(invocation, "call", "pass every argument explicitly");
            var kind = signature.Parameters.First(p => p.Name == parameter.Name).Kind;
            if (kind is SourceParamKind.RealSpan or SourceParamKind.Output)
            {
                var span = SpanOf(argument.Value);
                if (span is null) return Unsupported(argument.Value, "span argument", "pass a span or array parameter or scratch span of the caller itself (no slices)");
                frame.Bindings[bodyMethod.Parameters[parameter.Ordinal]] = span with { IsParameter = true };
                continue;
            }
            var type = kind switch { SourceParamKind.IntConstant => IrType.Int, SourceParamKind.BoolConstant => IrType.Bool, _ => IrType.Real };
            var value = Expect(LowerExpr(argument.Value, pre), type, argument.Value);
            if (value is null) return null;
            string name = prefix + parameter.Name;
            frame.Bindings[bodyMethod.Parameters[parameter.Ordinal]] = new Binding(name, type, IsSpan: false, IsParameter: true, IsWritable: false);
            statements.Add(new Declare(name, type, value, Line(argument), callee.Name + ": " + parameter.Name + " = " + argument.Value.Syntax));
        }
        if (frame.Result is not null) statements.Add(new Declare(frame.Result, IrType.Real, Lit.Zero));
        NameLocals(frame, body);
        int savedDepth = _depthAtInline;
        if (_frames.Count == 1) _depthAtInline = _depth;
        _frames.Push(frame);
        LowerSequence(Flatten(body), statements);
        _frames.Pop();
        _depthAtInline = savedDepth;
        if (_diagnostics.Count > before)
        {
            // Problems inside the callee's own body are reported by the callee's own parse at the same
            // places; keep only those that belong to this call chain (recursion) or to the call itself.
            bool InCallee(LocationInfo location) => location.FilePath == bodySyntax.SyntaxTree.FilePath && bodySyntax.Span.Contains(location.Span)
                || location.FilePath == calleeSyntax.SyntaxTree.FilePath && calleeSyntax.Span.Contains(location.Span);
            var keep = _diagnostics.Skip(before).Where(d => d.Id == DiagnosticDescriptors.Recursion.Id
                || d.Location is null || !InCallee(d.Location)).ToList();
            _diagnostics.RemoveRange(before, _diagnostics.Count - before);
            _diagnostics.AddRange(keep);
            _failedSilently = true; // this method cannot be differentiated even if nothing is reported here
            return null;
        }
        pre.Add(new Comment($"inlined {callee.ContainingType.Name}.{callee.Name}"));
        pre.AddRange(statements);
        return frame.Result is null ? Lit.Zero : new Var(frame.Result, IrType.Real);
    }
}
