using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Rewrites a graph into a fresh builder with constant folding, algebraic identities and the normal
/// form of scaling applied (the ordered rules of <see cref="Canonicalize"/>). Common subexpressions are shared by the builder's interning, and dead code is dropped because
/// only what the roots depend on is copied: together these are CSE, DCE and folding.
/// </summary>
public static class Simplify
{
    /// <summary>Returns the map from old nodes to their simplified counterparts in <paramref name="target"/>.</summary>
    public static Dictionary<Node, Node> Run(GraphBuilder target, IEnumerable<Node> roots)
    {
        return target.Import(roots, Rewrite);
    }

    // Import works inputs-first, so each node's inputs are already canonical when its rules run.
    private static Node? Rewrite(GraphBuilder g, Node old, Node[] x) => Canonicalize.Apply(g, old.Op, x, old.Shape);
}
