using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Dl.Graph;

/// <summary>Prints graphs as numbered text (one node a line) and as Graphviz DOT.</summary>
public static class GraphText
{
    public static string Text(IEnumerable<Node> roots, IReadOnlyDictionary<Node, string>? labels = null)
    {
        var sb = new StringBuilder();
        foreach (var node in GraphBuilder.Topological(roots).OrderBy(n => n.Id))
        {
            sb.Append(node);
            if (labels is not null && labels.TryGetValue(node, out var label)) sb.Append("  // ").Append(label);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static string Dot(string name, IEnumerable<Node> roots, IReadOnlyDictionary<Node, string>? labels = null)
    {
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(Quote(name)).Append(" {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n");
        var nodes = GraphBuilder.Topological(roots).OrderBy(n => n.Id).ToList(); // ids are a topological order, and read best
        foreach (var node in nodes)
        {
            string text = node.Op.Key + "\\n" + node.Shape + (labels is not null && labels.TryGetValue(node, out var l) ? "\\n" + l : "");
            string style = node.Op switch { ParamOp => ", style=filled, fillcolor=\"#dde8ff\"", InputOp => ", style=filled, fillcolor=\"#e6ffe6\"", _ => "" };
            sb.Append("  n").Append(node.Id).Append(" [label=").Append(Quote(text)).Append(style).Append("];\n");
        }
        foreach (var node in nodes)
            foreach (var input in node.Inputs.Distinct())
                sb.Append("  n").Append(input.Id).Append(" -> n").Append(node.Id).Append(";\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + s.Replace("\"", "\\\"") + "\"";
}
