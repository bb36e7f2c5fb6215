using System;
using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// Builds every generated member of a method by composing the mode transformations: reverse mode for
/// gradients and VJPs, forward mode for JVPs, forward-over-reverse for Hessian-vector products, and
/// vector (lanes) versions of those for dense Hessians and exact diagonals. Parameter names follow
/// API.md: original parameters, then groups (tangents, grads, ...) with one parameter per Wrt input.
/// </summary>
internal sealed class MemberBuilder
{
    private const string Loss = "_loss";
    private readonly MethodSpec _spec;
    private readonly IrFunction _primal;
    private readonly List<SourceParam> _wrt;
    private readonly HashSet<string> _reserved;
    private HashSet<string> _taken;

    /// <summary>The program a member differentiates: the method's body, or the body followed by the loss.</summary>
    private sealed record Program(Block Body, string? Result);

    private readonly RuleSet _rules;
    private readonly System.Threading.CancellationToken _cancellationToken;

    private MemberBuilder(MethodSpec spec, RuleSet rules, System.Threading.CancellationToken cancellationToken)
    {
        _rules = rules;
        _cancellationToken = cancellationToken;
        _spec = spec;
        _wrt = spec.Parameters.Where(p => p.IsWrt).ToList();
        // Every member differentiates the split program, so they all share its temporaries (see Splitter).
        _primal = Splitter.Apply(spec.Primal, _wrt.Select(w => w.Name));
        _reserved = new HashSet<string>(spec.Parameters.Select(p => p.Name));
        foreach (var name in IrWalk.Writes(_primal.Body)) _reserved.Add(name);
        _taken = new HashSet<string>(_reserved);
    }

    /// <summary>Entry point of the differentiate stage. Never throws (except for cancellation).</summary>
    public static DifferentiatedMethod Build(MethodSpec spec, System.Threading.CancellationToken cancellationToken) =>
        Build(spec, EquatableArray<UserRule>.Empty, cancellationToken);

    /// <summary>Entry point with the compilation's user rules ([DerivativeOf]).</summary>
    public static DifferentiatedMethod Build(MethodSpec spec, EquatableArray<UserRule> userRules, System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            var rules = new RuleSet(userRules);
            var missing = MissingRules(spec.Primal.Body, rules).ToList();
            if (missing.Count > 0)
            {
                var infos = missing.Select(c => new DiagnosticInfo(DiagnosticDescriptors.UnknownCall.Id, c.Location ?? spec.Location,
                    new[] { c.UserTarget.Replace("global::", "") }.ToEquatableArray()));
                return new DifferentiatedMethod(spec, EquatableArray<GeneratedMember>.Empty, infos.ToEquatableArray());
            }
            var builder = new MemberBuilder(spec, rules, cancellationToken);
            var members = spec.IsVector ? builder.VectorMembers() : builder.ScalarMembers();
            return new DifferentiatedMethod(spec, members.ToEquatableArray(), EquatableArray<DiagnosticInfo>.Empty, builder.NotBatchedBecause);
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

    /// <summary>Builds one member with a fresh set of parameter names (names only clash within a member).</summary>
    private GeneratedMember Member(Func<GeneratedMember> build)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _taken = new HashSet<string>(_reserved);
        var member = build();
        return member.Driver is null ? Clean(member) : member;
    }

    /// <summary>
    /// The clean-up passes every member's IR goes through, in order: first contributions to zeroed adjoints become
    /// assignments (which leaves their resets dead), negated temporaries are folded into their readers, dead stores
    /// go, repeated accumulations into one element are summed in a local, and accumulations the next loop iteration
    /// continues are carried in a local.
    /// </summary>
    private static GeneratedMember Clean(GeneratedMember member) =>
        member with { Function = CarriedAccumulation.Apply(AccumulationFusion.Apply(DeadStores.Apply(NegationFolding.Apply(ZeroedAccumulators.Apply(member.Function))))) };

    /// <summary>Calls of functions that are neither intrinsics nor backed by a user rule.</summary>
    private static IEnumerable<Call> MissingRules(Block body, RuleSet rules)
    {
        var seen = new HashSet<string>();
        foreach (var call in Calls(body))
        {
            if (call.Function == Fn.User && !rules.Contains(call.User!) && seen.Add(call.User! + call.Location)) yield return call;
        }
    }

    private static IEnumerable<Call> Calls(Block block)
    {
        IEnumerable<Call> FromExpr(Expr? e) => e switch
        {
            Call c => new[] { c }.Concat(c.Args.SelectMany(FromExpr)),
            Unary u => FromExpr(u.Operand),
            Binary b => FromExpr(b.Left).Concat(FromExpr(b.Right)),
            Conditional c => FromExpr(c.Condition).Concat(FromExpr(c.WhenTrue)).Concat(FromExpr(c.WhenFalse)),
            Elem el => FromExpr(el.Index),
            ToReal r => FromExpr(r.Operand),
            _ => Enumerable.Empty<Call>(),
        };
        foreach (var s in block.Statements)
        {
            var found = s switch
            {
                Declare d => FromExpr(d.Init),
                Assign a => FromExpr(a.Target).Concat(FromExpr(a.Value)),
                For f => FromExpr(f.Start).Concat(FromExpr(f.Bound)).Concat(Calls(f.Body)),
                If i => FromExpr(i.Condition).Concat(Calls(i.Then)).Concat(Calls(i.Else)),
                _ => Enumerable.Empty<Call>(),
            };
            foreach (var c in found) yield return c;
        }
    }

