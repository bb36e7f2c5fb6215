using System;
using System.Runtime.Intrinsics;
using AutoCurv.CompilerServices;
using Xunit;

namespace AutoCurv.Runtime.Tests.CompilerServices;

/// <summary>
/// The lane helpers of the dense Hessian and exact-diagonal drivers (<see cref="Lanes"/>), the recorded loss Hessian
/// of their tangent passes (<see cref="LossCalls.RecordHessian{TLoss, T}"/>) and the tape they read
/// (<see cref="ValueStack{T}.Recorded"/>), each against plain loops.
/// </summary>
public class LanesTests
{
    /// <summary>Lanes around the vector (in and out of range by a little and a lot) for <see cref="Lanes.Unit{T}"/>.</summary>
    private static readonly int[] s_unitLanes = [int.MinValue, int.MinValue + 1, -1000, -17, -16, -9, -8, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 1000, int.MaxValue - 1, int.MaxValue];

    [Fact]
    public void Unit_is_1_in_its_lane_and_0_elsewhere_bit_for_bit()
    {
        foreach (int lane in s_unitLanes)
        {
            var expected = new double[Vector256<double>.Count];
            if (lane >= 0 && lane < expected.Length) expected[lane] = 1.0;
            Assert.Equal(Vector256.Create(expected).AsUInt64(), Lanes.Unit<double>(lane).AsUInt64());
            var expectedF = new float[Vector256<float>.Count];
            if (lane >= 0 && lane < expectedF.Length) expectedF[lane] = 1f;
            Assert.Equal(Vector256.Create(expectedF).AsUInt32(), Lanes.Unit<float>(lane).AsUInt32());
        }
    }

    /// <summary>
    /// Seed and Advance for offsets and blocks whose differences overflow an int: each element is the unit vector of
    /// its lane computed exactly (in long), or 0 (the drivers never pass such values; the methods must stay in bounds).
    /// </summary>
    [Theory]
    [InlineData(9, int.MaxValue - 3, 8)]
    [InlineData(9, int.MaxValue, 4)]
    [InlineData(9, 0, int.MaxValue - 5)]
    [InlineData(9, int.MinValue, 4)]
    [InlineData(9, -6, 4)]
    [InlineData(9, 5, int.MinValue + 4)]
    [InlineData(0, 3, 4)]
    public void Seed_and_Advance_compute_lanes_exactly_for_extreme_offsets(int length, int offset, int block)
    {
        var seeds = new Vector256<double>[length];
        var advanced = new Vector256<double>[length];
        Array.Fill(seeds, Vector256.Create(double.NaN));
        Lanes.Seed<double>(seeds, offset, block);
        Lanes.Seed<double>(advanced, offset, block - Vector256<double>.Count);
        Lanes.Advance<double>(advanced, offset, block);
        for (int i = 0; i < length; i++)
        {
            long lane = (long)offset + i - block;
            for (int l = 0; l < Vector256<double>.Count; l++)
            {
                Assert.Equal(lane == l ? 1.0 : 0.0, seeds[i].GetElement(l));
                Assert.Equal(lane == l ? 1.0 : 0.0, advanced[i].GetElement(l));
            }
        }
    }

    /// <summary>Seed spans: shorter than a block, around the vector width, long (rented in the drivers), with offsets.</summary>
    public static TheoryData<int, int> SeedShapes() => new()
    {
        { 1, 0 }, { 3, 0 }, { 4, 0 }, { 5, 2 }, { 9, 1 }, { 17, 0 }, { 131, 0 }, { 70, 3 }, { 8, 13 },
    };

    [Theory]
    [MemberData(nameof(SeedShapes))]
    public void Advance_leaves_the_seeds_of_every_block_as_Seed_writes_them(int length, int offset)
    {
        int n = offset + length + 2;
        var advanced = new Vector256<double>[length];
        Array.Fill(advanced, Vector256.Create(double.NaN)); // block 0 must overwrite everything
        var seeded = new Vector256<double>[length];
        for (int block = 0; block < n; block += Vector256<double>.Count)
        {
            Lanes.Advance<double>(advanced, offset, block);
            Lanes.Seed<double>(seeded, offset, block);
            for (int i = 0; i < length; i++)
            {
                for (int l = 0; l < Vector256<double>.Count; l++)
                {
                    double expected = offset + i == block + l ? 1.0 : 0.0;
                    Assert.Equal(expected, advanced[i].GetElement(l));
                    Assert.Equal(seeded[i].GetElement(l), advanced[i].GetElement(l));
                }
            }
        }
    }

    [Fact]
    public void Advance_works_for_float_lanes()
    {
        var seeds = new Vector256<float>[20];
        for (int block = 0; block < 23; block += Vector256<float>.Count)
        {
            Lanes.Advance<float>(seeds, 3, block);
            for (int i = 0; i < seeds.Length; i++)
                for (int l = 0; l < Vector256<float>.Count; l++)
                    Assert.Equal(3 + i == block + l ? 1f : 0f, seeds[i].GetElement(l));
        }
    }

    /// <summary>Row counts 1–4 (a last block), lengths with and without a remainder of 4, a column offset.</summary>
    public static TheoryData<int, int, int> RowShapes() => new()
    {
        { 4, 131, 0 }, { 3, 131, 0 }, { 1, 5, 2 }, { 2, 8, 1 }, { 4, 4, 3 }, { 4, 1, 0 }, { 4, 0, 0 }, { 0, 7, 0 }, { 4, 17, 5 },
    };

