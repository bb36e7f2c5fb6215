using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutoCurv.Generator.Differentiation;
using AutoCurv.Generator.Ir;

namespace AutoCurv.Generator.Emit;

/// <summary>Turns one IR function into a C# method: signature, argument checks, scratch, statements.</summary>
internal sealed class FunctionEmitter
{
    private const string Vector = "global::System.Runtime.Intrinsics.Vector256";
    private readonly SourceWriter _w;
    private readonly string _t;
    private readonly bool _isFloat;
    private readonly string _loss;
    private readonly List<string> _rented = new();
    private int _rentCount;

    /// <summary>Loops and branches around the statement being emitted.</summary>
    private int _nesting;

    private int _rowLoops;

    private readonly Model.MethodSpec _spec;

    private readonly HashSet<string> _arrays;

    /// <summary>The varying names of a batched member (declared as sample blocks); empty otherwise.</summary>
    private HashSet<string> _varying = new();

    /// <summary>Result spans cleared lazily (<see cref="LazyClear"/>) and the names of their touched bitmaps.</summary>
    private Dictionary<string, string> _lazy = new();

    private const string FirstTouch = "global::AutoCurv.CompilerServices.FirstTouch";

    /// <summary>Which loop accesses are provably in range (<see cref="BoundsProof"/>); null where none may be unchecked.</summary>
    private BoundsProof? _bounds;

    /// <summary>The name of the reference to the first element of each span that may be accessed unchecked.</summary>
    private readonly Dictionary<string, string> _firstElement = new(StringComparer.Ordinal);

    /// <summary>The spans the member's body accessed unchecked (their references get declared).</summary>
    private readonly HashSet<string> _uncheckedSpans = new(StringComparer.Ordinal);

    /// <summary>Spans of lane vectors or sample blocks: cleared with <c>Span.Clear()</c> (see <see cref="Clear"/>).</summary>
    private readonly HashSet<string> _vectorSpans = new(StringComparer.Ordinal);

    /// <summary>Declared spans written in full before any element is read: not cleared, and the loss calls that write them.</summary>
    private WrittenFirst _writtenFirst = null!; // set by EmitMethod

    public FunctionEmitter(SourceWriter writer, Model.MethodSpec spec, string lossType = "TLoss")
    {
        _spec = spec;
        _arrays = new HashSet<string>(spec.Parameters.Where(p => p.DeclaredType.EndsWith("[]", StringComparison.Ordinal)).Select(p => p.Name));
        bool isFloat = spec.IsFloat;
        _w = writer;
        _isFloat = isFloat;
        _t = isFloat ? "float" : "double";
        _loss = lossType;
    }

    /// <summary>An identifier as C# text: a reserved keyword used as a name (@in, @double) gets its '@' back.</summary>
    public static string N(string name) => Identifiers.Escape(name);

    private string TypeName(IrType type) => TypeName(type, _t);

    private const string Block = Batching.BlockType;

    private const string Mask = "global::AutoCurv.CompilerServices.SampleMask";

    /// <summary>The type of a declared scalar or span element: a sample block when the name varies (batched members).</summary>
    private string TypeOf(string name, IrType type) => type == IrType.Real && _varying.Contains(name) ? Block : TypeName(type);

    /// <summary>Whether an expression reads a varying name (its value is a sample block).</summary>
    private bool Varies(Expr e) => _varying.Count > 0 && IrWalk.Reads(e).Overlaps(_varying);

