using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AutoCurv.Generator.Parsing;

internal sealed partial class MethodParser
{
    /// <summary>How a parameter or local of the method being lowered appears in the IR.</summary>
    private sealed record Binding(string Name, IrType Type, bool IsSpan, bool IsParameter, bool IsWritable);

    /// <summary>One method being lowered: the root, or a callee being inlined.</summary>
    private sealed class Frame
    {
        public Frame(IMethodSymbol method, SemanticModel model, string prefix, string? result)
        {
            Method = method;
            Model = model;
            Prefix = prefix;
            Result = result;
        }

        public IMethodSymbol Method { get; }
        public SemanticModel Model { get; }
        public string Prefix { get; }
        public string? Result { get; }
        public Dictionary<ISymbol, Binding> Bindings { get; } = new(SymbolEqualityComparer.Default);
        public Dictionary<ISymbol, string> LocalNames { get; } = new(SymbolEqualityComparer.Default);
    }

    private Frame Current => _frames.Peek();

    /// <summary>
    /// Gives every local a unique IR name. Locals are hoisted to method scope in reverse mode, so two
    /// sibling-scope locals with one name get distinct names; loop counters may share theirs (never hoisted).
    /// </summary>
    private void NameLocals(Frame frame, IOperation body)
    {
        var declarators = body.Descendants().OfType<IVariableDeclaratorOperation>().ToList();
        var userNames = new HashSet<string>(declarators.Select(d => d.Symbol.Name));
        foreach (var p in frame.Method.Parameters) userNames.Add(p.Name);
        var taken = new HashSet<string>(frame.Method.Parameters.Select(p => frame.Prefix + p.Name));
        foreach (var group in declarators.GroupBy(d => d.Symbol.Name))
        {
            bool allCounters = group.All(IsLoopCounter);
            int suffix = 1;
            foreach (var d in group)
            {
                if (frame.LocalNames.ContainsKey(d.Symbol)) continue;
                if (d.Symbol.Name.StartsWith("_", StringComparison.Ordinal))
                {
                    Report(DiagnosticDescriptors.ReservedIdentifier, d.Syntax.GetLocation(), d.Symbol.Name);
                }
                string name = frame.Prefix + d.Symbol.Name;
                if (!allCounters)
                {
                    while (taken.Contains(name) || (suffix > 1 && userNames.Contains(name.Substring(frame.Prefix.Length))))
                    {
                        suffix++;
                        name = frame.Prefix + d.Symbol.Name + "_" + suffix;
                    }
                }
                taken.Add(name);
                frame.LocalNames[d.Symbol] = name;
            }
        }
    }

    private static bool IsLoopCounter(IVariableDeclaratorOperation declarator) =>
        declarator.Parent?.Parent is IVariableDeclarationGroupOperation { Parent: IForLoopOperation };

    private static List<IOperation> Flatten(IOperation operation) =>
        operation is IBlockOperation block ? block.Operations.ToList() : new List<IOperation> { operation };

    private static bool ContainsReturn(IOperation operation) =>
        operation is IReturnOperation || operation.Descendants().Any(o => o is IReturnOperation);

    private static bool AlwaysReturns(IOperation? operation) => operation switch
    {
        IReturnOperation => true,
        IBlockOperation block => block.Operations.Length > 0 && AlwaysReturns(block.Operations.Last()),
        IConditionalOperation { WhenFalse: not null } c => AlwaysReturns(c.WhenTrue) && AlwaysReturns(c.WhenFalse),
        _ => false,
    };

