using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using AutoCurv.CompilerServices;
using AutoCurv.Models;
using BenchmarkDotNet.Attributes;

namespace AutoCurv.Benchmarks;

/// <summary>
/// The hot calls of a batched MLP 784 → 128 → 10 member for one block of 16 samples, and the same work done by 16
/// calls of the scalar kernels (what the per-sample members do). Weights are laid out as in <see cref="Mlp.Forward"/>:
/// rows of d weights plus a bias, so every row slice starts at an arbitrary alignment.
/// </summary>
public sealed class KernelWorkload
{
    public const int D = 784, Hidden = 128, C = 10, B = SampleBlock.Size;

    private readonly double[] _w1 = new double[Hidden * (D + 1)];
    private readonly double[] _w2 = new double[C * (Hidden + 1)];
    private readonly double[] _g1 = new double[Hidden * (D + 1)];
    private readonly double[] _g2 = new double[C * (Hidden + 1)];
    private readonly double[] _rows = new double[B * D];            // 16 samples, row-major (the data set)
    private readonly double[][] _xs = new double[B][];             // each sample's x, for the scalar kernels
    private readonly double[][] _hs = new double[B][];             // each sample's hidden activations
    private readonly double[][] _dhs = new double[B][];            // each sample's hidden adjoints
    private readonly SampleBlock[] _x;                             // block layout
    private readonly SampleBlock[] _h;
    private readonly SampleBlock[] _pre;                           // hidden pre-activations (DotRows' result)
    private readonly SampleBlock[] _dh;
    private readonly SampleBlock[] _delta;                         // hidden pre-activation adjoints
    private readonly SampleBlock[] _dout;
    private readonly SampleBlock[] _z;                             // activation inputs (Tanh / Exp cases)

    /// <summary>Block arrays at a 64-byte boundary (<paramref name="aligned"/>) or where the GC puts them (8 or 16 bytes).</summary>
    public KernelWorkload(bool aligned = false)
    {
        _x = Blocks(D, aligned);
        _h = Blocks(Hidden, aligned);
        _pre = Blocks(Hidden, aligned);
        _dh = Blocks(Hidden, aligned);
        _delta = Blocks(Hidden, aligned);
        _dout = Blocks(C, aligned);
        _z = Blocks(Hidden, aligned);
        var random = new Random(42);
        Fill(_w1, random, 0.05);
        Fill(_w2, random, 0.1);
        Fill(_rows, random, 1);
        SampleBlock.Load(_rows, D, 0, _x);
        for (int b = 0; b < B; b++)
        {
            _xs[b] = _rows.AsSpan(b * D, D).ToArray();
            _hs[b] = new double[Hidden];
            _dhs[b] = new double[Hidden];
        }
        for (int j = 0; j < Hidden; j++)
            for (int b = 0; b < B; b++)
            {
                _h[j][b] = _hs[b][j] = Math.Tanh(random.NextDouble() - 0.5);
                _delta[j][b] = random.NextDouble() - 0.5;
            }
        for (int i = 0; i < C; i++)
            for (int b = 0; b < B; b++) _dout[i][b] = random.NextDouble() - 0.5;
        // Pre-activations of the size a trained tanh layer sees (|z| mostly below 3).
        for (int j = 0; j < Hidden; j++)
            for (int b = 0; b < B; b++) _z[j][b] = 6 * random.NextDouble() - 3;
    }

