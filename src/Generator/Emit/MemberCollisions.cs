using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Emit;

/// <summary>A method that gets no generated file because a member of it would duplicate one generated earlier.</summary>
internal sealed record BlockedMethod(string HintName, DiagnosticInfo Diagnostic);

/// <summary>
/// The cross-method check of the pipeline (the Collisions stage): two [Differentiable] methods of one type, typically
/// overloads, can generate the same member (<c>F(double a, double b)</c> and <c>F([Wrt] double a, double b, double c)</c>
/// both get <c>FJvp(double, double, double, double, out double)</c>). Declarations are taken in a fixed order (file
/// path, then position); the first keeps its members, and a later method that would duplicate any of them gets
/// AC0028 and no members at all, like every other rejected method: a partial set could not stand (drivers call
/// their helpers and the Model/Loss structs forward to members by overload resolution, which would bind to the
/// other method's member of the same signature). Collisions with the user's own members are AC0013, found when parsing.
/// </summary>
internal sealed record MemberCollisions(EquatableArray<BlockedMethod> Blocked)
{
    /// <summary>The diagnostic of the method generating <paramref name="hintName"/>, or null when it is not blocked.</summary>
    public DiagnosticInfo? For(string hintName)
    {
        foreach (var blocked in Blocked)
        {
            if (blocked.HintName == hintName) return blocked.Diagnostic;
        }
        return null;
    }

    public static MemberCollisions Find(ImmutableArray<MethodMembers> methods, CancellationToken cancellationToken)
    {
        var blocked = new List<BlockedMethod>();
        var types = new Dictionary<string, Declared>(StringComparer.Ordinal);
        foreach (var method in methods.Where(m => m.Members.Count > 0).OrderBy(m => m, Order.Instance))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!types.TryGetValue(method.TypeKey, out var declared)) types[method.TypeKey] = declared = new Declared();
            var clash = method.Members.Select(m => (Member: m, Earlier: declared.Clash(m))).FirstOrDefault(c => c.Earlier is not null);
            if (clash.Earlier is { } earlier)
            {
                var info = new DiagnosticInfo(DiagnosticDescriptors.GeneratedMemberCollision.Id, method.Location,
                    new[] { method.Method, clash.Member.Display, earlier.Member.Display, earlier.Method, method.TypeName }.ToEquatableArray());
                blocked.Add(new BlockedMethod(method.HintName, info));
                continue;
            }
            foreach (var member in method.Members) declared.Add(member, method.Method);
        }
        return new MemberCollisions(blocked.ToEquatableArray());
    }

    /// <summary>The members generated so far in one type, with the method each belongs to.</summary>
    private sealed class Declared
    {
        private readonly Dictionary<string, (DeclaredMember, string)> _signatures = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (DeclaredMember, string)> _names = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (DeclaredMember, string)> _types = new(StringComparer.Ordinal);

        /// <summary>The earlier member <paramref name="member"/> would clash with, and its method; null when none.</summary>
        public (DeclaredMember Member, string Method)? Clash(DeclaredMember member)
        {
            if (_types.TryGetValue(member.Name, out var type)) return type;
            if (member.Signature is null) return _names.TryGetValue(member.Name, out var any) ? any : null;
            return _signatures.TryGetValue(member.Signature, out var same) ? same : null;
        }

        public void Add(DeclaredMember member, string method)
        {
            if (member.Signature is null) _types[member.Name] = (member, method);
            else _signatures[member.Signature] = (member, method);
            if (!_names.ContainsKey(member.Name)) _names[member.Name] = (member, method);
        }
    }

    /// <summary>Declaration order: file path, then position in the file (the hint name breaks any remaining tie).</summary>
    private sealed class Order : IComparer<MethodMembers>
    {
        public static readonly Order Instance = new();

        public int Compare(MethodMembers? x, MethodMembers? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            int c = (x.Location is null).CompareTo(y.Location is null);
            if (c == 0 && x.Location is not null) c = string.CompareOrdinal(x.Location.FilePath, y.Location!.FilePath);
            if (c == 0 && x.Location is not null) c = x.Location.Span.Start.CompareTo(y.Location!.Span.Start);
            return c != 0 ? c : string.CompareOrdinal(x.HintName, y.HintName);
        }
    }
}
