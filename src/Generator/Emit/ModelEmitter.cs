using AutoCurv.Generator.Differentiation;

namespace AutoCurv.Generator.Emit;

/// <summary>The nested <c>FModel : IModel</c> struct of model-shaped vector functions.</summary>
internal static class ModelEmitter
{
    public static void EmitModel(SourceWriter w, DifferentiatedMethod method)
    {
        // Emitted with the second-order members (the IModel interface requires them).
    }
}