    /// <summary>
    /// Lowers a statement sequence, turning early returns into structured control flow: the statements
    /// after an <c>if</c> that returns on one path become the continuation of the other path.
    /// </summary>
    private void LowerSequence(List<IOperation> sequence, List<Stmt> output)
    {
        for (int k = 0; k < sequence.Count; k++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var op = sequence[k];
            if (op is IReturnOperation ret)
            {
                LowerReturn(ret, output);
                return;
            }
            if (!ContainsReturn(op))
            {
                LowerStatement(op, output);
                continue;
            }
            var rest = sequence.Skip(k + 1).ToList();
            switch (op)
            {
                case IBlockOperation block:
                    LowerSequence(block.Operations.Concat(rest).ToList(), output);
                    return;
                case IConditionalOperation conditional:
                {
                    var pre = new List<Stmt>();
                    var condition = LowerCondition(conditional.Condition, pre);
                    output.AddRange(pre);
                    _depth++;
                    var thenStatements = new List<Stmt>();
                    var elseStatements = new List<Stmt>();
                    LowerSequence(Flatten(conditional.WhenTrue).Concat(AlwaysReturns(conditional.WhenTrue) ? Enumerable.Empty<IOperation>() : rest).ToList(), thenStatements);
                    var whenFalse = conditional.WhenFalse is null ? new List<IOperation>() : Flatten(conditional.WhenFalse);
                    LowerSequence(whenFalse.Concat(AlwaysReturns(conditional.WhenFalse) ? Enumerable.Empty<IOperation>() : rest).ToList(), elseStatements);
                    _depth--;
                    if (condition is not null)
                    {
                        output.Add(new If(condition, ToBlock(thenStatements), ToBlock(elseStatements), Line(op), SourceText(conditional.Condition)));
                    }
                    return;
                }
                case IForLoopOperation or IWhileLoopOperation or IForEachLoopOperation:
                    Report(DiagnosticDescriptors.ReturnInLoop, op.Descendants().OfType<IReturnOperation>().First().Syntax);
                    return;
                default:
                    LowerStatement(op, output);
                    break;
            }
        }
    }

    private void LowerReturn(IReturnOperation ret, List<Stmt> output)
    {
        if (ret.ReturnedValue is null) return;
        var pre = new List<Stmt>();
        var value = LowerReal(ret.ReturnedValue, pre);
        output.AddRange(pre);
        if (value is not null && Current.Result is not null)
        {
            output.Add(new Assign(new Var(Current.Result, IrType.Real), value, Line(ret), SourceText(ret)));
        }
    }

    private static Block ToBlock(List<Stmt> statements) => new(statements.ToEquatableArray());

    private int Line(IOperation op)
    {
        int line = op.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
        return _trace is null ? line : _trace.LineToken(op.Syntax.FirstAncestorOrSelf<MethodDeclarationSyntax>(), line);
    }

    private string SourceText(IOperation op)
    {
        string text = Regex.Replace(op.Syntax.ToString(), @"\s+", " ").Trim();
        if (text.Length > 90) text = text.Substring(0, 87) + "...";
        return _frames.Count > 1 ? Current.Method.Name + ": " + text : text;
    }

