using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AutoCurv.Generator.Tests.Infrastructure;

/// <summary>Assertions over the tracked incremental steps of a generator run.</summary>
public static class IncrementalAssert
{
    /// <summary>
    /// Roslyn types that must never be reachable from a tracked step's output: they compare by reference (so the
    /// step never caches) and keep whole compilations alive. SyntaxTree is included with the four named by
    /// STYLE.md because a tree pins the same memory a node does.
    /// </summary>
    public static readonly ImmutableArray<Type> ForbiddenTypes = ImmutableArray.Create(
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(SemanticModel), typeof(Compilation));

    /// <summary>The values of the <c>const string</c> fields of <paramref name="trackingNamesType"/> (e.g. the generator's TrackingNames class).</summary>
    public static ImmutableArray<string> TrackingNamesOf(Type trackingNamesType) =>
        trackingNamesType
            .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToImmutableArray();

    /// <summary>Every tracking name the AutoCurv generator declares.</summary>
    public static ImmutableArray<string> GeneratorTrackingNames => TrackingNamesOf(typeof(TrackingNames));

    /// <summary>
    /// Asserts that every output of every step named in <paramref name="trackingNames"/> was
    /// <see cref="IncrementalStepRunReason.Cached"/> or <see cref="IncrementalStepRunReason.Unchanged"/> in
    /// <paramref name="run"/> (typically a second run after an edit that should not matter). With
    /// <paramref name="requireEveryStep"/> a name that no step carries fails too, so a renamed stage cannot make
    /// the test pass vacuously.
    /// </summary>
    public static void StepsAreCached(GeneratorDriverRunResult run, IEnumerable<string> trackingNames, bool requireEveryStep = true)
    {
        var failures = new List<string>();
        foreach (string name in trackingNames)
        {
            ImmutableArray<IncrementalGeneratorRunStep> steps = StepsNamed(run, name);
            if (steps.IsEmpty)
            {
                if (requireEveryStep) failures.Add($"no step is tracked as '{name}' (tracked: {string.Join(", ", TrackedNames(run))})");
                continue;
            }
            for (int s = 0; s < steps.Length; s++)
            {
                ImmutableArray<(object Value, IncrementalStepRunReason Reason)> outputs = steps[s].Outputs;
                for (int o = 0; o < outputs.Length; o++)
                {
                    IncrementalStepRunReason reason = outputs[o].Reason;
                    if (reason != IncrementalStepRunReason.Cached && reason != IncrementalStepRunReason.Unchanged)
                    {
                        failures.Add($"{name}[{s}] output {o} is {reason}: {Describe(outputs[o].Value)}");
                    }
                }
            }
        }
        if (failures.Count > 0)
        {
            Assert.Fail("Steps not cached on the second run:\n  " + string.Join("\n  ", failures));
        }
    }

    /// <summary>
    /// Walks every output of every step named in <paramref name="trackingNames"/> and fails if any
    /// <see cref="ForbiddenTypes"/> instance is reachable from it, naming the path to it.
    /// </summary>
    public static void NoRoslynObjectsInOutputs(GeneratorDriverRunResult run, IEnumerable<string> trackingNames, bool requireEveryStep = true)
    {
        var failures = new List<string>();
        foreach (string name in trackingNames)
        {
            ImmutableArray<IncrementalGeneratorRunStep> steps = StepsNamed(run, name);
            if (steps.IsEmpty && requireEveryStep)
            {
                failures.Add($"no step is tracked as '{name}' (tracked: {string.Join(", ", TrackedNames(run))})");
            }
            for (int s = 0; s < steps.Length; s++)
            {
                for (int o = 0; o < steps[s].Outputs.Length; o++)
                {
                    failures.AddRange(FindRoslynObjects(steps[s].Outputs[o].Value, $"{name}[{s}].Outputs[{o}]"));
                }
            }
        }
        if (failures.Count > 0)
        {
            Assert.Fail("Roslyn objects reachable from incremental step outputs:\n  " + string.Join("\n  ", failures));
        }
    }

    /// <summary>Fails if any <see cref="ForbiddenTypes"/> instance is reachable from <paramref name="root"/>.</summary>
    public static void NoRoslynObjects(object? root, string rootName = "value")
    {
        IReadOnlyList<string> failures = FindRoslynObjects(root, rootName);
        if (failures.Count > 0)
        {
            Assert.Fail("Roslyn objects reachable:\n  " + string.Join("\n  ", failures));
        }
    }

    /// <summary>
    /// The paths from <paramref name="root"/> to every reachable <see cref="ForbiddenTypes"/> instance. The walk
    /// follows every instance field (public or not, so auto-property and record backing fields too, and the
    /// array inside an ImmutableArray or any collection) and every array element; it does not call property
    /// getters or enumerators, which may compute values or have side effects. Objects already visited are
    /// skipped (cycles), and the walk is iterative, so deep IR trees cannot overflow the stack.
    /// </summary>
    public static IReadOnlyList<string> FindRoslynObjects(object? root, string rootName = "value")
    {
        var failures = new List<string>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(object? Value, string Path)>();
        pending.Push((root, rootName));
        while (pending.Count > 0)
        {
            (object? value, string path) = pending.Pop();
            if (value is null) continue;
            Type type = value.GetType();

            Type? forbidden = ForbiddenTypes.FirstOrDefault(t => t.IsInstanceOfType(value));
            if (forbidden is not null)
            {
                failures.Add($"{path}: {type.FullName} (a {forbidden.Name})");
                continue;
            }
            if (IsLeaf(value, type)) continue;
            if (!type.IsValueType && !visited.Add(value)) continue;

            if (value is Delegate d)
            {
                // A stored lambda can capture a symbol through its closure object.
                pending.Push((d.Target, path + ".<closure>"));
                continue;
            }
            if (value is Array array)
            {
                if (IsLeafType(type.GetElementType()!)) continue;
                int i = 0;
                foreach (object? element in array)
                {
                    pending.Push((element, $"{path}[{i++}]"));
                }
                continue;
            }
            for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer || field.FieldType.IsByRef || field.FieldType.IsByRefLike) continue;
                    if (IsLeafType(field.FieldType)) continue;
                    pending.Push((field.GetValue(value), $"{path}.{MemberName(field)}"));
                }
            }
        }
        return failures;
    }

    private static ImmutableArray<IncrementalGeneratorRunStep> StepsNamed(GeneratorDriverRunResult run, string name) =>
        run.Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> steps) ? steps : ImmutableArray<IncrementalGeneratorRunStep>.Empty)
            .ToImmutableArray();

    private static IEnumerable<string> TrackedNames(GeneratorDriverRunResult run) =>
        run.Results.SelectMany(r => r.TrackedSteps.Keys).Distinct().OrderBy(n => n, StringComparer.Ordinal);

    private static bool IsLeaf(object value, Type type) =>
        IsLeafType(type) || value is MemberInfo || value is Assembly || value is Module;

    private static bool IsLeafType(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(DateTime) || type == typeof(TimeSpan) || type == typeof(Guid);

    private static string MemberName(FieldInfo field)
    {
        // "<Name>k__BackingField" is the backing field of property Name (records, auto-properties).
        string name = field.Name;
        return name.StartsWith('<') && name.IndexOf('>') > 1 ? name[1..name.IndexOf('>')] : name;
    }

    private static string Describe(object? value)
    {
        string text = value?.ToString() ?? "null";
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
