using System;
using AutoCurv;

namespace Quickstart;

/// <summary>
/// Fits y ≈ w0 + w1·x + w2·tanh(w3·x) to noisy synthetic data with plain gradient descent.
/// The gradient comes from <c>LossGradient</c>, which AutoCurv generates at compile time from <see cref="Loss"/>.
/// </summary>
public static partial class Program
{
    /// <summary>Mean squared error of the model over the data set.</summary>
    [Differentiable]
    public static double Loss([Wrt] ReadOnlySpan<double> w, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        double sum = 0.0;
        for (int i = 0; i < xs.Length; i++)
        {
            double prediction = w[0] + w[1] * xs[i] + w[2] * Math.Tanh(w[3] * xs[i]);
            double residual = prediction - ys[i];
            sum += residual * residual;
        }
        return sum / xs.Length;
    }

    public static void Main()
    {
        // Synthetic data from known parameters plus a little noise, with a fixed seed so every run prints the same numbers.
        double[] truth = { 0.5, -0.3, 2.0, 1.5 };
        const int count = 200;
        var xs = new double[count];
        var ys = new double[count];
        var random = new RandomSource(seed: 42);
        for (int i = 0; i < count; i++)
        {
            xs[i] = -3.0 + 6.0 * random.NextDouble();
            ys[i] = truth[0] + truth[1] * xs[i] + truth[2] * Math.Tanh(truth[3] * xs[i]) + 0.05 * random.NextGaussian();
        }

        double[] w = { 0.0, 0.0, 1.0, 0.5 };
        var gradient = new double[w.Length];
        const double learningRate = 0.1;
        const int epochs = 1000;

        for (int epoch = 0; epoch <= epochs; epoch++)
        {
            // Generated member: the original parameters, then one Span<double> per [Wrt] input.
            double loss = LossGradient(w, xs, ys, gradient);
            if (epoch % 100 == 0)
            {
                Console.WriteLine($"epoch {epoch,5}  loss {loss:F6}");
            }
            for (int j = 0; j < w.Length; j++)
            {
                w[j] -= learningRate * gradient[j];
            }
        }

        Console.WriteLine();
        Console.WriteLine("parameter   fitted     true");
        for (int j = 0; j < w.Length; j++)
        {
            Console.WriteLine($"w{j}        {w[j],8:F4} {truth[j],8:F4}");
        }
    }
}
