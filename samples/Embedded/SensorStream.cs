using System;
using AutoCurv;

namespace Embedded;

/// <summary>
/// A synthetic sensor: inputs uniform in [-2, 2]², target <see cref="Signal"/> plus Gaussian noise.
/// A struct around a seeded generator, so the stream is the same on every run and every platform.
/// </summary>
public struct SensorStream
{
    private const double NoiseLevel = 0.05;
    private RandomSource _random;

    /// <summary>Creates the stream from a seed.</summary>
    public SensorStream(ulong seed) => _random = new RandomSource(seed);

    /// <summary>The noiseless quantity the network learns.</summary>
    public static double Signal(double x0, double x1) => Math.Sin(1.5 * x0) * Math.Cos(x1) + 0.25 * x1;

    /// <summary>Writes the next reading into <paramref name="input"/> and its noisy target into <paramref name="target"/>.</summary>
    public void Next(Span<double> input, out double target)
    {
        input[0] = -2.0 + 4.0 * _random.NextDouble();
        input[1] = -2.0 + 4.0 * _random.NextDouble();
        target = Signal(input[0], input[1]) + NoiseLevel * _random.NextGaussian();
    }
}
