using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;
using AutoCurv.Generator.Diagnostics;
using AutoCurv.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AutoCurv.Generator.Parsing;

/// <summary>
/// Remembers the parse (the lowering to IR) of each [Differentiable] method across compilations, so that an edit
/// re-lowers only the methods whose meaning can have changed.
/// </summary>
/// <remarks>
/// <para>
/// Why: ForAttributeWithMetadataName runs its transform for every attributed method on every new compilation (a
/// semantic transform cannot be cached across compilations), so without this every keystroke re-bound and
/// re-lowered every method of the project. Roslyn binds method bodies lazily, so a reused parse also skips the
/// binding of its body.
/// </para>
/// <para>
/// Soundness: a reused parse must be exactly what <see cref="MethodParser"/> would produce now; a stale one would
/// be a silent wrong derivative. The parser reads (1) the method's own declaration, (2) the declarations it
/// inlines, transitively, and the implementation part of a partial method, and (3) symbols: signatures,
/// attributes, members, constants, the types a name binds to, conversions, overloads. (3) is a function of the
/// declarations of the whole compilation outside member bodies, of its options and of its references, so the key
/// holds a fingerprint of all of them (<see cref="CompilationKey"/>): the compilation options, parse options and
/// metadata references by object identity (they are immutable and reused across edits; a new object is a miss),
/// and the <see cref="DeclarationSkeleton"/> of every tree. (1) is in the key by its tree, its index among the
/// tree's methods, the column it starts at and the digest of its full text; (2) is recorded while lowering
/// (<see cref="ParseTrace"/>) and checked the same way on every reuse. Parses that carry diagnostics are never
/// stored: their locations can point at other declarations whose positions are not part of the key. Digests are
/// SHA-256, the content addressing of Bazel's action cache and of git.
/// </para>
/// <para>
/// Positions: a parse holds the line of each statement (the comments of the generated code) and the spans of its
/// locations. When (1) and (2) are unchanged but have moved, for example lines were inserted above them, the parse
/// is moved with them (<see cref="ParseRelocation"/>) instead of being lowered again, unless it computed a value
/// from a position (a caller-info argument, <see cref="ParseTrace.PositionSensitive"/>) or interceptors are enabled
/// (they bind calls by line and column).
/// </para>
/// <para>
/// One instance lives in each generator object, which a driver keeps across runs; no state is static. The map is
/// guarded by a lock and bounded: least recently used entries go first once it holds more than
/// <see cref="MinimumCapacity"/> entries or twice the methods of the largest compilation seen, whichever is more.
/// </para>
/// </remarks>
internal sealed class ParseCache
{
    /// <summary>Entries kept at least; more when a compilation has more than half as many [Differentiable] methods.</summary>
    public const int MinimumCapacity = 1024;

    private readonly bool _enabled;
    private readonly ConditionalWeakTable<Compilation, CompilationKey> _compilations = new();
    private readonly ConditionalWeakTable<SyntaxTree, TreeFacts> _trees = new();
    private readonly ConditionalWeakTable<SyntaxNode, string> _texts = new();
    private readonly ConditionalWeakTable<object, ObjectId> _objectIds = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _nextObjectId;
    private long _clock;
    private int _capacity = MinimumCapacity;
    private int _hits;
    private int _moves;
    private int _misses;

    /// <param name="enabled">False lowers every method every time, as before the cache (for measurements).</param>
    public ParseCache(bool enabled = true) => _enabled = enabled;

    /// <summary>Parses reused so far, moved or not (for tests and measurements).</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Of <see cref="Hits"/>, the parses that were moved to new positions.</summary>
    public int Moves => Volatile.Read(ref _moves);

    /// <summary>Methods lowered so far: cache misses, uncacheable compilations included.</summary>
    public int Misses => Volatile.Read(ref _misses);

