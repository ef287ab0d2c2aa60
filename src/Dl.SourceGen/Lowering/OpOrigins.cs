using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Dl.Graph;
using Dl.SourceGen.Spec;

namespace Dl.SourceGen.Lowering;

/// <summary>
/// The C# expression each op of a lowered graph was traced at, so that a backend's complaint about a node
/// (DL0041, DL0042) lands on the expression that made it. Keyed by the op object itself: the compiler's
/// passes carry an op through to the compiled graph unchanged, while two structurally equal ops (two
/// Relu calls) are different expressions. An op the passes made themselves has no origin.
/// </summary>
internal sealed class OpOrigins
{
    private readonly Dictionary<Op, LocationInfo> _at = new(ByReference.Instance);

    /// <summary>Records where <paramref name="op"/> was traced; the first expression wins (interning can return an earlier node's op).</summary>
    public void Add(Op op, LocationInfo location)
    {
        if (!_at.ContainsKey(op)) _at[op] = location;
    }

    /// <summary>The expression that traced <paramref name="node"/>'s op, or null.</summary>
    public LocationInfo? Of(Node? node) => node is not null && _at.TryGetValue(node.Op, out var location) ? location : null;

    private sealed class ByReference : IEqualityComparer<Op>
    {
        public static readonly ByReference Instance = new();
        public bool Equals(Op? x, Op? y) => ReferenceEquals(x, y);
        public int GetHashCode(Op op) => RuntimeHelpers.GetHashCode(op);
    }
}
