using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using AutoCurv.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AutoCurv.Generator.Tests.Robustness;

/// <summary>What an awkward input must lead to (on top of: no exception, no hang, no new compile error).</summary>
public enum Outcome
{
    /// <summary>The input compiles; the generator reports no AC diagnostic and generates code.</summary>
    Accepted,

    /// <summary>The input compiles; the generator reports at least one AC error (the given id, when one is named).</summary>
    Rejected,

    /// <summary>The input itself has compile errors (mid-edit); the generator may stay silent or report AC diagnostics.</summary>
    InputErrors,

    /// <summary>Either accepted or rejected; only the universal checks apply.</summary>
    Either,
}

/// <summary>A scalar method with only <c>double</c> parameters to check numerically when accepted: gradient vs central differences.</summary>
public sealed record NumericProbe(string TypeName, string Method, double[] Point);

/// <summary>One awkward input.</summary>
public sealed record AwkwardCase(string Name, Outcome Expect, string? Id, Func<CSharpCompilation> Compile, NumericProbe? Probe = null, bool Huge = false, CSharpParseOptions? ParseOptions = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// The corpus of awkward inputs (issue 7, item 2): half-typed code, constructs outside the subset, odd containers and
/// names, huge and deeply nested methods, wrong attribute targets and missing references.
/// </summary>
public static class AwkwardInputs
{
    private const string Usings = "using System;\nusing System.Collections.Generic;\nusing System.Linq;\nusing System.Threading.Tasks;\nusing AutoCurv;\n\nnamespace N;\n\n";

    /// <summary>A file with <paramref name="members"/> in <c>public static partial class C</c>.</summary>
    public static string InClass(string members) => Usings + "public static partial class C\n{\n" + members + "\n}\n";

    /// <summary>A file with <paramref name="declarations"/> at namespace level.</summary>
    public static string InNamespace(string declarations) => Usings + declarations + "\n";

    private static readonly List<AwkwardCase> s_cases = new();

    private static void Add(string name, Outcome expect, string? id, string source, NumericProbe? probe = null, bool huge = false) =>
        s_cases.Add(new AwkwardCase(name, expect, id, () => GeneratorHarness.CreateCompilation(source), probe, huge));

    private static void AddSources(string name, Outcome expect, string? id, params string[] sources) =>
        s_cases.Add(new AwkwardCase(name, expect, id, () => GeneratorHarness.CreateCompilation(sources)));

    private static void AddCompilation(string name, Outcome expect, string? id, Func<CSharpCompilation> compile) =>
        s_cases.Add(new AwkwardCase(name, expect, id, compile));

    private static NumericProbe P(params double[] point) => new("N.C", "F", point);

    public static IReadOnlyList<AwkwardCase> All => s_cases;

    public static AwkwardCase Get(string name) => s_cases.Single(c => c.Name == name);

    static AwkwardInputs()
    {
        // ------------------------------------------------------------ syntax errors mid-edit
        Add("edit_missing_semicolon", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { double a = x * 2 return a * x; }"));
        Add("edit_unclosed_method_brace", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { double a = x * 2; return a * x;"));
        Add("edit_incomplete_binary", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { return x * ; }"));
        Add("edit_unfinished_for_header", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length s += x[i]; return s; }"));
        Add("edit_half_typed_math_name", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) => Math.Ex(x);"));
        Add("edit_missing_close_paren", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { return Math.Exp(x * 2; }"));
        Add("edit_unclosed_attribute", Outcome.InputErrors, null, InClass("[Differentiable public static double F(double x) => x * x;"));
        Add("edit_attribute_without_method", Outcome.InputErrors, null, InClass("[Differentiable]\n}\npublic static partial class D {"));
        Add("edit_unterminated_string", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { var s = \"abc; return x; }"));
        Add("edit_missing_return_type", Outcome.InputErrors, null, InClass("[Differentiable] public static F(double x) { return x * x; }"));
        Add("edit_wrt_parameter_without_type", Outcome.InputErrors, null, InClass("[Differentiable] public static double F([Wrt] x) => 1.0;"));
        Add("edit_extra_closing_brace", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { return x; } }\n}"));
        Add("edit_empty_if_condition", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { if () return 1.0; return x; }"));
        Add("edit_declaration_without_name", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { double = 3; return x; }"));
        Add("edit_unknown_type", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { Vector v = x; return x; }"));
        Add("edit_undefined_name", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { return x * y; }"));
        Add("edit_type_mismatch", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { int k = 1.5; return x * k; }"));
        Add("edit_incomplete_stackalloc", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { Span<double> t = stackalloc double[; return x[0]; }"));
        Add("edit_member_access_dangling", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { return x.; }"));
        Add("edit_not_all_paths_return", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { if (x > 0) return x; }"));
        Add("edit_attribute_with_arguments", Outcome.InputErrors, null, InClass("[Differentiable(1)] public static double F(double x) => x * x;"));
        Add("edit_duplicate_method", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) => x * x;\n[Differentiable] public static double F(double x) => x;"));
        Add("edit_valid_caller_of_broken_callee", Outcome.InputErrors, null, InClass(
            "[Differentiable] public static double G(double x) { return x * ; }\n[Differentiable] public static double F(double x) => G(x) * 2.0;"));
        Add("edit_broken_method_next_to_valid_one", Outcome.InputErrors, null, InClass(
            "[Differentiable] public static double Broken(double x) { return x +; }\n[Differentiable] public static double F(double x) => x * x;"));
        Add("edit_only_attribute_and_modifiers", Outcome.InputErrors, null, InClass("[Differentiable] public static"));
        Add("edit_truncated_file", Outcome.InputErrors, null, Usings + "public static partial class C\n{\n    [Differentiable]\n    public static double F(ReadOnlySpan<double> x)\n    {\n        double s = 0;\n        for (int i = 0; i < x.Len");
        Add("edit_missing_using_autocurv", Outcome.InputErrors, null,
            "using System;\nnamespace N;\npublic static partial class C { [Differentiable] public static double F(double x) => x * x; }\n");
        Add("edit_wrt_misspelled", Outcome.InputErrors, null, InClass("[Differentiable] public static double F([Wtr] double x) => x * x;"));
        Add("edit_conflicting_local_names", Outcome.InputErrors, null, InClass("[Differentiable] public static double F(double x) { double a = x; double a = 2 * x; return a; }"));
        Add("edit_generated_name_used_before_generation", Outcome.InputErrors, null, InClass(
            "[Differentiable] public static double F(double x) => x * x;\npublic static double Use(double x) => FGradient(x, out double g) + g + FNoSuchMember(x);"));

        // ------------------------------------------------------------ method shape outside the subset
        Add("generic_method", Outcome.Rejected, "AC0003", InClass("[Differentiable] public static T F<T>(T x) where T : System.Numerics.INumber<T> => x * x;"));
        Add("generic_method_double_body", Outcome.Rejected, "AC0003", InClass("[Differentiable] public static double F<T>(double x) => x * x;"));
        Add("recursion_direct", Outcome.Rejected, "AC0017", InClass("[Differentiable] public static double F(double x, int n) => n <= 0 ? x : x * F(x, n - 1);"));
        Add("recursion_mutual", Outcome.Rejected, "AC0017", InClass(
            "[Differentiable] public static double F(double x, int n) => n <= 0 ? x : G(x, n - 1);\n[Differentiable] public static double G(double x, int n) => n <= 0 ? x : 2.0 * F(x, n - 1);"));
        Add("ref_parameter", Outcome.Rejected, "AC0005", InClass("[Differentiable] public static double F(ref double x) => x * x;"));
        Add("out_parameter", Outcome.Rejected, "AC0005", InClass("[Differentiable] public static double F(double x, out double y) { y = x; return x * x; }"));
        Add("in_parameter", Outcome.Rejected, "AC0005", InClass("[Differentiable] public static double F(in double x) => x * x;"));
        Add("ref_readonly_parameter", Outcome.Rejected, "AC0005", InClass("[Differentiable] public static double F(ref readonly double x) => x * x;"));
        Add("unsafe_pointer_parameter", Outcome.Rejected, "AC0006", InClass("[Differentiable] public static unsafe double F(double* x) => x[0] * x[0];"));
        Add("unsafe_block", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { double y = x; unsafe { double* p = &y; *p = x * 2; } return y * x; }"));
        Add("unsafe_fixed", Outcome.Rejected, null, InClass("[Differentiable] public static unsafe double F(double[] x) { double s = 0; fixed (double* p = x) { s = p[0]; } return s * s; }"));
        Add("unsafe_pointer_local", Outcome.Rejected, null, InClass("[Differentiable] public static unsafe double F(double x) { double* p = stackalloc double[2]; p[0] = x; return p[0] * x; }"));
        Add("async_method", Outcome.Rejected, "AC0004", InClass("[Differentiable] public static async Task<double> F(double x) { await Task.Yield(); return x * x; }"));
        Add("iterator_method", Outcome.Rejected, null, InClass("[Differentiable] public static IEnumerable<double> F(double x) { yield return x; }"));
        Add("lambda_in_body", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { Func<double, double> f = v => v * v; return f(x); }"));
        Add("static_lambda_invoked", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) => ((Func<double, double>)(static v => v * 2))(x);"));
        Add("linq_sum", Outcome.Rejected, "AC0012", InClass("[Differentiable] public static double F(double[] x) => x.Sum();"));
        Add("linq_query", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double[] x) { var q = from v in x select v * v; return q.Max(); }"));
        Add("instance_method", Outcome.Rejected, "AC0001", InNamespace("public partial class C { [Differentiable] public double F(double x) => x * x; }"));
        Add("nested_non_partial_inner", Outcome.Rejected, "AC0002", InNamespace("public static partial class O { public static class C { [Differentiable] public static double F(double x) => x * x; } }"));
        Add("nested_non_partial_outer", Outcome.Rejected, "AC0002", InNamespace("public static class O { public static partial class C { [Differentiable] public static double F(double x) => x * x; } }"));
        Add("non_partial_class", Outcome.Rejected, "AC0002", InNamespace("public static class C { [Differentiable] public static double F(double x) => x * x; }"));
        Add("abstract_method", Outcome.Rejected, null, InNamespace("public abstract partial class C { [Differentiable] public abstract double F(double x); }"));
        Add("extern_method", Outcome.Rejected, null, InClass("[Differentiable] [System.Runtime.InteropServices.DllImport(\"m\")] public static extern double F(double x);"));
        Add("static_abstract_interface_member", Outcome.Rejected, null, InNamespace("public partial interface I { [Differentiable] static abstract double F(double x); }"));
        Add("partial_method_attribute_on_definition", Outcome.Either, null, InClass("[Differentiable] public static partial double F(double x);\npublic static partial double F(double x) => x * x;"));
        Add("partial_method_attribute_on_implementation", Outcome.Either, null, InClass("public static partial double F(double x);\n[Differentiable] public static partial double F(double x) => x * x;"));
        Add("returns_int", Outcome.Rejected, "AC0007", InClass("[Differentiable] public static int F(double x) => (int)x;"));
        Add("returns_tuple", Outcome.Rejected, "AC0007", InClass("[Differentiable] public static (double, double) F(double x) => (x, x * x);"));
        Add("returns_decimal", Outcome.Rejected, "AC0007", InClass("[Differentiable] public static decimal F(decimal x) => x * x;"));
        Add("decimal_parameter", Outcome.Rejected, "AC0006", InClass("[Differentiable] public static double F(double x, decimal k) => x * (double)k;"));
        Add("string_parameter", Outcome.Rejected, "AC0006", InClass("[Differentiable] public static double F(double x, string name) => x * name.Length;"));
        Add("wrt_on_int", Outcome.Rejected, "AC0008", InClass("[Differentiable] public static double F(double x, [Wrt] int n) => x * n;"));
        Add("wrt_on_output_span", Outcome.Rejected, "AC0008", InClass("[Differentiable] public static void F(ReadOnlySpan<double> x, [Wrt] Span<double> output) { output[0] = x[0]; }"));
        Add("two_output_spans", Outcome.Rejected, "AC0009", InClass("[Differentiable] public static void F(ReadOnlySpan<double> x, Span<double> a, Span<double> b) { a[0] = x[0]; b[0] = x[0]; }"));
        Add("void_without_output", Outcome.Rejected, "AC0009", InClass("[Differentiable] public static void F(double x) { }"));
        Add("span_parameter_in_scalar_function", Outcome.Rejected, "AC0009", InClass("[Differentiable] public static double F(Span<double> x) => x[0] * x[0];"));
        Add("no_differentiable_input", Outcome.Rejected, null, InClass("[Differentiable] public static double F(int n) => n * 2.0;"));
        Add("mixed_float_double", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x, float y) => x * y;"));
        Add("name_collision_with_user_member", Outcome.Rejected, "AC0013", InClass("[Differentiable] public static double F(double x) => x * x;\npublic static double FGradient(double x) => 2 * x;"));
        Add("name_collision_with_nested_model_type", Outcome.Rejected, "AC0013", InClass(
            "[Differentiable] public static void F(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output) { output[0] = w[0] * x[0]; }\npublic struct FModel { }"));
        Add("reserved_local_name", Outcome.Rejected, "AC0019", InClass("[Differentiable] public static double F(double x) { double _t = x * 2; return _t * x; }"));
        Add("reserved_parameter_name", Outcome.Rejected, "AC0019", InClass("[Differentiable] public static double F(double _x) => _x * _x;"));

        // ------------------------------------------------------------ statements and expressions outside the subset
        Add("local_function", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(double x) { double Sq(double v) => v * v; return Sq(x); }"));
        Add("static_local_function", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { return Sq(x); static double Sq(double v) => v * v; }"));
        Add("goto_statement", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(double x) { double y = x; if (y > 1) goto done; y = y * 2; done: return y * x; }"));
        Add("labeled_statement_only", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { start: double y = x * 2; return y; }"));
        Add("checked_block", Outcome.Either, null, InClass("[Differentiable] public static double F(double x, int k) { double y = x; checked { y = x * k; } return y * x; }"));
        Add("checked_expression", Outcome.Accepted, null, InClass("[Differentiable] public static double F(double x, double y) { int m = checked(3 * 2); return checked(x * y) + unchecked(m * x); }"), P(0.3, -0.7));
        Add("string_interpolation", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { string s = $\"{x}\"; return x * s.Length; }"));
        Add("nameof_expression", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { int k = nameof(x).Length; return x * k; }"));
        Add("dynamic_local", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { dynamic d = x; return d * x; }"));
        Add("switch_expression", Outcome.Rejected, "AC0011", InClass("[Differentiable] public static double F(double x, int k) { double r = k switch { 0 => x, 1 => x * x, _ => -x }; return r; }"));
        Add("switch_statement", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(double x, int k) { double r = 0; switch (k) { case 0: r = x; break; default: r = -x; break; } return r; }"));
        Add("pattern_relational", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) => x is > 0 and < 1 ? x * x : x;"));
        Add("pattern_type", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { object o = x; return o is double d ? d * x : x; }"));
        Add("null_coalescing", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { double? a = null; return (a ?? x) * x; }"));
        Add("null_coalescing_assignment", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { double? a = null; a ??= x; return a.Value * x; }"));
        Add("throw_expression", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { double y = x > -100 ? x : throw new ArgumentException(\"x\"); return y * y; }"));
        Add("throw_statement", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(double x) { if (x < -100) throw new ArgumentException(\"x\"); return x * x; }"));
        Add("try_catch", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(double x) { double y = 0; try { y = x * x; } catch (Exception) { y = 0; } return y; }"));
        Add("using_statement", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(double x) { using (var m = new System.IO.MemoryStream()) { } return x * x; }"));
        Add("lock_statement", Outcome.Rejected, "AC0010", InClass("private static readonly object Gate = new();\n[Differentiable] public static double F(double x) { double y = 0; lock (Gate) { y = x * x; } return y; }"));
        Add("while_loop", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(double x) { double y = x; while (y < 10) y = y * 2 + 1; return y; }"));
        Add("do_while_loop", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(double x) { double y = x; do { y = y * 2; } while (y < 10); return y; }"));
        Add("foreach_loop", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; foreach (double v in x) s += v * v; return s; }"));
        Add("break_in_loop", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length; i++) { if (s > 1) break; s += x[i]; } return s; }"));
        Add("continue_in_loop", Outcome.Rejected, "AC0010", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length; i++) { if (x[i] < 0) continue; s += x[i]; } return s; }"));
        Add("return_in_loop", Outcome.Rejected, "AC0015", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { for (int i = 0; i < x.Length; i++) { if (x[i] > 0) return x[i]; } return 0; }"));
        Add("loop_two_counters", Outcome.Rejected, "AC0014", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; for (int i = 0, j = 1; i < x.Length; i++) s += x[i] * j; return s; }"));
        Add("loop_counter_written_in_body", Outcome.Rejected, "AC0014", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length; i++) { s += x[i]; i++; } return s; }"));
        Add("loop_bound_written_in_body", Outcome.Rejected, "AC0014", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; int m = x.Length; for (int i = 0; i < m; i++) { s += x[i]; m = 1; } return s; }"));
        Add("loop_step_multiply", Outcome.Rejected, "AC0014", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; for (int i = 1; i < x.Length; i *= 2) s += x[i]; return s; }"));
        Add("loop_wrong_direction", Outcome.Rejected, "AC0014", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length; i--) s += x[0]; return s; }"));
        Add("loop_without_condition", Outcome.Rejected, "AC0014", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; ; i++) { s += x[0]; } }"));
        Add("loop_double_counter", Outcome.Rejected, "AC0014", InClass("[Differentiable] public static double F(double x) { double s = 0; for (double t = 0; t < 1; t += 0.25) s += x * t; return s; }"));
        Add("stackalloc_in_loop", Outcome.Rejected, "AC0018", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length; i++) { Span<double> t = stackalloc double[2]; t[0] = x[i]; s += t[0] * t[0]; } return s; }"));
        Add("stackalloc_in_branch", Outcome.Rejected, "AC0018", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; if (x[0] > 0) { Span<double> t = stackalloc double[2]; t[0] = x[0]; s = t[0] * 2; } return s; }"));
        Add("stackalloc_with_initializer", Outcome.Rejected, "AC0018", InClass("[Differentiable] public static double F(double x) { Span<double> t = stackalloc double[] { x, 2 * x }; return t[0] * t[1]; }"));
        Add("array_initializer", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { double[] a = { x, x }; return a[0] * a[1]; }"));
        Add("span_reassigned", Outcome.Rejected, "AC0018", InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { Span<double> t = stackalloc double[2]; t = stackalloc double[3]; t[0] = x[0]; return t[0]; }"));
        Add("span_slice_local", Outcome.Rejected, null, InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { var y = x.Slice(1); return y[0] * y[0]; }"));
        Add("span_range_index", Outcome.Rejected, null, InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) => x[1..][0] * x[0];"));
        Add("span_index_from_end", Outcome.Rejected, null, InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) => x[^1] * x[0];"));
        Add("span_slice_passed_to_helper", Outcome.Either, null, InClass(
            "[Differentiable] public static double H(ReadOnlySpan<double> v) => v[0] * v[0];\n[Differentiable] public static double F(ReadOnlySpan<double> x) => H(x.Slice(1, 1)) + x[0];"));
        Add("write_to_input_array", Outcome.Rejected, "AC0016", InClass("[Differentiable] public static double F(double[] x) { x[0] = 2; return x[0] * x[1]; }"));
        Add("assign_parameter", Outcome.Rejected, "AC0016", InClass("[Differentiable] public static double F(double x) { x = x * 2; return x; }"));
        Add("floor_call", Outcome.Rejected, "AC0012", InClass("[Differentiable] public static double F(double x) => Math.Floor(x) * x;"));
        Add("log10_call", Outcome.Rejected, "AC0012", InClass("[Differentiable] public static double F(double x) => Math.Log10(x * x + 1);"));
        Add("math_abs_int_overload", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x, int k) => Math.Abs(k) * x;"));
        Add("ordinary_helper_call", Outcome.Rejected, "AC0012", InClass("public static double H(double v) => v * v;\n[Differentiable] public static double F(double x) => H(x) * 2.0;"));
        Add("extension_method_call", Outcome.Rejected, "AC0012", InNamespace(
            "public static class Ext { public static double Sq(this double v) => v * v; }\npublic static partial class C { [Differentiable] public static double F(double x) => x.Sq(); }"));
        Add("static_field_read", Outcome.Rejected, "AC0011", InClass("public static double Scale = 2;\n[Differentiable] public static double F(double x) => Scale * x * x;"));
        Add("static_readonly_field_read", Outcome.Rejected, "AC0011", InClass("public static readonly double Scale = 2;\n[Differentiable] public static double F(double x) => Scale * x * x;"));
        Add("property_read", Outcome.Rejected, "AC0011", InClass("public static double Scale => 2;\n[Differentiable] public static double F(double x) => Scale * x * x;"));
        Add("floating_remainder", Outcome.Rejected, "AC0011", InClass("[Differentiable] public static double F(double x) => (x % 0.5) * x;"));
        Add("bitwise_int_operators", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x, int k) => ((k & 1) + (k << 1)) * x;"));
        Add("assignment_inside_expression", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { double a; double b = (a = x * 2) * x; return a + b; }"));
        Add("tuple_deconstruction", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x, double y) { var (a, b) = (x, y); return a * b; }"));
        Add("tuple_local", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { (double A, double B) t = (x, 2 * x); return t.A * t.B; }"));
        Add("object_creation", Outcome.Rejected, null, InClass("[Differentiable] public static double F(double x) { var r = new Random(1); return x * r.NextDouble(); }"));
        Add("params_array", Outcome.Either, null, InClass("[Differentiable] public static double F(params double[] x) => x[0] * x[0];"));
        Add("default_parameter_value", Outcome.Either, null, InClass("[Differentiable] public static double F(double x, double k = 2.0) => x * k;"));
        Add("default_int_parameter_value", Outcome.Either, null, InClass("[Differentiable] public static double F(double x, int n = 3) => x * n;"));
        Add("vector_helper_called_as_statement", Outcome.Accepted, null, InClass(
            "[Differentiable] public static void V(ReadOnlySpan<double> x, double a, Span<double> o) { for (int i = 0; i < o.Length; i++) o[i] = Math.Tanh(a * x[i % x.Length]); }\n" +
            "[Differentiable] public static double F(double x, double y) { Span<double> t = stackalloc double[2]; Span<double> u = stackalloc double[2]; u[0] = x; u[1] = y; V(u, x * y, t); V(t, y, t); return t[0] * t[1]; }"), P(0.3, 0.6));
        Add("derivative_of_rule_not_linear", Outcome.Rejected, null, InClass(
            "public static double Soft(double a) => Math.Log(1 + Math.Exp(a));\n[DerivativeOf(\"Soft\")] public static double SoftTangent(double a, double da) => da * da / (1 + Math.Exp(-a));\n[Differentiable] public static double F(double x) => Soft(x) * x;"));
        Add("derivative_of_unknown_method", Outcome.Either, null, InClass(
            "[DerivativeOf(\"Missing\")] public static double MissingTangent(double a, double da) => da;\n[Differentiable] public static double F(double x) => x * x;"));

        // ------------------------------------------------------------ accepted shapes, odd containers and names
        Add("expression_body", Outcome.Accepted, null, InClass("[Differentiable] public static double F(double x, double y) => x * Math.Sin(y) + Math.Exp(0.5 * x);"), P(0.3, 0.4));
        Add("record_class_container", Outcome.Accepted, null, InNamespace("public partial record C(double A) { [Differentiable] public static double F(double x, double y) => x * y * y; }"), P(0.2, 0.9));
        Add("record_struct_container", Outcome.Accepted, null, InNamespace("public partial record struct C(double A) { [Differentiable] public static double F(double x, double y) => x * y * y; }"), P(0.2, 0.9));
        Add("struct_container", Outcome.Accepted, null, InNamespace("public partial struct C { [Differentiable] public static double F(double x, double y) => Math.Tanh(x * y); }"), P(0.2, 0.9));
        Add("readonly_ref_struct_container", Outcome.Either, null, InNamespace("public readonly ref partial struct C { [Differentiable] public static double F(double x) => x * x; }"));
        Add("interface_static_method", Outcome.Either, null, InNamespace("public partial interface C { [Differentiable] public static double F(double x, double y) => x * y * y; }"));
        Add("generic_container", Outcome.Either, null, InNamespace("public static partial class C<T> { [Differentiable] public static double F(double x, double y) => x * y; }"));
        Add("generic_container_with_constraints", Outcome.Either, null, InNamespace(
            "public static partial class O<T> where T : struct { public static partial class C<U> where U : class, new() { [Differentiable] public static double F(double x) => x * x; } }"));
        Add("deeply_nested_partial_types", Outcome.Accepted, null, InNamespace(
            "public static partial class A { internal partial class B { private partial struct D { public static partial class C { [Differentiable] internal static double F(double x, double y) => x * y; } } } }"));
        Add("private_nested_container", Outcome.Accepted, null, InNamespace("public static partial class O { private static partial class C { [Differentiable] internal static double F(double x) => x * x; } }"));
        Add("protected_method", Outcome.Accepted, null, InNamespace("public partial class C { [Differentiable] protected static double F(double x) => x * x; }"));
        Add("private_method", Outcome.Accepted, null, InClass("[Differentiable] private static double F(double x) => x * x;\npublic static double Use(double x) => FGradient(x, out double g) + g;"));
        Add("file_local_container", Outcome.Either, null, InNamespace("file static partial class C { [Differentiable] public static double F(double x) => x * x; }"));
        Add("global_namespace", Outcome.Accepted, null, "using System;\nusing AutoCurv;\npublic static partial class C { [Differentiable] public static double F(double x, double y) => x * y * y; }\n");
        Add("block_scoped_nested_namespaces", Outcome.Accepted, null,
            "using System;\nusing AutoCurv;\nnamespace A.B { namespace N { public static partial class C { [Differentiable] public static double F(double x) => x * x; } } }\n");
        Add("class_named_like_namespace", Outcome.Accepted, null, "using System;\nusing AutoCurv;\nnamespace N.C;\npublic static partial class C { [Differentiable] public static double F(double x) => x * x; }\n");
        Add("user_type_named_math", Outcome.Rejected, "AC0012", InNamespace(
            "public static class Math { public static double Exp(double x) => x; }\npublic static partial class C { [Differentiable] public static double F(double x) => Math.Exp(x); }"));
        Add("user_type_named_system", Outcome.Accepted, null, InNamespace(
            "public class System { }\npublic static partial class C { [Differentiable] public static double F(global::System.ReadOnlySpan<double> x) => x[0] * x[0]; }"));
        Add("user_types_named_like_runtime", Outcome.Either, null, InNamespace(
            "public class ValueStack { } public class Scratch { } public class CompilerServices { }\npublic static partial class C { [Differentiable] public static double F(double x) { double y = x; for (int i = 0; i < 3; i++) y = Math.Sin(y); return y; } }"));
        Add("unicode_identifiers", Outcome.Accepted, null, InNamespace(
            "public static partial class Größe { [Differentiable] public static double Ωmega(double π, double 変数) { double δ = π * 変数; return δ * δ + Math.Sin(π); } }"),
            new NumericProbe("N.Größe", "Ωmega", new[] { 0.3, -0.8 }));
        Add("unicode_escapes_in_identifiers", Outcome.Accepted, null, InClass("[Differentiable] public static double F(double \\u0061b, double y) { double c\\u0064 = \\u0061b * y; return cd * ab; }"), P(0.4, 0.6));
        Add("verbatim_identifiers", Outcome.Either, null, InClass("[Differentiable] public static double F(double @double, double @in) { double @var = @double * @in; return @var * @var; }"));
        Add("contextual_keyword_identifiers", Outcome.Accepted, null, InClass("[Differentiable] public static double F(double value, double var) { double async = value * var; double nameof = async + 1; return nameof * async; }"), P(0.3, 0.7));
        Add("parameter_named_derivative", Outcome.Accepted, null, InClass("[Differentiable] public static double F(double x, double derivative) => x * derivative * derivative;"), P(0.3, 0.7));
        Add("parameter_named_hessian", Outcome.Either, null, InClass("[Differentiable] public static double F(ReadOnlySpan<double> hessian) => hessian[0] * hessian[0];"));
        Add("parameters_named_like_generated_ones", Outcome.Accepted, null, InClass("[Differentiable] public static double F(double x, double gx, double vx, double hx) => x * gx + vx * hx;"), P(0.1, 0.2, 0.3, 0.4));
        Add("locals_named_like_generated_ones", Outcome.Accepted, null, InClass("[Differentiable] public static double F(double s, double x) { double gs = s * 2; double vs = gs * s; double hs = vs + x; double gx = hs * x; return gx * s; }"), P(0.5, -0.4));
        Add("vector_parameter_named_target", Outcome.Either, null, InClass(
            "[Differentiable] public static void F([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> target, Span<double> output) { for (int i = 0; i < output.Length; i++) output[i] = w[i % w.Length] * target[0]; }"));
        Add("vector_parameter_named_result", Outcome.Either, null, InClass(
            "[Differentiable] public static void F([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> result, Span<double> output) { for (int i = 0; i < output.Length; i++) output[i] = w[i % w.Length] * result[0]; }"));
        Add("vector_parameters_named_tangent", Outcome.Either, null, InClass(
            "[Differentiable] public static void F([Wrt] ReadOnlySpan<double> tangent, Span<double> outputTangent) { for (int i = 0; i < outputTangent.Length; i++) outputTangent[i] = tangent[i % tangent.Length] * tangent[0]; }"));
        Add("overloads_distinct", Outcome.Accepted, null, InClass("[Differentiable] public static double F(double a) => a * a;\n[Differentiable] public static double F(ReadOnlySpan<double> a) => a[0] * a[0];"));
        Add("overloads_with_colliding_generated_members", Outcome.Rejected, "AC0028", InClass(
            "[Differentiable] public static double F(double a, double b) => a * b;\n[Differentiable] public static double F([Wrt] double a, double b, double c) => a * b * c;"));
        Add("const_locals_and_fields", Outcome.Accepted, null, InClass("const double K = 2.5;\n[Differentiable] public static double F(double x, double y) { const double L = 1.5; return K * L * x * y; }"), P(0.3, 0.6));
        Add("default_and_var_locals", Outcome.Accepted, null, InClass("[Differentiable] public static double F(double x, double y) { double d = default; var e = x * 2; var f = e * y; return d + f * x; }"), P(0.3, 0.6));
        Add("increment_on_double_local", Outcome.Either, null, InClass("[Differentiable] public static double F(double x, double y) { double h = x; h++; ++h; h--; return h * y; }"), P(0.3, 0.6));
        Add("comments_and_directives_in_body", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y)\n{\n    // a comment with \"quotes\" and */ and /*\n    double a = x /* inline\n       multi-line */ * y; /// doc-like\n#if DEBUG\n    a = a * 2;\n#else\n    a = a * 3;\n#endif\n#region r\n    return a * x; // trailing\n#endregion\n}"), P(0.3, 0.6));
        Add("multi_line_statements", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y)\n{\n    double a = x\n        * y\n        + Math.Sin(\n            x);\n    return a\n        * a;\n}"), P(0.3, 0.6));
        Add("multi_line_for_header_with_comment", Outcome.Either, null, InClass(
            "[Differentiable] public static double F(ReadOnlySpan<double> x)\n{\n    double s = 0;\n    for (int i = 0; i < /* up to\n        the end */ x.Length; i++)\n        s += x[i] * x[i];\n    return s;\n}"));
        Add("multi_line_helper_argument", Outcome.Either, null, InClass(
            "[Differentiable] public static double H(double a) => a * a;\n[Differentiable] public static double F(double x, double y)\n{\n    return H(x\n             + y);\n}"));
        Add("tabs_and_crlf_line_endings", Outcome.Accepted, null, InClass("[Differentiable]\r\n\tpublic static double F(double x, double y)\r\n\t{\r\n\t\tdouble a = x *\r\n\t\t\ty;\r\n\t\treturn a * a;\r\n\t}"), P(0.3, 0.6));
        Add("literal_forms", Outcome.Accepted, null, InClass("[Differentiable] public static double F(double x, double y) => 1e-3 * x + 1_000.5 * y + .5 * x * y + 2d * x + 0x10 * y + 1E+2 * x * x;"), P(0.3, 0.6));
        Add("extreme_literals", Outcome.Either, null, InClass("[Differentiable] public static double F(double x) => x * double.MaxValue * 0 + x * 1e-308 + x * double.Epsilon + x * x;"));
        Add("nan_and_infinity_constants", Outcome.Either, null, InClass("[Differentiable] public static double F(double x) => x > 1e300 ? double.PositiveInfinity : (x < -1e300 ? double.NaN : x * x);"));
        Add("float_method", Outcome.Accepted, null, InClass("[Differentiable] public static float F(float x, ReadOnlySpan<float> y) => MathF.Sin(x) * y[0] + x * x;"));
        Add("float_vector_method", Outcome.Accepted, null, InClass("[Differentiable] public static void F([Wrt] ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> output) { for (int i = 0; i < output.Length; i++) output[i] = MathF.Tanh(w[i % w.Length] * x[0]); }"));
        Add("attribute_fully_qualified", Outcome.Accepted, null, "namespace N;\npublic static partial class C { [global::AutoCurv.Differentiable] public static double F([global::AutoCurv.Wrt] double x, double y) => x * y; }\n", P(0.3, 0.6));
        Add("attribute_with_alias", Outcome.Accepted, null, "using D = AutoCurv.DifferentiableAttribute;\nnamespace N;\npublic static partial class C { [D] public static double F(double x, double y) => x * y * y; }\n", P(0.3, 0.6));
        Add("attribute_full_name_with_suffix", Outcome.Accepted, null, InClass("[DifferentiableAttribute] public static double F([WrtAttribute] double x, double y) => x * y * y;"), P(0.3, 0.6));
        Add("attribute_in_list_with_others", Outcome.Accepted, null, InClass("[Obsolete, Differentiable, System.Diagnostics.Contracts.Pure] public static double F(double x, double y) => x * y * y;"), P(0.3, 0.6));
        Add("own_attribute_named_differentiable", Outcome.Accepted, null, InNamespace(
            "public sealed class DifferentiableAttribute : Attribute { }\npublic static partial class C { [Differentiable] public static double F(double x) => x * x; }\npublic static partial class D { [AutoCurv.Differentiable] public static double G(double x) => x * x; }"));

        // ------------------------------------------------------------ attributes on wrong targets
        Add("attribute_on_class", Outcome.InputErrors, null, InNamespace("[Differentiable] public static partial class C { public static double F(double x) => x * x; }"));
        Add("attribute_on_property", Outcome.InputErrors, null, InClass("[Differentiable] public static double P => 1.0;"));
        Add("attribute_on_field", Outcome.InputErrors, null, InClass("[Differentiable] public static double P = 1.0;"));
        Add("attribute_on_parameter", Outcome.InputErrors, null, InClass("public static double F([Differentiable] double x) => x * x;"));
        Add("attribute_on_return_value", Outcome.InputErrors, null, InClass("[return: Differentiable] public static double F(double x) => x * x;"));
        Add("attribute_on_local_function", Outcome.Either, null, InClass("public static double F(double x) { [Differentiable] static double L(double v) => v * v; return L(x); }"));
        Add("attribute_on_lambda", Outcome.Either, null, InClass("public static double F(double x) { Func<double, double> f = [Differentiable] (double v) => v * v; return f(x); }"));
        Add("attribute_on_constructor", Outcome.Either, null, InNamespace("public partial class C { [Differentiable] public C(double x) { } }"));
        Add("attribute_on_static_constructor", Outcome.Either, null, InNamespace("public partial class C { [Differentiable] static C() { } }"));
        Add("attribute_on_operator", Outcome.Either, null, InNamespace("public partial struct C { public double V; [Differentiable] public static C operator +(C a, C b) => new C { V = a.V + b.V }; }"));
        Add("attribute_on_conversion_operator", Outcome.Either, null, InNamespace("public partial struct C { public double V; [Differentiable] public static implicit operator double(C a) => a.V; }"));
        Add("attribute_on_accessor", Outcome.Either, null, InClass("public static double P { [Differentiable] get => 1.0; }"));
        Add("attribute_on_delegate", Outcome.InputErrors, null, InNamespace("[Differentiable] public delegate double D(double x);"));
        Add("attribute_on_destructor", Outcome.Either, null, InNamespace("public partial class C { [Differentiable] ~C() { } }"));
        Add("wrt_on_method", Outcome.InputErrors, null, InClass("[Wrt] public static double F(double x) => x * x;"));
        Add("wrt_without_differentiable", Outcome.Either, null, InClass("public static double F([Wrt] double x) => x * x;"));
        Add("differentiable_twice", Outcome.InputErrors, null, InClass("[Differentiable, Differentiable] public static double F(double x) => x * x;"));

        // ------------------------------------------------------------ sizes: huge and deep
        Add("huge_method_2000_statements", Outcome.Accepted, null, InClass(HugeMethod(2000)), huge: true);
        Add("huge_loop_body_1000_statements", Outcome.Accepted, null, InClass(HugeLoopBody(1000)), huge: true);
        Add("many_methods_200", Outcome.Accepted, null, InClass(string.Join("\n", Enumerable.Range(0, 200).Select(i => $"[Differentiable] public static double F{i}(double x, double y) => x * y + {i}.0 * Math.Sin(x);"))), huge: true);
        Add("long_sum_expression_2000_terms", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + string.Join(" + ", Enumerable.Range(0, 2000).Select(i => i % 2 == 0 ? "x" : "y * x")) + ";"), P(0.3, 0.6), huge: true);
        Add("nested_parentheses_depth_200", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + Nest(200, "x", e => $"({e} * 0.99 + y * 0.01)") + ";"), P(0.3, 0.6), huge: true);
        Add("nested_calls_depth_200", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + Nest(200, "x * y", e => $"Math.Sin({e})") + ";"), P(0.3, 0.6), huge: true);
        Add("nested_tanh_products_depth_100", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + Nest(100, "x", e => $"Math.Tanh({e} * y + x)") + ";"), P(0.3, 0.6), huge: true);
        Add("product_chain_200_factors", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + string.Join(" * ", Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? "(1.0 + 0.001 * x)" : "(1.0 - 0.001 * y)")) + ";"), P(0.3, 0.6), huge: true);
        Add("nested_conditionals_depth_100", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + Nest(100, "x * y", e => $"(x > -5.0 ? {e} + 0.01 * x : y)") + ";"), P(0.3, 0.6), huge: true);
        // Moderate sizes of the shapes above: these must stay fast.
        Add("sum_expression_16_terms", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + string.Join(" + ", Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? "x" : "y * x")) + ";"), P(0.3, 0.6));
        Add("nested_parentheses_depth_8", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + Nest(8, "x", e => $"({e} * 0.99 + y * 0.01)") + ";"), P(0.3, 0.6));
        Add("nested_calls_depth_10", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + Nest(10, "x * y", e => $"Math.Sin({e})") + ";"), P(0.3, 0.6));
        Add("nested_tanh_products_depth_6", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + Nest(6, "x", e => $"Math.Tanh({e} * y + x)") + ";"), P(0.3, 0.6));
        Add("product_chain_12_factors", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + string.Join(" * ", Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? "(1.0 + 0.1 * x)" : "(1.0 - 0.1 * y)")) + ";"), P(0.3, 0.6));
        Add("nested_conditionals_depth_6", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double F(double x, double y) => " + Nest(6, "x * y", e => $"(x > -5.0 ? {e} + 0.01 * x : y)") + ";"), P(0.3, 0.6));
        Add("nested_ifs_depth_60", Outcome.Accepted, null, InClass(NestedIfs(60)), P(0.3, 0.6), huge: true);
        Add("nested_loops_depth_12", Outcome.Accepted, null, InClass(NestedLoops(12)), huge: true);
        Add("helper_names_ending_in_digits", Outcome.Accepted, null, InClass(
            "[Differentiable] public static double H(double a) => a * a;\n[Differentiable] public static double H1(double a) => a + 1;\n" +
            "[Differentiable] public static double F(double x, double y) => H1(x) * y + H(x) + H(y) + H(x) + H(y) + H(x) + H(y) + H(x) + H(y) + H(x) + H(y);"), P(0.3, 0.6));
        Add("helper_chain_depth_40", Outcome.Accepted, null, InClass(HelperChain(40)), P(0.3, 0.6), huge: true);
        Add("long_identifiers", Outcome.Accepted, null, InClass(
            $"[Differentiable] public static double {new string('F', 500)}(double {new string('x', 300)}, double y) {{ double {new string('a', 400)} = {new string('x', 300)} * y; return {new string('a', 400)} * y; }}"), huge: true);

        // ------------------------------------------------------------ compilations with missing or odd references
        AddCompilation("no_references_at_all", Outcome.InputErrors, null, () =>
            CSharpCompilation.Create("NoRefs", new[] { GeneratorHarness.Parse(InClass("[Differentiable] public static double F(double x) => x * x;")) }, Array.Empty<MetadataReference>(),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)));
        AddCompilation("framework_without_autocurv_runtime", Outcome.InputErrors, null, () =>
            CSharpCompilation.Create("NoRuntime", new[] { GeneratorHarness.Parse(InClass("[Differentiable] public static double F(double x) => x * x;")) }, FrameworkOnly(),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)));
        AddCompilation("own_autocurv_attributes_without_runtime", Outcome.Rejected, "AC0027", () =>
            CSharpCompilation.Create("OwnAttributes", new[]
            {
                GeneratorHarness.Parse("namespace AutoCurv { [System.AttributeUsage(System.AttributeTargets.Method)] public sealed class DifferentiableAttribute : System.Attribute { } public sealed class WrtAttribute : System.Attribute { } }", "Attributes.cs"),
                GeneratorHarness.Parse(InClass("[Differentiable] public static double F(double x) => x * x;"), "C.cs"),
            }, FrameworkOnly(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)));
        AddCompilation("executable_with_top_level_statements", Outcome.Accepted, null, () =>
            CSharpCompilation.Create("Exe", new[]
            {
                GeneratorHarness.Parse("System.Console.WriteLine(N.C.FGradient(2.0, out double g) + g);", "Program.cs"),
                GeneratorHarness.Parse(InClass("[Differentiable] public static double F(double x) => x * x;"), "C.cs"),
            }, GeneratorHarness.References, new CSharpCompilationOptions(OutputKind.ConsoleApplication)));
        AddCompilation("nullable_disabled_and_unsafe_off", Outcome.Accepted, null, () =>
            CSharpCompilation.Create("Plain", new[] { GeneratorHarness.Parse(InClass("[Differentiable] public static double F(ReadOnlySpan<double> x) { double s = 0; for (int i = 0; i < x.Length; i++) s += x[i] * x[i]; return s; }")) },
                GeneratorHarness.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable, allowUnsafe: false)));
        AddCompilation("warnings_as_errors", Outcome.Accepted, null, () =>
            CSharpCompilation.Create("Strict", new[] { GeneratorHarness.Parse(InClass(
                    "[Differentiable] public static double F(ReadOnlySpan<double> x, double y) { Span<double> t = stackalloc double[x.Length]; double s = 0; for (int i = 0; i < x.Length; i++) { t[i] = x[i] * y; s += t[i] * t[i]; } if (s > 1) s = Math.Sqrt(s); return s; }")) },
                GeneratorHarness.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, generalDiagnosticOption: ReportDiagnostic.Error, nullableContextOptions: NullableContextOptions.Enable)));
        s_cases.Add(new AwkwardCase("language_version_csharp_10", Outcome.Either, null, () =>
            CSharpCompilation.Create("CSharp10", new[] { CSharpSyntaxTree.ParseText(InClass("[Differentiable] public static double F(ReadOnlySpan<double> x, double y) { double s = 0; for (int i = 0; i < x.Length; i++) s += x[i] * y; return s; }"), CSharp10) },
                GeneratorHarness.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)), ParseOptions: CSharp10));
        s_cases.Add(new AwkwardCase("language_version_csharp_9", Outcome.Either, null, () =>
            CSharpCompilation.Create("CSharp9", new[] { CSharpSyntaxTree.ParseText("using System;\nusing AutoCurv;\nnamespace N { public static partial class C { [Differentiable] public static double F(double x, double y) { double s = x * y; return s * s; } } }\n", CSharp9) },
                GeneratorHarness.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)), ParseOptions: CSharp9));
        AddCompilation("empty_compilation", Outcome.Either, null, () => GeneratorHarness.CreateCompilation(Array.Empty<string>(), "Empty"));
        AddCompilation("only_whitespace_and_comments", Outcome.Either, null, () => GeneratorHarness.CreateCompilation("  // nothing here\n/* really */\n"));
        AddSources("same_class_in_two_files", Outcome.Accepted, null,
            InClass("[Differentiable] public static double F(double x, double y) => H(x) * y;"),
            InClass("[Differentiable] public static double H(double x) => x * x;"));
        AddSources("method_split_across_partial_files", Outcome.Accepted, null,
            InClass("[Differentiable] public static double F(double x, double y) => x * y;"),
            InClass("public static double Other(double x) => x;"));
        AddSources("same_method_name_in_two_namespaces", Outcome.Accepted, null,
            "using System;\nusing AutoCurv;\nnamespace A;\npublic static partial class C { [Differentiable] public static double F(double x) => x * x; }\n",
            "using System;\nusing AutoCurv;\nnamespace B;\npublic static partial class C { [Differentiable] public static double F(double x) => x * x * x; }\n");
        AddSources("same_type_name_nested_in_two_types", Outcome.Accepted, null,
            InNamespace("public static partial class A { public static partial class C { [Differentiable] public static double F(double x) => x * x; } }"),
            InNamespace("public static partial class B { public static partial class C { [Differentiable] public static double F(double x) => x * x * x; } }"));
    }

    private static readonly CSharpParseOptions CSharp10 = new(LanguageVersion.CSharp10);
    private static readonly CSharpParseOptions CSharp9 = new(LanguageVersion.CSharp9);

    private static ImmutableArray<MetadataReference> FrameworkOnly() =>
        GeneratorHarness.References.Where(r => !string.Equals(System.IO.Path.GetFileNameWithoutExtension(r.Display), "AutoCurv", StringComparison.Ordinal)).ToImmutableArray();

    private static string Nest(int depth, string seed, Func<string, string> wrap)
    {
        string e = seed;
        for (int i = 0; i < depth; i++) e = wrap(e);
        return e;
    }

    private static string HugeMethod(int statements)
    {
        var sb = new StringBuilder("[Differentiable] public static double F(ReadOnlySpan<double> x, double s)\n{\n    double a0 = s;\n");
        for (int i = 1; i < statements; i++)
        {
            sb.Append((i % 4) switch
            {
                0 => $"    double a{i} = Math.Tanh(a{i - 1} * 0.9 + x[{i} % x.Length]);\n",
                1 => $"    double a{i} = a{i - 1} + 0.01 * x[{i * 7} % x.Length] * s;\n",
                2 => $"    double a{i} = Math.Sin(a{i - 1}) * 0.5 + a{i - 2} * 0.5;\n",
                _ => $"    double a{i} = a{i - 1} * (1.0 - 0.001 * s);\n",
            });
        }
        sb.Append($"    return a{statements - 1};\n}}");
        return sb.ToString();
    }

    private static string HugeLoopBody(int statements)
    {
        var sb = new StringBuilder("[Differentiable] public static double F(ReadOnlySpan<double> x, double s)\n{\n    double h = s;\n    for (int i = 0; i < x.Length; i++)\n    {\n");
        for (int k = 0; k < statements; k++)
        {
            sb.Append((k % 3) switch
            {
                0 => $"        h = Math.Tanh(h * 0.9 + x[i] * {0.001 * (k % 7 + 1):R});\n",
                1 => "        h += 0.001 * Math.Sin(h * s);\n",
                _ => "        h *= 1.0 - 0.0001 * x[i];\n",
            });
        }
        sb.Append("    }\n    return h;\n}");
        return sb.ToString();
    }

    private static string NestedIfs(int depth)
    {
        var sb = new StringBuilder("[Differentiable] public static double F(double x, double y)\n{\n    double r = x * y;\n");
        for (int i = 0; i < depth; i++) sb.Append(' ', 4 * (i + 1)).Append($"if (r > -{i + 10}.0)\n").Append(' ', 4 * (i + 1)).Append("{\n").Append(' ', 4 * (i + 2)).Append($"r = r * 0.99 + 0.01 * {(i % 2 == 0 ? "x" : "y")};\n");
        for (int i = depth - 1; i >= 0; i--) sb.Append(' ', 4 * (i + 1)).Append("}\n");
        sb.Append("    return r;\n}");
        return sb.ToString();
    }

    private static string NestedLoops(int depth)
    {
        var sb = new StringBuilder("[Differentiable] public static double F(ReadOnlySpan<double> x, double s)\n{\n    double h = s;\n");
        for (int i = 0; i < depth; i++) sb.Append(' ', 4 * (i + 1)).Append($"for (int i{i} = 0; i{i} < 2; i{i}++)\n").Append(' ', 4 * (i + 1)).Append("{\n");
        sb.Append(' ', 4 * (depth + 1)).Append("h = Math.Tanh(h + x[i0 % x.Length] * s);\n");
        for (int i = depth - 1; i >= 0; i--) sb.Append(' ', 4 * (i + 1)).Append("}\n");
        sb.Append("    return h;\n}");
        return sb.ToString();
    }

    private static string HelperChain(int depth)
    {
        var sb = new StringBuilder();
        sb.Append("[Differentiable] public static double H0(double a, double b) => a * b;\n");
        for (int i = 1; i < depth; i++) sb.Append($"[Differentiable] public static double H{i}(double a, double b) => Math.Tanh(H{i - 1}(a, b) + 0.1 * a);\n");
        sb.Append($"[Differentiable] public static double F(double x, double y) => H{depth - 1}(x, y) * y;");
        return sb.ToString();
    }
}