    /// <summary>Entries held now.</summary>
    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    /// <summary>The transform of the pipeline's Parse stage: <see cref="MethodParser.Parse(GeneratorAttributeSyntaxContext, CancellationToken)"/>, reused when nothing it read has changed.</summary>
    public ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        CompilationKey? compilation = null;
        Site? root = null;
        try
        {
            compilation = ForCompilation(context.SemanticModel.Compilation, cancellationToken);
            root = compilation is null ? null : Locate(compilation, context.TargetNode, cancellationToken);
            if (compilation is not null) Interlocked.Increment(ref compilation.MethodCount);
            if (root is not null && TryGet(compilation!, root, cancellationToken) is { } cached)
            {
                Interlocked.Increment(ref _hits);
                return cached;
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception)
        {
            // The cache is an optimisation: if it fails, lower without it.
            root = null;
        }

        Interlocked.Increment(ref _misses);
        if (root is null) return MethodParser.Parse(context, cancellationToken);
        var trace = new ParseTrace();
        var template = MethodParser.Parse(context, cancellationToken, trace);
        var result = ParseRelocation.Rewrite(template, token => token <= trace.Lines.Count ? trace.Lines[token - 1].Line : null, location => location);
        if (result is null) return MethodParser.Parse(context, cancellationToken); // a line the rewrite cannot place: keep nothing
        if (template.Diagnostics.Count == 0)
        {
            try
            {
                Store(compilation!, root, context.TargetNode, template, result, trace, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception)
            {
                // Not stored: the next run lowers the method again.
            }
        }
        return result;
    }

    private void Store(CompilationKey compilation, Site root, SyntaxNode target, ParseResult template, ParseResult result, ParseTrace trace, CancellationToken cancellationToken)
    {
        var origins = new List<SyntaxNode> { target };
        origins.AddRange(trace.Consulted);
        var sites = new Site[origins.Count];
        sites[0] = root;
        for (int i = 1; i < sites.Length; i++)
        {
            if (Locate(compilation, origins[i], cancellationToken) is not { } site) return; // outside the compilation's trees: cannot be checked
            sites[i] = site;
        }
        // Each line token as (declaration, line relative to the declaration's first token).
        var tokens = new (int Origin, int Relative)[trace.Lines.Count];
        for (int t = 0; t < tokens.Length; t++)
        {
            var (declaration, line) = trace.Lines[t];
            int origin = declaration is null ? -1 : origins.FindIndex(o => o.SyntaxTree == declaration.SyntaxTree && o.Span == declaration.Span);
            if (origin < 0) return; // a line of a declaration the cache does not follow: it could move unseen
            tokens[t] = (origin, line - (sites[origin].FirstLine + 1));
        }
        Remember(compilation, root.Key, new Entry(template, tokens, sites, trace.PositionSensitive, result, sites));
    }

    private ParseResult? TryGet(CompilationKey compilation, Site root, CancellationToken cancellationToken)
    {
        Entry? entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(root.Key, out entry)) return null;
        }
        var now = new Site[entry.Made.Length];
        now[0] = root;
        for (int i = 1; i < now.Length; i++)
        {
            // Equal fingerprints: the same tree holds the same list of methods, so the index finds the declaration.
            var then = entry.Made[i];
            var facts = compilation.Trees[then.Tree];
            if (then.Index >= facts.Skeleton.Methods.Length) return null;
            var current = Locate(compilation, facts.Skeleton.Methods[then.Index], cancellationToken);
            if (current is null || current.Key != then.Key) return null;
            now[i] = current;
        }
        if (now.Zip(entry.At, (a, b) => a.SamePlace(b)).All(same => same))
        {
            lock (_gate) entry.LastUse = ++_clock;
            return entry.Result;
        }
        if (entry.PositionSensitive || !compilation.AllowsMoves) return null;
        var moved = ParseRelocation.Rewrite(entry.Template, token => LineOf(entry, now, token), location => Move(entry.Made, now, location));
        if (moved is null) return null;
        Interlocked.Increment(ref _moves);
        // Remember it where it is now: the next run most likely sees it there again.
        Remember(compilation, root.Key, new Entry(entry.Template, entry.Tokens, entry.Made, entry.PositionSensitive, moved, now));
        return moved;
    }

    /// <summary>The line a token stands for, with its declaration where it is now.</summary>
    private static int? LineOf(Entry entry, Site[] now, int token)
    {
        if (token < 1 || token > entry.Tokens.Length) return null;
        var (origin, relative) = entry.Tokens[token - 1];
        return now[origin].FirstLine + 1 + relative;
    }

    /// <summary>A location inside one of the declarations, moved with it (they cannot overlap: a location is in one).</summary>
    private static LocationInfo? Move(Site[] made, Site[] now, LocationInfo location)
    {
        for (int i = 0; i < made.Length; i++)
        {
            var then = made[i];
            if (then.Path != location.FilePath || location.Span.Start < then.Start || location.Span.End > then.End) continue;
            int chars = now[i].Start - then.Start, lines = now[i].FirstLine - then.FirstLine;
            var span = location.LineSpan;
            return new LocationInfo(location.FilePath, new TextSpan(location.Span.Start + chars, location.Span.Length),
                new LinePositionSpan(new LinePosition(span.Start.Line + lines, span.Start.Character), new LinePosition(span.End.Line + lines, span.End.Character)));
        }
        return null;
    }

    private void Remember(CompilationKey compilation, string key, Entry entry)
    {
        lock (_gate)
        {
            _capacity = Math.Max(_capacity, 2 * compilation.Methods);
            entry.LastUse = ++_clock;
            _entries[key] = entry;
            if (_entries.Count <= _capacity) return;
            // Drop the least recently used quarter: amortised over the insertions that refill it.
            foreach (var stale in _entries.OrderBy(e => e.Value.LastUse).Take(_entries.Count - _capacity * 3 / 4).Select(e => e.Key).ToList())
            {
                _entries.Remove(stale);
            }
        }
    }

    /// <summary>Where a method declaration of the compilation is, and the key that names it; null when it is in no tree of it.</summary>
    private Site? Locate(CompilationKey compilation, SyntaxNode declaration, CancellationToken cancellationToken)
    {
        if (declaration is not MethodDeclarationSyntax method || !compilation.TreeIndex.TryGetValue(declaration.SyntaxTree, out int tree)) return null;
        if (!compilation.Trees[tree].MethodIndex.TryGetValue(method, out int index)) return null;
        var full = declaration.FullSpan;
        var lines = declaration.SyntaxTree.GetText(cancellationToken).Lines;
        int column = lines.GetLinePosition(full.Start).Character;
        string digest = _texts.GetValue(declaration, d => Digest.Of(cancellationToken, d.ToFullString()));
        // The start column is part of the key: with it, the text fixes the column of every position inside.
        string key = string.Join("|", compilation.Fingerprint, tree.ToString(CultureInfo.InvariantCulture), index.ToString(CultureInfo.InvariantCulture),
            column.ToString(CultureInfo.InvariantCulture), digest);
        return new Site(key, tree, index, declaration.SyntaxTree.FilePath, full.Start, full.End, lines.GetLinePosition(declaration.SpanStart).Line);
    }

    private CompilationKey? ForCompilation(Compilation compilation, CancellationToken cancellationToken)
    {
        if (!_enabled || compilation.ScriptCompilationInfo is not null) return null; // submissions see each other's state: not modelled
        return _compilations.GetValue(compilation, c => CompilationKey.Create(c, this, cancellationToken));
    }

    private string ObjectIdentity(object value) =>
        _objectIds.GetValue(value, _ => new ObjectId(Interlocked.Increment(ref _nextObjectId))).Value.ToString(CultureInfo.InvariantCulture);

    private TreeFacts FactsOf(SyntaxTree tree, CancellationToken cancellationToken) =>
        _trees.GetValue(tree, t => new TreeFacts(DeclarationSkeleton.Of(t.GetRoot(cancellationToken), cancellationToken), cancellationToken));

    /// <summary>
    /// A method declaration: its key (the compilation's fingerprint, tree, index among the tree's methods, start
    /// column and text digest) and where it is (file, full span, and the line of its first token).
    /// </summary>
    private sealed record Site(string Key, int Tree, int Index, string Path, int Start, int End, int FirstLine)
    {
        public bool SamePlace(Site other) => Start == other.Start && FirstLine == other.FirstLine;
    }

    /// <summary>What the parse cache needs of one syntax tree, computed once per tree object.</summary>
    private sealed class TreeFacts
    {
        public TreeFacts(DeclarationSkeleton skeleton, CancellationToken cancellationToken)
        {
            Skeleton = skeleton;
            SkeletonDigest = Digest.Of(cancellationToken, skeleton.Text);
            MethodIndex = new Dictionary<MethodDeclarationSyntax, int>(skeleton.Methods.Length);
            for (int i = 0; i < skeleton.Methods.Length; i++) MethodIndex[skeleton.Methods[i]] = i;
        }

        public DeclarationSkeleton Skeleton { get; }
        public string SkeletonDigest { get; }
        public Dictionary<MethodDeclarationSyntax, int> MethodIndex { get; }
    }

    /// <summary>
    /// What the symbols of a compilation depend on, as one digest: the compilation options, assembly name, metadata
    /// references and each tree's path, parse options and declaration skeleton, in order.
    /// </summary>
    private sealed class CompilationKey
    {
        private CompilationKey(string fingerprint, ImmutableArray<TreeFacts> trees, Dictionary<SyntaxTree, int> treeIndex, bool allowsMoves)
        {
            Fingerprint = fingerprint;
            Trees = trees;
            TreeIndex = treeIndex;
            AllowsMoves = allowsMoves;
        }

        public string Fingerprint { get; }
        public ImmutableArray<TreeFacts> Trees { get; }
        public Dictionary<SyntaxTree, int> TreeIndex { get; }

        /// <summary>False when interceptors are enabled: they bind a call by its line and column.</summary>
        public bool AllowsMoves { get; }

        /// <summary>Methods looked up in this compilation (sizes the cache).</summary>
        public int MethodCount;

        public int Methods => Volatile.Read(ref MethodCount);

        public static CompilationKey Create(Compilation compilation, ParseCache cache, CancellationToken cancellationToken)
        {
            var parts = new List<string>
            {
                "options " + cache.ObjectIdentity(compilation.Options),
                "assembly " + (compilation.AssemblyName ?? ""),
            };
            foreach (var reference in compilation.References) parts.Add("reference " + cache.ObjectIdentity(reference));
            var trees = compilation.SyntaxTrees.ToImmutableArray();
            var facts = ImmutableArray.CreateBuilder<TreeFacts>(trees.Length);
            var index = new Dictionary<SyntaxTree, int>(trees.Length);
            bool allowsMoves = true;
            for (int i = 0; i < trees.Length; i++)
            {
                var tree = trees[i];
                var treeFacts = cache.FactsOf(tree, cancellationToken);
                facts.Add(treeFacts);
                index[tree] = i;
                parts.Add("tree " + tree.FilePath);
                parts.Add("parse options " + cache.ObjectIdentity(tree.Options));
                parts.Add("skeleton " + treeFacts.SkeletonDigest);
                if (tree.Options.Features.Keys.Any(k => k.IndexOf("Interceptors", StringComparison.OrdinalIgnoreCase) >= 0)) allowsMoves = false;
            }
            return new CompilationKey(Digest.Of(cancellationToken, parts.ToArray()), facts.MoveToImmutable(), index, allowsMoves);
        }
    }

    /// <summary>
    /// A parse as the parser made it (lines as tokens, locations where the declarations were then), and as last handed
    /// out (lines and locations where the declarations were then).
    /// </summary>
    private sealed class Entry
    {
        public Entry(ParseResult template, (int Origin, int Relative)[] tokens, Site[] made, bool positionSensitive, ParseResult result, Site[] at)
        {
            Template = template;
            Tokens = tokens;
            Made = made;
            PositionSensitive = positionSensitive;
            Result = result;
            At = at;
        }

        public ParseResult Template { get; }

        /// <summary>Token <c>t</c> is line <c>Relative</c> (from the first token) of declaration <c>Made[Origin]</c>.</summary>
        public (int Origin, int Relative)[] Tokens { get; }

        /// <summary>The method's own declaration, then the ones the parse read besides it, when it was made.</summary>
        public Site[] Made { get; }

        public bool PositionSensitive { get; }
        public ParseResult Result { get; }
        public Site[] At { get; }
        public long LastUse { get; set; }
    }

    private sealed class ObjectId
    {
        public ObjectId(long value) => Value = value;

        public long Value { get; }
    }

    private static class Digest
    {
        /// <summary>
        /// SHA-256 of the parts' UTF-16 code units, each part prefixed with its length, so no two lists of strings
        /// share an input (a text encoding would map distinct lone surrogates to one replacement character).
        /// </summary>
        public static string Of(CancellationToken cancellationToken, params string[] parts)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (string part in parts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var bytes = new byte[2 * part.Length];
                Buffer.BlockCopy(part.ToCharArray(), 0, bytes, 0, bytes.Length);
                hash.AppendData(BitConverter.GetBytes(part.Length));
                hash.AppendData(bytes);
            }
            return Convert.ToBase64String(hash.GetHashAndReset());
        }
    }
}
