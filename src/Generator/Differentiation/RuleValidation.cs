using System.Collections.Generic;
using System.Linq;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Ir;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Differentiation;

/// <summary>The rules every method may use, and what is wrong with the others.</summary>
internal sealed record RuleCheck(EquatableArray<UserRule> Valid, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Checks the compilation's rules as a whole, once: two rules for one function (neither is used: a
/// silent choice could be the stale one), and rules whose tangent calls a function with no rule
/// (reported at that call; the rule is dropped, so its callers get AC0012 instead of a wrong partial).
/// </summary>
internal static class RuleValidation
{
    public static RuleCheck Check(EquatableArray<UserRule> rules, System.Threading.CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var valid = new List<UserRule>();
        foreach (var group in rules.GroupBy(r => r.Key))
        {
            var list = group.ToList();
            if (list.Count == 1)
            {
                valid.Add(list[0]);
                continue;
            }
            string names = string.Join("', '", list.Select(r => r.RuleName));
            foreach (var rule in list)
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.InvalidRule.Id, rule.Location,
                    new[] { $"'{names}' are all tangent rules for '{Display(rule.Key)}'; keep exactly one (none is used until then)" }.ToEquatableArray()));
            }
        }
        // Drop rules that call functions without a (valid) rule, until nothing changes.
        bool changed = true;
        while (changed)
        {
            changed = false;
            var keys = new HashSet<string>(valid.Select(r => r.Key));
            foreach (var rule in valid.ToList())
            {
                var missing = UserCalls(rule.Tangent).Where(c => !keys.Contains(c.User!)).ToList();
                if (missing.Count == 0) continue;
                valid.Remove(rule);
                changed = true;
                foreach (var call in missing)
                {
                    if (rules.Any(r => r.Key == call.User)) continue; // that function's rule is reported itself
                    diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.UnknownCall.Id, call.Location ?? rule.Location,
                        new[] { Display(call.User!) }.ToEquatableArray()));
                }
            }
        }
        return new RuleCheck(valid.ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    private static string Display(string key) => key.Substring(0, key.IndexOf('(')).Replace("global::", "");

    private static IEnumerable<Call> UserCalls(Expr e) => e switch
    {
        Call { Function: Fn.User } c => new[] { c }.Concat(c.Args.SelectMany(UserCalls)),
        Call c => c.Args.SelectMany(UserCalls),
        Unary u => UserCalls(u.Operand),
        Binary b => UserCalls(b.Left).Concat(UserCalls(b.Right)),
        Conditional c => UserCalls(c.Condition).Concat(UserCalls(c.WhenTrue)).Concat(UserCalls(c.WhenFalse)),
        _ => Enumerable.Empty<Call>(),
    };
}
