using System;

namespace AutoCurv;

/// <summary>
/// Marks a <c>static</c> method whose body AutoCurv differentiates at compile time. A method returning
/// the element type (<c>double</c> or <c>float</c>) is a scalar function; a method returning <c>void</c>
/// with exactly one <c>Span&lt;T&gt;</c> parameter is a vector function whose span is its output.
/// Every containing type must be <c>partial</c>: the derivative members are generated next to the method.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
}