    private void LowerStatement(IOperation op, List<Stmt> output)
    {
        switch (op)
        {
            case IBlockOperation block:
                foreach (var inner in block.Operations) LowerStatement(inner, output);
                break;
            case IEmptyOperation:
                break;
            case IVariableDeclarationGroupOperation group:
                foreach (var declaration in group.Declarations)
                {
                    foreach (var declarator in declaration.Declarators) LowerDeclarator(declarator, output);
                }
                break;
            case IExpressionStatementOperation expression:
                LowerExpressionStatement(expression.Operation, output);
                break;
            case IForLoopOperation loop:
                LowerFor(loop, output);
                break;
            case IConditionalOperation conditional:
            {
                var pre = new List<Stmt>();
                var condition = LowerCondition(conditional.Condition, pre);
                output.AddRange(pre);
                _depth++;
                var thenStatements = new List<Stmt>();
                LowerStatement(conditional.WhenTrue, thenStatements);
                var elseStatements = new List<Stmt>();
                if (conditional.WhenFalse is not null) LowerStatement(conditional.WhenFalse, elseStatements);
                _depth--;
                if (condition is not null)
                {
                    output.Add(new If(condition, ToBlock(thenStatements), ToBlock(elseStatements), Line(op), SourceText(conditional.Condition)));
                }
                break;
            }
            case IReturnOperation:
                Report(DiagnosticDescriptors.ReturnInLoop, op.Syntax);
                break;
            case IWhileLoopOperation:
                Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "while/do loop", "write it as a for loop with an int counter and fixed bounds");
                break;
            case IForEachLoopOperation:
                Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "foreach loop", "index the span in a for loop: for (int i = 0; i < x.Length; i++)");
                break;
            case IBranchOperation:
                Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "break/continue/goto", "restructure the loop body with if/else");
                break;
            case ISwitchOperation:
                Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "switch statement", "use an if/else chain");
                break;
            case ILocalFunctionOperation:
                Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "local function", "make it a separate static [Differentiable] method and call it");
                break;
            case ITryOperation or IThrowOperation or IUsingOperation or ILockOperation:
                Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "statement", "keep validation, exceptions and resources outside the [Differentiable] method");
                break;
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "statement", "use locals, assignments, for loops, if/else and return");
                break;
        }
    }

    private void LowerDeclarator(IVariableDeclaratorOperation declarator, List<Stmt> output)
    {
        var local = declarator.Symbol;
        string name = Current.LocalNames.TryGetValue(local, out var n) ? n : Current.Prefix + local.Name;
        var initializer = declarator.GetVariableInitializer()?.Value;
        var type = local.Type;

        if (SpanElement(type, "Span") is not null || type is IArrayTypeSymbol || SpanElement(type, "ReadOnlySpan") is not null)
        {
            LowerSpanLocal(declarator, name, initializer, output);
            return;
        }
        IrType irType;
        if (IsElement(type)) irType = IrType.Real;
        else if (type.SpecialType == SpecialType.System_Int32) irType = IrType.Int;
        else if (type.SpecialType == SpecialType.System_Boolean) irType = IrType.Bool;
        else
        {
            Report(DiagnosticDescriptors.UnsupportedLocalType, declarator.Syntax, local.Name, type.ToDisplayString(), _isFloat ? "float" : "double");
            return;
        }
        Current.Bindings[local] = new Binding(name, irType, IsSpan: false, IsParameter: false, IsWritable: true);
        Expr? init = null;
        var pre = new List<Stmt>();
        if (initializer is not null)
        {
            init = LowerExpr(initializer, pre);
            if (init is null) return;
        }
        output.AddRange(pre);
        output.Add(new Declare(name, irType, init, Line(declarator), SourceText(declarator.Parent?.Parent ?? declarator)));
    }

    private void LowerSpanLocal(IVariableDeclaratorOperation declarator, string name, IOperation? initializer, List<Stmt> output)
    {
        var local = declarator.Symbol;
        var type = local.Type;
        var element = SpanElement(type, "Span") ?? SpanElement(type, "ReadOnlySpan") ?? (type as IArrayTypeSymbol)?.ElementType;
        string t0 = _isFloat ? "float" : "double";
        if (!IsElement(element) || SpanElement(type, "ReadOnlySpan") is not null)
        {
            Report(DiagnosticDescriptors.UnsupportedSpanLocal, declarator.Syntax,
                $"Local '{local.Name}' of type '{type.ToDisplayString()}' is not supported; scratch memory is a Span<{t0}> from stackalloc {t0}[n] or a {t0}[] from new {t0}[n]");
            return;
        }
        if (_depth > 0 || _frames.Count > 1 && _depthAtInline > 0)
        {
            // Bind it anyway so later uses are not reported as well.
            Current.Bindings[local] = new Binding(name, IrType.Real, IsSpan: true, IsParameter: false, IsWritable: true);
            Report(DiagnosticDescriptors.UnsupportedSpanLocal, declarator.Syntax,
                $"Scratch span '{local.Name}' is declared inside a loop or branch (or in a helper called there); declare scratch spans at the top level of the method and reuse them");
            return;
        }
        // The length: from `stackalloc T[n]` (syntax: stackalloc has no IOperation of its own) or `new T[n]`.
        IOperation? length = null;
        var syntaxInit = (declarator.Syntax as VariableDeclaratorSyntax)?.Initializer?.Value;
        if (syntaxInit is StackAllocArrayCreationExpressionSyntax { Initializer: null, Type: ArrayTypeSyntax arrayType }
            && arrayType.RankSpecifiers.Count == 1 && arrayType.RankSpecifiers[0].Sizes.Count == 1)
        {
            length = Current.Model.GetOperation(arrayType.RankSpecifiers[0].Sizes[0], _cancellationToken);
        }
        else
        {
            var creation = Unwrap(initializer) as IArrayCreationOperation;
            if (creation is { Initializer: null, DimensionSizes.Length: 1 }) length = creation.DimensionSizes[0];
        }
        if (length is null)
        {
            Report(DiagnosticDescriptors.UnsupportedSpanLocal, declarator.Syntax,
                $"Scratch span '{local.Name}' must be initialised with 'stackalloc {t0}[n]' or 'new {t0}[n]' (zeroed, no initializer list)");
            return;
        }
        var pre = new List<Stmt>();
        var lengthExpr = LowerInt(length, pre);
        if (lengthExpr is null) return;
        output.AddRange(pre);
        Current.Bindings[local] = new Binding(name, IrType.Real, IsSpan: true, IsParameter: false, IsWritable: true);
        output.Add(new DeclareSpan(name, IrType.Real, lengthExpr, Line(declarator), SourceText(declarator.Parent?.Parent ?? declarator)));
    }

    private int _depthAtInline;

    private static IOperation? Unwrap(IOperation? operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion) operation = conversion.Operand;
        return operation;
    }

    private void LowerExpressionStatement(IOperation op, List<Stmt> output)
    {
        var pre = new List<Stmt>();
        switch (op)
        {
            case ISimpleAssignmentOperation assignment:
            {
                var target = LowerTarget(assignment.Target);
                var value = target is null ? null : LowerExpr(assignment.Value, pre);
                if (target is null || value is null) return;
                if (!CheckAssignable(target, value, assignment.Value)) return;
                output.AddRange(pre);
                output.Add(new Assign(target, value, Line(op), SourceText(op)));
                return;
            }
            case ICompoundAssignmentOperation compound:
            {
                if (compound.OperatorMethod is not null || !IsIdentity(compound.InConversion) || !IsIdentity(compound.OutConversion))
                {
                    Report(DiagnosticDescriptors.UnsupportedExpression, op.Syntax, "compound assignment with a conversion", "make both sides the same type (cast the right-hand side explicitly)");
                    return;
                }
                var target = LowerTarget(compound.Target);
                var value = target is null ? null : LowerExpr(compound.Value, pre);
                var binaryOp = MapArithmetic(compound.OperatorKind);
                if (target is null || value is null) return;
                if (binaryOp is null || (binaryOp == BinaryOp.Remainder && target.Type != IrType.Int))
                {
                    Report(DiagnosticDescriptors.UnsupportedExpression, op.Syntax, $"'{compound.OperatorKind}' assignment", "use +=, -=, *= or /=");
                    return;
                }
                var combined = new Binary(binaryOp.Value, target, value);
                if (!CheckAssignable(target, combined, compound.Value)) return;
                output.AddRange(pre);
                output.Add(new Assign(target, combined, Line(op), SourceText(op)));
                return;
            }
            case IIncrementOrDecrementOperation increment:
            {
                var target = LowerTarget(increment.Target);
                if (target is null) return;
                Expr one = target.Type == IrType.Int ? Lit.Int(1) : Lit.One;
                var op2 = increment.Kind == OperationKind.Increment ? BinaryOp.Add : BinaryOp.Subtract;
                output.Add(new Assign(target, new Binary(op2, target, one), Line(op), SourceText(op)));
                return;
            }
            case IInvocationOperation invocation when invocation.TargetMethod.ReturnsVoid
                && invocation.TargetMethod.ContainingType?.ToDisplayString() == PrimitivesTypeName:
            {
                if (ExpandPrimitive(invocation, pre) is not null) output.AddRange(pre);
                return;
            }
            case IInvocationOperation invocation when invocation.TargetMethod.ReturnsVoid:
            {
                if (!HasAttribute(invocation.TargetMethod, DifferentiableAttributeName))
                {
                    Report(DiagnosticDescriptors.UnknownCall, op.Syntax, invocation.TargetMethod.ToDisplayString());
                    return;
                }
                Inline(invocation, output);
                return;
            }
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, op.Syntax, "expression statement", "use an assignment (=, +=, -=, *=, /=), ++/-- or a call to a [Differentiable] vector function");
                return;
        }
    }

    private static bool IsIdentity(CommonConversion conversion) => conversion.IsIdentity || !conversion.Exists;

    private bool CheckAssignable(Expr target, Expr value, IOperation valueOperation)
    {
        if (target.Type == value.Type) return true;
        Report(DiagnosticDescriptors.UnsupportedExpression, valueOperation.Syntax, "value of another type", "assign values of the target's own type");
        return false;
    }

    private Expr? LowerTarget(IOperation target)
    {
        switch (target)
        {
            case ILocalReferenceOperation local when Current.Bindings.TryGetValue(local.Local, out var binding):
                if (binding.IsSpan)
                {
                    Report(DiagnosticDescriptors.UnsupportedSpanLocal, target.Syntax, $"Span '{local.Local.Name}' cannot be reassigned; write its elements instead");
                    return null;
                }
                return new Var(binding.Name, binding.Type);
            case IParameterReferenceOperation parameter:
                Report(DiagnosticDescriptors.WriteToInput, target.Syntax, parameter.Parameter.Name);
                return null;
            case IArrayElementReferenceOperation or IPropertyReferenceOperation:
            {
                var pre = new List<Stmt>();
                var element = LowerExpr(target, pre) as Elem;
                if (element is null) return null;
                var binding = SpanBindingByName(element.Span);
                if (binding is null || !binding.IsWritable)
                {
                    Report(DiagnosticDescriptors.WriteToInput, target.Syntax, element.Span);
                    return null;
                }
                if (pre.Count > 0)
                {
                    Report(DiagnosticDescriptors.UnsupportedExpression, target.Syntax, "call inside an index", "compute the index into an int local first");
                    return null;
                }
                return element;
            }
            default:
                Report(DiagnosticDescriptors.UnsupportedExpression, target.Syntax, "assignment target", "assign a local or an element of the output or of a scratch span");
                return null;
        }
    }

    private Binding? SpanBindingByName(string name) =>
        _frames.SelectMany(f => f.Bindings.Values).FirstOrDefault(b => b.IsSpan && b.Name == name);

    private void LowerFor(IForLoopOperation loop, List<Stmt> output)
    {
        var syntax = loop.Syntax as ForStatementSyntax;
        // init: exactly `int i = start`
        if (loop.Before.Length != 1 || loop.Before[0] is not IVariableDeclarationGroupOperation group
            || group.Declarations.Length != 1 || group.Declarations[0].Declarators.Length != 1)
        {
            Report(DiagnosticDescriptors.UnsupportedLoop, (SyntaxNode?)syntax?.Declaration ?? loop.Syntax, "The loop must declare exactly one int counter");
            return;
        }
        var declarator = group.Declarations[0].Declarators[0];
        var counter = declarator.Symbol;
        var startOperation = declarator.GetVariableInitializer()?.Value;
        if (counter.Type.SpecialType != SpecialType.System_Int32 || startOperation is null)
        {
            Report(DiagnosticDescriptors.UnsupportedLoop, declarator.Syntax, "The loop counter must be an initialised int");
            return;
        }
        string counterName = Current.LocalNames.TryGetValue(counter, out var cn) ? cn : Current.Prefix + counter.Name;
        var pre = new List<Stmt>();
        var start = LowerInt(startOperation, pre);

        // condition: counter OP bound (or bound OP counter); `i + c < n` is read as `i < n - c`.
        string counterName0 = counterName;
        Current.Bindings[counter] = new Binding(counterName0, IrType.Int, IsSpan: false, IsParameter: false, IsWritable: false);
        BinaryOp? compare = null;
        Expr? bound = null;
        if (loop.Condition is IBinaryOperation { OperatorMethod: null } condition && MapComparison(condition.OperatorKind) is { } op0
            && op0 is not (BinaryOp.Equal or BinaryOp.NotEqual))
        {
            var left = LowerExpr(condition.LeftOperand, pre);
            var right = LowerExpr(condition.RightOperand, pre);
            if (left is not null && right is not null)
            {
                if (SolveForCounter(left, right, counterName0) is { } b1) { compare = op0; bound = b1; }
                else if (SolveForCounter(right, left, counterName0) is { } b2) { compare = Flip(op0); bound = b2; }
            }
        }
        if (compare is null || bound is null)
        {
            Report(DiagnosticDescriptors.UnsupportedLoop, (SyntaxNode?)syntax?.Condition ?? loop.Syntax, "The loop condition must compare the counter (plus or minus an offset) with <, <=, > or >= against a bound");
            return;
        }

        // step: i++, i--, ++i, --i, i += c, i -= c (c a positive constant)
        int step = 0;
        if (loop.AtLoopBottom.Length == 1)
        {
            var bottom = loop.AtLoopBottom[0] is IExpressionStatementOperation es ? es.Operation : loop.AtLoopBottom[0];
            switch (bottom)
            {
                case IIncrementOrDecrementOperation inc when IsCounter(inc.Target, counter):
                    step = inc.Kind == OperationKind.Increment ? 1 : -1;
                    break;
                case ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } ca
                    when IsCounter(ca.Target, counter) && ca.Value.ConstantValue is { HasValue: true, Value: int c } && c > 0:
                    step = ca.OperatorKind == BinaryOperatorKind.Add ? c : -c;
                    break;
            }
        }
        if (step == 0)
        {
            Report(DiagnosticDescriptors.UnsupportedLoop, (SyntaxNode?)syntax?.Incrementors.FirstOrDefault() ?? loop.Syntax, "The loop step must be ++, --, += constant or -= constant on the counter");
            return;
        }
        if ((step > 0) != (compare is BinaryOp.Less or BinaryOp.LessOrEqual))
        {
            Report(DiagnosticDescriptors.UnsupportedLoop, (SyntaxNode?)syntax?.Condition ?? loop.Syntax, "The loop step goes away from its bound (an increasing counter needs < or <=, a decreasing one > or >=)");
            return;
        }
        if (start is null || bound is null) return;

        Current.Bindings[counter] = new Binding(counterName, IrType.Int, IsSpan: false, IsParameter: false, IsWritable: false);
        _depth++;
        var body = new List<Stmt>();
        LowerStatement(loop.Body, body);
        _depth--;
        var bodyBlock = ToBlock(body);

        var written = IrWalk.Writes(bodyBlock);
        var boundReads = IrWalk.Reads(start);
        IrWalk.AddReads(bound, boundReads);
        if (written.Contains(counterName))
        {
            Report(DiagnosticDescriptors.UnsupportedLoop, loop.Syntax, $"The counter '{counter.Name}' is assigned inside the loop body");
            return;
        }
        var changed = boundReads.Where(written.Contains).ToList();
        if (changed.Count > 0)
        {
            Report(DiagnosticDescriptors.UnsupportedLoop, (SyntaxNode?)syntax?.Condition ?? loop.Syntax, $"The loop bounds read '{string.Join("', '", changed)}', which the body assigns");
            return;
        }
        output.AddRange(pre);
        string header = syntax is null ? "for" : $"for ({syntax.Declaration}; {syntax.Condition}; {string.Join(", ", syntax.Incrementors)})";
        output.Add(new For(counterName, start, compare.Value, bound, step, bodyBlock, Line(loop), _frames.Count > 1 ? Current.Method.Name + ": " + header : header));
    }

    /// <summary>For <c>side OP other</c> with side = counter (± offset), the bound the counter alone is compared with.</summary>
    private static Expr? SolveForCounter(Expr side, Expr other, string counter)
    {
        if (side.Type != IrType.Int || other.Type != IrType.Int || IrWalk.Mentions(other, counter)) return null;
        if (side is Var v && v.Name == counter) return other;
        if (side is Binary { Op: BinaryOp.Add } add)
        {
            if (add.Left is Var l && l.Name == counter && !IrWalk.Mentions(add.Right, counter)) return new Binary(BinaryOp.Subtract, other, add.Right);
            if (add.Right is Var r && r.Name == counter && !IrWalk.Mentions(add.Left, counter)) return new Binary(BinaryOp.Subtract, other, add.Left);
        }
        if (side is Binary { Op: BinaryOp.Subtract } sub && sub.Left is Var s && s.Name == counter && !IrWalk.Mentions(sub.Right, counter))
            return new Binary(BinaryOp.Add, other, sub.Right);
        return null;
    }

    private bool IsCounter(IOperation operation, ILocalSymbol counter) =>
        Unwrap(operation) is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, counter);

    private static BinaryOp Flip(BinaryOp op) => op switch
    {
        BinaryOp.Less => BinaryOp.Greater,
        BinaryOp.LessOrEqual => BinaryOp.GreaterOrEqual,
        BinaryOp.Greater => BinaryOp.Less,
        BinaryOp.GreaterOrEqual => BinaryOp.LessOrEqual,
        _ => op,
    };

    private static BinaryOp? MapComparison(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.LessThan => BinaryOp.Less,
        BinaryOperatorKind.LessThanOrEqual => BinaryOp.LessOrEqual,
        BinaryOperatorKind.GreaterThan => BinaryOp.Greater,
        BinaryOperatorKind.GreaterThanOrEqual => BinaryOp.GreaterOrEqual,
        BinaryOperatorKind.Equals => BinaryOp.Equal,
        BinaryOperatorKind.NotEquals => BinaryOp.NotEqual,
        _ => null,
    };

    private static BinaryOp? MapArithmetic(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => BinaryOp.Add,
        BinaryOperatorKind.Subtract => BinaryOp.Subtract,
        BinaryOperatorKind.Multiply => BinaryOp.Multiply,
        BinaryOperatorKind.Divide => BinaryOp.Divide,
        BinaryOperatorKind.Remainder => BinaryOp.Remainder,
        _ => null,
    };
}
