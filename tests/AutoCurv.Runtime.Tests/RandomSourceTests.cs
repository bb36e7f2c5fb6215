using System;
using AutoCurv;
using Xunit;

namespace AutoCurv.Runtime.Tests;

public sealed class RandomSourceTests
{
    private const int Draws = 1_000_000;

    /// <summary>SplitMix64 seeding + xoshiro256** written out again from the published algorithm, as a reference.</summary>
    private static ulong[] ReferenceStream(ulong seed, int count)
    {
        ulong x = seed;
        ulong Next()
        {
            unchecked
            {
                x += 0x9E3779B97F4A7C15UL;
                ulong z = x;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }
        ulong[] s = { Next(), Next(), Next(), Next() };
        var result = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            unchecked
            {
                result[i] = ulong.RotateLeft(s[1] * 5, 7) * 9;
                ulong t = s[1] << 17;
                s[2] ^= s[0];
                s[3] ^= s[1];
                s[1] ^= s[2];
                s[0] ^= s[3];
                s[2] ^= t;
                s[3] = ulong.RotateLeft(s[3], 45);
            }
        }
        return result;
    }

    [Theory, InlineData(0UL), InlineData(1UL), InlineData(0xDEADBEEFUL), InlineData(ulong.MaxValue)]
    public void StreamIsXoshiro256StarStarSeededBySplitMix64(ulong seed)
    {
        var random = new RandomSource(seed);
        foreach (ulong expected in ReferenceStream(seed, 1000)) Assert.Equal(expected, random.NextUInt64());
    }

    [Fact]
    public void SplitMix64FirstOutputForSeedZeroIsThePublishedValue()
    {
        // SplitMix64's first output for state 0 (Vigna's reference implementation) seeds s0.
        Assert.Equal(0xE220A8397B1DCDAFUL, ReferenceSplitMixFirst(0));
        static ulong ReferenceSplitMixFirst(ulong x)
        {
            unchecked
            {
                ulong z = x + 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }
    }

    [Fact]
    public void SameSeedSameStreamDifferentSeedDifferentStream()
    {
        var a = new RandomSource(17);
        var b = new RandomSource(17);
        var c = new RandomSource(18);
        int equalToOther = 0;
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(a.NextDouble(), b.NextDouble());
            Assert.Equal(a.NextGaussian(), b.NextGaussian());
            Assert.Equal(a.NextInt(10), b.NextInt(10));
            if (a.NextUInt64() == c.NextUInt64()) equalToOther++;
            b.NextUInt64();
        }
        Assert.True(equalToOther < 5);
    }

    [Fact]
    public void NextDoubleIsUniformOnTheHalfOpenUnitInterval()
    {
        var random = new RandomSource(3);
        double sum = 0;
        for (int i = 0; i < Draws; i++)
        {
            double u = random.NextDouble();
            Assert.True(u >= 0.0 && u < 1.0, $"draw {u} outside [0, 1)");
            sum += u;
        }
        // Uniform(0, 1): mean 1/2, variance 1/12.
        double bound = 5 * Math.Sqrt(1.0 / 12 / Draws);
        Assert.True(Math.Abs(sum / Draws - 0.5) <= bound, $"mean {sum / Draws}, bound {bound:E3}");
    }

    [Fact]
    public void NextDoubleUsesTheTop53Bits()
    {
        var random = new RandomSource(9);
        var reference = new RandomSource(9);
        for (int i = 0; i < 100; i++)
            Assert.Equal((reference.NextUInt64() >> 11) * Math.Pow(2, -53), random.NextDouble());
    }

    [Fact]
    public void NextGaussianHasStandardNormalMoments()
    {
        var random = new RandomSource(4);
        double sum = 0, sumSquares = 0;
        int beyondTwo = 0;
        for (int i = 0; i < Draws; i++)
        {
            double z = random.NextGaussian();
            Assert.True(double.IsFinite(z));
            sum += z;
            sumSquares += z * z;
            if (Math.Abs(z) > 2) beyondTwo++;
        }
        double mean = sum / Draws;
        double variance = sumSquares / Draws - mean * mean;
        // SE of the mean is 1/√N; of the variance √(2/N) for a normal (fourth moment 3).
        Assert.True(Math.Abs(mean) <= 5 / Math.Sqrt(Draws), $"mean {mean}");
        Assert.True(Math.Abs(variance - 1) <= 5 * Math.Sqrt(2.0 / Draws), $"variance {variance}");
        // P(|Z| > 2) = erfc(√2) = 0.0455002638..., a Bernoulli proportion with SE √(q(1−q)/N).
        const double q = 0.04550026389635842;
        Assert.True(Math.Abs((double)beyondTwo / Draws - q) <= 5 * Math.Sqrt(q * (1 - q) / Draws), $"tail {beyondTwo}");
    }

    [Fact]
    public void NextIntIsUniformOverItsRange()
    {
        var random = new RandomSource(6);
        var counts = new int[7];
        for (int i = 0; i < Draws; i++) counts[random.NextInt(7)]++;
        double p = 1.0 / 7, bound = 5 * Math.Sqrt(p * (1 - p) / Draws);
        foreach (int n in counts) Assert.True(Math.Abs((double)n / Draws - p) <= bound, $"count {n}");
        Assert.Throws<ArgumentOutOfRangeException>("maxExclusive", () => new RandomSource(1).NextInt(0));
    }
}
