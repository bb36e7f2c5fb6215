using System;

namespace AutoCurv;

/// <summary>
/// Declares the method it marks as the <em>tangent rule</em> of a function, so <c>[Differentiable]</c> code
/// may call that function although AutoCurv cannot (or should not) look into it: a library call, a
/// numerically delicate function, a hand-optimised kernel.
/// </summary>
/// <remarks>
/// <para>For a function <c>T F(T a, T b)</c> the rule is <c>static T FTangent(T a, T b, T da, T db)</c>:
/// the function's parameters followed by one tangent per parameter, returning the directional
/// derivative ḟ = ∂F/∂a·da + ∂F/∂b·db. Its body is one expression in the differentiable subset and must
/// be linear in the tangents (AutoCurv checks this).</para>
/// <para>One rule drives every generated member: forward mode uses it as written; reverse mode extracts
/// each ∂F/∂a_k from it (the rule is transposed by the generator); H·v, Hessians, GGN products and the
/// Becker–LeCun diagonal differentiate the extracted partials once more.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DerivativeOfAttribute : Attribute
{
    /// <summary>A rule for the method <paramref name="methodName"/> of the type that declares the rule.</summary>
    public DerivativeOfAttribute(string methodName)
    {
        MethodName = methodName;
    }

    /// <summary>A rule for the method <paramref name="methodName"/> of <paramref name="type"/> (any assembly, e.g. <c>typeof(Math)</c>).</summary>
    public DerivativeOfAttribute(Type type, string methodName)
    {
        Type = type;
        MethodName = methodName;
    }

    /// <summary>The type that declares the function (null: the rule's own type).</summary>
    public Type? Type { get; }

    /// <summary>The function's name.</summary>
    public string MethodName { get; }
}
