using System.Globalization;
using System.Xml.Linq;
using AutoCurv;
using AutoCurv.Applications.Tests.Models;
using AutoCurv.Applications.Tests.Support;
using MathNet.Numerics.LinearAlgebra;

namespace AutoCurv.Applications.Tests;

public class CurvatureReportTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static double[] WithSpectrum(double[] eigenvalues, ulong seed)
    {
        int n = eigenvalues.Length;
        var q = Matrix<double>.Build.DenseOfRowMajor(n, n, Reference.RandomVector(n * n, seed)).QR().Q;
        var a = q * Matrix<double>.Build.DenseOfDiagonalArray(eigenvalues) * q.Transpose();
        return (0.5 * (a + a.Transpose())).ToRowMajorArray();
    }

    [Fact]
    public void ReportMatchesDenseReferences()
    {
        var eigenvalues = Enumerable.Range(0, 20).Select(i => 50.0 * Math.Pow(0.6, i)).ToArray();
        eigenvalues[19] = -0.5;
        var matrix = WithSpectrum(eigenvalues, 3);
        var op = new DenseOperator(matrix, 20);
        var stages = new ListProgress<CurvatureReportStage>();
        var report = CurvatureReport.Compute(op, new CurvatureReportOptions { TopEigenvalueCount = 3, TraceMatrixVectorProducts = 63 }, stages);

        Assert.Equal(20, report.Size);
        Reference.AssertClose(eigenvalues.Take(3).ToArray(), report.TopEigenvalues, 1e-9);
        Reference.AssertRelative(eigenvalues.Sum(), report.Trace, 1e-9); // rank ≤ 63 / 3: Hutch++ is exact
        Assert.Equal(1.0, report.Density.Weights.Sum(), 12);
        Assert.Equal(20, report.Density.Size);
        Assert.All(report.Density.Nodes, node => Assert.InRange(node, -0.5 - 1e-9, 50.0 + 1e-9));
        Assert.Equal(new[] { CurvatureReportStage.TopEigenvalues, CurvatureReportStage.Trace, CurvatureReportStage.SpectralDensity, CurvatureReportStage.Diagonal, CurvatureReportStage.Completed }, stages.Items);

        // Not an ICurvatureOperator: the diagonal is a Hutchinson estimate.
        Assert.True(report.DiagonalIsEstimate);
        Assert.NotNull(report.Diagonal);
    }

    [Fact]
    public void DiagonalStatisticsOfCurvatureOperatorAreExact()
    {
        var data = new Dataset(Reference.RandomVector(30 * 3, 1), Reference.RandomVector(30 * 2, 2), 30);
        var w = Reference.RandomVector(TanhModel.ParameterCount(3, 2), 3);
        var op = new HessianOperator<TanhModel, MeanSquaredError>(w, data);
        var report = CurvatureReport.Compute(op, new CurvatureReportOptions { Quantiles = new[] { 0.0, 0.5, 0.9, 1.0 } });
        Assert.False(report.DiagonalIsEstimate);

        var dense = Reference.FiniteDifferenceHessian<TanhModel, MeanSquaredError>(w, data);
        int n = w.Length;
        var diagonal = Enumerable.Range(0, n).Select(q => dense[q * n + q]).ToArray();
        Reference.AssertClose(diagonal, report.Diagonal!, 1e-6);

        var sorted = report.Diagonal!.OrderBy(v => v).ToArray();
        var stats = report.DiagonalStatistics!;
        Assert.Equal(sorted[0], stats.Minimum);
        Assert.Equal(sorted[^1], stats.Maximum);
        Assert.Equal(sorted.Average(), stats.Mean, 12);
        Assert.Equal(Math.Sqrt(sorted.Select(v => (v - sorted.Average()) * (v - sorted.Average())).Average()), stats.StandardDeviation, 12);
        Assert.Equal(sorted.Count(v => v < 0), stats.NegativeCount);
        Assert.Equal(new[] { 0.0, 0.5, 0.9, 1.0 }, stats.QuantileLevels);
        Assert.Equal(sorted[0], stats.Quantiles[0]);
        Assert.Equal(sorted[^1], stats.Quantiles[3]);
        // Type-7 quantiles (linear interpolation), as MathNet computes them.
        Assert.Equal(MathNet.Numerics.Statistics.SortedArrayStatistics.QuantileCustom(sorted, 0.5, MathNet.Numerics.Statistics.QuantileDefinition.R7), stats.Quantiles[1], 12);
        Assert.Equal(MathNet.Numerics.Statistics.SortedArrayStatistics.QuantileCustom(sorted, 0.9, MathNet.Numerics.Statistics.QuantileDefinition.R7), stats.Quantiles[2], 12);

        var top = Matrix<double>.Build.DenseOfRowMajor(n, n, dense).Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).Max();
        Reference.AssertRelative(top, report.TopEigenvalues[0], 1e-6);
    }

    private static CurvatureReport SmallReport()
    {
        var eigenvalues = new[] { 10.0, 4.0, 2.0, 1.0, 0.5, 0.25, 0.0, -0.3 };
        return CurvatureReport.Compute(new DenseOperator(WithSpectrum(eigenvalues, 7), eigenvalues.Length),
            new CurvatureReportOptions { DensityProbes = 4, DensitySteps = 8 });
    }

    private static void AssertInvariantNumber(string text)
    {
        Assert.True(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value), $"'{text}' is not an invariant-culture number");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SvgIsWellFormedWithAxesTicksTitleAndCurve(bool logScale)
    {
        var report = SmallReport();
        var previous = CultureInfo.CurrentCulture;
        string svg;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // decimal comma: must not leak into the SVG
            var writer = new StringWriter();
            report.WriteSvg(writer, new SpectralPlotOptions { Title = "Hessian <spectrum> & density", Points = 120, LogScale = logScale });
            svg = writer.ToString();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        var document = XDocument.Parse(svg);
        var root = document.Root!;
        Assert.Equal(Svg + "svg", root.Name);
        AssertInvariantNumber(root.Attribute("width")!.Value);
        Assert.Equal("Hessian <spectrum> & density", root.Element(Svg + "title")!.Value);

        var texts = root.Descendants(Svg + "text").ToList();
        Assert.Contains(texts, t => (string?)t.Attribute("class") == "title" && t.Value == "Hessian <spectrum> & density");
        Assert.Contains(texts, t => t.Value == "eigenvalue λ");
        var tickLabels = texts.Where(t => (string?)t.Attribute("class") == "tick-label").ToList();
        Assert.True(tickLabels.Count >= 6, $"{tickLabels.Count} tick labels");
        foreach (var label in tickLabels) AssertInvariantNumber(label.Value);

        var lines = root.Descendants(Svg + "line").ToList();
        Assert.Single(lines, l => (string?)l.Attribute("class") == "x-axis");
        Assert.Single(lines, l => (string?)l.Attribute("class") == "y-axis");
        foreach (var line in lines)
            foreach (var name in new[] { "x1", "y1", "x2", "y2" }) AssertInvariantNumber(line.Attribute(name)!.Value);

        var polyline = Assert.Single(root.Descendants(Svg + "polyline"));
        var pairs = polyline.Attribute("points")!.Value.Split(' ');
        Assert.Equal(120, pairs.Length);
        foreach (var pair in pairs)
        {
            var xy = pair.Split(',');
            Assert.Equal(2, xy.Length);
            AssertInvariantNumber(xy[0]);
            AssertInvariantNumber(xy[1]);
            double y = double.Parse(xy[1], CultureInfo.InvariantCulture);
            Assert.InRange(y, 0.0, 400.0);
        }
    }

    [Fact]
    public void SvgToFileIsUtf8WithoutBom()
    {
        var report = SmallReport();
        string path = Path.Combine(Path.GetTempPath(), $"autocurv-density-{Guid.NewGuid():N}.svg");
        try
        {
            report.WriteSvg(path);
            var bytes = File.ReadAllBytes(path);
            Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF);
            var document = XDocument.Load(path);
            Assert.Equal(Svg + "svg", document.Root!.Name);
            Assert.Single(document.Root.Descendants(Svg + "polyline"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
