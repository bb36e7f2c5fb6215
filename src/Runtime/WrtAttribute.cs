using System;

namespace AutoCurv;

/// <summary>
/// Marks a parameter of a <see cref="DifferentiableAttribute"/> method as an input that derivatives are
/// taken with respect to. When no parameter carries it, every floating scalar, <c>ReadOnlySpan&lt;T&gt;</c>
/// and <c>T[]</c> input is differentiated.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class WrtAttribute : Attribute
{
}