    /// <summary>
    /// A block array of <paramref name="n"/> elements; when aligned, a pinned array whose first element sits at a
    /// 64-byte boundary (allocated again until one does).
    /// </summary>
    private static SampleBlock[] Blocks(int n, bool aligned)
    {
        if (!aligned) return new SampleBlock[n];
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            var a = GC.AllocateArray<SampleBlock>(n, pinned: true);
            if ((nint)Marshal.UnsafeAddrOfPinnedArrayElement(a, 0) % 64 == 0) return a;
        }
        throw new InvalidOperationException("No 64-byte aligned array after 1000 attempts.");
    }

    private static void Fill(double[] a, Random random, double scale)
    {
        for (int i = 0; i < a.Length; i++) a[i] = scale * (2 * random.NextDouble() - 1);
    }

    // ---- Layer 1 (784 × 128): the forward Dot and the gradient reduction Axpy ----

    public double Dot784Block()
    {
        SampleBlock s = default;
        for (int j = 0; j < Hidden; j++) s += Kernels.Dot(_w1.AsSpan(j * (D + 1), D), _x);
        return s[0];
    }

    public double Dot784Scalar()
    {
        double s = 0;
        for (int j = 0; j < Hidden; j++)
            for (int b = 0; b < B; b++) s += Kernels.Dot(_w1.AsSpan(j * (D + 1), D), _xs[b]);
        return s;
    }

    public double Axpy784Block()
    {
        for (int j = 0; j < Hidden; j++) Kernels.Axpy(_delta[j], _x, _g1.AsSpan(j * (D + 1), D));
        return _g1[0];
    }

    public double Axpy784Scalar()
    {
        for (int j = 0; j < Hidden; j++)
            for (int b = 0; b < B; b++) Kernels.Axpy(_delta[j][b], _xs[b], _g1.AsSpan(j * (D + 1), D));
        return _g1[0];
    }

    // The same two as one call for all 128 rows (the generator hoists the row loop of a dense layer).

    public double DotRows784()
    {
        Kernels.DotRows(_w1, 0, D + 1, _x, _pre);
        return _pre[0][0];
    }

    public double AxpyRows784()
    {
        Kernels.AxpyRows(_delta, _x, _g1, 0, D + 1);
        return _g1[0];
    }

    // ---- Layer 2 (128 × 10): Dot, the reduction Axpy, and the Axpy into the hidden adjoint blocks ----

    public double Dot128Block()
    {
        SampleBlock s = default;
        for (int i = 0; i < C; i++) s += Kernels.Dot(_w2.AsSpan(i * (Hidden + 1), Hidden), _h);
        return s[0];
    }

    public double Dot128Scalar()
    {
        double s = 0;
        for (int i = 0; i < C; i++)
            for (int b = 0; b < B; b++) s += Kernels.Dot(_w2.AsSpan(i * (Hidden + 1), Hidden), _hs[b]);
        return s;
    }

    public double Axpy128Block()
    {
        for (int i = 0; i < C; i++) Kernels.Axpy(_dout[i], _h, _g2.AsSpan(i * (Hidden + 1), Hidden));
        return _g2[0];
    }

    public double Axpy128Scalar()
    {
        for (int i = 0; i < C; i++)
            for (int b = 0; b < B; b++) Kernels.Axpy(_dout[i][b], _hs[b], _g2.AsSpan(i * (Hidden + 1), Hidden));
        return _g2[0];
    }

    public double DotRows128()
    {
        Span<SampleBlock> output = stackalloc SampleBlock[C];
        Kernels.DotRows(_w2, 0, Hidden + 1, _h, output);
        return output[0][0];
    }

    public double AxpyRows128()
    {
        Kernels.AxpyRows(_dout, _h, _g2, 0, Hidden + 1);
        return _g2[0];
    }

    public double AxpyIntoBlocks128()
    {
        _dh.AsSpan().Clear();
        for (int i = 0; i < C; i++) Kernels.Axpy(_dout[i], _w2.AsSpan(i * (Hidden + 1), Hidden), _dh);
        return _dh[0][0];
    }

    public double AxpyIntoBlocks128Scalar()
    {
        for (int b = 0; b < B; b++)
        {
            _dhs[b].AsSpan().Clear();
            for (int i = 0; i < C; i++) Kernels.Axpy(_dout[i][b], _w2.AsSpan(i * (Hidden + 1), Hidden), _dhs[b]);
        }
        return _dhs[0][0];
    }

    // ---- Activations: SampleBlock.Tanh / Exp on the 128 hidden blocks, and the 16 × 128 System.Math calls that
    // SampleBlock.Tanh / Exp made before they were vectorised (one call per lane) ----

    public double TanhBlocks128()
    {
        for (int j = 0; j < Hidden; j++) _h[j] = SampleBlock.Tanh(_z[j]);
        return _h[0][0];
    }

    public double TanhMath16x128()
    {
        for (int j = 0; j < Hidden; j++)
            for (int b = 0; b < B; b++) _h[j][b] = Math.Tanh(_z[j][b]);
        return _h[0][0];
    }

    public double ExpBlocks128()
    {
        for (int j = 0; j < Hidden; j++) _dh[j] = SampleBlock.Exp(_z[j]);
        return _dh[0][0];
    }

    public double ExpMath16x128()
    {
        for (int j = 0; j < Hidden; j++)
            for (int b = 0; b < B; b++) _dh[j][b] = Math.Exp(_z[j][b]);
        return _dh[0][0];
    }

    // ---- Block layout ----

    public double Load784()
    {
        SampleBlock.Load(_rows, D, 0, _x);
        return _x[D - 1][B - 1];
    }

    /// <summary>(name, block call, the scalar kernels doing the same work 16 times, weights touched per call).</summary>
    public IEnumerable<(string Name, Func<double> Block, Func<double>? Scalar, int Weights)> Cases()
    {
        yield return ("Dot(w row, x) 784 × 128 (forward)", Dot784Block, Dot784Scalar, D * Hidden);
        yield return ("Axpy(δ_j, x, g row) 784 × 128 (reduction)", Axpy784Block, Axpy784Scalar, D * Hidden);
        yield return ("DotRows(w, x) 784 × 128 (forward, one call)", DotRows784, Dot784Scalar, D * Hidden);
        yield return ("AxpyRows(δ, x, g) 784 × 128 (reduction, one call)", AxpyRows784, Axpy784Scalar, D * Hidden);
        yield return ("Dot(w row, h) 128 × 10", Dot128Block, Dot128Scalar, Hidden * C);
        yield return ("Axpy(δ_i, h, g row) 128 × 10 (reduction)", Axpy128Block, Axpy128Scalar, Hidden * C);
        yield return ("DotRows(w, h) 128 × 10 (one call)", DotRows128, Dot128Scalar, Hidden * C);
        yield return ("AxpyRows(δ, h, g) 128 × 10 (reduction, one call)", AxpyRows128, Axpy128Scalar, Hidden * C);
        yield return ("Axpy(δ_i, w row, dh) 128 × 10 (into blocks)", AxpyIntoBlocks128, AxpyIntoBlocks128Scalar, Hidden * C);
        yield return ("SampleBlock.Tanh × 128 hidden blocks (ns column: per block)", TanhBlocks128, TanhMath16x128, Hidden);
        yield return ("SampleBlock.Exp × 128 blocks (ns column: per block)", ExpBlocks128, ExpMath16x128, Hidden);
        yield return ("SampleBlock.Load 16 × 784", Load784, null, D);
    }
}

