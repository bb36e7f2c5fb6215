using System;

namespace AutoCurv;

/// <summary>
/// Marks a <c>static</c> method whose body AutoCurv differentiates at compile time. A method returning
/// the element type (<c>double</c> or <c>float</c>) is a scalar function; a method returning <c>void</c>
/// with exactly one <c>Span&lt;T&gt;</c> parameter is a vector function whose span is its output.
/// Every containing type must be <c>partial</c>: the derivative members are generated next to the method.
/// </summary>
/// <remarks>
/// A model <c>void F([Wrt] ReadOnlySpan&lt;double&gt; w, ReadOnlySpan&lt;double&gt; x, Span&lt;double&gt; output)</c>
/// (or the same shape over <c>float</c> or arrays) may declare its sizes:
/// <c>[Differentiable(InputSize = 2, OutputSize = 3, ParameterCount = 21)]</c>. Each declared size is checked at the
/// entry of every generated member (an <see cref="ArgumentException"/> naming <c>w</c>, <c>x</c> or <c>output</c>)
/// and is exposed by the generated <c>FModel</c> struct as <see cref="IModel.InputSize"/>,
/// <see cref="IModel.OutputSize"/>, <see cref="IModel.ParameterCount"/>, so the data-set operators refuse a data set
/// or a parameter vector of another size. An undeclared size stays -1 (not known) and is not checked, except the
/// output size of a model whose every write to <c>output</c> is at an index with constant bounds, which the generator
/// infers (a declared <see cref="OutputSize"/> that disagrees with it is AC0029). A declared
/// size must be a positive constant, and sizes only describe the model shape: either mistake is reported as
/// AC0029. The method itself is not changed, so calling <c>F</c> directly checks nothing.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
    /// <summary>The length of the model's input <c>x</c>; -1 (the default) leaves it undeclared.</summary>
    public int InputSize { get; set; } = -1;

    /// <summary>The length of the model's <c>output</c> (and of one target); -1 (the default) leaves it undeclared.</summary>
    public int OutputSize { get; set; } = -1;

    /// <summary>The length of the model's parameter vector <c>w</c>; -1 (the default) leaves it undeclared.</summary>
    public int ParameterCount { get; set; } = -1;
}
