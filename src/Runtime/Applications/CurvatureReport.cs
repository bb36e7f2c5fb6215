using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Xml;

namespace AutoCurv;

/// <summary>Settings of <see cref="CurvatureReport.Compute"/>. Every property has a working default.</summary>
public sealed record CurvatureReportOptions
{
    /// <summary>How many of the largest eigenvalues Lanczos resolves (at least 1). Default 5.</summary>
    public int TopEigenvalueCount { get; init; } = 5;

    /// <summary>The Hutch++ budget of operator products for the trace (at least 3). Default 90.</summary>
    public int TraceMatrixVectorProducts { get; init; } = 90;

    /// <summary>Lanczos steps per probe of the spectral density (at least 1). Default 30.</summary>
    public int DensitySteps { get; init; } = 30;

    /// <summary>Probes of the spectral density (at least 1). Default 10.</summary>
    public int DensityProbes { get; init; } = 10;

    /// <summary>
    /// Hutchinson probes for the diagonal when the operator is not an <see cref="ICurvatureOperator"/> (whose exact
    /// diagonal is used instead); 0 skips the diagonal statistics. Default 100.
    /// </summary>
    public int DiagonalSamples { get; init; } = 100;

    /// <summary>The quantile levels of the diagonal statistics, each in [0, 1]. Default 0.05, 0.25, 0.5, 0.75, 0.95.</summary>
    public IReadOnlyList<double> Quantiles { get; init; } = new[] { 0.05, 0.25, 0.5, 0.75, 0.95 };

    /// <summary>The seed of every random probe. Default 0.</summary>
    public int Seed { get; init; }

    internal void Validate(string paramName)
    {
        ApplicationGuard.Option(TopEigenvalueCount >= 1, nameof(TopEigenvalueCount), TopEigenvalueCount, "it must be at least 1", paramName);
        ApplicationGuard.Option(TraceMatrixVectorProducts >= 3, nameof(TraceMatrixVectorProducts), TraceMatrixVectorProducts, "it must be at least 3", paramName);
        ApplicationGuard.Option(DensitySteps >= 1, nameof(DensitySteps), DensitySteps, "it must be at least 1", paramName);
        ApplicationGuard.Option(DensityProbes >= 1, nameof(DensityProbes), DensityProbes, "it must be at least 1", paramName);
        ApplicationGuard.Option(DiagonalSamples >= 0, nameof(DiagonalSamples), DiagonalSamples, "it must be non-negative", paramName);
        ApplicationGuard.Option(Quantiles is not null, nameof(Quantiles), "null", "pass a list of levels (possibly empty)", paramName);
        foreach (double level in Quantiles!)
            ApplicationGuard.Option(level >= 0.0 && level <= 1.0, nameof(Quantiles), level.ToString(CultureInfo.InvariantCulture), "every level must lie in [0, 1]", paramName);
    }
}

/// <summary>The stage <see cref="CurvatureReport.Compute"/> is starting.</summary>
public enum CurvatureReportStage
{
    /// <summary>Lanczos for the top eigenvalues.</summary>
    TopEigenvalues,

    /// <summary>Hutch++ for the trace.</summary>
    Trace,

    /// <summary>Stochastic Lanczos quadrature for the spectral density.</summary>
    SpectralDensity,

    /// <summary>The diagonal and its statistics.</summary>
    Diagonal,

    /// <summary>Finished.</summary>
    Completed,
}

