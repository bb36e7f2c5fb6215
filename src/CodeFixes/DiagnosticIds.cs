namespace AutoCurv.CodeFixes;

/// <summary>
/// The generator's diagnostic ids this assembly fixes. Mirrors src/Generator/Diagnostics/DiagnosticDescriptors.cs:
/// the two assemblies stay separate so the compiler never loads the Workspaces layer.
/// </summary>
internal static class DiagnosticIds
{
    public const string MethodNotStatic = "AC0001";
    public const string TypeNotPartial = "AC0002";
    public const string UnsupportedStatement = "AC0010";
    public const string ReservedIdentifier = "AC0019";
}
