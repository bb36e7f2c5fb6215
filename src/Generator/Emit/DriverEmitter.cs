using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Differentiation;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Emit;

/// <summary>
/// Bodies of the vector-mode drivers: a loop over blocks of lanes directions around a generated lanes
/// helper (dense Hessian, exact Hessian diagonal) or over blocks of the loss factor's columns (exact
/// GGN diagonal). Written as C# text: it is fixed plumbing, not a program to differentiate.
/// </summary>
internal sealed class DriverEmitter
{
    private readonly SourceWriter _w;
    private readonly string _t;
    private readonly string _vec;
    private readonly List<string> _rented = new();

    public DriverEmitter(SourceWriter writer, string elementType, bool isFloat)
    {
        _w = writer;
        _t = elementType;
        _vec = $"global::System.Runtime.Intrinsics.Vector256<{elementType}>";
    }

    private string Lanes => $"global::System.Runtime.Intrinsics.Vector256<{_t}>.Count";

    /// <summary>
    /// A scratch span on the stack up to <paramref name="limit"/> elements, else rented. Spans of lane vectors get one
    /// spare vector and start at a 32-byte boundary (<c>Scratch.AlignVectors</c>): the passes read and update them a
    /// whole vector at a time, and a vector that straddles two cache lines costs two accesses.
    /// </summary>
    /// <param name="clear">Zero the span (rented memory is zeroed already; stackalloc is not, under SkipLocalsInit).</param>
    private void Scratch(string name, string element, string length, int limit, bool clear = false)
    {
        string rent = "_rent_" + name.TrimStart('_');
        bool vectors = element == _vec;
        string allocated = vectors ? length + " + 1" : length;
        _w.Line($"{element}[]? {rent} = null;");
        _w.Line($"global::System.Span<{element}> {name} = {length} <= {limit} ? stackalloc {element}[{allocated}] : global::AutoCurv.CompilerServices.Scratch.Rent<{element}>({allocated}, ref {rent});");
        if (vectors) _w.Line($"{name} = global::AutoCurv.CompilerServices.Scratch.AlignVectors({name}, {length});");
        if (clear) _w.Line($"if ({rent} is null) global::AutoCurv.CompilerServices.Scratch.Clear({name});");
        _rented.Add(rent);
    }

    private void ReturnScratch()
    {
        foreach (var r in _rented) _w.Line($"global::AutoCurv.CompilerServices.Scratch.Return({r});");
    }

    public void Emit(GeneratedMember member, MethodSpec spec)
    {
        var driver = member.Driver!;
        string args = string.Join(", ", spec.Parameters.Select(p => Identifiers.Escape(p.Name)));
        string generic = member.IsLossGeneric ? "<TLoss>" : "";
        string withTarget = driver.Target is null ? args : args + ", " + driver.Target;
        if (driver.Kind == DriverKind.GgnDiagonal) EmitGgnDiagonal(member, spec, args, driver);
        else EmitBlocks(member, spec, args, withTarget, generic, driver);
    }

