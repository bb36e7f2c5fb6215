using AutoCurv;
using AutoCurv.Curvature.Tests.Models;

namespace AutoCurv.Curvature.Tests.Support;

/// <summary>Deterministic data sets and parameters for the tests.</summary>
public static class Problem
{
    public const int InputSize = 2;
    public const int Classes = 3;

    public static double[] Inputs(int count, int inputSize, ulong seed) => Dense.RandomVector(count * inputSize, seed);

    /// <summary>Regression targets (Gaussian).</summary>
    public static Dataset Regression(int count, ulong seed = 1, int inputSize = InputSize, int outputs = Classes)
        => new(Inputs(count, inputSize, seed), Dense.RandomVector(count * outputs, seed + 1000), count);

    /// <summary>Classification targets: one-hot for even samples, soft probability vectors for odd ones.</summary>
    public static Dataset Classification(int count, ulong seed = 2, int inputSize = InputSize, int classes = Classes)
    {
        var random = new RandomSource(seed + 2000);
        var targets = new double[count * classes];
        for (int i = 0; i < count; i++)
        {
            if (i % 2 == 0)
            {
                targets[i * classes + random.NextInt(classes)] = 1.0;
            }
            else
            {
                double sum = 0.0;
                for (int c = 0; c < classes; c++) sum += targets[i * classes + c] = 0.1 + random.NextDouble();
                for (int c = 0; c < classes; c++) targets[i * classes + c] /= sum;
            }
        }
        return new Dataset(Inputs(count, inputSize, seed), targets, count);
    }

    /// <summary>Binary targets in {0, 1} per output.</summary>
    public static Dataset Binary(int count, ulong seed = 3, int inputSize = InputSize, int outputs = Classes)
    {
        var random = new RandomSource(seed + 3000);
        var targets = new double[count * outputs];
        for (int i = 0; i < targets.Length; i++) targets[i] = random.NextDouble() < 0.5 ? 0.0 : 1.0;
        return new Dataset(Inputs(count, inputSize, seed), targets, count);
    }

    public static double[] LinearParameters(Dataset data, ulong seed = 7)
        => Dense.RandomVector(LinearModel.ParameterCount(data.InputSize, data.TargetSize), seed, 0.7);

    public static double[] TanhParameters(Dataset data, ulong seed = 8)
        => Dense.RandomVector(TanhModel.ParameterCount(data.InputSize, data.TargetSize), seed, 0.9);
}