/// <summary>Summary statistics of a curvature diagonal.</summary>
/// <param name="Minimum">The smallest entry.</param>
/// <param name="Maximum">The largest entry.</param>
/// <param name="Mean">The mean entry (= trace / n for the exact diagonal).</param>
/// <param name="StandardDeviation">The population standard deviation of the entries.</param>
/// <param name="NegativeCount">How many entries are negative (possible for the Hessian).</param>
/// <param name="QuantileLevels">The levels asked for.</param>
/// <param name="Quantiles">The quantiles at those levels (linear interpolation between order statistics).</param>
public sealed record DiagonalStatistics(double Minimum, double Maximum, double Mean, double StandardDeviation, int NegativeCount,
    double[] QuantileLevels, double[] Quantiles)
{
    /// <summary>Computes the statistics of <paramref name="values"/>.</summary>
    /// <param name="values">The diagonal entries (at least one).</param>
    /// <param name="levels">Quantile levels, each in [0, 1].</param>
    /// <returns>The statistics.</returns>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty or a level is outside [0, 1].</exception>
    public static DiagonalStatistics Of(ReadOnlySpan<double> values, IReadOnlyList<double> levels)
    {
        if (values.IsEmpty) throw new ArgumentException($"'{nameof(values)}' is empty.", nameof(values));
        ArgumentNullException.ThrowIfNull(levels);
        var sorted = values.ToArray();
        Array.Sort(sorted);
        double sum = 0.0;
        int negative = 0;
        foreach (double v in sorted)
        {
            sum += v;
            if (v < 0.0) negative++;
        }
        double mean = sum / sorted.Length;
        double squares = 0.0;
        foreach (double v in sorted) squares += (v - mean) * (v - mean);
        var levelArray = new double[levels.Count];
        var quantiles = new double[levels.Count];
        for (int k = 0; k < levels.Count; k++)
        {
            double level = levels[k];
            if (!(level >= 0.0 && level <= 1.0))
                throw new ArgumentException($"'{nameof(levels)}' has the level {level}; every level must lie in [0, 1].", nameof(levels));
            levelArray[k] = level;
            double position = level * (sorted.Length - 1);
            int lower = (int)Math.Floor(position);
            int upper = Math.Min(lower + 1, sorted.Length - 1);
            double fraction = position - lower;
            quantiles[k] = sorted[lower] + fraction * (sorted[upper] - sorted[lower]);
        }
        return new DiagonalStatistics(sorted[0], sorted[^1], mean, Math.Sqrt(squares / sorted.Length), negative, levelArray, quantiles);
    }
}

/// <summary>Settings of <see cref="CurvatureReport.WriteSvg(TextWriter, SpectralPlotOptions?)"/>.</summary>
public sealed record SpectralPlotOptions
{
    /// <summary>The image width in pixels (at least 200). Default 640.</summary>
    public int Width { get; init; } = 640;

    /// <summary>The image height in pixels (at least 150). Default 400.</summary>
    public int Height { get; init; } = 400;

    /// <summary>Evaluation points of the density curve (at least 2). Default 400.</summary>
    public int Points { get; init; } = 400;

    /// <summary>
    /// The standard deviation σ of the Gaussian kernel that smooths the quadrature nodes; 0 picks 1% of the node
    /// range (or of max(|λ|, 1) when all nodes coincide). Default 0.
    /// </summary>
    public double Bandwidth { get; init; }

    /// <summary>Plot log₁₀ of the density (floored 10 decades below its peak), as spectra are usually shown. Default false.</summary>
    public bool LogScale { get; init; }

    /// <summary>The plot title. Default "Spectral density".</summary>
    public string Title { get; init; } = "Spectral density";

    internal void Validate(string paramName)
    {
        ApplicationGuard.Option(Width >= 200, nameof(Width), Width, "it must be at least 200", paramName);
        ApplicationGuard.Option(Height >= 150, nameof(Height), Height, "it must be at least 150", paramName);
        ApplicationGuard.Option(Points >= 2, nameof(Points), Points, "it must be at least 2", paramName);
        ApplicationGuard.Option(Bandwidth >= 0.0 && double.IsFinite(Bandwidth), nameof(Bandwidth), Bandwidth, "it must be non-negative and finite (0 for automatic)", paramName);
        ApplicationGuard.Option(Title is not null, nameof(Title), "null", "pass a string (possibly empty)", paramName);
    }
}

/// <summary>
/// A curvature report for a trained model: the top eigenvalues (Lanczos), the trace (Hutch++), the spectral density
/// (stochastic Lanczos quadrature) and statistics of the diagonal, from operator products alone. Build it with
/// <see cref="Compute"/>; write the density as a self-contained SVG plot with <see cref="WriteSvg(TextWriter, SpectralPlotOptions?)"/>.
/// </summary>
public sealed class CurvatureReport
{
    private CurvatureReport(int size, double[] topEigenvalues, double trace, SpectralDensity density, double[]? diagonal,
        bool diagonalEstimated, DiagonalStatistics? statistics)
    {
        Size = size;
        TopEigenvalues = topEigenvalues;
        Trace = trace;
        Density = density;
        Diagonal = diagonal;
        DiagonalIsEstimate = diagonalEstimated;
        DiagonalStatistics = statistics;
    }

