using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>
/// A user's tangent rule, lowered to IR: ḟ as an expression of the function's parameters and of one
/// tangent per parameter (placeholders named as in the rule method).
/// </summary>
internal sealed record UserRule(string Key, EquatableArray<string> Parameters, EquatableArray<string> Tangents, Expr Tangent,
    string RuleName = "", Diagnostics.LocationInfo? Location = null);

/// <summary>
/// The user rules of a compilation, by function key. Each rule's partials ∂f/∂a_k are extracted once by
/// setting the tangents to the unit vectors (the rule is linear in them), and differentiated again for
/// second derivatives: one rule serves every mode.
/// </summary>
internal sealed class RuleSet
{
    public static readonly RuleSet Empty = new(EquatableArray<UserRule>.Empty);

    private readonly Dictionary<string, UserRule> _rules = new();
    private readonly Dictionary<(string, int), Expr> _partials = new();
    private readonly Dictionary<(string, int), Expr> _second = new();

    public RuleSet(IEnumerable<UserRule> rules)
    {
        foreach (var rule in rules) _rules[rule.Key] = rule;
    }

    public bool Contains(string key) => _rules.ContainsKey(key);

    /// <summary>∂f/∂a_k as an expression of the rule's parameter placeholders.</summary>
    private Expr PartialOverParameters(UserRule rule, int k)
    {
        if (_partials.TryGetValue((rule.Key, k), out var cached)) return cached;
        var map = new Dictionary<string, Expr>();
        for (int j = 0; j < rule.Tangents.Count; j++) map[rule.Tangents[j]] = j == k ? Ex.Real(1) : Lit.Zero;
        var partial = Symbolic.Substitute(rule.Tangent, map);
        _partials[(rule.Key, k)] = partial;
        return partial;
    }

    private Dictionary<string, Expr> Bind(UserRule rule, Call call)
    {
        var map = new Dictionary<string, Expr>();
        for (int j = 0; j < rule.Parameters.Count; j++) map[rule.Parameters[j]] = call.Args[j];
        return map;
    }

    public Expr Partial(Call call, int k)
    {
        var rule = Get(call);
        return Symbolic.Substitute(PartialOverParameters(rule, k), Bind(rule, call));
    }

    public Expr SecondPartial(Call call, int k)
    {
        var rule = Get(call);
        if (!_second.TryGetValue((rule.Key, k), out var second))
        {
            second = Symbolic.Derivative(PartialOverParameters(rule, k), rule.Parameters[k], this);
            _second[(rule.Key, k)] = second;
        }
        return Symbolic.Substitute(second, Bind(rule, call));
    }

    private UserRule Get(Call call) =>
        call.User is not null && _rules.TryGetValue(call.User, out var rule)
            ? rule
            : throw new System.InvalidOperationException("no rule for " + call.User);
}
