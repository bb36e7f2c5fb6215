using System;
using AutoCurv;
using AutoCurv.Models;

namespace AutoCurv.Benchmarks;

/// <summary>One workload's inputs and result buffers, with one method per quantity (shared by BenchmarkDotNet and --quick).</summary>
public interface IWorkload
{
    string Name { get; }

    /// <summary>(quantity, call, result to checksum) in table order; the first is the forward pass.</summary>
    Case[] Cases { get; }
}

public sealed record Case(string Quantity, Func<double> Run, Func<double[]?> Result);

/// <summary>W1 / W2: one sample through <see cref="Mlp.Forward"/> with softmax cross-entropy, all members generated.</summary>
public sealed class MlpSample : IWorkload
{
    public readonly int D, Hidden, C, N;
    public readonly double[] W, X, Y, V, Output, Gradient, HessianVector, GgnVector, GgnDiagonal;
    public readonly double[]? Hessian, HessianDiagonal;

    public MlpSample(string name, int d, int hidden, int c, bool dense)
    {
        Name = name;
        D = d; Hidden = hidden; C = c;
        W = Inputs.MlpWeights(d, hidden, c);
        N = W.Length;
        X = Inputs.MlpInputs(d, 1);
        Y = Inputs.OneHotTargets(c, 1);
        V = Inputs.Direction(N);
        Output = new double[c];
        Gradient = new double[N];
        HessianVector = new double[N];
        GgnVector = new double[N];
        GgnDiagonal = new double[N];
        Hessian = dense ? new double[N * N] : null;
        HessianDiagonal = dense ? new double[N] : null;
        var cases = new System.Collections.Generic.List<Case>
        {
            new("forward", Forward, () => null),
            new("model", Model, () => Output),
            new("gradient", Grad, () => Gradient),
            new("hvp", Hvp, () => HessianVector),
            new("ggnvp", Ggnvp, () => GgnVector),
            new("diag_ggn", GgnDiag, () => GgnDiagonal),
        };
        if (dense)
        {
            cases.Add(new("dense_h", DenseHessian, () => Hessian));
            cases.Add(new("diag_h", HessianDiag, () => HessianDiagonal));
        }
        Cases = cases.ToArray();
    }

    public string Name { get; }
    public Case[] Cases { get; }

    public double Forward() => Mlp.ForwardLoss<SoftmaxCrossEntropy>(W, X, Output, Y);
    /// <summary>The user's method alone (logits, no loss): what the forward costs without generated code.</summary>
    public double Model() { Mlp.Forward(W, X, Output); return Output[0]; }
    public double Grad() => Mlp.ForwardLossGradient<SoftmaxCrossEntropy>(W, X, Output, Y, Gradient);
    public double Hvp() => Mlp.ForwardLossHvp<SoftmaxCrossEntropy>(W, X, Output, Y, V, Gradient, HessianVector);
    public double Ggnvp() => Mlp.ForwardGgnvp<SoftmaxCrossEntropy>(W, X, Output, Y, V, GgnVector);
    public double GgnDiag() => Mlp.ForwardGgnDiagonal<SoftmaxCrossEntropy>(W, X, Output, Y, GgnDiagonal);
    public double DenseHessian() => Mlp.ForwardLossHessian<SoftmaxCrossEntropy>(W, X, Output, Y, Hessian);
    public double HessianDiag() => Mlp.ForwardLossHessianDiagonal<SoftmaxCrossEntropy>(W, X, Output, Y, HessianDiagonal);
}

/// <summary>W3: the W2 network over a batch of 64 through the data-set operators (mean over the batch).</summary>
public sealed class MlpBatch : IWorkload
{
    public const int Count = 64;
    public readonly double[] W, V, Gradient, HessianVector, GgnVector;
    public readonly Objective<Mlp.ForwardModel, SoftmaxCrossEntropy> Objective;
    public readonly HessianOperator<Mlp.ForwardModel, SoftmaxCrossEntropy> H;
    public readonly GgnOperator<Mlp.ForwardModel, SoftmaxCrossEntropy> G;

    /// <param name="threads">MaxDegreeOfParallelism of the operators (-1: all cores).</param>
    public MlpBatch(string name, int threads, int d = 784, int hidden = 128, int c = 10)
    {
        Name = name;
        W = Inputs.MlpWeights(d, hidden, c);
        var data = new Dataset(Inputs.MlpInputs(d, Count), Inputs.OneHotTargets(c, Count), Count);
        V = Inputs.Direction(W.Length);
        Gradient = new double[W.Length];
        HessianVector = new double[W.Length];
        GgnVector = new double[W.Length];
        Objective = new Objective<Mlp.ForwardModel, SoftmaxCrossEntropy>(data) { MaxDegreeOfParallelism = threads };
        H = new HessianOperator<Mlp.ForwardModel, SoftmaxCrossEntropy>(W, data) { MaxDegreeOfParallelism = threads };
        G = new GgnOperator<Mlp.ForwardModel, SoftmaxCrossEntropy>(W, data) { MaxDegreeOfParallelism = threads };
        Cases = new Case[]
        {
            new("forward", Forward, () => null),
            new("gradient", Grad, () => Gradient),
            new("hvp", Hvp, () => HessianVector),
            new("ggnvp", Ggnvp, () => GgnVector),
        };
    }

    public string Name { get; }
    public Case[] Cases { get; }

    public double Forward() => Objective.Loss(W);
    public double Grad() => Objective.Gradient(W, Gradient);
    public double Hvp() { H.Apply(V, HessianVector); return HessianVector[0]; }
    public double Ggnvp() { G.Apply(V, GgnVector); return GgnVector[0]; }
}

/// <summary>W4: Rosenbrock, n = 1000, as a scalar function.</summary>
public sealed class RosenbrockPoint : IWorkload
{
    public readonly double[] X, V, Gradient, HessianVector;

    public RosenbrockPoint(string name, int n = 1000)
    {
        Name = name;
        X = Inputs.RosenbrockPoint(n);
        V = Inputs.Direction(n);
        Gradient = new double[n];
        HessianVector = new double[n];
        Cases = new Case[]
        {
            new("forward", Forward, () => null),
            new("gradient", Grad, () => Gradient),
            new("hvp", Hvp, () => HessianVector),
        };
    }

    public string Name { get; }
    public Case[] Cases { get; }

    public double Forward() => Nets.Rosenbrock(X);
    public double Grad() => Nets.RosenbrockGradient(X, Gradient);
    public double Hvp() => Nets.RosenbrockHvp(X, V, Gradient, HessianVector);
}
