using Microsoft.CodeAnalysis;

namespace AutoCurv.Generator.Parsing;

/// <summary>
/// Whether the compilation references the AutoCurv runtime, which every generated file calls into
/// (AutoCurv.CompilerServices, ILoss, IModel). The attributes alone can be declared by hand, so their presence
/// proves nothing; without the runtime the generator reports AC0027 instead of emitting code that cannot compile.
/// </summary>
internal static class RuntimeReference
{
    /// <summary>A public runtime type every generated member may use.</summary>
    public const string MarkerTypeName = "AutoCurv.CompilerServices.Scratch";

    /// <summary>A bool, so the stage that computes it is unchanged by every edit that does not add or remove the reference.</summary>
    public static bool IsPresent(Compilation compilation, System.Threading.CancellationToken cancellationToken) =>
        !compilation.GetTypesByMetadataName(MarkerTypeName).IsEmpty;
}