/// <summary>BenchmarkDotNet view of <see cref="KernelWorkload"/>: <c>dotnet run -c Release -- --filter '*BlockKernels*'</c>.</summary>
[MemoryDiagnoser]
public class BlockKernels
{
    [Params(false, true)] public bool Aligned { get; set; }

    private KernelWorkload _k = null!;

    [GlobalSetup] public void Setup() => _k = new KernelWorkload(Aligned);

    [Benchmark] public double Dot784Block() => _k.Dot784Block();
    [Benchmark] public double Dot784Scalar16() => _k.Dot784Scalar();
    [Benchmark] public double Axpy784Block() => _k.Axpy784Block();
    [Benchmark] public double Axpy784Scalar16() => _k.Axpy784Scalar();
    [Benchmark] public double DotRows784() => _k.DotRows784();
    [Benchmark] public double AxpyRows784() => _k.AxpyRows784();
    [Benchmark] public double Dot128Block() => _k.Dot128Block();
    [Benchmark] public double Dot128Scalar16() => _k.Dot128Scalar();
    [Benchmark] public double Axpy128Block() => _k.Axpy128Block();
    [Benchmark] public double Axpy128Scalar16() => _k.Axpy128Scalar();
    [Benchmark] public double DotRows128() => _k.DotRows128();
    [Benchmark] public double AxpyRows128() => _k.AxpyRows128();
    [Benchmark] public double AxpyIntoBlocks128() => _k.AxpyIntoBlocks128();
    [Benchmark] public double AxpyIntoBlocks128Scalar16() => _k.AxpyIntoBlocks128Scalar();
    [Benchmark] public double TanhBlocks128() => _k.TanhBlocks128();
    [Benchmark] public double TanhMath16x128() => _k.TanhMath16x128();
    [Benchmark] public double ExpBlocks128() => _k.ExpBlocks128();
    [Benchmark] public double ExpMath16x128() => _k.ExpMath16x128();
    [Benchmark] public double Load784() => _k.Load784();
}

/// <summary>
/// <c>dotnet run -c Release -- --kernels [--seconds 1]</c>: Stopwatch medians of <see cref="KernelWorkload"/>, as ns per
/// weight per block of 16 samples (the scalar column: 16 calls of the existing kernels, one per sample), with the
/// block arrays where the GC puts them and at a 64-byte boundary.
/// </summary>
public static class KernelQuick
{
    public static int Run(string[] args)
    {
        int i = Array.IndexOf(args, "--seconds");
        double seconds = i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : 1;
        var sb = new StringBuilder();
        foreach (bool aligned in new[] { false, true })
        {
            sb.AppendLine(aligned ? "Block arrays at a 64-byte boundary:" : "Block arrays where the GC puts them (8 or 16-byte aligned):");
            sb.AppendLine();
            Table(new KernelWorkload(aligned), seconds, sb);
            sb.AppendLine();
        }
        Console.WriteLine(sb.ToString().TrimEnd());
        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores, Vector512 accelerated = {Vector512.IsHardwareAccelerated}, " +
                          $"Vector256 accelerated = {Vector256.IsHardwareAccelerated}, .NET {Environment.Version}.");
        return 0;
    }

    private static void Table(KernelWorkload k, double seconds, StringBuilder sb)
    {
        sb.AppendLine("| kernel (one block of 16 samples) | block µs (median / min) | ns / weight / block | 16 × scalar µs (median / min) | ns / weight / 16 samples | speed-up |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, block, scalar, weights) in k.Cases())
        {
            Quick.Measurement mb = Quick.Measure(block, seconds);
            Quick.Measurement? ms = scalar is null ? null : Quick.Measure(scalar, seconds);
            string s = ms is null ? "| — | — | — |"
                : $"| {ms.MedianUs:F2} / {ms.MinUs:F2} | {ms.MedianUs * 1000 / weights:F3} | {ms.MedianUs / mb.MedianUs:F2}× |";
            sb.AppendLine($"| {name} | {mb.MedianUs:F2} / {mb.MinUs:F2} | {mb.MedianUs * 1000 / weights:F3} {s}");
            Console.Error.WriteLine($"{name}: {mb.MedianUs:F2} µs ({mb.BytesPerCall:F0} B/call){(ms is null ? "" : $", scalar {ms.MedianUs:F2} µs")}");
        }
    }
}
