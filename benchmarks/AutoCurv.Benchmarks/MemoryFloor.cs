using System;
using System.Globalization;
using AutoCurv.CompilerServices;

namespace AutoCurv.Benchmarks;

/// <summary>
/// The memory traffic of W2's one-sample members with nothing else: only the kernel calls over the first layer's
/// weights (128 rows of 784 weights plus a bias, 803 KB per parameter-sized vector) that each member cannot avoid,
/// made with AutoCurv's own kernels, and no activation, loss or output layer. <c>dotnet run -c Release -- --floor
/// [--seconds 1]</c>. The ratios to the first row (one pass over w, the forward's traffic) show what the cache gives
/// each member: the forward streams 0.8 MB, which stays in the 2 MB L2 from call to call; the gradient streams w
/// and writes its result (1.6 MB, still in L2); G·v reads w and v and writes its result (2.4 MB); H·v reads w and v
/// and writes the gradient and H·v (3.2 MB), which no longer fits, so every call streams from L3.
/// </summary>
public static class MemoryFloor
{
    private const int D = 784, Hidden = 128, Stride = D + 1, N = Hidden * Stride;

    private static readonly double[] s_w = Filled(N, 0.37);
    private static readonly double[] s_v = Filled(N, 0.53);
    private static readonly double[] s_x = Filled(D, 1.3);
    private static readonly double[] s_g = new double[N];
    private static readonly double[] s_h = new double[N];

    public static int Run(string[] args)
    {
        int i = Array.IndexOf(args, "--seconds");
        double seconds = i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : 1;
        (string Name, string Traffic, Func<double> Run)[] cases =
        [
            ("forward: w·x per row", "read w", Forward),
            ("gradient: w·x, then g rows = δ·x", "read w, write g", Gradient),
            ("GGN·v: w·x and v·x (Dot2), then r rows", "read w, v, write r", Ggnvp),
            ("H·v: w·x and v·x (Dot2), then g and h rows", "read w, v, write g, h", Hvp),
        ];
        Console.WriteLine("| W2 first layer only | traffic (803 KB each) | median µs | ÷ first row |");
        Console.WriteLine("|---|---|---:|---:|");
        double first = 0;
        foreach (var (name, traffic, run) in cases)
        {
            Quick.Measurement m = Quick.Measure(run, seconds);
            if (first == 0) first = m.MedianUs;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {traffic} | {m.MedianUs:F2} | {m.MedianUs / first:F2} |"));
        }
        return 0;
    }

    private static double[] Filled(int n, double k)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = Math.Sin(k * i);
        return a;
    }

    private static double Forward()
    {
        double s = 0;
        for (int j = 0; j < Hidden; j++) s += Kernels.Dot(s_w.AsSpan(j * Stride, D), s_x);
        return s;
    }

    private static double Gradient() => Forward() + WriteRows(s_g, 1e-3);

    private static double TangentForward()
    {
        double s = 0;
        for (int j = 0; j < Hidden; j++)
        {
            var (a, b) = Kernels.Dot2(s_x, s_v.AsSpan(j * Stride, D), s_w.AsSpan(j * Stride, D));
            s += a + b;
        }
        return s;
    }

    private static double Ggnvp() => TangentForward() + WriteRows(s_g, 1e-3);

    /// <summary>As the generated H·v does: each row of h, then the same row of g.</summary>
    private static double Hvp()
    {
        double s = TangentForward();
        ulong[]? rentedG = null, rentedH = null;
        var touchedG = FirstTouch.Begin(s_g, ref rentedG);
        var touchedH = FirstTouch.Begin(s_h, ref rentedH);
        for (int j = Hidden - 1; j >= 0; j--)
        {
            FirstTouch.Axpy(2e-3 * j, s_x, s_h, j * Stride, touchedH);
            FirstTouch.Axpy(1e-3 * j, s_x, s_g, j * Stride, touchedG);
            FirstTouch.Add(s_h, j * Stride + D, 2e-3 * j, touchedH);
            FirstTouch.Add(s_g, j * Stride + D, 1e-3 * j, touchedG);
        }
        FirstTouch.ClearUntouched(s_g, touchedG);
        FirstTouch.ClearUntouched(s_h, touchedH);
        Scratch.Return(rentedG);
        Scratch.Return(rentedH);
        return s + s_g[7] + s_h[7];
    }

    /// <summary>The reverse sweep's writes of a lazily cleared result: z's rows = (scale·j)·x and biases, last row first.</summary>
    private static double WriteRows(double[] z, double scale)
    {
        ulong[]? rented = null;
        var touched = FirstTouch.Begin(z, ref rented);
        for (int j = Hidden - 1; j >= 0; j--)
        {
            FirstTouch.Axpy(scale * j, s_x, z, j * Stride, touched);
            FirstTouch.Add(z, j * Stride + D, scale * j, touched);
        }
        FirstTouch.ClearUntouched(z, touched);
        Scratch.Return(rented);
        return z[7];
    }
}