    /// <summary>The dimension n of the operator.</summary>
    public int Size { get; }

    /// <summary>The largest distinct eigenvalues resolved, largest first (see <see cref="Lanczos.TopEigenvalues"/>).</summary>
    public double[] TopEigenvalues { get; }

    /// <summary>The Hutch++ estimate of the trace (exact when rank ≤ budget / 3).</summary>
    public double Trace { get; }

    /// <summary>The spectral density estimate (nodes and weights).</summary>
    public SpectralDensity Density { get; }

    /// <summary>The diagonal (exact for an <see cref="ICurvatureOperator"/>, else a Hutchinson estimate), or null when skipped.</summary>
    public double[]? Diagonal { get; }

    /// <summary>True when <see cref="Diagonal"/> is a Hutchinson estimate rather than exact.</summary>
    public bool DiagonalIsEstimate { get; }

    /// <summary>Statistics of <see cref="Diagonal"/>, or null when skipped.</summary>
    public DiagonalStatistics? DiagonalStatistics { get; }

    /// <summary>Computes the report for <paramref name="op"/>.</summary>
    /// <param name="op">A symmetric operator, typically a <see cref="HessianOperator{TModel, TLoss}"/> or <see cref="GgnOperator{TModel, TLoss}"/> at trained parameters.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="progress">Receives each stage as it starts, then <see cref="CurvatureReportStage.Completed"/>.</param>
    /// <param name="cancellationToken">Checked throughout.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="op"/> is null.</exception>
    /// <exception cref="ArgumentException">The operator has no rows, or a property of <paramref name="options"/> is out of range.</exception>
    public static CurvatureReport Compute(ILinearOperator op, CurvatureReportOptions? options = null,
        IProgress<CurvatureReportStage>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (op.Size <= 0) throw new ArgumentException($"The operator has Size {op.Size}; it needs at least one row.", nameof(op));
        options ??= new CurvatureReportOptions();
        options.Validate(nameof(options));
        int n = op.Size;

        progress?.Report(CurvatureReportStage.TopEigenvalues);
        var top = Lanczos.TopEigenvalues(op, options.TopEigenvalueCount, options.Seed, cancellationToken: cancellationToken);

        progress?.Report(CurvatureReportStage.Trace);
        double trace = HutchPlusPlus.Trace(op, options.TraceMatrixVectorProducts, options.Seed, cancellationToken);

        progress?.Report(CurvatureReportStage.SpectralDensity);
        var density = StochasticLanczosQuadrature.Density(op, options.DensitySteps, options.DensityProbes, options.Seed,
            cancellationToken: cancellationToken);

        progress?.Report(CurvatureReportStage.Diagonal);
        double[]? diagonal = null;
        bool estimated = false;
        if (op is ICurvatureOperator curvature)
        {
            diagonal = new double[n];
            curvature.Diagonal(diagonal);
        }
        else if (options.DiagonalSamples > 0)
        {
            diagonal = Hutchinson.Diagonal(op, options.DiagonalSamples, options.Seed, cancellationToken);
            estimated = true;
        }
        var statistics = diagonal is null ? null : DiagonalStatistics.Of(diagonal, options.Quantiles);

        progress?.Report(CurvatureReportStage.Completed);
        return new CurvatureReport(n, top, trace, density, diagonal, estimated, statistics);
    }

    /// <summary>
    /// Writes the spectral density, smoothed by a Gaussian kernel (<see cref="SpectralDensity.Evaluate"/>), as a
    /// self-contained SVG line plot: axes with tick labels (eigenvalue λ across, density up), a title and a caption
    /// with n, the trace and λ_max. Numbers use the invariant culture.
    /// </summary>
    /// <param name="writer">The destination; the SVG is written without an XML declaration.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="ArgumentException">A property of <paramref name="options"/> is out of range.</exception>
    public void WriteSvg(TextWriter writer, SpectralPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new SpectralPlotOptions();
        options.Validate(nameof(options));
        SpectralSvg.Write(writer, this, options);
    }

    /// <summary>Writes the SVG plot of <see cref="WriteSvg(TextWriter, SpectralPlotOptions?)"/> to a UTF-8 file, replacing it.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or a property of <paramref name="options"/> is out of range.</exception>
    public void WriteSvg(string path, SpectralPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0) throw new ArgumentException("The path is empty.", nameof(path));
        options ??= new SpectralPlotOptions();
        options.Validate(nameof(options));
        using var stream = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        SpectralSvg.Write(stream, this, options);
    }
}

