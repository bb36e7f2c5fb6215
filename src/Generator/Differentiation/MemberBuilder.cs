using System;
using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Builds every generated member of a method by composing the mode transformations: reverse mode for
/// gradients and VJPs, forward mode for JVPs, forward-over-reverse for Hessian-vector products.
/// Parameter names follow API.md: original parameters, then groups (tangents, grads, ...) with one
/// parameter per Wrt input each.
/// </summary>
internal sealed partial class MemberBuilder
{
    private readonly MethodSpec _spec;
    private readonly IrFunction _primal;
    private readonly List<SourceParam> _wrt;
    private readonly HashSet<string> _taken;

    private MemberBuilder(MethodSpec spec)
    {
        _spec = spec;
        _primal = spec.Primal;
        _wrt = spec.Parameters.Where(p => p.IsWrt).ToList();
        _taken = new HashSet<string>(spec.Parameters.Select(p => p.Name));
    }

    /// <summary>Entry point of the differentiate stage. Never throws (except for cancellation).</summary>
    public static DifferentiatedMethod Build(MethodSpec spec, System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            var builder = new MemberBuilder(spec);
            var members = spec.IsVector ? builder.VectorMembers() : builder.ScalarMembers();
            return new DifferentiatedMethod(spec, members.ToEquatableArray(), EquatableArray<DiagnosticInfo>.Empty);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var info = new DiagnosticInfo(DiagnosticDescriptors.InternalError.Id, spec.Location,
                new[] { spec.Name, ex.GetType().Name + ": " + ex.Message }.ToEquatableArray());
            return new DifferentiatedMethod(spec, EquatableArray<GeneratedMember>.Empty, new[] { info }.ToEquatableArray());
        }
    }

    private List<GeneratedMember> ScalarMembers() => new()
    {
        Gradient(),
        ScalarJvp(),
    };

    private List<GeneratedMember> VectorMembers() => new()
    {
        VectorJvp(),
        Vjp(),
    };

    // ------------------------------------------------------------ names

    /// <summary>A parameter name for a group: prefix + input name (gx, gWeights), unique in the method.</summary>
    private string GroupName(string prefix, string input)
    {
        string name = input.Length == 1 ? prefix + input : prefix + char.ToUpperInvariant(input[0]) + input.Substring(1);
        return Unique(name);
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int k = 2; _taken.Contains(candidate); k++) candidate = name + k;
        _taken.Add(candidate);
        return candidate;
    }

    private static IrParam Copy(IrParam p) => p;

    private IEnumerable<IrParam> Original => _primal.Parameters;

    private string? OutputName => _primal.Parameters.FirstOrDefault(p => p.IsOutput)?.Name;

    private IrType Elem => IrType.Real;

    /// <summary>One parameter per Wrt input: spans as ReadOnlySpan/Span, scalars as T / out T.</summary>
    private List<(SourceParam Input, IrParam Param)> Group(string prefix, bool isOutput)
    {
        var list = new List<(SourceParam, IrParam)>();
        foreach (var w in _wrt)
        {
            string name = GroupName(prefix, w.Name);
            var shape = w.Kind == SourceParamKind.RealSpan ? ParamShape.Span : ParamShape.Scalar;
            list.Add((w, new IrParam(name, Elem, shape, isOutput, null, shape == ParamShape.Span ? w.Name : null)));
        }
        return list;
    }

    private static IEnumerable<Stmt> ClearSpans(IEnumerable<(SourceParam Input, IrParam Param)> group) =>
        group.Where(g => g.Param.Shape == ParamShape.Span).Select(g => (Stmt)new ClearSpan(g.Param.Name));

    private HashSet<string> PrimalNames()
    {
        var names = new HashSet<string>(_primal.Parameters.Select(p => p.Name));
        IrWalk.AddWrites(_primal.Body, names);
        return names;
    }

    private static Block Concat(params IEnumerable<Stmt>[] parts) => new(parts.SelectMany(p => p).ToEquatableArray());

    // ------------------------------------------------------------ reverse mode

    /// <summary>
    /// The reverse-mode program of the primal: declarations, forward sweep, seed, reverse sweep,
    /// scalar results. <paramref name="seed"/> produces the statements between the sweeps.
    /// </summary>
    private Block ReverseProgram(List<(SourceParam Input, IrParam Param)> grads, Dictionary<string, string> adjointNames,
        Func<AdjointTransform, IEnumerable<Stmt>> seed, bool lanes = false)
    {
        var seeds = _wrt.Select(w => w.Name);
        var varied = Activity.Varied(_primal.Body, seeds);
        foreach (var g in grads.Where(g => g.Param.Shape == ParamShape.Span)) adjointNames[g.Input.Name] = g.Param.Name;
        var transform = new AdjointTransform(varied, adjointNames, PrimalNames(), lanes);
        var scalarWrt = _wrt.Where(w => w.Kind == SourceParamKind.RealScalar).Select(w => w.Name).ToList();
        var result = transform.Transform(_primal.Body, scalarWrt);

        var statements = new List<Stmt>();
        statements.AddRange(ClearSpans(grads));
        statements.AddRange(result.Declarations.Statements);
        statements.Add(new Comment("forward sweep"));
        statements.AddRange(result.Forward.Statements);
        statements.AddRange(seed(transform));

        // The reverse sweep restores overwritten values; keep f in the output span for the caller.
        string? output = OutputName;
        bool restoresOutput = output is not null && IrWalk.Writes(result.Reverse).Contains(output);
        if (restoresOutput)
        {
            statements.Add(new DeclareSpan("_saved_output", IrType.Real, new Len(output!)));
            statements.Add(new CopySpan(output!, "_saved_output"));
        }
        statements.Add(new Comment("reverse sweep"));
        statements.AddRange(result.Reverse.Statements);
        if (restoresOutput) statements.Add(new CopySpan("_saved_output", output!));
        foreach (var g in grads.Where(g => g.Param.Shape == ParamShape.Scalar))
        {
            statements.Add(new Assign(new Var(g.Param.Name, IrType.Real), new Var(transform.NameOf(g.Input.Name), transform.AdjointType)));
        }
        return new Block(statements.ToEquatableArray());
    }

    private GeneratedMember Gradient()
    {
        var grads = Group("g", isOutput: true);
        string result = _primal.Result!;
        var body = ReverseProgram(grads, new Dictionary<string, string>(), t =>
        {
            var seed = new List<Stmt> { new Declare("_value", IrType.Real, new Var(result, IrType.Real)) };
            if (t.NameOf(result) is { } adjoint && Activity.Varied(_primal.Body, _wrt.Select(w => w.Name)).Contains(result))
                seed.Add(new Assign(new Var(adjoint, IrType.Real), Lit.One));
            return seed;
        });
        var function = new IrFunction(Original.Concat(grads.Select(g => g.Param)).ToEquatableArray(), body, "_value");
        return new GeneratedMember(_spec.Name + "Gradient", function,
            $"Computes {_spec.Name} and its gradient with respect to the Wrt inputs (reverse mode); returns the value.");
    }

    private GeneratedMember Vjp()
    {
        string output = OutputName!;
        string cotangent = Unique("outputCotangent");
        var grads = Group("g", isOutput: true);
        var names = new Dictionary<string, string> { [output] = "_d_" + output };
        var body = ReverseProgram(grads, names, t => new Stmt[]
        {
            new DeclareSpan("_d_" + output, IrType.Real, new Len(output)),
            new CopySpan(cotangent, "_d_" + output),
        });
        var parameters = Original.Concat(new[] { new IrParam(cotangent, Elem, ParamShape.Span, false, null, output) })
            .Concat(grads.Select(g => g.Param)).ToEquatableArray();
        return new GeneratedMember(_spec.Name + "Vjp", new IrFunction(parameters, body, null),
            $"Writes {_spec.Name}'s output and the vector-Jacobian product Jᵀu for u = {cotangent} (reverse mode).");
    }

    // ------------------------------------------------------------ forward mode

    private (Block Body, TangentTransform Transform) TangentProgram(List<(SourceParam Input, IrParam Param)> tangents, Dictionary<string, string> names, bool lanes = false)
    {
        foreach (var t in tangents) names[t.Input.Name] = t.Param.Name;
        var varied = Activity.Varied(_primal.Body, _wrt.Select(w => w.Name));
        var transform = new TangentTransform(varied, names, lanes, stackTangents: false);
        return (transform.Transform(_primal.Body), transform);
    }

    private GeneratedMember ScalarJvp()
    {
        var tangents = Group("v", isOutput: false);
        string derivative = Unique("derivative");
        var (body, transform) = TangentProgram(tangents, new Dictionary<string, string>());
        string result = _primal.Result!;
        Expr d = transform.IsVaried(result) ? new Var(transform.NameOf(result), IrType.Real) : Lit.Zero;
        var statements = body.Statements.Concat(new[] { new Assign(new Var(derivative, IrType.Real), d) });
        var parameters = Original.Concat(tangents.Select(t => t.Param))
            .Concat(new[] { new IrParam(derivative, Elem, ParamShape.Scalar, true) }).ToEquatableArray();
        return new GeneratedMember(_spec.Name + "Jvp", new IrFunction(parameters, Concat(statements), result),
            $"Computes {_spec.Name} and its directional derivative ∇{_spec.Name}·v (forward mode); returns the value.");
    }

    private GeneratedMember VectorJvp()
    {
        string output = OutputName!;
        var tangents = Group("v", isOutput: false);
        string outputTangent = Unique("outputTangent");
        var (body, _) = TangentProgram(tangents, new Dictionary<string, string> { [output] = outputTangent });
        var statements = new Stmt[] { new ClearSpan(outputTangent) }.Concat(body.Statements);
        var parameters = Original.Concat(tangents.Select(t => t.Param))
            .Concat(new[] { new IrParam(outputTangent, Elem, ParamShape.Span, true, null, output) }).ToEquatableArray();
        return new GeneratedMember(_spec.Name + "Jvp", new IrFunction(parameters, Concat(statements), null),
            $"Writes {_spec.Name}'s output and the Jacobian-vector product J·v into {outputTangent} (forward mode).");
    }
}
