namespace AutoCurv.Generator;

/// <summary>Names of the incremental pipeline's stages (tests assert each is cached after unrelated edits).</summary>
public static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Specs = nameof(Specs);
    public const string Differentiate = nameof(Differentiate);
    public const string Rules = nameof(Rules);
    public const string RuleList = nameof(RuleList);

    /// <summary>Per method: the members its generated file declares (input of <see cref="Collisions"/>).</summary>
    public const string Signatures = nameof(Signatures);

    /// <summary>Once per compilation: the methods whose generated members would duplicate another method's (AC0028).</summary>
    public const string Collisions = nameof(Collisions);

    /// <summary>Once per compilation: whether the AutoCurv runtime is referenced (AC0027 when not).</summary>
    public const string Runtime = nameof(Runtime);

    /// <summary>Every stage that must be cached after an edit that does not touch a [Differentiable] method.</summary>
    public static readonly string[] All = { Parse, Diagnostics, Specs, Rules, RuleList, Differentiate, Signatures, Collisions, Runtime };
}