/// <summary>Renders a <see cref="CurvatureReport"/>'s density as SVG.</summary>
internal static class SpectralSvg
{
    private const string Namespace = "http://www.w3.org/2000/svg";

    public static void Write(TextWriter writer, CurvatureReport report, SpectralPlotOptions options)
    {
        var density = report.Density;
        double[] nodes = density.Nodes;
        double lo = nodes.Length > 0 ? nodes[0] : 0.0, hi = nodes.Length > 0 ? nodes[^1] : 1.0;
        double range = hi - lo;
        double sigma = options.Bandwidth > 0.0 ? options.Bandwidth
            : range > 0.0 ? 0.01 * range : 0.01 * Math.Max(Math.Max(Math.Abs(lo), Math.Abs(hi)), 1.0);
        double xMin = lo - 3.0 * sigma, xMax = hi + 3.0 * sigma;

        int points = options.Points;
        var grid = new double[points];
        for (int k = 0; k < points; k++) grid[k] = xMin + (xMax - xMin) * k / (points - 1);
        var values = density.Evaluate(grid, sigma);
        double peak = 0.0;
        foreach (double v in values) peak = Math.Max(peak, v);
        if (options.LogScale)
        {
            double floor = peak > 0.0 ? peak * 1e-10 : 1e-300;
            for (int k = 0; k < points; k++) values[k] = Math.Log10(Math.Max(values[k], floor));
        }
        double yMin = options.LogScale ? double.PositiveInfinity : 0.0, yMax = double.NegativeInfinity;
        foreach (double v in values)
        {
            yMin = Math.Min(yMin, v);
            yMax = Math.Max(yMax, v);
        }
        if (!(yMax > yMin)) yMax = yMin + 1.0;

        var xTicks = NiceTicks(xMin, xMax, 6);
        var yTicks = NiceTicks(yMin, yMax, 5);
        // Extend the y range to whole ticks so the curve sits inside the labelled axis.
        yMin = Math.Min(yMin, yTicks[0]);
        yMax = Math.Max(yMax, yTicks[^1]);

        double width = options.Width, height = options.Height;
        double left = 70, right = 20, top = 50, bottom = 60;
        double plotWidth = width - left - right, plotHeight = height - top - bottom;
        double X(double x) => left + (x - xMin) / (xMax - xMin) * plotWidth;
        double Y(double y) => top + (1.0 - (y - yMin) / (yMax - yMin)) * plotHeight;

        var settings = new XmlWriterSettings { Indent = true, OmitXmlDeclaration = true, CloseOutput = false };
        using (var xml = XmlWriter.Create(writer, settings))
        {
            xml.WriteStartElement("svg", Namespace);
            xml.WriteAttributeString("width", Format(width));
            xml.WriteAttributeString("height", Format(height));
            xml.WriteAttributeString("viewBox", $"0 0 {Format(width)} {Format(height)}");
            xml.WriteAttributeString("font-family", "sans-serif");

            xml.WriteElementString("title", Namespace, options.Title);
            Rect(xml, 0, 0, width, height, "white", "none");

            // Title and caption.
            Text(xml, width / 2, 24, options.Title, 16, "middle", "title");
            string caption = string.Create(CultureInfo.InvariantCulture,
                $"n = {report.Size}, trace ≈ {Label(report.Trace)}, λmax ≈ {(report.TopEigenvalues.Length > 0 ? Label(report.TopEigenvalues[0]) : "n/a")}, σ = {Label(sigma)}");
            Text(xml, width / 2, 40, caption, 11, "middle", "caption");

            // Axes.
            Line(xml, left, top + plotHeight, left + plotWidth, top + plotHeight, "black", 1, "x-axis");
            Line(xml, left, top, left, top + plotHeight, "black", 1, "y-axis");

            foreach (double tick in xTicks)
            {
                if (tick < xMin - 1e-12 * (xMax - xMin) || tick > xMax + 1e-12 * (xMax - xMin)) continue;
                double x = X(tick);
                Line(xml, x, top + plotHeight, x, top + plotHeight + 5, "black", 1, "tick");
                Text(xml, x, top + plotHeight + 18, Label(tick), 11, "middle", "tick-label");
            }
            foreach (double tick in yTicks)
            {
                double y = Y(tick);
                Line(xml, left - 5, y, left, y, "black", 1, "tick");
                Line(xml, left, y, left + plotWidth, y, "#e0e0e0", 1, "grid");
                Text(xml, left - 8, y + 4, Label(tick), 11, "end", "tick-label");
            }

            Text(xml, left + plotWidth / 2, height - 15, "eigenvalue λ", 12, "middle", "axis-label");
            xml.WriteStartElement("text", Namespace);
            xml.WriteAttributeString("x", Format(18));
            xml.WriteAttributeString("y", Format(top + plotHeight / 2));
            xml.WriteAttributeString("font-size", "12");
            xml.WriteAttributeString("text-anchor", "middle");
            xml.WriteAttributeString("transform", $"rotate(-90 {Format(18)} {Format(top + plotHeight / 2)})");
            xml.WriteAttributeString("class", "axis-label");
            xml.WriteString(options.LogScale ? "log₁₀ density" : "density");
            xml.WriteEndElement();

            var polyline = new StringBuilder();
            for (int k = 0; k < points; k++)
            {
                if (k > 0) polyline.Append(' ');
                polyline.Append(Format(X(grid[k]))).Append(',').Append(Format(Y(values[k])));
            }
            xml.WriteStartElement("polyline", Namespace);
            xml.WriteAttributeString("class", "density");
            xml.WriteAttributeString("fill", "none");
            xml.WriteAttributeString("stroke", "#1f77b4");
            xml.WriteAttributeString("stroke-width", "1.5");
            xml.WriteAttributeString("points", polyline.ToString());
            xml.WriteEndElement();

            xml.WriteEndElement();
        }
        writer.WriteLine();
        writer.Flush();
    }

