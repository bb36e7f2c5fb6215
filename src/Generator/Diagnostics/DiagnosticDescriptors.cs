using Microsoft.CodeAnalysis;

namespace AutoCurv.Generator.Diagnostics;

/// <summary>Every diagnostic AutoCurv reports. Documented in docs/diagnostics.md (one section per id).</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "AutoCurv";
    private const string HelpBase = "https://github.com/autocurv/autocurv/blob/main/docs/diagnostics.md#";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    public static readonly DiagnosticDescriptor MethodNotStatic = Error("AC0001",
        "Differentiable method must be static",
        "[Differentiable] method '{0}' must be static: derivatives are generated as static members; make it static and pass state as parameters");

    public static readonly DiagnosticDescriptor TypeNotPartial = Error("AC0002",
        "Containing type must be partial",
        "Type '{0}' contains the [Differentiable] method '{1}' and must be declared 'partial' so the derivative members can be generated beside it");

    public static readonly DiagnosticDescriptor GenericMethod = Error("AC0003",
        "Generic differentiable methods are not supported",
        "[Differentiable] method '{0}' is generic; write it for double or float (one method per element type)");

    public static readonly DiagnosticDescriptor AsyncMethod = Error("AC0004",
        "Async or iterator methods cannot be differentiated",
        "[Differentiable] method '{0}' is async or an iterator; differentiate a plain synchronous method and call it from async code");

    public static readonly DiagnosticDescriptor RefParameter = Error("AC0005",
        "ref, out and in parameters are not supported",
        "Parameter '{0}' is passed by {1}; pass inputs by value or as ReadOnlySpan<T>, and write results through the one Span<T> output");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Error("AC0006",
        "Unsupported parameter type",
        "Parameter '{0}' has type '{1}'; a [Differentiable] method takes {2} scalars, ReadOnlySpan<{2}> or {2}[] inputs, int and bool constants, and (vector functions) one Span<{2}> output");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error("AC0007",
        "Unsupported return type",
        "[Differentiable] method '{0}' returns '{1}'; return double or float (scalar function) or void with one Span<T> output (vector function)");

    public static readonly DiagnosticDescriptor WrtOnNonFloating = Error("AC0008",
        "[Wrt] on a parameter that cannot be differentiated",
        "[Wrt] is on parameter '{0}' of type '{1}'; put it on {2} scalars, ReadOnlySpan<{2}> or {2}[] inputs (never on ints, bools or the output span)");

    public static readonly DiagnosticDescriptor OutputShape = Error("AC0009",
        "Vector function output",
        "{0}");

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error("AC0010",
        "Statement not supported in a differentiable method",
        "This {0} is outside the differentiable subset of C#; {1}");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error("AC0011",
        "Expression not supported in a differentiable method",
        "This {0} is outside the differentiable subset of C#; {1}");

    public static readonly DiagnosticDescriptor UnknownCall = Error("AC0012",
        "Call to a method with no derivative",
        "'{0}' is neither [Differentiable] nor a function with a derivative rule; mark it [Differentiable] (same compilation), give it a tangent rule with [DerivativeOf], or use one of Math/MathF Exp, Log, Sqrt, Sin, Cos, Tan, Tanh, Sinh, Cosh, Atan, Pow, Abs, Max, Min");

    public static readonly DiagnosticDescriptor NameCollision = Error("AC0013",
        "Generated member name is already taken",
        "Type '{0}' already declares '{1}', which AutoCurv generates for '{2}'; rename the existing member or the [Differentiable] method");

    public static readonly DiagnosticDescriptor UnsupportedLoop = Error("AC0014",
        "Loop shape not supported",
        "{0}; write loops as 'for (int i = start; i < end; i++)' (or <=, >, >=, i--, i += constant) whose counter and bounds do not change inside the body");

    public static readonly DiagnosticDescriptor ReturnInLoop = Error("AC0015",
        "return inside a loop",
        "A return inside a loop cannot be differentiated; assign the result to a local, let the loop finish, and return after it");

    public static readonly DiagnosticDescriptor WriteToInput = Error("AC0016",
        "Inputs are read-only",
        "'{0}' is a parameter and cannot be assigned in a [Differentiable] method; copy it to a local first");

    public static readonly DiagnosticDescriptor Recursion = Error("AC0017",
        "Recursive differentiable calls",
        "'{0}' calls itself (directly or through other [Differentiable] methods); recursion cannot be differentiated, write it as a loop");

    public static readonly DiagnosticDescriptor UnsupportedSpanLocal = Error("AC0018",
        "Scratch span not supported here",
        "{0}");

    public static readonly DiagnosticDescriptor ReservedIdentifier = Error("AC0019",
        "Identifier reserved for generated code",
        "'{0}' starts with an underscore, which AutoCurv reserves for the names it generates in derivative code; rename it");

    public static readonly DiagnosticDescriptor InternalError = Error("AC0020",
        "AutoCurv could not process the method",
        "AutoCurv failed on '{0}' ({1}); no derivatives were generated for it; please report this with the method's source");

    public static readonly DiagnosticDescriptor InvalidRule = Error("AC0022",
        "Tangent rule does not match its function",
        "{0}");

    public static readonly DiagnosticDescriptor NonlinearRule = Error("AC0023",
        "Tangent rule is not linear in the tangents",
        "The tangent rule '{0}' must be linear in its tangent parameters ({1}): return Σ ∂f/∂a_k · da_k, with no tangent multiplied by another, inside a function, or in a constant term");

    public static readonly DiagnosticDescriptor InvalidSampler = Error("AC0024",
        "Loss sampler signature",
        "'{0}' looks like the sampler of the loss '{1}' but does not match; write 'static void {0}(ReadOnlySpan<double> output, ref RandomSource random, Span<double> target)', or rename it");

    public static readonly DiagnosticDescriptor NoDifferentiableInput = Error("AC0025",
        "No differentiable input",
        "[Differentiable] method '{0}' has no {1} scalar, ReadOnlySpan<{1}> or {1}[] input to differentiate with respect to; add one (and mark it [Wrt] if other inputs are constants)");

    public static readonly DiagnosticDescriptor FileLocalType = Error("AC0026",
        "File-local containing type",
        "Type '{0}' is file-local: its generated members would live in another file and could not see '{1}'; remove the 'file' modifier");

    public static readonly DiagnosticDescriptor RuntimeNotReferenced = Error("AC0027",
        "AutoCurv runtime not referenced",
        "[Differentiable] method '{0}' needs the AutoCurv runtime assembly, which this project does not reference (the generated members call AutoCurv.CompilerServices); add a reference to the AutoCurv package (or AutoCurv.dll) instead of declaring the attributes yourself");

    public static readonly DiagnosticDescriptor GeneratedMemberCollision = Error("AC0028",
        "Generated members of two methods collide",
        "[Differentiable] method '{0}' would get the generated member '{1}', which clashes with '{2}' generated for '{3}' declared before it in type '{4}'; nothing is generated for '{0}': rename one of the two methods");

    public static readonly DiagnosticDescriptor ModelSize = Error("AC0029",
        "Declared model size",
        "{0}");

    public static readonly DiagnosticDescriptor UnsupportedLocalType = Error("AC0021",
        "Unsupported local or value type",
        "'{0}' has type '{1}'; a [Differentiable] method over {2} computes with {2}, int and bool only (no mixing of double and float)");
}
