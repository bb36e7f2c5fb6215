using AutoCurv;

namespace AutoCurv.Curvature.Tests.Support;

/// <summary>An explicit row-major n × n matrix as an <see cref="ILinearOperator"/>, counting its products.</summary>
public sealed class DenseOperator : ILinearOperator
{
    public DenseOperator(double[] matrix, int size)
    {
        Matrix = matrix;
        Size = size;
    }

    public double[] Matrix { get; }
    public int Size { get; }
    public int Products { get; private set; }

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        if (v.Length != Size) throw new ArgumentException("length", nameof(v));
        if (result.Length != Size) throw new ArgumentException("length", nameof(result));
        Products++;
        var copy = v.ToArray();
        for (int i = 0; i < Size; i++)
        {
            double s = 0.0;
            for (int j = 0; j < Size; j++) s += Matrix[i * Size + j] * copy[j];
            result[i] = s;
        }
    }
}