    private List<GeneratedMember> ScalarMembers()
    {
        var primal = new Program(_primal.Body, _primal.Result);
        var (sweep, pass) = HvpLanes(primal, _spec.Name + "HvpLanes", target: null);
        return new List<GeneratedMember>
        {
            Member(Gradient),
            Member(ScalarJvp),
            Member(Hvp),
            Member(() => Drive(DriverKind.HessianDiagonal, _spec.Name + "HessianDiagonal", pass, target: null,
                $"Computes {_spec.Name} and the exact diagonal of its Hessian (vector-mode forward-over-reverse: one primal sweep, then ⌈n/lanes⌉ tangent passes); returns the value.", sweep: sweep)),
            Member(HessianDiagonalApprox),
            Member(() => Drive(DriverKind.Hessian, _spec.Name + "Hessian", pass, target: null,
                $"Computes {_spec.Name} and its dense Hessian (n × n, row-major over θ): one primal sweep, then ⌈n/lanes⌉ vector-mode H·v passes; returns the value.", sweep: sweep)),
            sweep,
            pass,
        };
    }

    private List<GeneratedMember> VectorMembers()
    {
        string target = Unique("target");
        _reserved.Add(target);
        var lossProgram = LossProgram(target);
        var (lossSweep, lossHvpLanes) = HvpLanes(lossProgram, _spec.Name + "LossHvpLanes", target);
        var vjpLanes = Member(VjpLanes);
        var allPasses = VjpSquaresAllPasses();
        var squares = (Helper: allPasses ?? VjpSquares(vjpLanes), SweepsAll: allPasses is not null);
        var lossValue = Member(() => LossValue(target));
        var members = new List<GeneratedMember>
        {
            Member(VectorJvp),
            Member(Vjp),
            lossValue,
            Member(() => LossGradient(lossProgram, target)),
            Member(() => LossHvp(lossProgram, target)),
            Member(() => Ggnvp(target)),
            Member(() => Drive(DriverKind.GgnDiagonal, _spec.Name + "GgnDiagonal", vjpLanes, target,
                $"Computes the loss and the exact diagonal of the generalized Gauss-Newton matrix Jᵀ H_ℓ J (one lanes VJP per {LaneWord} columns of the loss factor S, H_ℓ = S Sᵀ); returns the loss.",
                squares: squares)),
            Member(() => Drive(DriverKind.HessianDiagonal, _spec.Name + "LossHessianDiagonal", lossHvpLanes, target,
                "Computes the loss and the exact diagonal of the Hessian of ℓ∘f (vector-mode forward-over-reverse); returns the loss.", sweep: lossSweep)),
            Member(() => Drive(DriverKind.Hessian, _spec.Name + "LossHessian", lossHvpLanes, target,
                "Computes the loss and the dense Hessian of ℓ∘f (n × n, row-major over θ); returns the loss.", sweep: lossSweep)),
            vjpLanes,
            lossSweep,
            lossHvpLanes,
        };
        if (squares.Helper is not null) members.Add(squares.Helper);
        if (_spec.IsModelShape)
        {
            var accumulating = AccumulatingMembers(lossProgram, target, vjpLanes, squares, lossSweep, lossHvpLanes).ToList();
            members.AddRange(accumulating);
            var hvpOnly = Member(() => LossHvp(lossProgram, target, accumulate: true, withGradient: false));
            members.AddRange(BatchedMembers(lossValue, accumulating[0], hvpOnly, accumulating[2], target));
        }
        return members;
    }

    /// <summary>
    /// Batched twins (<see cref="Batching"/>) of the members the data-set operators call: the loss, and the
    /// accumulating gradient, H·v (without the gradient) and G·v, each for a block of samples at once. All four or none: the model's
    /// <c>HasBatchedMembers</c> promises every one.
    /// </summary>
    private IEnumerable<GeneratedMember> BatchedMembers(GeneratedMember loss, GeneratedMember gradient, GeneratedMember hvp, GeneratedMember ggnvp, string target)
    {
        var samples = new[] { _primal.Parameters[1].Name, OutputName!, target };
        const string Block = " for a block of SampleBlock.Size samples (lane b = sample b; sample values in block layout); returns the sum of their losses.";
        var reasons = new List<string>();
        GeneratedMember? Batch(GeneratedMember member, string suffix, string summary)
        {
            var batched = Batching.TryApply(member, _spec.Name + suffix + BatchSuffix, summary + Block, samples, out string? reason);
            if (reason is not null) reasons.Add(reason);
            return batched;
        }
        var batched = new[]
        {
            Batch(loss, "Loss", "Writes the outputs and computes the losses"),
            Batch(gradient, "LossGradient", "Adds the sum of the gradients of the losses to the gradient span"),
            Batch(hvp, "LossHvp", "Adds the sum of H·v (H the exact Hessian of ℓ∘f; no gradient) to the H·v span"),
            Batch(ggnvp, "Ggnvp", "Adds the sum of the generalized Gauss-Newton products G·v to the result span"),
        };
        NotBatchedBecause = reasons.FirstOrDefault();
        return batched.All(b => b is not null) ? batched! : Enumerable.Empty<GeneratedMember>();
    }

    /// <summary>Why a model got no batched members (the first refusal), or null.</summary>
    private string? NotBatchedBecause { get; set; }

    /// <summary>Name suffix of the batched twins.</summary>
    internal const string BatchSuffix = "Batch";

    /// <summary>
    /// Twins of the members the data-set operators call, which add into their result spans instead of
    /// overwriting them (the same programs without the clearing of the results), so a sum over samples
    /// needs no per-sample temporary and no extra pass over n doubles.
    /// </summary>
    private IEnumerable<GeneratedMember> AccumulatingMembers(Program lossProgram, string target, GeneratedMember vjpLanes,
        (GeneratedMember? Helper, bool SweepsAll) squares, GeneratedMember lossSweep, GeneratedMember lossHvpLanes)
    {
        const string Adds = " Adds into its result spans instead of overwriting them (sums over samples).";
        yield return Member(() => LossGradient(lossProgram, target, accumulate: true));
        yield return Member(() => LossHvp(lossProgram, target, accumulate: true));
        yield return Member(() => Ggnvp(target, accumulate: true));
        yield return Member(() => Drive(DriverKind.GgnDiagonal, _spec.Name + "GgnDiagonal" + AccumulateSuffix, vjpLanes, target,
            "Computes the loss and adds the exact diagonal of the generalized Gauss-Newton matrix to the diagonal span; returns the loss." + Adds, accumulate: true,
            squares: squares));
        yield return Member(() => Drive(DriverKind.HessianDiagonal, _spec.Name + "LossHessianDiagonal" + AccumulateSuffix, lossHvpLanes, target,
            "Computes the loss and adds the exact diagonal of the Hessian of ℓ∘f to the diagonal span; returns the loss." + Adds, accumulate: true, sweep: lossSweep));
    }

