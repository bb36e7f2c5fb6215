using AutoCurv;
using AutoCurv.CompilerServices;
using AutoCurv.Curvature.Tests.Models;
using AutoCurv.Curvature.Tests.Support;

namespace AutoCurv.Curvature.Tests;

/// <summary>
/// The data-set operators with models that have batched members (<see cref="IModel.HasBatchedMembers"/>): full blocks
/// of 16 samples go through the batched member, the rest through the per-sample members. Checked against the same
/// model with the batched members hidden (<see cref="PerSampleOnly{TModel}"/>), whose per-sample members are in turn
/// checked against central differences here, so the reference is itself checked.
/// </summary>
public class BatchedOperatorTests
{
    private const double Agreement = 1e-13;

    // Up to 64 × 16 samples every chunk is one block (or the tail); 1100 and 2017 give chunks of several blocks.
    private static readonly int[] Counts = { 1, 15, 16, 17, 31, 32, 33, 64, 100, 1100, 2017 };

    public static TheoryData<string, int> LossesAndCounts
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string loss in new[] { "mse", "softmax", "sigmoid" })
                foreach (int count in Counts) data.Add(loss, count);
            return data;
        }
    }

    public static TheoryData<string> Losses => new() { "mse", "softmax", "sigmoid" };

    // ------------------------------------------------------------------------------------------------
    // Operators: batched model against the same model without batched members
    // ------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(LossesAndCounts))]
    public void Operators_with_batched_members_agree_with_per_sample_members(string loss, int count) =>
        Dispatch(loss, new AgreementCheck(count));

    private readonly struct AgreementCheck : ILossAction
    {
        private readonly int _count;

        public AgreementCheck(int count) => _count = count;

        public void Run<TLoss>() where TLoss : struct, ILoss
        {
            Assert.True(BlockTanhNet.HasBatchedMembers);
            Assert.False(HasBatched<PerSampleOnly<BlockTanhNet>>());
            var data = Data<TLoss>(_count, (ulong)_count, BlockTanhNet.D, BlockTanhNet.C);
            var w = Dense.RandomVector(BlockTanhNet.N, 40 + (ulong)_count, 0.9);
            CompareOperators<BlockTanhNet, PerSampleOnly<BlockTanhNet>, TLoss>(w, data);
        }
    }

    [Theory]
    [InlineData("mse", 40)]
    [InlineData("softmax", 37)]
    [InlineData("sigmoid", 16)]
    public void Wide_inputs_agree_with_per_sample_members(string loss, int count) =>
        Dispatch(loss, new WideCheck(count));

    private readonly struct WideCheck : ILossAction
    {
        private readonly int _count;

        public WideCheck(int count) => _count = count;

        public void Run<TLoss>() where TLoss : struct, ILoss
        {
            // 784 inputs: the block-layout input alone is 784 × 128 bytes = 100 KB of pooled scratch.
            var data = Data<TLoss>(_count, 5, 784, 10);
            var w = Dense.RandomVector(LinearModel.ParameterCount(784, 10), 6, 0.05);
            CompareOperators<BlockLinearModel, PerSampleOnly<BlockLinearModel>, TLoss>(w, data);
        }
    }

    /// <summary>
    /// Objective.Loss, Objective.Gradient, H·v and G·v with <typeparamref name="TBatched"/> against
    /// <typeparamref name="TReference"/> (1e-13 relative), and with one thread against the default (bit-identical).
    /// </summary>
    private static void CompareOperators<TBatched, TReference, TLoss>(double[] w, Dataset data)
        where TBatched : struct, IModel where TReference : struct, IModel where TLoss : struct, ILoss
    {
        int n = w.Length;
        var v = Dense.RandomVector(n, 77);

        var expected = Evaluate<TReference, TLoss>(w, data, v, -1);
        var actual = Evaluate<TBatched, TLoss>(w, data, v, -1);
        var serial = Evaluate<TBatched, TLoss>(w, data, v, 1);

        Dense.AssertClose(new[] { expected.Loss }, new[] { actual.Loss }, Agreement);
        Dense.AssertClose(new[] { expected.GradientLoss }, new[] { actual.GradientLoss }, Agreement);
        Dense.AssertClose(expected.Gradient, actual.Gradient, Agreement);
        Dense.AssertClose(expected.Hv, actual.Hv, Agreement);
        Dense.AssertClose(expected.Gv, actual.Gv, Agreement);

        Assert.Equal(BitConverter.DoubleToInt64Bits(serial.Loss), BitConverter.DoubleToInt64Bits(actual.Loss));
        Assert.Equal(BitConverter.DoubleToInt64Bits(serial.GradientLoss), BitConverter.DoubleToInt64Bits(actual.GradientLoss));
        Dense.AssertBitIdentical(serial.Gradient, actual.Gradient);
        Dense.AssertBitIdentical(serial.Hv, actual.Hv);
        Dense.AssertBitIdentical(serial.Gv, actual.Gv);
    }

    private sealed record Results(double Loss, double GradientLoss, double[] Gradient, double[] Hv, double[] Gv);

    private static Results Evaluate<TModel, TLoss>(double[] w, Dataset data, double[] v, int degree)
        where TModel : struct, IModel where TLoss : struct, ILoss
    {
        int n = w.Length;
        var objective = new Objective<TModel, TLoss>(data) { MaxDegreeOfParallelism = degree };
        double loss = objective.Loss(w);
        var gradient = new double[n];
        double gradientLoss = objective.Gradient(w, gradient);
        var hv = new double[n];
        new HessianOperator<TModel, TLoss>(w, data) { MaxDegreeOfParallelism = degree }.Apply(v, hv);
        var gv = new double[n];
        new GgnOperator<TModel, TLoss>(w, data) { MaxDegreeOfParallelism = degree }.Apply(v, gv);
        return new Results(loss, gradientLoss, gradient, hv, gv);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(2017)]
    public void Batched_results_are_bit_identical_for_every_degree_of_parallelism(int count)
    {
        var data = Data<SoftmaxCrossEntropy>(count, 9, BlockTanhNet.D, BlockTanhNet.C);
        var w = Dense.RandomVector(BlockTanhNet.N, 10, 0.9);
        var v = Dense.RandomVector(BlockTanhNet.N, 11);
        var reference = Evaluate<BlockTanhNet, SoftmaxCrossEntropy>(w, data, v, 1);
        foreach (int degree in new[] { 2, 3, 8, -1 })
        {
            var other = Evaluate<BlockTanhNet, SoftmaxCrossEntropy>(w, data, v, degree);
            Assert.Equal(BitConverter.DoubleToInt64Bits(reference.Loss), BitConverter.DoubleToInt64Bits(other.Loss));
            Assert.Equal(BitConverter.DoubleToInt64Bits(reference.GradientLoss), BitConverter.DoubleToInt64Bits(other.GradientLoss));
            Dense.AssertBitIdentical(reference.Gradient, other.Gradient);
            Dense.AssertBitIdentical(reference.Hv, other.Hv);
            Dense.AssertBitIdentical(reference.Gv, other.Gv);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Chunking: whole blocks, only the data set's tail per sample
    // ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(2017)]
    public void Every_full_block_goes_through_the_batched_member_and_only_the_tail_per_sample(int count)
    {
        // Chunk boundaries are multiples of 16 except the end of the data, so count / 16 blocks go batched and
        // count % 16 samples (all in the last chunk) per sample, whatever the thread count.
        var data = Data<MeanSquaredError>(count, 12, BlockTanhNet.D, BlockTanhNet.C);
        var w = Dense.RandomVector(BlockTanhNet.N, 13, 0.9);
        var v = Dense.RandomVector(BlockTanhNet.N, 14);
        var result = new double[BlockTanhNet.N];
        foreach (int degree in new[] { 1, 2, -1 })
        {
            var objective = new Objective<Counting<BlockTanhNet>, MeanSquaredError>(data) { MaxDegreeOfParallelism = degree };
            var hessian = new HessianOperator<Counting<BlockTanhNet>, MeanSquaredError>(w, data) { MaxDegreeOfParallelism = degree };
            var ggn = new GgnOperator<Counting<BlockTanhNet>, MeanSquaredError>(w, data) { MaxDegreeOfParallelism = degree };
            var runs = new (string Name, Action Run)[]
            {
                ("Objective.Loss", () => objective.Loss(w)),
                ("Objective.Gradient", () => objective.Gradient(w, result)),
                ("HessianOperator.Apply", () => hessian.Apply(v, result)),
                ("GgnOperator.Apply", () => ggn.Apply(v, result)),
            };
            foreach (var (name, run) in runs)
            {
                Counting<BlockTanhNet>.Reset();
                run();
                Assert.True(count / SampleBlock.Size == Counting<BlockTanhNet>.BatchedCalls,
                    $"{name}, {count} samples, degree {degree}: {Counting<BlockTanhNet>.BatchedCalls} batched calls, expected {count / SampleBlock.Size}");
                Assert.True(count % SampleBlock.Size == Counting<BlockTanhNet>.PerSampleCalls,
                    $"{name}, {count} samples, degree {degree}: {Counting<BlockTanhNet>.PerSampleCalls} per-sample calls, expected {count % SampleBlock.Size}");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // The batched members themselves
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Default_batched_members_throw_NotSupportedException()
    {
        Assert.False(HasBatched<TanhModel>());
        Assert.False(HasBatched<PerSampleOnly<BlockTanhNet>>());
        var w = new double[BlockTanhNet.N];
        var x = new SampleBlock[BlockTanhNet.D];
        var y = new SampleBlock[BlockTanhNet.C];
        var f = new SampleBlock[BlockTanhNet.C];
        var r = new double[BlockTanhNet.N];
        Assert.Throws<NotSupportedException>(() => Members<PerSampleOnly<BlockTanhNet>, MeanSquaredError>.Loss(w, x, f, y));
        Assert.Throws<NotSupportedException>(() => Members<PerSampleOnly<BlockTanhNet>, MeanSquaredError>.Gradient(w, x, f, y, r));
        Assert.Throws<NotSupportedException>(() => Members<PerSampleOnly<BlockTanhNet>, MeanSquaredError>.Hvp(w, x, f, y, w, r));
        Assert.Throws<NotSupportedException>(() => Members<PerSampleOnly<BlockTanhNet>, MeanSquaredError>.Ggnvp(w, x, f, y, w, r));
        var e = Assert.Throws<NotSupportedException>(() => Members<TanhModel, MeanSquaredError>.Gradient(w, x, f, y, r));
        Assert.Contains("HasBatchedMembers", e.Message);
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Batched_members_add_the_sum_of_the_block_per_sample_members(string loss) =>
        Dispatch(loss, new BlockCheck());

    private readonly struct BlockCheck : ILossAction
    {
        public void Run<TLoss>() where TLoss : struct, ILoss
        {
            const int n = BlockTanhNet.N, d = BlockTanhNet.D, c = BlockTanhNet.C, size = SampleBlock.Size;
            var data = Data<TLoss>(size, 21, d, c);
            var w = Dense.RandomVector(n, 22, 0.9);
            var v = Dense.RandomVector(n, 23);
            // Block layout built with the lane indexer (independently of SampleBlock.Load): x[k] lane b = sample b's x_k.
            var x = new SampleBlock[d];
            var y = new SampleBlock[c];
            for (int b = 0; b < size; b++)
            {
                for (int k = 0; k < d; k++) x[k][b] = data.Input(b)[k];
                for (int k = 0; k < c; k++) y[k][b] = data.Target(b)[k];
            }

            // Per-sample references: Σ_b of each member's loss and result, and every output.
            double lossSum = 0.0;
            var outputs = new double[size * c];
            var gradientSum = new double[n];
            var hvSum = new double[n];
            var gvSum = new double[n];
            var temp = new double[n];
            var temp2 = new double[n];
            for (int b = 0; b < size; b++)
            {
                var f = outputs.AsSpan(b * c, c);
                lossSum += BlockTanhNet.LossGradient<TLoss>(w, data.Input(b), f, data.Target(b), temp);
                Add(gradientSum, temp);
                BlockTanhNet.LossHvp<TLoss>(w, data.Input(b), f, data.Target(b), v, temp2, temp);
                Add(hvSum, temp);
                BlockTanhNet.Ggnvp<TLoss>(w, data.Input(b), f, data.Target(b), v, temp);
                Add(gvSum, temp);
            }

            var start = Dense.RandomVector(n, 24, 10.0);
            var start2 = Dense.RandomVector(n, 25, 10.0);
            var output = new SampleBlock[c];

            void CheckOutputs(string member)
            {
                for (int b = 0; b < size; b++)
                    for (int k = 0; k < c; k++)
                        Assert.True(outputs[b * c + k] == output[k][b], $"{member}: output {k} of sample {b}: {output[k][b]:R} vs {outputs[b * c + k]:R}");
                output = new SampleBlock[c];
            }

            Assert.Equal(lossSum, BlockTanhNet.LossBatch<TLoss>(w, x, output, y), 13);
            CheckOutputs("LossBatch");

            var gradient = (double[])start.Clone();
            Assert.Equal(lossSum, BlockTanhNet.LossGradientBatch<TLoss>(w, x, output, y, gradient), 13);
            CheckOutputs("LossGradientBatch");
            Dense.AssertClose(Sum(start, gradientSum), gradient, Agreement);

            var hv = (double[])start2.Clone();
            Assert.Equal(lossSum, BlockTanhNet.LossHvpBatch<TLoss>(w, x, output, y, v, hv), 13);
            CheckOutputs("LossHvpBatch");
            Dense.AssertClose(Sum(start2, hvSum), hv, Agreement);

            var gv = (double[])start.Clone();
            Assert.Equal(lossSum, BlockTanhNet.GgnvpBatch<TLoss>(w, x, output, y, v, gv), 13);
            CheckOutputs("GgnvpBatch");
            Dense.AssertClose(Sum(start, gvSum), gv, Agreement);

            // From zero the contributions themselves, and SampleBlock.Load gives the same blocks as the indexer.
            var loaded = new SampleBlock[d];
            SampleBlock.Load(data.Inputs.Span, d, 0, loaded);
            for (int k = 0; k < d; k++)
                for (int b = 0; b < size; b++) Assert.Equal(x[k][b], loaded[k][b]);
            var fromZero = new double[n];
            BlockTanhNet.GgnvpBatch<TLoss>(w, loaded, output, y, v, fromZero);
            Dense.AssertClose(gvSum, fromZero, Agreement);
        }

        private static void Add(double[] sum, double[] term)
        {
            for (int i = 0; i < sum.Length; i++) sum[i] += term[i];
        }

        private static double[] Sum(double[] a, double[] b) => a.Zip(b, (p, q) => p + q).ToArray();
    }

    // ------------------------------------------------------------------------------------------------
    // The reference: BlockTanhNet's per-sample members against central differences
    // ------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Losses))]
    public void Per_sample_members_of_the_hand_model_match_central_differences(string loss) =>
        Dispatch(loss, new DifferenceCheck());

    private readonly struct DifferenceCheck : ILossAction
    {
        public void Run<TLoss>() where TLoss : struct, ILoss
        {
            const int n = BlockTanhNet.N, c = BlockTanhNet.C;
            var data = Data<TLoss>(5, 31, BlockTanhNet.D, c);
            var w = Dense.RandomVector(n, 32, 0.9);
            var v = Dense.RandomVector(n, 33);
            var u = Dense.RandomVector(c, 34);
            var f = new double[c];
            for (int i = 0; i < data.Count; i++)
            {
                var x = data.Input(i);
                var y = data.Target(i);
                var jacobian = Reference<BlockTanhNet, TLoss>.Jacobian(w, x, c);

                var fv = new double[c];
                BlockTanhNet.Jvp(w, x, f, v, fv);
                Dense.AssertClose(Reference<BlockTanhNet, TLoss>.Output(w, x, c), f, 1e-15);
                var expectedJv = new double[c];
                for (int k = 0; k < c; k++)
                    for (int p = 0; p < n; p++) expectedJv[k] += jacobian[k * n + p] * v[p];
                Dense.AssertClose(expectedJv, fv, 1e-8);

                var jtu = new double[n];
                BlockTanhNet.Vjp(w, x, f, u, jtu);
                var expectedJtu = new double[n];
                for (int p = 0; p < n; p++)
                    for (int k = 0; k < c; k++) expectedJtu[p] += jacobian[k * n + p] * u[k];
                Dense.AssertClose(expectedJtu, jtu, 1e-8);

                // The gradient against central differences of the loss.
                var gradient = new double[n];
                double loss = BlockTanhNet.LossGradient<TLoss>(w, x, f, y, gradient);
                Assert.Equal(BlockTanhNet.Loss<TLoss>(w, x, f, y), loss);
                var differenced = new double[n];
                var wp = (double[])w.Clone();
                for (int p = 0; p < n; p++)
                {
                    const double h = 1e-6;
                    wp[p] = w[p] + h;
                    double plus = BlockTanhNet.Loss<TLoss>(wp, x, f, y);
                    wp[p] = w[p] - h;
                    double minus = BlockTanhNet.Loss<TLoss>(wp, x, f, y);
                    wp[p] = w[p];
                    differenced[p] = (plus - minus) / (2 * h);
                }
                Dense.AssertClose(differenced, gradient, 1e-7);

                // H·v against the differenced gradient, G·v against Jᵀ H_ℓ J with J differenced, and the diagonals.
                var hessian = Reference<BlockTanhNet, TLoss>.Hessian(w, x, y);
                var ggn = Reference<BlockTanhNet, TLoss>.Ggn(w, x, y);
                var hv = new double[n];
                var g2 = new double[n];
                Assert.Equal(loss, BlockTanhNet.LossHvp<TLoss>(w, x, f, y, v, g2, hv));
                Dense.AssertBitIdentical(gradient, g2);
                Dense.AssertClose(Dense.Multiply(hessian, n, v), hv, 1e-6);
                var gv = new double[n];
                Assert.Equal(loss, BlockTanhNet.Ggnvp<TLoss>(w, x, f, y, v, gv));
                Dense.AssertClose(Dense.Multiply(ggn, n, v), gv, 1e-6);
                var diagonal = new double[n];
                BlockTanhNet.GgnDiagonal<TLoss>(w, x, f, y, diagonal);
                Dense.AssertClose(Reference<BlockTanhNet, TLoss>.Diagonal(ggn, n), diagonal, 1e-6);
                BlockTanhNet.LossHessianDiagonal<TLoss>(w, x, f, y, diagonal);
                Dense.AssertClose(Reference<BlockTanhNet, TLoss>.Diagonal(hessian, n), diagonal, 1e-6);

                // The accumulating members add exactly what the overwriting ones write.
                var start = Dense.RandomVector(n, 35 + (ulong)i);
                var sum = (double[])start.Clone();
                BlockTanhNet.LossGradientAccumulate<TLoss>(w, x, f, y, sum);
                Dense.AssertClose(start.Zip(gradient, (a, b) => a + b).ToArray(), sum, 1e-14);
                sum = (double[])start.Clone();
                BlockTanhNet.GgnvpAccumulate<TLoss>(w, x, f, y, v, sum);
                Dense.AssertClose(start.Zip(gv, (a, b) => a + b).ToArray(), sum, 1e-14);
                sum = (double[])start.Clone();
                BlockTanhNet.LossHvpAccumulate<TLoss>(w, x, f, y, v, new double[n], sum);
                Dense.AssertClose(start.Zip(hv, (a, b) => a + b).ToArray(), sum, 1e-14);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    /// <summary>A data set of <paramref name="count"/> samples with targets suited to <typeparamref name="TLoss"/>.</summary>
    private static Dataset Data<TLoss>(int count, ulong seed, int inputs, int outputs) where TLoss : struct, ILoss
    {
        if (typeof(TLoss) == typeof(SoftmaxCrossEntropy)) return Problem.Classification(count, seed, inputs, outputs);
        if (typeof(TLoss) == typeof(SigmoidBinaryCrossEntropy)) return Problem.Binary(count, seed, inputs, outputs);
        return Problem.Regression(count, seed, inputs, outputs);
    }

    private static bool HasBatched<TModel>() where TModel : IModel => TModel.HasBatchedMembers;

    /// <summary>The batched members of <typeparamref name="TModel"/> called through the interface (the default implementations included).</summary>
    private static class Members<TModel, TLoss> where TModel : IModel where TLoss : ILoss
    {
        public static double Loss(double[] w, SampleBlock[] x, SampleBlock[] f, SampleBlock[] y) => TModel.LossBatch<TLoss>(w, x, f, y);
        public static double Gradient(double[] w, SampleBlock[] x, SampleBlock[] f, SampleBlock[] y, double[] r) => TModel.LossGradientBatch<TLoss>(w, x, f, y, r);
        public static double Hvp(double[] w, SampleBlock[] x, SampleBlock[] f, SampleBlock[] y, double[] v, double[] r) => TModel.LossHvpBatch<TLoss>(w, x, f, y, v, r);
        public static double Ggnvp(double[] w, SampleBlock[] x, SampleBlock[] f, SampleBlock[] y, double[] v, double[] r) => TModel.GgnvpBatch<TLoss>(w, x, f, y, v, r);
    }

    /// <summary>A test body generic in the loss, so one theory covers the three built-in losses.</summary>
    private interface ILossAction
    {
        void Run<TLoss>() where TLoss : struct, ILoss;
    }

    private static void Dispatch<TAction>(string loss, TAction action) where TAction : ILossAction
    {
        switch (loss)
        {
            case "mse": action.Run<MeanSquaredError>(); break;
            case "softmax": action.Run<SoftmaxCrossEntropy>(); break;
            case "sigmoid": action.Run<SigmoidBinaryCrossEntropy>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss");
        }
    }
}

/// <summary><typeparamref name="TModel"/> with its batched members hidden: the operators take the per-sample path.</summary>
public readonly struct PerSampleOnly<TModel> : IModel where TModel : struct, IModel
{
    public static int InputSize => TModel.InputSize;
    public static int OutputSize => TModel.OutputSize;
    public static int ParameterCount => TModel.ParameterCount;
    public static bool HasAccumulatingMembers => TModel.HasAccumulatingMembers;

    public static void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output) => TModel.Forward(w, x, output);
    public static void Jvp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> tangent, Span<double> outputTangent) =>
        TModel.Jvp(w, x, output, tangent, outputTangent);
    public static void Vjp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> outputCotangent, Span<double> gradient) =>
        TModel.Vjp(w, x, output, outputCotangent, gradient);
    public static double Loss<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target) where TLoss : ILoss =>
        TModel.Loss<TLoss>(w, x, output, target);
    public static double LossGradient<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss =>
        TModel.LossGradient<TLoss>(w, x, output, target, gradient);
    public static double LossHvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss =>
        TModel.LossHvp<TLoss>(w, x, output, target, tangent, gradient, hessianVector);
    public static double Ggnvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss =>
        TModel.Ggnvp<TLoss>(w, x, output, target, tangent, result);
    public static double GgnDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
        TModel.GgnDiagonal<TLoss>(w, x, output, target, diagonal);
    public static double LossHessianDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
        TModel.LossHessianDiagonal<TLoss>(w, x, output, target, diagonal);
    public static double LossGradientAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss =>
        TModel.LossGradientAccumulate<TLoss>(w, x, output, target, gradient);
    public static double LossHvpAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss =>
        TModel.LossHvpAccumulate<TLoss>(w, x, output, target, tangent, gradient, hessianVector);
    public static double GgnvpAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss =>
        TModel.GgnvpAccumulate<TLoss>(w, x, output, target, tangent, result);
    public static double GgnDiagonalAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
        TModel.GgnDiagonalAccumulate<TLoss>(w, x, output, target, diagonal);
    public static double LossHessianDiagonalAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
        TModel.LossHessianDiagonalAccumulate<TLoss>(w, x, output, target, diagonal);
}

/// <summary>
/// <typeparamref name="TModel"/> with every member forwarded, counting the calls of the batched members and of the
/// per-sample loss members the operators make (thread-safe; one test uses it at a time).
/// </summary>
public readonly struct Counting<TModel> : IModel where TModel : struct, IModel
{
    private static int s_batched, s_perSample;

    public static int BatchedCalls => Volatile.Read(ref s_batched);
    public static int PerSampleCalls => Volatile.Read(ref s_perSample);

    public static void Reset()
    {
        Volatile.Write(ref s_batched, 0);
        Volatile.Write(ref s_perSample, 0);
    }

    private static void PerSample() => Interlocked.Increment(ref s_perSample);
    private static void Batched() => Interlocked.Increment(ref s_batched);

    public static int InputSize => TModel.InputSize;
    public static int OutputSize => TModel.OutputSize;
    public static int ParameterCount => TModel.ParameterCount;
    public static bool HasAccumulatingMembers => TModel.HasAccumulatingMembers;
    public static bool HasBatchedMembers => TModel.HasBatchedMembers;

    public static void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output) => TModel.Forward(w, x, output);
    public static void Jvp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> tangent, Span<double> outputTangent) =>
        TModel.Jvp(w, x, output, tangent, outputTangent);
    public static void Vjp(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> outputCotangent, Span<double> gradient) =>
        TModel.Vjp(w, x, output, outputCotangent, gradient);
    public static double Loss<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target) where TLoss : ILoss
    {
        PerSample();
        return TModel.Loss<TLoss>(w, x, output, target);
    }
    public static double LossGradient<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss
    {
        PerSample();
        return TModel.LossGradient<TLoss>(w, x, output, target, gradient);
    }
    public static double LossHvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss
    {
        PerSample();
        return TModel.LossHvp<TLoss>(w, x, output, target, tangent, gradient, hessianVector);
    }
    public static double Ggnvp<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss
    {
        PerSample();
        return TModel.Ggnvp<TLoss>(w, x, output, target, tangent, result);
    }
    public static double GgnDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
        TModel.GgnDiagonal<TLoss>(w, x, output, target, diagonal);
    public static double LossHessianDiagonal<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
        TModel.LossHessianDiagonal<TLoss>(w, x, output, target, diagonal);
    public static double LossGradientAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> gradient) where TLoss : ILoss
    {
        PerSample();
        return TModel.LossGradientAccumulate<TLoss>(w, x, output, target, gradient);
    }
    public static double LossHvpAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> gradient, Span<double> hessianVector) where TLoss : ILoss
    {
        PerSample();
        return TModel.LossHvpAccumulate<TLoss>(w, x, output, target, tangent, gradient, hessianVector);
    }
    public static double GgnvpAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss
    {
        PerSample();
        return TModel.GgnvpAccumulate<TLoss>(w, x, output, target, tangent, result);
    }
    public static double GgnDiagonalAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
        TModel.GgnDiagonalAccumulate<TLoss>(w, x, output, target, diagonal);
    public static double LossHessianDiagonalAccumulate<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> output, ReadOnlySpan<double> target, Span<double> diagonal) where TLoss : ILoss =>
        TModel.LossHessianDiagonalAccumulate<TLoss>(w, x, output, target, diagonal);
    public static double LossBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target) where TLoss : ILoss
    {
        Batched();
        return TModel.LossBatch<TLoss>(w, x, output, target);
    }
    public static double LossGradientBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, Span<double> gradient) where TLoss : ILoss
    {
        Batched();
        return TModel.LossGradientBatch<TLoss>(w, x, output, target, gradient);
    }
    public static double LossHvpBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, ReadOnlySpan<double> tangent, Span<double> hessianVector) where TLoss : ILoss
    {
        Batched();
        return TModel.LossHvpBatch<TLoss>(w, x, output, target, tangent, hessianVector);
    }
    public static double GgnvpBatch<TLoss>(ReadOnlySpan<double> w, ReadOnlySpan<SampleBlock> x, Span<SampleBlock> output, ReadOnlySpan<SampleBlock> target, ReadOnlySpan<double> tangent, Span<double> result) where TLoss : ILoss
    {
        Batched();
        return TModel.GgnvpBatch<TLoss>(w, x, output, target, tangent, result);
    }
}