    private static void Rect(XmlWriter xml, double x, double y, double w, double h, string fill, string stroke)
    {
        xml.WriteStartElement("rect", Namespace);
        xml.WriteAttributeString("x", Format(x));
        xml.WriteAttributeString("y", Format(y));
        xml.WriteAttributeString("width", Format(w));
        xml.WriteAttributeString("height", Format(h));
        xml.WriteAttributeString("fill", fill);
        xml.WriteAttributeString("stroke", stroke);
        xml.WriteEndElement();
    }

    private static void Line(XmlWriter xml, double x1, double y1, double x2, double y2, string stroke, double strokeWidth, string cssClass)
    {
        xml.WriteStartElement("line", Namespace);
        xml.WriteAttributeString("class", cssClass);
        xml.WriteAttributeString("x1", Format(x1));
        xml.WriteAttributeString("y1", Format(y1));
        xml.WriteAttributeString("x2", Format(x2));
        xml.WriteAttributeString("y2", Format(y2));
        xml.WriteAttributeString("stroke", stroke);
        xml.WriteAttributeString("stroke-width", Format(strokeWidth));
        xml.WriteEndElement();
    }

    private static void Text(XmlWriter xml, double x, double y, string content, int size, string anchor, string cssClass)
    {
        xml.WriteStartElement("text", Namespace);
        xml.WriteAttributeString("class", cssClass);
        xml.WriteAttributeString("x", Format(x));
        xml.WriteAttributeString("y", Format(y));
        xml.WriteAttributeString("font-size", size.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("text-anchor", anchor);
        xml.WriteString(content);
        xml.WriteEndElement();
    }

    /// <summary>A coordinate: two decimals, invariant culture.</summary>
    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A data value: four significant digits, invariant culture.</summary>
    private static string Label(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>About <paramref name="target"/> round ticks (1, 2 or 5 × 10^k apart) covering [lo, hi].</summary>
    private static double[] NiceTicks(double lo, double hi, int target)
    {
        double span = hi - lo;
        if (!(span > 0.0) || !double.IsFinite(span)) return new[] { lo };
        double raw = span / target;
        double magnitude = Math.Pow(10.0, Math.Floor(Math.Log10(raw)));
        double fraction = raw / magnitude;
        double step = (fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 5.0 ? 5.0 : 10.0) * magnitude;
        long first = (long)Math.Floor(lo / step + 1e-9), last = (long)Math.Ceiling(hi / step - 1e-9);
        var ticks = new List<double>();
        for (long k = first; k <= last && ticks.Count < 100; k++) ticks.Add(k * step);
        return ticks.ToArray();
    }
}
