using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Reverse-mode automatic differentiation. Walks the graph from the loss back to the sources,
/// calling each op's VJP (defined beside the op in Dl.Graph) and summing the contributions of
/// nodes used more than once. Only nodes that lie on a path from a wanted source to the loss
/// get a gradient, so no work is spent on inputs unless their gradient was asked for.
/// </summary>
public static class Autodiff
{
    /// <summary>
    /// Adds the gradient of the scalar <paramref name="loss"/> with respect to each of
    /// <paramref name="wrt"/> to the builder and returns them in the same order.
    /// </summary>
    public static IReadOnlyList<Node> Gradients(GraphBuilder g, Node loss, IReadOnlyList<Node> wrt)
    {
        if (loss.Shape.Rank != 0)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"gradients need a scalar loss, got shape {loss.Shape}");

        var order = GraphBuilder.Topological(new[] { loss });
        var needed = NodesNeedingGradient(order, new HashSet<Node>(wrt));
        var grads = new Dictionary<Node, Node> { [loss] = g.Constant(1.0) };

        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            if (!grads.TryGetValue(node, out var dy) || node.Inputs.Count == 0 || !needed.Contains(node))
                continue;
            var inputGrads = node.Op.Vjp(g, node, dy);
            for (int k = 0; k < node.Inputs.Count; k++)
            {
                var input = node.Inputs[k];
                var dx = inputGrads[k];
                if (dx is null || !needed.Contains(input)) continue;
                grads[input] = grads.TryGetValue(input, out var acc) ? g.Add(acc, dx) : dx;
            }
        }

        // A wanted source the loss does not depend on has a zero gradient.
        return wrt.Select(w => grads.TryGetValue(w, out var d) ? d : g.Constant(0, w.Shape)).ToList();
    }

    /// <summary>Nodes that depend on a wanted source: only these need gradients.</summary>
    private static HashSet<Node> NodesNeedingGradient(List<Node> order, HashSet<Node> wrt)
    {
        var needed = new HashSet<Node>();
        foreach (var node in order)
            if (wrt.Contains(node) || node.Inputs.Any(needed.Contains))
                needed.Add(node);
        return needed;
    }
}
