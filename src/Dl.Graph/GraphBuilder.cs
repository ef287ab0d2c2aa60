using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// Creates nodes. Every node is interned on (op, inputs), so building the same expression twice
/// returns the same node: common subexpressions are shared by construction. Shape rules run here,
/// at creation, so an ill-shaped graph can never be built.
/// </summary>
public sealed partial class GraphBuilder
{
    private readonly Dictionary<InternKey, Node> _interned = new();
    private readonly List<Node> _nodes = new();

    /// <summary>All nodes created so far, in creation (topological) order.</summary>
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>Applies an op; returns the existing node when the same op was applied to the same inputs.</summary>
    public Node Apply(Op op, params Node[] inputs)
    {
        foreach (var input in inputs)
            if (input.Id >= _nodes.Count || _nodes[input.Id] != input)
                throw new ArgumentException($"input %{input.Id} belongs to another graph");
        var key = new InternKey(op, inputs.Select(i => i.Id).ToArray());
        if (_interned.TryGetValue(key, out var existing))
            return existing;
        var (shape, type) = op.InferShape(inputs);
        TensorLimits.Check(op, shape);
        var node = new Node(_nodes.Count, op, inputs, shape, type);
        _nodes.Add(node);
        _interned.Add(key, node);
        return node;
    }

    /// <summary>An op (compared structurally, see <see cref="OpIdentity"/>) applied to input nodes (by id).</summary>
    private readonly struct InternKey(Op op, int[] inputs) : IEquatable<InternKey>
    {
        private readonly int _hash = unchecked(op.GetHashCode() * 397 ^ inputs.Aggregate(17, (h, i) => h * 31 + i));
        public Op Op { get; } = op;
        public int[] Inputs { get; } = inputs;
        public bool Equals(InternKey other) => _hash == other._hash && Inputs.SequenceEqual(other.Inputs) && Op.Equals(other.Op);
        public override bool Equals(object? obj) => obj is InternKey other && Equals(other);
        public override int GetHashCode() => _hash;
    }

    /// <summary>
    /// Copies the subgraph that <paramref name="roots"/> depend on into this builder, letting
    /// <paramref name="rewrite"/> replace any node (given its already-copied inputs). Returns the
    /// map from old nodes to new ones. Passes are written as such rewrites.
    /// </summary>
    public Dictionary<Node, Node> Import(IEnumerable<Node> roots, Func<GraphBuilder, Node, Node[], Node?>? rewrite = null)
    {
        var map = new Dictionary<Node, Node>();
        foreach (var node in Topological(roots))
        {
            var inputs = node.Inputs.Select(i => map[i]).ToArray();
            map[node] = rewrite?.Invoke(this, node, inputs) ?? Apply(node.Op, inputs);
        }
        return map;
    }

    /// <summary>The nodes <paramref name="roots"/> depend on, inputs before users.</summary>
    public static List<Node> Topological(IEnumerable<Node> roots)
    {
        var seen = new HashSet<Node>();
        var order = new List<Node>();
        var stack = new Stack<(Node Node, bool Expanded)>();
        foreach (var root in roots.Reverse())
            stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (node, expanded) = stack.Pop();
            if (expanded) { order.Add(node); continue; }
            if (!seen.Add(node)) continue;
            stack.Push((node, true));
            for (int i = node.Inputs.Count - 1; i >= 0; i--)
                if (!seen.Contains(node.Inputs[i]))
                    stack.Push((node.Inputs[i], false));
        }
        return order;
    }
}