    private void EmitBlocks(GeneratedMember member, MethodSpec spec, string args, string withTarget, string generic, Driver driver)
    {
        var inputs = driver.Inputs;
        _w.Line("// θ = " + string.Join(" ++ ", inputs.Select(i => i.IsSpan ? i.Name : "[" + i.Name + "]")));
        string offset = "0";
        foreach (var input in inputs)
        {
            _w.Line($"int _off_{input.Name} = {offset};");
            offset = $"_off_{input.Name} + {(input.IsSpan ? Identifiers.Escape(input.Name) + ".Length" : "1")}";
        }
        _w.Line($"int _n = {offset};");
        bool dense = driver.Kind == DriverKind.Hessian;
        if (dense)
        {
            _w.Line($"if ({driver.ResultName}.Length != _n * _n) global::AutoCurv.CompilerServices.Scratch.ThrowLength(nameof({driver.ResultName}), {driver.ResultName}.Length, _n * _n);");
        }
        else if (!driver.Accumulate)
        {
            foreach (var input in inputs.Where(i => i.IsSpan)) _w.Line($"global::AutoCurv.CompilerServices.Scratch.Clear({Identifiers.Escape(input.Result)});");
            foreach (var input in inputs.Where(i => !i.IsSpan)) _w.Line($"{Identifiers.Escape(input.Result)} = 0;");
        }
        // One primal sweep records what the passes read; every pass replays it (PrimalTape).
        _w.Line($"var _tape = global::AutoCurv.CompilerServices.ValueStack<{_t}>.Create();");
        _w.Line($"{_t} _value = {driver.Sweep}{generic}({withTarget}, ref _tape);");
        _w.Line($"global::System.ReadOnlySpan<{_t}> _recorded = _tape.Recorded;");
        foreach (var input in inputs)
        {
            if (input.IsSpan)
            {
                Scratch("_v_" + input.Name, _vec, Identifiers.Escape(input.Name) + ".Length", 64);
                Scratch("_h_" + input.Name, _vec, Identifiers.Escape(input.Name) + ".Length", 64);
            }
            else _w.Line($"{_vec} _v_{input.Name};");
        }
        _w.Open($"for (int _block = 0; _block < _n; _block += {Lanes})");
        foreach (var input in inputs)
        {
            if (input.IsSpan) _w.Line($"global::AutoCurv.CompilerServices.Lanes.Advance<{_t}>(_v_{input.Name}, _off_{input.Name}, _block);");
            else _w.Line($"_v_{input.Name} = global::AutoCurv.CompilerServices.Lanes.Unit<{_t}>(_off_{input.Name} - _block);");
        }
        var callArgs = new List<string> { withTarget, "_recorded" };
        callArgs.AddRange(inputs.Select(i => "_v_" + i.Name));
        callArgs.AddRange(inputs.Select(i => i.IsSpan ? "_h_" + i.Name : $"out var _h_{i.Name}"));
        _w.Line($"{driver.Helper}{generic}({string.Join(", ", callArgs)});");
        if (dense)
        {
            _w.Line($"int _rows = global::System.Math.Min({Lanes}, _n - _block);");
            foreach (var input in inputs.Where(i => i.IsSpan))
            {
                _w.Line($"global::AutoCurv.CompilerServices.Lanes.StoreRows<{_t}>(_h_{input.Name}, {driver.ResultName}, _block, _rows, _n, _off_{input.Name});");
            }
            foreach (var input in inputs.Where(i => !i.IsSpan))
            {
                _w.Line($"for (int _lane = 0; _lane < _rows; _lane++) {driver.ResultName}[(_block + _lane) * _n + _off_{input.Name}] = global::System.Runtime.Intrinsics.Vector256.GetElement(_h_{input.Name}, _lane);");
            }
        }
        else
        {
            string store = driver.Accumulate ? "+=" : "=";
            foreach (var input in inputs)
            {
                if (input.IsSpan)
                {
                    _w.Line($"int _end_{input.Name} = global::System.Math.Min(_block + {Lanes}, _off_{input.Name} + {Identifiers.Escape(input.Name)}.Length);");
                    _w.Line($"for (int _j = global::System.Math.Max(_block, _off_{input.Name}); _j < _end_{input.Name}; _j++) {Identifiers.Escape(input.Result)}[_j - _off_{input.Name}] {store} global::System.Runtime.Intrinsics.Vector256.GetElement(_h_{input.Name}[_j - _off_{input.Name}], _j - _block);");
                }
                else
                {
                    _w.Line($"if (_off_{input.Name} >= _block && _off_{input.Name} < _block + {Lanes}) {Identifiers.Escape(input.Result)} {store} global::System.Runtime.Intrinsics.Vector256.GetElement(_h_{input.Name}, _off_{input.Name} - _block);");
                }
            }
        }
        _w.Close();
        _w.Line("_tape.Dispose();");
        ReturnScratch();
        _w.Line("return _value;");
    }

