using System.Linq;
using AutoCurv.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AutoCurv.Generator.Diagnostics;

/// <summary>An equatable location: Roslyn's <see cref="Location"/> pins syntax trees and breaks caching.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null) return null;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }
}

/// <summary>An equatable diagnostic: descriptor id, arguments and location.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params object?[] args) =>
        new(descriptor.Id, LocationInfo.From(location), args.Select(a => a?.ToString() ?? "").ToEquatableArray());

    public Diagnostic ToDiagnostic()
    {
        var descriptor = DiagnosticDescriptorsLookup.Get(Id);
        return Diagnostic.Create(descriptor, Location?.ToLocation(), Arguments.Cast<object>().ToArray());
    }
}

internal static class DiagnosticDescriptorsLookup
{
    private static readonly System.Collections.Generic.Dictionary<string, DiagnosticDescriptor> s_byId =
        typeof(DiagnosticDescriptors).GetFields()
            .Select(f => f.GetValue(null))
            .OfType<DiagnosticDescriptor>()
            .ToDictionary(d => d.Id);

    public static DiagnosticDescriptor Get(string id) => s_byId[id];
}
