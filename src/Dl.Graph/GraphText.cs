using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Dl.Graph;

/// <summary>
/// Prints graphs as numbered text (one node a line) and as Graphviz DOT. Given <see cref="DenseIds"/>,
/// nodes are numbered 0..k-1 without the gaps simplification leaves in <see cref="Node.Id"/>
/// (a renumbering for printing only: the nodes keep their ids).
/// </summary>
public static class GraphText
{
    /// <summary>The nodes reachable from <paramref name="roots"/>, numbered 0..k-1 in the order of their ids (a topological order).</summary>
    public static IReadOnlyDictionary<Node, int> DenseIds(IEnumerable<Node> roots)
    {
        var ids = new Dictionary<Node, int>();
        foreach (var node in GraphBuilder.Topological(roots).OrderBy(n => n.Id)) ids[node] = ids.Count;
        return ids;
    }

    /// <summary>A node's number: its dense id when <paramref name="ids"/> has one, else its own id.</summary>
    public static int Id(Node node, IReadOnlyDictionary<Node, int>? ids) => ids is not null && ids.TryGetValue(node, out var id) ? id : node.Id;

    /// <summary>A node as one line of text, <c>%4 = BiasAdd(%2, %3) : [N,128]</c>, numbered by <paramref name="ids"/> when given.</summary>
    public static string Line(Node node, IReadOnlyDictionary<Node, int>? ids) =>
        ids is null ? node.ToString()
            : $"%{Id(node, ids)} = {node.Op}({string.Join(", ", node.Inputs.Select(i => "%" + Id(i, ids)))}) : {node.Shape}{(node.Type == DType.Int32 ? " i32" : "")}";

    public static string Text(IEnumerable<Node> roots, IReadOnlyDictionary<Node, string>? labels = null, IReadOnlyDictionary<Node, int>? ids = null)
    {
        var sb = new StringBuilder();
        foreach (var node in GraphBuilder.Topological(roots).OrderBy(n => n.Id))
        {
            sb.Append(Line(node, ids));
            if (labels is not null && labels.TryGetValue(node, out var label)) sb.Append("  // ").Append(label);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static string Dot(string name, IEnumerable<Node> roots, IReadOnlyDictionary<Node, string>? labels = null, IReadOnlyDictionary<Node, int>? ids = null)
    {
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(Quote(name)).Append(" {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n");
        var nodes = GraphBuilder.Topological(roots).OrderBy(n => n.Id).ToList(); // ids are a topological order, and read best
        foreach (var node in nodes)
        {
            string text = node.Op.Key + "\\n" + node.Shape + (labels is not null && labels.TryGetValue(node, out var l) ? "\\n" + l : "");
            string style = node.Op switch { ParamOp => ", style=filled, fillcolor=\"#dde8ff\"", InputOp => ", style=filled, fillcolor=\"#e6ffe6\"", _ => "" };
            sb.Append("  n").Append(Id(node, ids)).Append(" [label=").Append(Quote(text)).Append(style).Append("];\n");
        }
        foreach (var node in nodes)
            foreach (var input in node.Inputs.Distinct())
                sb.Append("  n").Append(Id(input, ids)).Append(" -> n").Append(Id(node, ids)).Append(";\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + s.Replace("\"", "\\\"") + "\"";
}