    /// <summary>Name suffix of the accumulating twins.</summary>
    internal const string AccumulateSuffix = "Accumulate";

    private string LaneWord => _spec.IsFloat ? "8" : "4";

    // ------------------------------------------------------------ names and groups

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

    private IEnumerable<IrParam> Original => _primal.Parameters;

    private string? OutputName => _primal.Parameters.FirstOrDefault(p => p.IsOutput)?.Name;

    /// <summary>One parameter per Wrt input: spans as ReadOnlySpan/Span, scalars as T / out T.</summary>
    private List<(SourceParam Input, IrParam Param)> Group(string prefix, bool isOutput, bool lanes = false)
    {
        var list = new List<(SourceParam, IrParam)>();
        foreach (var w in _wrt)
        {
            string name = GroupName(prefix, w.Name);
            var shape = w.Kind == SourceParamKind.RealSpan ? ParamShape.Span : ParamShape.Scalar;
            list.Add((w, new IrParam(name, lanes ? IrType.Lanes : IrType.Real, shape, isOutput, null, shape == ParamShape.Span ? w.Name : null)));
        }
        return list;
    }

    private static IEnumerable<Stmt> ClearSpans(IEnumerable<(SourceParam Input, IrParam Param)> group) =>
        group.Where(g => g.Param.Shape == ParamShape.Span).Select(g => (Stmt)new ClearSpan(g.Param.Name));

    private HashSet<string> NamesOf(Block body)
    {
        var names = new HashSet<string>(_primal.Parameters.Select(p => p.Name));
        IrWalk.AddWrites(body, names);
        return names;
    }

    private static Block Concat(IEnumerable<Stmt> statements) => new(statements.ToEquatableArray());

    private IEnumerable<string> WrtNames => _wrt.Select(w => w.Name);

    private IrParam TargetParam(string target) => new(target, IrType.Real, ParamShape.Span, false, null, OutputName);

    // ------------------------------------------------------------ programs

    private Program LossProgram(string target)
    {
        var statements = _primal.Body.Statements.ToList();
        statements.Add(new Declare(Loss, IrType.Real, Lit.Zero));
        statements.Add(new RuntimeCall(RuntimeCallKind.LossValue, new[] { OutputName!, target }.ToEquatableArray(), EquatableArray<Expr>.Empty, Loss));
        return new Program(Concat(statements), Loss);
    }

