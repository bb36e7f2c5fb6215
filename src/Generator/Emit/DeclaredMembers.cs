using System.Linq;
using System.Threading;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Differentiation;
using AutoCurv.Generator.Model;

namespace AutoCurv.Generator.Emit;

/// <summary>
/// One member a generated file declares, in the terms the compiler uses to reject duplicates: methods clash when
/// name, generic arity and parameter types (with by-reference-ness) agree (CS0111); a nested type clashes with any
/// member of its name (CS0102).
/// </summary>
/// <param name="Name">The member's name.</param>
/// <param name="Signature">
/// For a method: name, type parameters and parameter types as emitted, e.g.
/// <c>FJvp(double, double, double, double, out double)</c> (types <c>global::</c>-qualified); null for a nested type.
/// </param>
internal sealed record DeclaredMember(string Name, string? Signature)
{
    /// <summary>The member as a message shows it (no <c>global::</c>).</summary>
    public string Display => Signature?.Replace("global::", "") ?? Name;
}

/// <summary>
/// What one method's generated file adds to its containing type: the output of the Signatures stage, small and
/// equatable (an edit of the method's body leaves it unchanged, so the cross-method check stays cached).
/// </summary>
/// <param name="TypeKey">The containing type (namespace and type chain): members only clash within one type.</param>
/// <param name="TypeName">The containing type's name, for messages.</param>
/// <param name="Method">The method with its parameter types, for messages: <c>F(double, double)</c>.</param>
/// <param name="Location">The method's name (where a collision is reported; also the order of declarations).</param>
/// <param name="HintName">The method's generated file: unique per method, so it identifies the method.</param>
/// <param name="Members">Every member the file declares, helpers and nested types included; empty when nothing is emitted.</param>
internal sealed record MethodMembers(string TypeKey, string TypeName, string Method, LocationInfo? Location, string HintName, EquatableArray<DeclaredMember> Members);

/// <summary>Lists the members <see cref="FileEmitter"/> declares for a method, without emitting it.</summary>
internal static class DeclaredMembers
{
    public static MethodMembers Of(DifferentiatedMethod method, CancellationToken cancellationToken)
    {
        var spec = method.Spec;
        string typeKey = (spec.Namespace is null ? "" : spec.Namespace + ".") + string.Join(".", spec.Containers.Select(c => c.NameWithTypeParameters));
        string typeName = spec.Containers.Count > 0 ? spec.Containers[spec.Containers.Count - 1].NameWithTypeParameters : "";
        string display = spec.Name + "(" + string.Join(", ", spec.Parameters.Select(p => p.DeclaredType.Replace("global::", ""))) + ")";
        var members = EquatableArray<DeclaredMember>.Empty;
        if (method.Members.Count > 0)
        {
            var list = method.Members.Select(m => new DeclaredMember(m.Name,
                m.Name + (m.IsLossGeneric ? "<TLoss>" : "") + "(" + string.Join(", ", m.Function.Parameters.Select(p => FunctionEmitter.ParameterType(p, spec.ElementType))) + ")")).ToList();
            // The nested structs of ModelEmitter and LossEmitter.
            if (spec.IsModelShape) list.Add(new DeclaredMember(spec.Name + "Model", null));
            if (spec.IsLossShape) list.Add(new DeclaredMember(spec.Name + "Loss", null));
            members = list.ToEquatableArray();
        }
        return new MethodMembers(typeKey, typeName, display, spec.Location, spec.HintName, members);
    }
}