    private void EmitGgnDiagonal(GeneratedMember member, MethodSpec spec, string args, Driver driver)
    {
        var inputs = driver.Inputs;
        string output = Identifiers.Escape(spec.Parameters.First(p => p.Kind == SourceParamKind.Output).Name);
        string target = Identifiers.Escape(driver.Target!);
        if (!driver.Accumulate) ClearResults(inputs);
        _w.Line("// One forward pass for f, then the factor S of H_ℓ = S diag(σ) Sᵀ: diag(G) = Σ_c σ_c (Jᵀ s_c)², lanes columns per reverse sweep.");
        _w.Line($"{_t} _value = {spec.Name}Loss<TLoss>({args}, {target});");
        _w.Line($"int _c = {output}.Length;");
        Scratch("_factor", _t, "_c * _c", 256);
        _w.Line($"TLoss.HessianFactor<{_t}>({output}, {target}, _factor);");
        Scratch("_signs", _t, "_c", 256);
        _w.Line($"TLoss.HessianFactorSigns<{_t}>({output}, {target}, _signs);");
        Scratch("_u", _vec, "_c", 64);
        if (driver.SquaresHelper is null)
        {
            EmitLanesGradientPasses(spec, args, inputs);
        }
        else
        {
            _w.Open(EmitSquaresPasses(args, driver) ? "else" : "if (!_single)");
            _w.Line("// Some parameter element got two contributions in one reverse sweep: the squares are not the diagonal.");
            if (!driver.Accumulate) ClearResults(inputs);
            EmitLanesGradientPasses(spec, args, inputs);
            _w.Close();
        }
        ReturnScratch();
        _w.Line("return _value;");
    }

    private void ClearResults(IEnumerable<DriverInput> inputs)
    {
        foreach (var input in inputs.Where(i => i.IsSpan)) _w.Line($"global::AutoCurv.CompilerServices.Scratch.Clear({Identifiers.Escape(input.Result)});");
        foreach (var input in inputs.Where(i => !i.IsSpan)) _w.Line($"{Identifiers.Escape(input.Result)} = 0;");
    }

    /// <summary>Loads lanes columns <c>_block</c>.. of the factor into <c>_u</c> and their signs into <c>_sign</c>.</summary>
    private void LoadFactorColumns()
    {
        _w.Line($"for (int _row = 0; _row < _c; _row++) _u[_row] = global::AutoCurv.CompilerServices.Lanes.Load<{_t}>(_factor, _row * _c + _block, _row * _c + _c);");
        _w.Line($"var _sign = global::AutoCurv.CompilerServices.Lanes.Load<{_t}>(_signs, _block, _c);");
    }