    /// <summary>
    /// The reverse-mode program: clear results, declarations, forward sweep, seed, reverse sweep, scalar
    /// results. Span grads named in <paramref name="grads"/> are parameters; with
    /// <paramref name="internalGrads"/> they are scratch spans instead (helpers that only need their tangents).
    /// </summary>
    private Block ReverseProgram(Program program, List<(SourceParam Input, IrParam Param)> grads, Dictionary<string, string> adjointNames,
        Func<AdjointTransform, IEnumerable<Stmt>> seed, bool lanes = false, bool internalGrads = false,
        bool beckerLeCun = false, List<(SourceParam Input, IrParam Param)>? diagonals = null, bool accumulate = false)
    {
        var varied = Activity.Varied(program.Body, WrtNames);
        foreach (var g in grads.Where(g => g.Param.Shape == ParamShape.Span)) adjointNames[g.Input.Name] = g.Param.Name;
        var secondNames = new Dictionary<string, string>();
        if (diagonals is not null)
        {
            foreach (var d in diagonals.Where(d => d.Param.Shape == ParamShape.Span)) secondNames[d.Input.Name] = d.Param.Name;
        }
        var transform = new AdjointTransform(varied, adjointNames, NamesOf(program.Body), lanes, beckerLeCun, secondNames, rules: _rules);
        var scalarWrt = _wrt.Where(w => w.Kind == SourceParamKind.RealScalar).Select(w => w.Name).ToList();
        var result = transform.Transform(program.Body, scalarWrt);

        var statements = new List<Stmt>();
        if (internalGrads)
        {
            foreach (var g in grads)
            {
                if (g.Param.Shape == ParamShape.Span) statements.Add(new DeclareSpan(g.Param.Name, transform.AdjointType, new Len(g.Input.Name)));
                else statements.Add(new Declare(g.Param.Name, transform.AdjointType, Ex.Zero(transform.AdjointType)));
            }
        }
        else if (!accumulate) statements.AddRange(ClearSpans(grads));
        if (diagonals is not null) statements.AddRange(ClearSpans(diagonals));
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
            statements.Add(new Assign(new Var(g.Param.Name, transform.AdjointType), new Var(transform.NameOf(g.Input.Name), transform.AdjointType)));
        }
        if (diagonals is not null)
        {
            foreach (var d in diagonals.Where(d => d.Param.Shape == ParamShape.Scalar))
            {
                statements.Add(new Assign(new Var(d.Param.Name, IrType.Real), new Var(transform.SecondNameOf(d.Input.Name), IrType.Real)));
            }
        }
        return Concat(statements);
    }

    /// <summary>Seed of a scalar program: capture the value, set the result's adjoint to one.</summary>
    private IEnumerable<Stmt> ScalarSeed(Program program, AdjointTransform t, bool declareOutputAdjoint)
    {
        var seed = new List<Stmt> { new Declare("_value", IrType.Real, new Var(program.Result!, IrType.Real)) };
        string? output = OutputName;
        if (declareOutputAdjoint && output is not null && Activity.Varied(program.Body, WrtNames).Contains(output))
            seed.Add(new DeclareSpan(t.NameOf(output), t.AdjointType, new Len(output)));
        if (Activity.Varied(program.Body, WrtNames).Contains(program.Result!))
            seed.Add(new Assign(new Var(t.NameOf(program.Result!), t.AdjointType), Lit.One));
        return seed;
    }

    /// <summary>
    /// Forward-over-reverse: the tangent transformation of a reverse-mode program. Tangents of the Wrt
    /// inputs come from <paramref name="tangents"/>; tangents of the gradients go to <paramref name="hvs"/>.
    /// </summary>
    private List<Stmt> TangentOfReverse(Block reverseProgram, List<(SourceParam Input, IrParam Param)> tangents,
        List<(SourceParam Input, IrParam Param)> grads, List<(SourceParam Input, IrParam Param)> hvs, bool lanes, bool accumulate = false)
    {
        var names = new Dictionary<string, string>();
        foreach (var t in tangents) names[t.Input.Name] = t.Param.Name;
        for (int k = 0; k < grads.Count; k++) names[grads[k].Param.Name] = hvs[k].Param.Name;
        var varied = Activity.Varied(reverseProgram, WrtNames);
        var transform = new TangentTransform(varied, names, lanes, stackTangents: true, rules: _rules);
        var statements = new List<Stmt>();
        // A varied gradient span is cleared (or declared) by the reverse program, and the tangent of that statement
        // clears its H·v span; only the H·v spans of gradients that do not vary need clearing here.
        if (!accumulate) statements.AddRange(ClearSpans(Enumerable.Range(0, hvs.Count).Where(k => !varied.Contains(grads[k].Param.Name)).Select(k => hvs[k])));
        statements.AddRange(DeclareUnboundTangents(varied, names, transform));
        var transformed = transform.Transform(reverseProgram).Statements.AsEnumerable();
        // The tangent of a gradient span's clearing (or of a scratch gradient's declaration) clears its H·v span; an
        // accumulating member adds into the H·v spans instead.
        var results = new HashSet<string>(hvs.Select(h => h.Param.Name));
        if (accumulate) transformed = transformed.Where(s => s is not ClearSpan c || !results.Contains(c.Name));
        statements.AddRange(transformed);
        for (int k = 0; k < grads.Count; k++)
        {
            if (grads[k].Param.Shape == ParamShape.Scalar && !varied.Contains(grads[k].Param.Name))
                statements.Add(new Assign(new Var(hvs[k].Param.Name, transform.DerivativeType), Ex.Zero(transform.DerivativeType)));
        }
        return statements;
    }

    /// <summary>Scratch for tangents of the output span when no parameter receives them.</summary>
    private IEnumerable<Stmt> DeclareUnboundTangents(HashSet<string> varied, Dictionary<string, string> names, TangentTransform transform)
    {
        string? output = OutputName;
        if (output is not null && varied.Contains(output) && !names.ContainsKey(output))
            yield return new DeclareSpan(transform.NameOf(output), transform.DerivativeType, new Len(output));
    }

    // ------------------------------------------------------------ first order

    private GeneratedMember Gradient()
    {
        var program = new Program(_primal.Body, _primal.Result);
        var grads = Group("g", isOutput: true);
        var body = ReverseProgram(program, grads, new Dictionary<string, string>(), t => ScalarSeed(program, t, false));
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
        var program = new Program(_primal.Body, null);
        var body = ReverseProgram(program, grads, names, t => new Stmt[]
        {
            new DeclareSpan("_d_" + output, IrType.Real, new Len(output)),
            new CopySpan(cotangent, "_d_" + output),
        });
        var parameters = Original.Concat(new[] { new IrParam(cotangent, IrType.Real, ParamShape.Span, false, null, output) })
            .Concat(grads.Select(g => g.Param)).ToEquatableArray();
        return new GeneratedMember(_spec.Name + "Vjp", new IrFunction(parameters, body, null),
            $"Writes {_spec.Name}'s output and the vector-Jacobian product Jᵀu for u = {cotangent} (reverse mode).");
    }

    private (Block Body, TangentTransform Transform) TangentProgram(Block body, List<(SourceParam Input, IrParam Param)> tangents, Dictionary<string, string> names)
    {
        foreach (var t in tangents) names[t.Input.Name] = t.Param.Name;
        var varied = Activity.Varied(body, WrtNames);
        var transform = new TangentTransform(varied, names, lanes: false, stackTangents: false, rules: _rules);
        return (transform.Transform(body), transform);
    }

    private GeneratedMember ScalarJvp()
    {
        var tangents = Group("v", isOutput: false);
        string derivative = Unique("derivative");
        var (body, transform) = TangentProgram(_primal.Body, tangents, new Dictionary<string, string>());
        string result = _primal.Result!;
        Expr d = transform.IsVaried(result) ? new Var(transform.NameOf(result), IrType.Real) : Lit.Zero;
        var statements = body.Statements.Concat(new[] { new Assign(new Var(derivative, IrType.Real), d) });
        var parameters = Original.Concat(tangents.Select(t => t.Param))
            .Concat(new[] { new IrParam(derivative, IrType.Real, ParamShape.Scalar, true) }).ToEquatableArray();
        return new GeneratedMember(_spec.Name + "Jvp", new IrFunction(parameters, Concat(statements), result),
            $"Computes {_spec.Name} and its directional derivative ∇{_spec.Name}·v (forward mode); returns the value.");
    }

    private GeneratedMember VectorJvp()
    {
        string output = OutputName!;
        var tangents = Group("v", isOutput: false);
        string outputTangent = Unique("outputTangent");
        var (body, _) = TangentProgram(_primal.Body, tangents, new Dictionary<string, string> { [output] = outputTangent });
        var statements = new Stmt[] { new ClearSpan(outputTangent) }.Concat(body.Statements);
        var parameters = Original.Concat(tangents.Select(t => t.Param))
            .Concat(new[] { new IrParam(outputTangent, IrType.Real, ParamShape.Span, true, null, output) }).ToEquatableArray();
        return new GeneratedMember(_spec.Name + "Jvp", new IrFunction(parameters, Concat(statements), null),
            $"Writes {_spec.Name}'s output and the Jacobian-vector product J·v into {outputTangent} (forward mode).");
    }

    // ------------------------------------------------------------ second order, scalar functions

    private GeneratedMember Hvp()
    {
        var program = new Program(_primal.Body, _primal.Result);
        var tangents = Group("v", isOutput: false);
        var grads = Group("g", isOutput: true);
        var hvs = Group("h", isOutput: true);
        var reverse = ReverseProgram(program, grads, new Dictionary<string, string>(), t => ScalarSeed(program, t, false));
        var body = TangentOfReverse(reverse, tangents, grads, hvs, lanes: false);
        var parameters = Original.Concat(tangents.Select(t => t.Param)).Concat(grads.Select(g => g.Param)).Concat(hvs.Select(h => h.Param));
        return new GeneratedMember(_spec.Name + "Hvp", new IrFunction(parameters.ToEquatableArray(), Concat(body), "_value"),
            $"Computes {_spec.Name}, its gradient and the Hessian-vector product H·v in one forward-over-reverse pass (Pearlmutter's R-op); returns the value.");
    }

    private GeneratedMember HessianDiagonalApprox()
    {
        var program = new Program(_primal.Body, _primal.Result);
        var grads = Group("_grad", isOutput: true);
        var diagonals = Group("d", isOutput: true);
        var body = ReverseProgram(program, grads, new Dictionary<string, string>(), t => ScalarSeed(program, t, false),
            internalGrads: true, beckerLeCun: true, diagonals: diagonals);
        var parameters = Original.Concat(diagonals.Select(d => d.Param));
        return new GeneratedMember(_spec.Name + "HessianDiagonalApprox", new IrFunction(parameters.ToEquatableArray(), body, "_value"),
            $"Computes {_spec.Name} and the Becker–LeCun approximation of its Hessian diagonal (one reverse sweep with diagonal second-order adjoints; exact when every input reaches the result along one path); returns the value.");
    }

    /// <summary>
    /// The helpers of dense Hessians and exact diagonals: vector-mode forward-over-reverse (H·V for a block of lanes
    /// directions V, the gradient kept internal), split by <see cref="PrimalTape"/> into a sweep that runs the primal
    /// once and records what the tangents read, and the pass the driver runs per block.
    /// </summary>
    private (GeneratedMember Sweep, GeneratedMember Pass) HvpLanes(Program program, string name, string? target)
    {
        var lanes = Member(() => HvpLanesProgram(program, name, target));
        var (sweep, pass) = PrimalTape.Split(lanes.Function, $"global::AutoCurv.CompilerServices.ValueStack<{_spec.ElementType}>");
        return (
            Clean(lanes with
            {
                Name = name + "Primal",
                Function = sweep,
                Summary = "Runs the primal of the vector-mode H·V once (forward sweep, loss, values of the reverse sweep) and records on the tape the values its tangent passes read; returns the value.",
            }),
            Clean(lanes with
            {
                Function = pass,
                Summary = "Vector-mode H·V for the lanes directions V (helper of the dense Hessian and exact diagonal), reading the primal values the primal sweep recorded.",
            }));
    }

    /// <summary>The vector-mode H·V helper before the split: primal and tangents in one pass.</summary>
    private GeneratedMember HvpLanesProgram(Program program, string name, string? target)
    {
        var tangents = Group("v", isOutput: false, lanes: true);
        var grads = Group("_grad", isOutput: true);
        var hvs = Group("h", isOutput: true, lanes: true);
        var reverse = ReverseProgram(program, grads, new Dictionary<string, string>(), t => ScalarSeed(program, t, declareOutputAdjoint: target is not null), internalGrads: true);
        var body = TangentOfReverse(reverse, tangents, grads, hvs, lanes: true);
        var parameters = Original.Concat(target is null ? Array.Empty<IrParam>() : new[] { TargetParam(target) })
            .Concat(tangents.Select(t => t.Param)).Concat(hvs.Select(h => h.Param));
        return new GeneratedMember(name, new IrFunction(parameters.ToEquatableArray(), Concat(body), "_value"),
            "Vector-mode H·V for the lanes directions V (helper of the dense Hessian and exact diagonal).", IsLossGeneric: target is not null, IsHelper: true);
    }

    private GeneratedMember Drive(DriverKind kind, string name, GeneratedMember helper, string? target, string summary, bool accumulate = false,
        (GeneratedMember? Helper, bool SweepsAll) squares = default, GeneratedMember? sweep = null)
    {
        string prefix = kind == DriverKind.Hessian ? "" : "d";
        var inputs = new List<DriverInput>();
        var parameters = Original.ToList();
        if (target is not null) parameters.Add(TargetParam(target));
        string? resultName = null;
        if (kind == DriverKind.Hessian)
        {
            resultName = Unique("hessian");
            parameters.Add(new IrParam(resultName, IrType.Real, ParamShape.Span, true));
            inputs.AddRange(_wrt.Select(w => new DriverInput(w.Name, w.Kind == SourceParamKind.RealSpan, resultName)));
        }
        else
        {
            foreach (var (input, param) in Group(prefix, isOutput: true))
            {
                parameters.Add(param);
                inputs.Add(new DriverInput(input.Name, input.Kind == SourceParamKind.RealSpan, param.Name));
            }
        }
        var function = new IrFunction(parameters.ToEquatableArray(), Block.Empty, "_value");
        return new GeneratedMember(name, function, summary, IsLossGeneric: target is not null,
            Driver: new Driver(kind, helper.Name, inputs.ToEquatableArray(), target, resultName, accumulate, squares.Helper?.Name, squares.SweepsAll, sweep?.Name));
    }

    // ------------------------------------------------------------ loss-composed members (vector functions)

    private GeneratedMember LossValue(string target)
    {
        var statements = _primal.Body.Statements.ToList();
        statements.Add(new Declare(Loss, IrType.Real, Lit.Zero));
        statements.Add(new RuntimeCall(RuntimeCallKind.LossValue, new[] { OutputName!, target }.ToEquatableArray(), EquatableArray<Expr>.Empty, Loss));
        var parameters = Original.Concat(new[] { TargetParam(target) });
        return new GeneratedMember(_spec.Name + "Loss", new IrFunction(parameters.ToEquatableArray(), Concat(statements), Loss),
            $"Writes {_spec.Name}'s output f and returns the loss ℓ(f, {target}).", IsLossGeneric: true);
    }

    private GeneratedMember LossGradient(Program program, string target, bool accumulate = false)
    {
        var grads = Group("g", isOutput: true);
        var body = ReverseProgram(program, grads, new Dictionary<string, string>(), t => ScalarSeed(program, t, declareOutputAdjoint: true), accumulate: accumulate);
        var parameters = Original.Concat(new[] { TargetParam(target) }).Concat(grads.Select(g => g.Param));
        return new GeneratedMember(_spec.Name + "LossGradient" + (accumulate ? AccumulateSuffix : ""), new IrFunction(parameters.ToEquatableArray(), body, "_value"),
            accumulate
                ? "Computes the loss ℓ(f, target) and adds its gradient with respect to the Wrt inputs to the gradient spans (reverse mode); returns the loss."
                : "Computes the loss ℓ(f, target) and its gradient with respect to the Wrt inputs (reverse mode); returns the loss.", IsLossGeneric: true);
    }

    /// <param name="withGradient">
    /// False: the gradient is scratch, not a parameter, and the clean-up passes remove it (nothing reads it); the
    /// program the batched H·v starts from.
    /// </param>
    private GeneratedMember LossHvp(Program program, string target, bool accumulate = false, bool withGradient = true)
    {
        var tangents = Group("v", isOutput: false);
        var grads = Group(withGradient ? "g" : "_grad", isOutput: true);
        var hvs = Group("h", isOutput: true);
        var reverse = ReverseProgram(program, grads, new Dictionary<string, string>(), t => ScalarSeed(program, t, declareOutputAdjoint: true),
            accumulate: accumulate, internalGrads: !withGradient);
        var body = TangentOfReverse(reverse, tangents, grads, hvs, lanes: false, accumulate: accumulate);
        var parameters = Original.Concat(new[] { TargetParam(target) }).Concat(tangents.Select(t => t.Param))
            .Concat(withGradient ? grads.Select(g => g.Param) : Enumerable.Empty<IrParam>()).Concat(hvs.Select(h => h.Param));
        return new GeneratedMember(_spec.Name + "LossHvp" + (accumulate ? AccumulateSuffix : ""), new IrFunction(parameters.ToEquatableArray(), Concat(body), "_value"),
            accumulate
                ? "Computes the loss and adds its gradient and H·v (H the exact Hessian of ℓ∘f) to the gradient and H·v spans in one forward-over-reverse pass; returns the loss."
                : "Computes the loss, its gradient and H·v with H the exact Hessian of ℓ∘f (including Σ_c ∂ℓ/∂f_c ∇²f_c) in one forward-over-reverse pass; returns the loss.",
            IsLossGeneric: true);
    }

    /// <summary>
    /// G·v = Jᵀ H_ℓ J v: the forward sweep carries tangents (J v), the seed applies H_ℓ, the reverse sweep
    /// (values only) applies Jᵀ. No second derivatives of the model are formed.
    /// </summary>
    private GeneratedMember Ggnvp(string target, bool accumulate = false)
    {
        string output = OutputName!;
        var tangents = Group("v", isOutput: false);
        var results = Group("r", isOutput: true);
        var program = new Program(_primal.Body, null);
        var varied = Activity.Varied(_primal.Body, WrtNames);
        var adjointNames = new Dictionary<string, string>();
        foreach (var g in results.Where(g => g.Param.Shape == ParamShape.Span)) adjointNames[g.Input.Name] = g.Param.Name;
        var adjoint = new AdjointTransform(varied, adjointNames, NamesOf(_primal.Body), lanes: false, rules: _rules);
        var scalarWrt = _wrt.Where(w => w.Kind == SourceParamKind.RealScalar).Select(w => w.Name).ToList();
        var sweeps = adjoint.Transform(_primal.Body, scalarWrt);

        var tangentNames = new Dictionary<string, string>();
        foreach (var t in tangents) tangentNames[t.Input.Name] = t.Param.Name;
        var forward = Concat(sweeps.Declarations.Statements.Concat(sweeps.Forward.Statements));
        var tangentVaried = Activity.Varied(forward, WrtNames);
        var tangent = new TangentTransform(tangentVaried, tangentNames, lanes: false, stackTangents: false, rules: _rules);

        var statements = new List<Stmt>();
        if (!accumulate) statements.AddRange(ClearSpans(results));
        statements.AddRange(DeclareUnboundTangents(tangentVaried, tangentNames, tangent));
        statements.Add(new Comment("forward sweep with tangents (J·v)"));
        statements.AddRange(tangent.Transform(forward).Statements);
        statements.Add(new Declare(Loss, IrType.Real, Lit.Zero));
        statements.Add(new RuntimeCall(RuntimeCallKind.LossValue, new[] { output, target }.ToEquatableArray(), EquatableArray<Expr>.Empty, Loss));
        if (varied.Contains(output))
        {
            string adjointOutput = adjoint.NameOf(output);
            statements.Add(new Comment("seed: H_ℓ·(J·v)"));
            statements.Add(new DeclareSpan(adjointOutput, IrType.Real, new Len(output)));
            statements.Add(new RuntimeCall(RuntimeCallKind.LossHvpAccumulate,
                new[] { output, target, tangent.NameOf(output), adjointOutput }.ToEquatableArray(), new Expr[] { Lit.One }.ToEquatableArray(), null));
        }
        bool restoresOutput = IrWalk.Writes(sweeps.Reverse).Contains(output);
        if (restoresOutput)
        {
            statements.Add(new DeclareSpan("_saved_output", IrType.Real, new Len(output)));
            statements.Add(new CopySpan(output, "_saved_output"));
        }
        statements.Add(new Comment("reverse sweep (Jᵀ·)"));
        statements.AddRange(sweeps.Reverse.Statements);
        if (restoresOutput) statements.Add(new CopySpan("_saved_output", output));
        foreach (var g in results.Where(g => g.Param.Shape == ParamShape.Scalar))
            statements.Add(new Assign(new Var(g.Param.Name, IrType.Real), new Var(adjoint.NameOf(g.Input.Name), IrType.Real)));
        var parameters = Original.Concat(new[] { TargetParam(target) }).Concat(tangents.Select(t => t.Param)).Concat(results.Select(r => r.Param));
        return new GeneratedMember(_spec.Name + "Ggnvp" + (accumulate ? AccumulateSuffix : ""), new IrFunction(parameters.ToEquatableArray(), Concat(statements), Loss),
            accumulate
                ? "Computes the loss and adds the generalized Gauss-Newton product G·v = Jᵀ H_ℓ J v to the result spans; returns the loss."
                : "Computes the loss and the generalized Gauss-Newton product G·v = Jᵀ H_ℓ J v (one tangent forward sweep, one reverse sweep); returns the loss.",
            IsLossGeneric: true);
    }

    /// <summary>Vector-mode VJP helper: Jᵀ U for the lanes cotangents U (columns of the loss factor).</summary>
    private GeneratedMember VjpLanes()
    {
        string output = OutputName!;
        string cotangents = Unique("outputCotangents");
        var grads = Group("g", isOutput: true, lanes: true);
        var names = new Dictionary<string, string> { [output] = "_d_" + output };
        var program = new Program(_primal.Body, null);
        var body = ReverseProgram(program, grads, names, t => new Stmt[]
        {
            new DeclareSpan("_d_" + output, IrType.Lanes, new Len(output)),
            new CopySpan(cotangents, "_d_" + output),
        }, lanes: true);
        var parameters = Original.Concat(new[] { new IrParam(cotangents, IrType.Lanes, ParamShape.Span, false, null, output) })
            .Concat(grads.Select(g => g.Param)).ToEquatableArray();
        return new GeneratedMember(_spec.Name + "VjpLanes", new IrFunction(parameters, body, null),
            "Vector-mode VJP Jᵀ U for lanes cotangents U (helper of the GGN diagonal).", IsHelper: true);
    }

    /// <summary>
    /// The lanes VJP with the squares of single contributions added directly (<see cref="SquareAccumulation"/>):
    /// per span input a squares span and a bitmap replace the lanes gradient; scalar inputs keep their lanes
    /// adjoint. Null when the rewrite does not apply. Built from the finished <paramref name="vjpLanes"/>, whose
    /// clean-up passes have already run (their fused accumulations are single contributions).
    /// </summary>
    private GeneratedMember? VjpSquares(GeneratedMember vjpLanes)
    {
        var function = vjpLanes.Function;
        _taken = new HashSet<string>(_reserved);
        foreach (var p in function.Parameters) _taken.Add(p.Name);
        IrWalk.AddMentions(function.Body, _taken);
        string weights = Unique("weights");
        string flag = Unique("single");
        var targets = new Dictionary<string, SquareAccumulation.Target>();
        var parameters = new List<IrParam>();
        foreach (var p in function.Parameters)
        {
            if (p.Type == IrType.Lanes && p.Shape == ParamShape.Span && p.IsOutput)
            {
                var target = new SquareAccumulation.Target(Unique("sq" + Capitalised(p.LengthOf!)), Unique("touched" + Capitalised(p.LengthOf!)));
                targets[p.Name] = target;
                parameters.Add(new IrParam(target.Squares, IrType.Real, ParamShape.Span, true, null, p.LengthOf));
                parameters.Add(new IrParam(target.Touched, IrType.Int, ParamShape.Span, true, "global::System.Span<ulong>"));
                continue;
            }
            parameters.Add(p);
            if (p.Type == IrType.Lanes && p.Shape == ParamShape.Span) parameters.Add(new IrParam(weights, IrType.Lanes, ParamShape.Scalar, false));
        }
        parameters.Add(new IrParam(flag, IrType.Bool, ParamShape.Scalar, true));
        if (targets.Count == 0) return null;
        var body = SquareAccumulation.Rewrite(function.Body, targets, new Var(weights, IrType.Lanes), flag);
        if (body is null) return null;
        return new GeneratedMember(_spec.Name + "VjpSquares", new IrFunction(parameters.ToEquatableArray(), body, null),
            "Vector-mode VJP Jᵀ U for lanes cotangents U that adds Σ_l weights_l·(Jᵀ U)_l² into the squares spans, for parameters " +
            "whose adjoint elements get one contribution each; sets single to false when one got more (helper of the GGN diagonal).",
            IsHelper: true);
    }

    private static string Capitalised(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);

    /// <summary>
    /// The squares helper with every pass in one call: one forward sweep, then per block of lanes columns of the loss
    /// factor (cotangents <c>[block·C + row]</c>, weights <c>signs[block]</c>) a reverse sweep. Only when a reverse
    /// sweep can run again on the same primal state: it pops no value stack and writes no primal name (only adjoints
    /// and its own locals), and the adjoint state it leaves is zeroed before the next pass. All Wrt inputs must be
    /// spans. Null otherwise (<see cref="VjpSquares"/>, which recomputes the forward sweep per pass, is used then).
    /// </summary>
    private GeneratedMember? VjpSquaresAllPasses()
    {
        if (_wrt.Any(w => w.Kind != SourceParamKind.RealSpan)) return null;
        _taken = new HashSet<string>(_reserved);
        string output = OutputName!;
        string outputAdjoint = Unique("_d_" + output);
        string cotangents = Unique("outputCotangents");
        string signs = Unique("signs");
        string pass = Unique("_pass");
        string row = Unique("_row");
        var grads = Group("g", isOutput: true, lanes: true);
        var adjointNames = new Dictionary<string, string> { [output] = outputAdjoint };
        foreach (var g in grads) adjointNames[g.Input.Name] = g.Param.Name;
        var body = _primal.Body;
        var transform = new AdjointTransform(Activity.Varied(body, WrtNames), adjointNames, NamesOf(body), lanes: true, rules: _rules);
        var result = transform.Transform(body, Enumerable.Empty<string>());

        // Re-runnable reverse sweep: no pops, no primal writes (loop counters are the loops' own).
        if (HasPop(result.Reverse)) return null;
        var written = IrWalk.Writes(result.Reverse);
        var ownLocals = new HashSet<string>();
        DeclaredIn(result.Reverse, ownLocals);
        written.ExceptWith(ownLocals);
        if (written.Overlaps(NamesOf(body))) return null;
        written.ExceptWith(grads.Select(g => g.Param.Name));
        written.Remove(outputAdjoint);
        // The adjoint state the passes share, zeroed at the start of each: declared at the top of the forward program.
        var zero = new List<Stmt>();
        foreach (var s in result.Declarations.Statements.Concat(result.Forward.Statements))
        {
            if (s is Declare d && written.Remove(d.Name)) zero.Add(new Assign(new Var(d.Name, d.Type), Ex.Zero(d.Type)));
            else if (s is DeclareSpan ds && written.Remove(ds.Name)) zero.Add(new ClearSpan(ds.Name));
        }
        if (written.Count > 0) return null;

        var c = new Len(output);
        var passBody = new List<Stmt>();
        passBody.AddRange(ClearSpans(grads));
        passBody.AddRange(zero);
        passBody.Add(new For(row, Lit.Int(0), BinaryOp.Less, c, 1, Concat(new Stmt[]
        {
            new Assign(new Elem(outputAdjoint, new Var(row, IrType.Int), IrType.Lanes),
                new Elem(cotangents, new Binary(BinaryOp.Add, new Binary(BinaryOp.Multiply, new Var(pass, IrType.Int), c), new Var(row, IrType.Int)), IrType.Lanes)),
        })));
        passBody.Add(new Comment("reverse sweep"));
        passBody.AddRange(result.Reverse.Statements);
        var statements = new List<Stmt>();
        statements.AddRange(result.Declarations.Statements);
        statements.Add(new Comment("forward sweep (once: every pass reads the same primal values)"));
        statements.AddRange(result.Forward.Statements);
        statements.Add(new DeclareSpan(outputAdjoint, IrType.Lanes, c));
        statements.Add(new For(pass, Lit.Int(0), BinaryOp.Less, new Len(signs), 1, Concat(passBody)));
        var lanesParameters = Original.Concat(new[]
        {
            new IrParam(cotangents, IrType.Lanes, ParamShape.Span, false),
            new IrParam(signs, IrType.Lanes, ParamShape.Span, false),
        }).Concat(grads.Select(g => g.Param)).ToEquatableArray();
        // The clean-up passes of every member, on the lanes program, before its accumulations become squares.
        var lanes = AccumulationFusion.Apply(DeadStores.Apply(new IrFunction(lanesParameters, Concat(statements), null)));

        string flag = Unique("single");
        var targets = new Dictionary<string, SquareAccumulation.Target>();
        var parameters = new List<IrParam>(lanesParameters.Take(lanesParameters.Count - grads.Count));
        foreach (var g in grads)
        {
            var target = new SquareAccumulation.Target(Unique("sq" + Capitalised(g.Input.Name)), Unique("touched" + Capitalised(g.Input.Name)));
            targets[g.Param.Name] = target;
            parameters.Add(new IrParam(target.Squares, IrType.Real, ParamShape.Span, true, null, g.Input.Name));
            parameters.Add(new IrParam(target.Touched, IrType.Int, ParamShape.Span, true, "global::System.Span<ulong>"));
        }
        parameters.Add(new IrParam(flag, IrType.Bool, ParamShape.Scalar, true));
        var squares = SquareAccumulation.Rewrite(lanes.Body, targets, new Elem(signs, new Var(pass, IrType.Int), IrType.Lanes), flag);
        if (squares is null) return null;
        return new GeneratedMember(_spec.Name + "VjpSquares", new IrFunction(parameters.ToEquatableArray(), squares, null),
            "Vector-mode VJPs Jᵀ U_b for the blocks b of lanes cotangents (U_b = rows b·C … b·C + C − 1 of the cotangents), " +
            "adding Σ_l signs[b]_l·(Jᵀ U_b)_l² into the squares spans for parameters whose adjoint elements get one contribution " +
            "per block; one forward sweep, one reverse sweep per block; sets single to false when an element got more " +
            "(helper of the GGN diagonal).",
            IsHelper: true);
    }

    private static bool HasPop(Block block) => block.Statements.Any(s => s switch
    {
        Pop => true,
        For f => HasPop(f.Body),
        If i => HasPop(i.Then) || HasPop(i.Else),
        _ => false,
    });

    /// <summary>Locals a block declares (scalars, spans, loop counters), nested blocks included.</summary>
    private static void DeclaredIn(Block block, HashSet<string> names)
    {
        foreach (var s in block.Statements)
        {
            switch (s)
            {
                case Declare d: names.Add(d.Name); break;
                case DeclareSpan d: names.Add(d.Name); break;
                case For f: names.Add(f.Counter); DeclaredIn(f.Body, names); break;
                case If i: DeclaredIn(i.Then, names); DeclaredIn(i.Else, names); break;
            }
        }
    }
}