    private static string TypeName(IrType type, string element) => type switch
    {
        IrType.Real => element,
        IrType.Int => "int",
        IrType.Bool => "bool",
        IrType.Lanes => $"{Vector}<{element}>",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private int LanesPerVector => _isFloat ? 8 : 4;

    public string Parameter(IrParam p) => $"{ParameterType(p, _t)} {N(p.Name)}";

    /// <summary>
    /// A parameter's declared type, with <c>out</c> for a scalar result: also what the compiler compares to tell
    /// overloads apart (<see cref="DeclaredMembers"/>). <paramref name="element"/> is "double" or "float".
    /// </summary>
    public static string ParameterType(IrParam p, string element)
    {
        if (p.DeclaredType is not null) return p.DeclaredType;
        string type = TypeName(p.Type, element);
        if (p.Shape == ParamShape.Span) return $"{(p.IsOutput ? "global::System.Span" : "global::System.ReadOnlySpan")}<{type}>";
        return p.IsOutput ? $"out {type}" : type;
    }

    public void EmitMethod(GeneratedMember member, string accessibility)
    {
        var f = member.Function;
        _bounds = null;
        _firstElement.Clear();
        _varying = member.Batch is null ? new HashSet<string>() : new HashSet<string>(member.Batch.Varying);
        _vectorSpans.Clear();
        _writtenFirst = new WrittenFirst(f.Body, lossCallsMayWrite: _varying.Count == 0);
        foreach (var p in f.Parameters.Where(p => p.Shape == ParamShape.Span && TypeOf(p.Name, p.Type) != _t)) _vectorSpans.Add(p.Name);
        string returnType = f.Result is null ? "void" : _t;
        _w.Line("/// <summary>" + Escape(member.Summary) + "</summary>");
        string typeParameters = member.IsLossGeneric ? "<TLoss>" : "";
        _w.Line($"{(member.IsHelper ? "private" : accessibility)} static {returnType} {N(member.Name)}{typeParameters}(");
        _w.Indent();
        var ps = f.Parameters.ToList();
        for (int i = 0; i < ps.Count; i++) _w.Line(Parameter(ps[i]) + (i < ps.Count - 1 ? "," : ")"));
        if (member.IsLossGeneric) _w.Line("where TLoss : global::AutoCurv.ILoss");
        _w.Unindent();
        _w.Line("{");
        _w.Indent();
        // Private helpers run behind a public member that has checked the model sizes already.
        if (!member.IsHelper) SizeChecks.Emit(_w, _spec);
        if (member.Driver is not null)
        {
            foreach (var p in ps.Where(p => p.LengthOf is not null)) EmitLengthCheck(p);
            new DriverEmitter(_w, _t, _isFloat).Emit(member, _spec);
            _w.Close();
            return;
        }
        foreach (var p in ps.Where(p => p.LengthOf is not null)) EmitLengthCheck(p);
        _lazy = _varying.Count == 0 && !_isFloat
            ? LazyClear.Spans(f).OrderBy(n => n, System.StringComparer.Ordinal).Select((n, k) => (n, k)).ToDictionary(p => p.n, p => "_touched" + (p.k + 1))
            : new Dictionary<string, string>();
        var firstElements = _varying.Count == 0 ? PrepareFirstElements(f) : default;
        var stacks = StackTypes(f.Body);
        foreach (var s in stacks) _w.Line($"var {StackName(s)} = global::AutoCurv.CompilerServices.ValueStack<{TypeName(s)}>.Create();");
        bool blockStack = _varying.Count > 0 && UsesBlockStack(f.Body);
        if (blockStack) _w.Line($"var {BlockStack} = global::AutoCurv.CompilerServices.ValueStack<{Block}>.Create();");
        foreach (var s in f.Body.Statements) EmitStatement(s);
        if (_bounds is not null) DeclareFirstElements(f, firstElements);
        foreach (var s in stacks) _w.Line($"{StackName(s)}.Dispose();");
        if (blockStack) _w.Line($"{BlockStack}.Dispose();");
        foreach (var lazy in _lazy) _w.Line($"{FirstTouch}.ClearUntouched({N(lazy.Key)}, {lazy.Value});");
        foreach (var r in _rented) _w.Line($"global::AutoCurv.CompilerServices.Scratch.Return({r});");
        if (f.Result is not null) _w.Line(_varying.Contains(f.Result) ? $"return {Block}.Sum({N(f.Result)});" : $"return {N(f.Result)};");
        _w.Close();
        _rented.Clear();
    }

    /// <summary>
    /// Sets up unchecked access for the loop accesses <see cref="BoundsProof"/> proves in range: each such span is
    /// read through <c>Unsafe.Add</c> from a reference to its first element, declared here once the body shows which
    /// spans need one (<see cref="DeclareFirstElements"/>). Batched members and lazily cleared spans keep checked access.
    /// </summary>
    private (int Position, int Indent) PrepareFirstElements(IrFunction f)
    {
        var spans = BoundsProof.SpanParameters(f).Where(n => !_lazy.ContainsKey(n)).ToList();
        _bounds = new BoundsProof(f, spans);
        var taken = new HashSet<string>(f.Parameters.Select(p => p.Name), StringComparer.Ordinal);
        IrWalk.AddMentions(f.Body, taken);
        foreach (var span in spans)
        {
            string name = "_at_" + span;
            for (int k = 2; taken.Contains(name); k++) name = "_at_" + span + k;
            taken.Add(name);
            _firstElement[span] = name;
        }
        _uncheckedSpans.Clear();
        return _w.Here();
    }

    /// <summary>Declares, at <paramref name="at"/>, the first-element references of the spans accessed unchecked.</summary>
    private void DeclareFirstElements(IrFunction f, (int Position, int Indent) at)
    {
        if (_uncheckedSpans.Count == 0) return;
        var lines = new List<string> { "// loop bounds prove these spans' element accesses in range: read and written below without bounds checks" };
        foreach (var p in f.Parameters.Where(p => _uncheckedSpans.Contains(p.Name)))
            lines.Add($"ref {TypeName(p.Type)} {_firstElement[p.Name]} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({N(p.Name)});");
        _w.InsertLines(at, lines);
    }

    /// <summary>
    /// Zeroes a span. Spans of doubles or floats go through <c>Scratch.Clear</c>, which returns with the upper halves of
    /// the vector registers clean: <c>Span.Clear()</c> can leave them dirty, and glibc's SSE <c>tanh</c>/<c>exp</c>/<c>log</c>
    /// behind <c>Math.Tanh</c> and friends then pay the AVX→SSE transition on every instruction. Spans of lane vectors
    /// or sample blocks keep <c>Span.Clear()</c>: the members that have them compute with 256-bit registers inline
    /// anyway (and their transcendentals are the managed block ones or run in the primal sweep, which has none), so a
    /// call per clear would only cost (W1's dense Hessian clears six spans in each of its 33 passes).
    /// </summary>
    private string Clear(string span) => _vectorSpans.Contains(span)
        ? $"{N(span)}.Clear();"
        : $"global::AutoCurv.CompilerServices.Scratch.Clear({N(span)});";

    private void EmitLengthCheck(IrParam p)
    {
        string expected = N(p.LengthOf!) + ".Length";
        string name = N(p.Name);
        _w.Line($"if ({name}.Length != {expected}) global::AutoCurv.CompilerServices.Scratch.ThrowLength(nameof({name}), {name}.Length, {expected});");
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string StackName(IrType type) => type switch
    {
        IrType.Real => "_stack",
        IrType.Int => "_stackInt",
        IrType.Lanes => "_stackLanes",
        _ => "_stackBool",
    };

    /// <summary>The stack of a batched member's saved sample values.</summary>
    private const string BlockStack = "_stackBlock";

    private bool UsesBlockStack(Block body) => body.Statements.Any(s => s switch
    {
        Push p => Varies(p.Value),
        For f => UsesBlockStack(f.Body),
        If i => UsesBlockStack(i.Then) || UsesBlockStack(i.Else),
        _ => false,
    });

    private List<IrType> StackTypes(Block body)
    {
        var types = new SortedSet<IrType>();
        void Visit(Block b)
        {
            foreach (var s in b.Statements)
            {
                switch (s)
                {
                    case Push p: if (!Varies(p.Value)) types.Add(p.Value.Type); break;
                    case For f: Visit(f.Body); break;
                    case If i: Visit(i.Then); Visit(i.Else); break;
                }
            }
        }
        Visit(body);
        return types.ToList();
    }

    // ---------------------------------------------------------------- statements

    private void EmitBlock(Block block)
    {
        foreach (var s in block.Statements) EmitStatement(s);
    }

    private void SourceComment(int line, string? source)
    {
        if (source is null) return;
        // One line, whatever the user's formatting: a newline would end the comment and leak code.
        string text = System.Text.RegularExpressions.Regex.Replace(source, @"\s+", " ");
        _w.Line(line > 0 ? $"// line {line}: {text}" : $"// {text}");
    }

    private void EmitStatement(Stmt s)
    {
        switch (s)
        {
            case Declare d:
                SourceComment(d.Line, d.Source);
                _w.Line(d.Init is null ? $"{TypeOf(d.Name, d.Type)} {N(d.Name)};" : $"{TypeOf(d.Name, d.Type)} {N(d.Name)} = {E(d.Init)};");
                break;
            case DeclareSpan d:
                SourceComment(d.Line, d.Source);
                EmitSpan(d, _writtenFirst.Spans.Contains(d.Name) ? "written in full before any element is read" : null);
                break;
            case Assign a:
                SourceComment(a.Line, a.Source);
                _w.Line(AssignText(a.Target, a.Value));
                break;
            case For f:
            {
                SourceComment(f.Line, f.Source);
                if (_varying.Count > 0 && _nesting == 0 && RowKernels.TryPlan(f, Varies, _rowLoops + 1) is { } plan)
                {
                    _rowLoops++;
                    EmitRowKernels(plan);
                    break;
                }
                if (LoopKernels.TryEmit(f, _w, E, _arrays, _t, N, _varying.Count > 0 ? Varies : null, _lazy)) break;
                string c = N(f.Counter);
                string step = f.Step switch { 1 => $"{c}++", -1 => $"{c}--", > 0 => $"{c} += {f.Step}", _ => $"{c} -= {-f.Step}" };
                _w.Open($"for (int {c} = {E(f.Start)}; {c} {Op(f.Compare)} {E(f.Bound)}; {step})");
                _nesting++;
                _bounds?.Enter(f);
                EmitBlock(f.Body);
                _bounds?.Leave();
                _nesting--;
                _w.Close();
                break;
            }
            case If i:
            {
                SourceComment(i.Line, i.Source is null ? null : $"if ({i.Source})");
                if (i.Then.Statements.Count == 0)
                {
                    _w.Open($"if (!({E(i.Condition)}))");
                    _nesting++;
                    EmitBlock(i.Else);
                    _nesting--;
                    _w.Close();
                    break;
                }
                _w.Open($"if ({E(i.Condition)})");
                _nesting++;
                EmitBlock(i.Then);
                _nesting--;
                _w.Close();
                if (i.Else.Statements.Count > 0)
                {
                    _w.Open("else");
                    _nesting++;
                    EmitBlock(i.Else);
                    _nesting--;
                    _w.Close();
                }
                break;
            }
            case Push p:
                _w.Line($"{(Varies(p.Value) ? BlockStack : StackName(p.Value.Type))}.Push({E(p.Value)});");
                break;
            case Pop p:
                _w.Line($"{E(p.Target)} = {(Varies(p.Target) ? BlockStack : StackName(p.Target.Type))}.Pop();");
                break;
            case ClearSpan c when _lazy.TryGetValue(c.Name, out var touched):
            {
                // Cleared lazily: one bit per group of FirstTouch.Group elements, zeroed on first contribution.
                string rent = "_rent" + (++_rentCount);
                _w.Line($"ulong[]? {rent} = null;");
                _w.Line($"global::System.Span<ulong> {touched} = {FirstTouch}.Begin({N(c.Name)}, ref {rent}); // short spans are cleared at once, longer ones group by group on first contribution");
                _rented.Add(rent);
                break;
            }
            case ClearSpan c:
                _w.Line(Clear(c.Name));
                break;
            case CopySpan c:
                _w.Line($"{N(c.From)}.CopyTo({N(c.To)});");
                break;
            case Comment c:
                _w.Line("// " + System.Text.RegularExpressions.Regex.Replace(c.Text, @"\s+", " "));
                break;
            case RuntimeCall r:
                EmitRuntimeCall(r);
                break;
            case AccumulateSquare q:
                _w.Line($"{N(q.Flag)} &= global::AutoCurv.CompilerServices.Lanes.AddSquare<{_t}>({E(q.Value)}, {E(q.Weights)}, {N(q.Squares)}, {E(q.Index)}, {N(q.Touched)});");
                break;
            default:
                throw new NotSupportedException("emit " + s.GetType().Name);
        }
    }

    /// <summary>
    /// Declares a scratch span: on the stack when short, else rented. It is cleared unless <paramref name="filledBecause"/>
    /// says why every element is written before any is read (the generated line then says so).
    /// </summary>
    private void EmitSpan(DeclareSpan d, string? filledBecause)
    {
        string element = TypeOf(d.Name, d.ElemType);
        string rent = "_rent" + (++_rentCount);
        // On the stack up to 256 doubles (2 KB), 64 lane vectors (2 KB) or 128 sample blocks (16 KB, a hidden layer
        // of 128 in a batched member); longer spans come from the pool.
        int limit = element == Block ? 128 : d.ElemType == IrType.Lanes ? 64 : 256;
        string length = E(d.Length);
        _w.Line($"{element}[]? {rent} = null;");
        _w.Line($"global::System.Span<{element}> {N(d.Name)} = {length} <= {limit} ? stackalloc {element}[{length}] : global::AutoCurv.CompilerServices.Scratch.Rent<{element}>({length}, ref {rent});");
        if (element != _t) _vectorSpans.Add(d.Name);
        if (filledBecause is not null) _w.Line("// not cleared: " + filledBecause);
        else _w.Line($"if ({rent} is null) {Clear(d.Name)} // stackalloc is not zeroed under SkipLocalsInit; rented memory already is");
        _rented.Add(rent);
    }

    /// <summary>A row loop of a batched member rewritten around row kernels (<see cref="RowKernels"/>).</summary>
    private void EmitRowKernels(RowKernels.Plan plan)
    {
        const string Kernels = "global::AutoCurv.CompilerServices.Kernels";
        _w.Line($"int {plan.LoName} = {E(plan.Lo)};");
        _w.Line($"int {plan.CountName} = global::System.Math.Max({E(plan.Count)}, 0);");
        var lo = new Var(plan.LoName, IrType.Int);
        var count = new Var(plan.CountName, IrType.Int);
        foreach (var row in plan.Rows)
        {
            _varying.Add(row.Rows);
            // DotRows overwrites its rows; the rewritten row loop assigns every row's scale (at the top of its body).
            EmitSpan(new DeclareSpan(row.Rows, IrType.Real, count), row.IsDot ? "the DotRows call below writes every row" : "the row loop below writes every row");
        }
        string Guard(RowKernels.Row row) => $"if ({N(plan.CountName)} > 0 && {E(row.InnerCount, Precedence.Relational + 1)} > 0) ";
        string First(RowKernels.Row row) => E(LoopKernels.Add(row.Base, new Binary(BinaryOp.Multiply, lo, row.Stride)));
        string X(RowKernels.Row row)
        {
            string start = E(LoopKernels.Add(row.OffsetX, row.InnerLo));
            return _arrays.Contains(row.X)
                ? $"global::System.MemoryExtensions.AsSpan({N(row.X)}, {start}, {E(row.InnerCount)})"
                : $"{N(row.X)}.Slice({start}, {E(row.InnerCount)})";
        }
        foreach (var row in plan.Rows.Where(r => r.IsDot))
        {
            _w.Line($"{Guard(row)}{Kernels}.DotRows({N(row.Shared)}, {First(row)}, {E(row.Stride)}, {X(row)}, {N(row.Rows)});");
            _w.Line($"else {Clear(row.Rows)} // an empty inner range: every dot is 0");
        }
        EmitStatement(plan.Loop);
        foreach (var row in plan.Rows.Where(r => !r.IsDot))
            _w.Line($"{Guard(row)}{Kernels}.AxpyRows({N(row.Rows)}, {X(row)}, {N(row.Shared)}, {First(row)}, {E(row.Stride)});");
    }

    private string AssignText(Expr target, Expr value)
    {
        string t = E(target);
        // In a batched member a shared (parameter-sized) target receives the sum of a varying contribution over
        // the lanes; Batching admits only accumulations there.
        bool reduce = !_varying.Contains(IrWalk.TargetName(target)) && Varies(value);
        if (target is Elem lazy && _lazy.TryGetValue(lazy.Span, out var touched) && value is Binary { Op: BinaryOp.Add or BinaryOp.Subtract } l && l.Left == target)
        {
            string term = l.Op == BinaryOp.Add ? E(l.Right) : E(new Unary(UnaryOp.Negate, l.Right));
            return $"{FirstTouch}.Add({N(lazy.Span)}, {E(lazy.Index)}, {term}, {touched});";
        }
        if (value is Binary { Op: BinaryOp.Add or BinaryOp.Subtract } b && b.Left == target)
        {
            string right = reduce ? $"{Block}.Sum({E(b.Right)})" : E(b.Right, b.Op == BinaryOp.Subtract ? Precedence.Additive + 1 : 0);
            return $"{t} {(b.Op == BinaryOp.Add ? "+=" : "-=")} {right};";
        }
        if (reduce) throw new System.InvalidOperationException("batched member assigns a varying value to a shared target: " + t);
        return $"{t} = {E(value)};";
    }

    private void EmitRuntimeCall(RuntimeCall r)
    {
        const string Losses = "global::AutoCurv.CompilerServices.LossCalls";
        string S(int k) => N(r.Spans[k]);
        if (_varying.Count > 0)
        {
            EmitBlockRuntimeCall(r, S);
            return;
        }
        switch (r.Kind)
        {
            case RuntimeCallKind.LossValue:
                _w.Line($"{N(r.ResultVar!)} = {_loss}.Value<{_t}>({S(0)}, {S(1)});");
                break;
            case RuntimeCallKind.LossGradientAccumulate:
                string gradient = _writtenFirst.IsFillingCall(r) ? "WriteGradient" : "AccumulateGradient";
                _w.Line($"{Losses}.{gradient}<{_loss}, {_t}>({S(0)}, {S(1)}, {E(r.Scalars[0])}, {S(2)});");
                break;
            case RuntimeCallKind.LossHvpAccumulate:
                string product = _writtenFirst.IsFillingCall(r) ? "WriteHessianVectorProduct" : "AccumulateHessianVectorProduct";
                _w.Line($"{Losses}.{product}<{_loss}, {_t}>({S(0)}, {S(1)}, {S(2)}, {E(r.Scalars[0])}, {S(3)});");
                break;
            case RuntimeCallKind.LossJvp:
                _w.Line($"{N(r.ResultVar!)} = {Losses}.DirectionalDerivative<{_loss}, {_t}>({S(0)}, {S(1)}, {S(2)});");
                break;
            case RuntimeCallKind.Record:
                _w.Line($"{S(0)}.Push({E(r.Scalars[0])});");
                break;
            case RuntimeCallKind.RecordLossHessian:
                _w.Line($"{Losses}.RecordHessian<{_loss}, {_t}>({S(1)}, {S(2)}, ref {S(0)});");
                break;
            case RuntimeCallKind.RecordedLossHvpAccumulate:
                _w.Line($"{Losses}.AccumulateRecordedHessianProduct<{_t}>({S(0)}.Slice({E(r.Scalars[0])}), {S(1)}, {E(r.Scalars[1])}, {S(2)});");
                break;
        }
    }

    /// <summary>The runtime calls of a batched member: the loss lane by lane (<c>BlockLossCalls</c>).</summary>
    private void EmitBlockRuntimeCall(RuntimeCall r, System.Func<int, string> s)
    {
        const string Losses = "global::AutoCurv.CompilerServices.BlockLossCalls";
        switch (r.Kind)
        {
            case RuntimeCallKind.LossValue:
                _w.Line($"{N(r.ResultVar!)} = {Losses}.Value<{_loss}>({s(0)}, {s(1)});");
                break;
            case RuntimeCallKind.LossGradientAccumulate:
                _w.Line($"{Losses}.AccumulateGradient<{_loss}>({s(0)}, {s(1)}, {E(r.Scalars[0])}, {s(2)});");
                break;
            case RuntimeCallKind.LossHvpAccumulate:
                _w.Line($"{Losses}.AccumulateHessianVectorProduct<{_loss}>({s(0)}, {s(1)}, {s(2)}, {E(r.Scalars[0])}, {s(3)});");
                break;
            case RuntimeCallKind.LossJvp:
                _w.Line($"{N(r.ResultVar!)} = {Losses}.DirectionalDerivative<{_loss}>({s(0)}, {s(1)}, {s(2)});");
                break;
        }
    }

    // ---------------------------------------------------------------- expressions

    private static class Precedence
    {
        public const int Conditional = 1, Or = 2, And = 3, Equality = 4, Relational = 5, Additive = 6, Multiplicative = 7, Unary = 8, Primary = 9;
    }

    private static int PrecedenceOf(Expr e) => e switch
    {
        Conditional => Precedence.Conditional,
        Binary b => b.Op switch
        {
            BinaryOp.Or => Precedence.Or,
            BinaryOp.And => Precedence.And,
            BinaryOp.Equal or BinaryOp.NotEqual => Precedence.Equality,
            BinaryOp.Less or BinaryOp.LessOrEqual or BinaryOp.Greater or BinaryOp.GreaterOrEqual => Precedence.Relational,
            BinaryOp.Add or BinaryOp.Subtract => Precedence.Additive,
            _ => Precedence.Multiplicative,
        },
        Unary or ToReal => Precedence.Unary,
        Lit l when l.Value < 0 || (l.Value == 0 && 1 / l.Value < 0) => Precedence.Unary,
        _ => Precedence.Primary,
    };

    private static string Op(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Subtract => "-",
        BinaryOp.Multiply => "*",
        BinaryOp.Divide => "/",
        BinaryOp.Remainder => "%",
        BinaryOp.Less => "<",
        BinaryOp.LessOrEqual => "<=",
        BinaryOp.Greater => ">",
        BinaryOp.GreaterOrEqual => ">=",
        BinaryOp.Equal => "==",
        BinaryOp.NotEqual => "!=",
        BinaryOp.And => "&&",
        BinaryOp.Or => "||",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>Emits an expression, parenthesised when its precedence is below <paramref name="minimum"/>.</summary>
    public string E(Expr e, int minimum = 0)
    {
        string text = Raw(e);
        return PrecedenceOf(e) < minimum ? "(" + text + ")" : text;
    }

    private string Raw(Expr e)
    {
        switch (e)
        {
            case Lit l:
                return Literal(l);
            case Var v:
                return N(v.Name);
            case Elem el when _firstElement.TryGetValue(el.Span, out var first) && _bounds!.InBounds(el):
                _uncheckedSpans.Add(el.Span);
                return $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {first}, {E(el.Index)})";
            case Elem el:
                return $"{N(el.Span)}[{E(el.Index)}]";
            case Len l:
                return N(l.Span) + ".Length";
            case Unary u:
                return (u.Op == UnaryOp.Negate ? "-" : "!") + E(u.Operand, Precedence.Unary + 1);
            case Binary b when (b.Op.IsComparison() || b.Op.IsLogical()) && Varies(b):
                // A condition on sample values (batched members): a per-lane mask.
                if (b.Op.IsLogical()) return $"({E(b.Left, Precedence.Unary)} {(b.Op == BinaryOp.And ? "&" : "|")} {E(b.Right, Precedence.Unary)})";
                return $"{Mask}.{b.Op}({E(b.Left)}, {E(b.Right)})";
            case Conditional c when Varies(c.Condition):
                return $"{Mask}.Select({E(c.Condition)}, {E(c.WhenTrue)}, {E(c.WhenFalse)})";
            case Binary { Op: BinaryOp.NotEqual } b when b.Left.Equals(b.Right) && b.Left.Type == IrType.Real:
                // The derivative rules' NaN test (x != x) in the form that draws no CS1718 in the user's build.
                return $"{_t}.IsNaN({E(b.Left)})";
            case Binary b:
            {
                int p = PrecedenceOf(b);
                var left = b.Left;
                var right = b.Right;
                // A Vector256 operator takes the vector on the left: a·v is written v·a (exact: products commute).
                if (b.Op == BinaryOp.Multiply && left.Type != IrType.Lanes && right.Type == IrType.Lanes) (left, right) = (right, left);
                return $"{E(left, p)} {Op(b.Op)} {E(right, p + 1)}";
            }
            case Conditional c:
                return $"{E(c.Condition, Precedence.Conditional + 1)} ? {E(c.WhenTrue, Precedence.Conditional + 1)} : {E(c.WhenFalse, Precedence.Conditional)}";
            case Call { Function: Fn.User } call:
                return $"{call.UserTarget}({string.Join(", ", call.Args.Select(a => E(a)))})";
            case Call call:
                // On a sample block: the same function lane by lane.
                string math = call.Args.Any(Varies) ? Block : $"global::System.{(_isFloat ? "MathF" : "Math")}";
                return $"{math}.{call.Function}({string.Join(", ", call.Args.Select(a => E(a)))})";
            case ToReal r:
                return $"({_t}){E(r.Operand, Precedence.Unary)}";
            case Splat s:
                return $"{Vector}.Create({E(s.Operand)})";
            case LaneOf l:
                return $"global::System.Runtime.Intrinsics.Vector256.GetElement({E(l.Operand)}, {l.Lane})";
            default:
                throw new NotSupportedException("emit " + e.GetType().Name);
        }
    }

    private string Literal(Lit l)
    {
        switch (l.LitType)
        {
            case IrType.Bool: return l.Value != 0 ? "true" : "false";
            case IrType.Int: return ((int)l.Value).ToString(CultureInfo.InvariantCulture);
            case IrType.Lanes:
                if (l.Value == 0) return $"{Vector}<{_t}>.Zero";
                return $"{Vector}.Create({RealLiteral(l.Value)})";
            default: return RealLiteral(l.Value);
        }
    }

    private string RealLiteral(double value)
    {
        if (double.IsNaN(value)) return $"{_t}.NaN";
        if (double.IsPositiveInfinity(value)) return $"{_t}.PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return $"{_t}.NegativeInfinity";
        if (_isFloat)
        {
            string f = ((float)value).ToString("R", CultureInfo.InvariantCulture);
            return f + "f";
        }
        string d = value.ToString("R", CultureInfo.InvariantCulture);
        if (d.IndexOfAny(new[] { '.', 'E', 'e' }) < 0) d += ".0";
        return d;
    }
}