    /// <summary>
    /// The direct path: per block of factor columns one squares sweep (<see cref="SquareAccumulation"/>; all blocks in
    /// one call when the helper sweeps them all), which adds the
    /// squares of single contributions into the result spans (a scratch span when accumulating, added at the end) and
    /// clears <c>_single</c> as soon as an element gets a second contribution. Then, when the results need finishing, an
    /// <c>if (_single)</c> block that finishes them: true when it was written (the fallback is its <c>else</c>).
    /// </summary>
    private bool EmitSquaresPasses(string args, Driver driver)
    {
        var inputs = driver.Inputs;
        _w.Line("// Squares added where each contribution is made, checked to be one per element and sweep (else the lanes-gradient path below).");
        foreach (var input in inputs)
        {
            string name = Identifiers.Escape(input.Name);
            if (input.IsSpan)
            {
                if (driver.Accumulate) Scratch("_sq_" + input.Name, _t, name + ".Length", 256, clear: true);
                else _w.Line($"global::System.Span<{_t}> _sq_{input.Name} = {Identifiers.Escape(input.Result)};");
                _w.Line($"int _words_{input.Name} = global::AutoCurv.CompilerServices.Lanes.TouchedLength({name}.Length);");
                Scratch("_touched_" + input.Name, "ulong", "_words_" + input.Name, 256);
            }
            else _w.Line($"{_t} _sq_{input.Name} = 0;");
        }
        var results = new List<string>();
        foreach (var input in inputs)
        {
            if (input.IsSpan)
            {
                results.Add("_sq_" + input.Name);
                results.Add("_touched_" + input.Name);
            }
            else results.Add($"out var _g_{input.Name}");
        }
        if (driver.SquaresSweepsAll)
        {
            // Every block of factor columns at once: the helper runs one forward sweep and a reverse sweep per block.
            _w.Line($"int _blocks = (_c + {Lanes} - 1) / {Lanes};");
            Scratch("_u_all", _vec, "_blocks * _c", 64);
            Scratch("_sign_all", _vec, "_blocks", 64);
            _w.Open("for (int _k = 0; _k < _blocks; _k++)");
            _w.Line($"int _block = _k * {Lanes};");
            _w.Line($"for (int _row = 0; _row < _c; _row++) _u_all[_k * _c + _row] = global::AutoCurv.CompilerServices.Lanes.Load<{_t}>(_factor, _row * _c + _block, _row * _c + _c);");
            _w.Line($"_sign_all[_k] = global::AutoCurv.CompilerServices.Lanes.Load<{_t}>(_signs, _block, _c);");
            _w.Close();
            _w.Line($"{driver.SquaresHelper}({args}, _u_all, _sign_all, {string.Join(", ", results)}, out bool _single);");
        }
        else
        {
            _w.Line("bool _single = true;");
            _w.Open($"for (int _block = 0; _block < _c; _block += {Lanes})");
            LoadFactorColumns();
            _w.Line($"{driver.SquaresHelper}({args}, _u, _sign, {string.Join(", ", results)}, out bool _once);");
            foreach (var input in inputs.Where(i => !i.IsSpan))
                _w.Line($"_sq_{input.Name} += global::AutoCurv.CompilerServices.Lanes.WeightedSumOfSquares(_g_{input.Name}, _sign);");
            _w.Open("if (!_once)");
            _w.Line("_single = false;");
            _w.Line("break;");
            _w.Close();
            _w.Close();
        }
        // Non-accumulating span results hold their squares already.
        var finish = inputs.Where(i => !i.IsSpan || driver.Accumulate).ToList();
        if (finish.Count == 0) return false;
        _w.Open("if (_single)");
        foreach (var input in finish)
        {
            string result = Identifiers.Escape(input.Result);
            _w.Line(input.IsSpan ? $"global::AutoCurv.CompilerServices.Kernels.Axpy(({_t})1, _sq_{input.Name}, {result});" : $"{result} += _sq_{input.Name};");
        }
        _w.Close();
        return true;
    }

    /// <summary>The lanes-gradient path: per block of factor columns one lanes VJP, whose gradient's weighted squares are summed.</summary>
    private void EmitLanesGradientPasses(MethodSpec spec, string args, IEnumerable<DriverInput> inputs)
    {
        int rentedBefore = _rented.Count;
        foreach (var input in inputs)
        {
            if (input.IsSpan) Scratch("_g_" + input.Name, _vec, Identifiers.Escape(input.Name) + ".Length", 64);
        }
        _w.Open($"for (int _block = 0; _block < _c; _block += {Lanes})");
        LoadFactorColumns();
        var callArgs = new List<string> { args, "_u" };
        callArgs.AddRange(inputs.Select(i => i.IsSpan ? "_g_" + i.Name : $"out var _g_{i.Name}"));
        _w.Line($"{spec.Name}VjpLanes({string.Join(", ", callArgs)});");
        foreach (var input in inputs)
        {
            if (input.IsSpan)
                _w.Line($"for (int _i = 0; _i < {Identifiers.Escape(input.Name)}.Length; _i++) {Identifiers.Escape(input.Result)}[_i] += global::AutoCurv.CompilerServices.Lanes.WeightedSumOfSquares(_g_{input.Name}[_i], _sign);");
            else
                _w.Line($"{Identifiers.Escape(input.Result)} += global::AutoCurv.CompilerServices.Lanes.WeightedSumOfSquares(_g_{input.Name}, _sign);");
        }
        _w.Close();
        // Returned here: a fallback's scratch lives in its own scope.
        foreach (var r in _rented.Skip(rentedBefore)) _w.Line($"global::AutoCurv.CompilerServices.Scratch.Return({r});");
        _rented.RemoveRange(rentedBefore, _rented.Count - rentedBefore);
    }
}
