using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// Reverse-mode automatic differentiation. Walks the graph from the loss back to the sources,
/// calling each op's VJP (defined beside the op in Dl.Graph) and summing the contributions of
/// nodes used more than once (the sweep is <see cref="ReverseMode.Pullback"/>, which loops also use
/// for their bodies). Only nodes that lie on a path from a wanted source to the loss get a
/// gradient, so no work is spent on inputs unless their gradient was asked for.
/// </summary>
public static class Autodiff
{
    /// <summary>
    /// Adds the gradient of the scalar <paramref name="loss"/> with respect to each of
    /// <paramref name="wrt"/> to the builder and returns them in the same order.
    /// </summary>
    /// <paramref name="adjoints"/> (optional) gets each gradient node and the node it is the gradient of (see <see cref="ReverseMode.Pullback"/>).
    public static IReadOnlyList<Node> Gradients(GraphBuilder g, Node loss, IReadOnlyList<Node> wrt, IDictionary<Node, Node>? adjoints = null)
    {
        if (loss.Shape.Rank != 0)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"gradients need a scalar loss, got shape {loss.Shape}");

        var grads = ReverseMode.Pullback(g, new[] { (loss, g.Constant(1.0)) }, wrt, adjoints);
        // A wanted source the loss does not depend on has a zero gradient.
        return wrt.Select(w => grads.TryGetValue(w, out var d) ? d : g.Constant(0, w.Shape)).ToList();
    }
}
