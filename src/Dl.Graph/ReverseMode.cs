using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// The reverse sweep of automatic differentiation, over any graph: seeds (an output and its
/// cotangent, as many as wanted) are pulled back through each op's VJP to the wanted nodes,
/// summing the contributions of nodes used more than once. It lives in Dl.Graph because an op can
/// need it for its own VJP: a loop (<see cref="ScanOp"/>) differentiates its body with it.
/// </summary>
public static class ReverseMode
{
    /// <summary>
    /// Adds to <paramref name="g"/> the gradient of <c>Σ seeds' outputs · cotangents</c> with respect to
    /// each of <paramref name="wrt"/>. The map holds only the wanted nodes something flows into; any
    /// other has a zero gradient. <paramref name="adjoints"/>, when given, gets each gradient node the
    /// sweep made and the node it is the gradient of (the latest such node when several share one: a
    /// bias add passes its gradient through unchanged), for naming generated code only.
    /// </summary>
    public static Dictionary<Node, Node> Pullback(GraphBuilder g, IReadOnlyList<(Node Output, Node Cotangent)> seeds, IReadOnlyList<Node> wrt,
        IDictionary<Node, Node>? adjoints = null)
    {
        var order = GraphBuilder.Topological(seeds.Select(s => s.Output));
        var needed = NodesNeedingGradient(order, new HashSet<Node>(wrt));
        var grads = new Dictionary<Node, Node>();
        foreach (var (output, cotangent) in seeds)
            if (needed.Contains(output))
                grads[output] = grads.TryGetValue(output, out var acc) ? g.Add(acc, cotangent) : cotangent;

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

        if (adjoints is not null)
            foreach (var node in order.AsEnumerable().Reverse())
                if (grads.TryGetValue(node, out var d) && !adjoints.ContainsKey(d)) adjoints[d] = node;

        var result = new Dictionary<Node, Node>();
        foreach (var w in wrt)
            if (grads.TryGetValue(w, out var d)) result[w] = d;
        return result;
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
