using System;
using AutoCurv;

namespace Embedded;

/// <summary>
/// Online training on a stream, one sample per step. Every buffer is allocated once, in the constructor:
/// a step only reads the stream, calls the generated gradient and updates the weights in place.
/// </summary>
public sealed class Trainer
{
    private readonly double[] _weights = new double[Network.ParameterCount];
    private readonly double[] _gradient = new double[Network.ParameterCount];
    private readonly double[] _velocity = new double[Network.ParameterCount];
    private readonly double[] _input = new double[Network.Inputs];
    private readonly double[] _output = new double[1];
    private readonly double[] _target = new double[1];
    private readonly double _momentum;
    private SensorStream _stream;

    /// <summary>Creates a trainer with small random weights drawn from <paramref name="seed"/>.</summary>
    public Trainer(ulong seed, double learningRate, double momentum)
    {
        LearningRate = learningRate;
        _momentum = momentum;
        var random = new RandomSource(seed);
        for (int k = 0; k < _weights.Length; k++)
        {
            _weights[k] = 0.5 * random.NextGaussian();
        }
        _stream = new SensorStream(seed + 1);
    }

    /// <summary>Step size of the momentum update; the program lowers it as training settles.</summary>
    public double LearningRate { get; set; }

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; private set; }

    /// <summary>The current weights (read-only view).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>Takes <paramref name="count"/> steps and returns the sum of their per-sample losses (before each update).</summary>
    public double Train(int count)
    {
        double lossSum = 0.0;
        for (int s = 0; s < count; s++)
        {
            _stream.Next(_input, out _target[0]);
            // Generated from Network.Forward: writes the output, ∇_w ℓ into _gradient, returns ℓ = ½(f − y)².
            lossSum += Network.ForwardLossGradient<MeanSquaredError>(_weights, _input, _output, _target, _gradient);
            for (int k = 0; k < _weights.Length; k++)
            {
                _velocity[k] = _momentum * _velocity[k] - LearningRate * _gradient[k];
                _weights[k] += _velocity[k];
            }
        }
        Steps += count;
        return lossSum;
    }

    /// <summary>Mean squared error against the noiseless signal on a fixed 21 × 21 grid over the input range.</summary>
    public double GridError()
    {
        Span<double> x = stackalloc double[Network.Inputs];
        Span<double> f = stackalloc double[1];
        double sum = 0.0;
        int count = 0;
        for (int a = 0; a <= 20; a++)
        {
            for (int b = 0; b <= 20; b++)
            {
                x[0] = -2.0 + 0.2 * a;
                x[1] = -2.0 + 0.2 * b;
                Network.Forward(_weights, x, f);
                double r = f[0] - SensorStream.Signal(x[0], x[1]);
                sum += r * r;
                count++;
            }
        }
        return sum / count;
    }
}
