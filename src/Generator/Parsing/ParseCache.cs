using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;
using AutoCurv.Generator.Model;
using Microsoft.CodeAnalysis;

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
/// and the <see cref="DeclarationSkeleton"/> of every tree. (1) and (2) are keyed by their exact full text, tree,
/// start position and start line: the parse holds line numbers (the comments of the generated code), spans (for
/// diagnostics) and the values of caller-info arguments, all of which follow from those. (2) is recorded while
/// lowering and checked on every reuse. Parses that carry diagnostics are never stored: their locations can point
/// at other declarations whose positions are not part of the key. Digests are SHA-256, the content addressing of
/// Bazel's action cache and of git.
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
    private readonly ConditionalWeakTable<SyntaxTree, string> _skeletons = new();
    private readonly ConditionalWeakTable<object, ObjectId> _objectIds = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _nextObjectId;
    private long _clock;
    private int _capacity = MinimumCapacity;
    private int _hits;
    private int _misses;

    /// <param name="enabled">False lowers every method every time, as before the cache (for measurements).</param>
    public ParseCache(bool enabled = true) => _enabled = enabled;

    /// <summary>Parses reused so far (for tests and measurements).</summary>
    public int Hits => Volatile.Read(ref _hits);

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
        string? key;
        CompilationKey? compilation;
        try
        {
            compilation = ForCompilation(context.SemanticModel.Compilation, cancellationToken);
            key = compilation is null ? null : MethodKey(compilation, context.TargetNode, cancellationToken);
            if (key is not null && TryGet(key, compilation!, cancellationToken) is { } cached)
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
            key = null;
            compilation = null;
        }

        Interlocked.Increment(ref _misses);
        var consulted = new List<SyntaxNode>();
        var result = MethodParser.Parse(context, cancellationToken, consulted);
        if (key is not null && result.Diagnostics.Count == 0)
        {
            try
            {
                Store(key, compilation!, result, consulted.Select(d => Dependency.Of(compilation!, d, cancellationToken)).ToArray());
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

    private ParseResult? TryGet(string key, CompilationKey compilation, CancellationToken cancellationToken)
    {
        Entry? entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry)) return null;
        }
        foreach (var dependency in entry.Dependencies)
        {
            if (!dependency.Holds(compilation, cancellationToken)) return null;
        }
        lock (_gate)
        {
            entry.LastUse = ++_clock;
        }
        return entry.Result;
    }

    private void Store(string key, CompilationKey compilation, ParseResult result, Dependency?[] dependencies)
    {
        if (dependencies.Any(d => d is null)) return; // a dependency outside the compilation's trees: cannot be checked
        lock (_gate)
        {
            _capacity = Math.Max(_capacity, 2 * compilation.Methods);
            _entries[key] = new Entry(result, dependencies!) { LastUse = ++_clock };
            if (_entries.Count <= _capacity) return;
            // Drop the least recently used quarter: amortised over the insertions that refill it.
            foreach (var stale in _entries.OrderBy(e => e.Value.LastUse).Take(_entries.Count - _capacity * 3 / 4).Select(e => e.Key).ToList())
            {
                _entries.Remove(stale);
            }
        }
    }

    /// <summary>The digest of a method's key: its compilation's fingerprint, its tree, start position, start line and full text.</summary>
    private static string? MethodKey(CompilationKey compilation, SyntaxNode node, CancellationToken cancellationToken)
    {
        if (!compilation.TreeIndex.TryGetValue(node.SyntaxTree, out int tree)) return null;
        Interlocked.Increment(ref compilation.MethodCount);
        return Digest.Of(cancellationToken, "method", compilation.Fingerprint, tree.ToString(System.Globalization.CultureInfo.InvariantCulture), Position(node), node.ToFullString());
    }

    /// <summary>Start position and start line: both appear in a parse (spans of diagnostics, line comments).</summary>
    private static string Position(SyntaxNode node) =>
        node.SpanStart.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":"
        + node.GetLocation().GetLineSpan().StartLinePosition.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private CompilationKey? ForCompilation(Compilation compilation, CancellationToken cancellationToken)
    {
        if (!_enabled || compilation.ScriptCompilationInfo is not null) return null; // submissions see each other's state: not modelled
        return _compilations.GetValue(compilation, c => CompilationKey.Create(c, this, cancellationToken));
    }

    private string ObjectIdentity(object value) =>
        _objectIds.GetValue(value, _ => new ObjectId(Interlocked.Increment(ref _nextObjectId))).Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string SkeletonDigest(SyntaxTree tree, CancellationToken cancellationToken) =>
        _skeletons.GetValue(tree, t => Digest.Of(cancellationToken, "skeleton", DeclarationSkeleton.Of(t.GetRoot(cancellationToken), cancellationToken)));

    /// <summary>
    /// What the symbols of a compilation depend on, as one digest: the compilation options, assembly name, metadata
    /// references and each tree's path, parse options and declaration skeleton, in order.
    /// </summary>
    private sealed class CompilationKey
    {
        private CompilationKey(string fingerprint, ImmutableArray<SyntaxTree> trees, Dictionary<SyntaxTree, int> treeIndex)
        {
            Fingerprint = fingerprint;
            Trees = trees;
            TreeIndex = treeIndex;
        }

        public string Fingerprint { get; }
        public ImmutableArray<SyntaxTree> Trees { get; }
        public Dictionary<SyntaxTree, int> TreeIndex { get; }

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
            var index = new Dictionary<SyntaxTree, int>(trees.Length);
            for (int i = 0; i < trees.Length; i++)
            {
                var tree = trees[i];
                index[tree] = i;
                parts.Add("tree " + tree.FilePath);
                parts.Add("parse options " + cache.ObjectIdentity(tree.Options));
                parts.Add("skeleton " + cache.SkeletonDigest(tree, cancellationToken));
            }
            return new CompilationKey(Digest.Of(cancellationToken, parts.ToArray()), trees, index);
        }
    }

    /// <summary>A declaration a parse read besides its own (an inlined callee, a partial method's implementation).</summary>
    private sealed class Dependency
    {
        private readonly int _tree;
        private readonly int _spanStart;
        private readonly int _kind;
        private readonly string _digest;

        private Dependency(int tree, int spanStart, int kind, string digest)
        {
            _tree = tree;
            _spanStart = spanStart;
            _kind = kind;
            _digest = digest;
        }

        public static Dependency? Of(CompilationKey compilation, SyntaxNode declaration, CancellationToken cancellationToken) =>
            compilation.TreeIndex.TryGetValue(declaration.SyntaxTree, out int tree)
                ? new Dependency(tree, declaration.SpanStart, declaration.RawKind, DigestOf(declaration, cancellationToken))
                : null;

        /// <summary>The same declaration (kind, start, line, full text) is at the same place of the same tree.</summary>
        public bool Holds(CompilationKey compilation, CancellationToken cancellationToken)
        {
            if (_tree >= compilation.Trees.Length) return false;
            var root = compilation.Trees[_tree].GetRoot(cancellationToken);
            if (_spanStart >= root.FullSpan.End) return false;
            for (var node = root.FindToken(_spanStart).Parent; node is not null && node.SpanStart == _spanStart; node = node.Parent)
            {
                if (node.RawKind == _kind) return DigestOf(node, cancellationToken) == _digest;
            }
            return false;
        }

        private static string DigestOf(SyntaxNode declaration, CancellationToken cancellationToken) =>
            Digest.Of(cancellationToken, "declaration", Position(declaration), declaration.ToFullString());
    }

    private sealed class Entry
    {
        public Entry(ParseResult result, Dependency[] dependencies)
        {
            Result = result;
            Dependencies = dependencies;
        }

        public ParseResult Result { get; }
        public Dependency[] Dependencies { get; }
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