    [Theory]
    [MemberData(nameof(RowShapes))]
    public void StoreRows_writes_lane_l_of_element_i_at_row_l_column_i(int rows, int length, int column)
    {
        var random = new Random(rows * 1000 + length * 10 + column);
        var lanes = new Vector256<double>[length];
        for (int i = 0; i < length; i++)
            lanes[i] = Vector256.Create(random.NextDouble(), random.NextDouble(), random.NextDouble(), random.NextDouble());
        int stride = column + length + 3, firstRow = 2;
        var matrix = new double[(firstRow + 5) * stride];
        Array.Fill(matrix, -7.0);
        var expected = (double[])matrix.Clone();
        for (int l = 0; l < rows; l++)
            for (int i = 0; i < length; i++)
                expected[(firstRow + l) * stride + column + i] = lanes[i].GetElement(l);
        Lanes.StoreRows<double>(lanes, matrix, firstRow, rows, stride, column);
        Assert.Equal(expected, matrix);
    }

    [Fact]
    public void StoreRows_works_for_float_lanes()
    {
        var lanes = new Vector256<float>[11];
        for (int i = 0; i < lanes.Length; i++)
        {
            var v = Vector256<float>.Zero;
            for (int l = 0; l < Vector256<float>.Count; l++) v = v.WithElement(l, 100f * i + l);
            lanes[i] = v;
        }
        var matrix = new float[8 * 11];
        Lanes.StoreRows<float>(lanes, matrix, 0, 8, 11, 0);
        for (int l = 0; l < 8; l++)
            for (int i = 0; i < 11; i++)
                Assert.Equal(100f * i + l, matrix[l * 11 + i]);
    }

    [Fact]
    public void StoreRows_validates_its_arguments()
    {
        var lanes = new Vector256<double>[4];
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => Lanes.StoreRows<double>(lanes, new double[16], 0, 5, 4, 0)).ParamName);
        Assert.Equal("firstRow", Assert.Throws<ArgumentException>(() => Lanes.StoreRows<double>(lanes, new double[16], -1, 4, 4, 0)).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => Lanes.StoreRows<double>(lanes, new double[15], 0, 4, 4, 0)).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => Lanes.StoreRows<double>(lanes, new double[16], 1, 4, 4, 0)).ParamName);
    }

    [Fact]
    public void ValueStack_Recorded_holds_the_pushed_values_oldest_first()
    {
        var stack = ValueStack<double>.Create(capacity: 2);
        Assert.Equal(0, stack.Recorded.Length);
        for (int i = 0; i < 100; i++) stack.Push(i * 0.5); // grows past the first buffer
        var recorded = stack.Recorded;
        Assert.Equal(100, recorded.Length);
        for (int i = 0; i < 100; i++) Assert.Equal(i * 0.5, recorded[i]);
        stack.Dispose();
    }

    public static TheoryData<int> Counts() => new() { 1, 2, 3, 4, 7, 10, 200 };

    [Theory]
    [MemberData(nameof(Counts))]
    public void Recorded_loss_Hessian_times_lanes_matches_the_lane_wise_loss_Hessian_product(int c)
    {
        Check<SoftmaxCrossEntropy>(c, oneHot: true);
        Check<MeanSquaredError>(c, oneHot: false);
        Check<SigmoidBinaryCrossEntropy>(c, oneHot: true);
    }

    private static void Check<TLoss>(int c, bool oneHot) where TLoss : ILoss
    {
        var random = new Random(c);
        var output = new double[c];
        var target = new double[c];
        for (int i = 0; i < c; i++) output[i] = 3 * (2 * random.NextDouble() - 1);
        if (oneHot) target[random.Next(c)] = 1;
        else for (int i = 0; i < c; i++) target[i] = random.NextDouble();
        var vectors = new Vector256<double>[c];
        for (int i = 0; i < c; i++)
            vectors[i] = Vector256.Create(random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5);
        var start = new Vector256<double>[c];
        for (int i = 0; i < c; i++) start[i] = Vector256.Create((double)i, -i, 0.5, 2);

        var tape = ValueStack<double>.Create();
        tape.Push(42); // what the tape held before: the product reads from the slice it is given
        LossCalls.RecordHessian<TLoss, double>(output, target, ref tape);
        Assert.Equal(1 + c * c, tape.Count);
        var recorded = (Vector256<double>[])start.Clone();
        LossCalls.AccumulateRecordedHessianProduct<double>(tape.Recorded.Slice(1), vectors, 0.75, recorded);
        tape.Dispose();

        // Reference: the loss's own H_ℓ·v on every lane separately, with plain loops.
        var v = new double[c];
        var product = new double[c];
        for (int l = 0; l < Vector256<double>.Count; l++)
        {
            for (int i = 0; i < c; i++) v[i] = vectors[i].GetElement(l);
            TLoss.HessianVectorProduct<double>(output, target, v, product);
            for (int i = 0; i < c; i++)
            {
                double expected = start[i].GetElement(l) + 0.75 * product[i];
                Assert.True(Math.Abs(expected - recorded[i].GetElement(l)) <= 1e-13 * Math.Max(1, Math.Abs(expected)),
                    $"{typeof(TLoss).Name}, C = {c}, lane {l}, element {i}: {recorded[i].GetElement(l)} vs {expected}");
            }
        }
    }

    [Fact]
    public void AccumulateRecordedHessianProduct_validates_lengths()
    {
        var vectors = new Vector256<double>[3];
        Assert.Equal("into", Assert.Throws<ArgumentException>(() => LossCalls.AccumulateRecordedHessianProduct<double>(new double[9], vectors, 1.0, new Vector256<double>[2])).ParamName);
        Assert.Equal("hessian", Assert.Throws<ArgumentException>(() => LossCalls.AccumulateRecordedHessianProduct<double>(new double[8], vectors, 1.0, new Vector256<double>[3])).ParamName);
    }
}
