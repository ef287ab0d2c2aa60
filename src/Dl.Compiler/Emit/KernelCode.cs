using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>One argument of a kernel method: the node whose storage is passed, read-only or written.</summary>
public sealed record KernelArgument(string Name, Node Node, bool Writes)
{
    /// <summary>Pass the gradient slot of the parameter <see cref="Node"/>, not its own storage.</summary>
    public bool GradientSlot { get; init; }

    public string Type => (Writes ? "global::System.Span<" : "global::System.ReadOnlySpan<") + (Node.Type == DType.Int32 ? "int" : "float") + ">";
}

/// <summary>A scalar a kernel takes after its spans, and the member of the model the call passes (dropout's seed and step).</summary>
public sealed record KernelScalar(string Type, string Name, string Value);

/// <summary>A kernel as a private static method: its name, arguments and body (lines, unindented).</summary>
public sealed class KernelCode
{
    public KernelCode(string name, string summary, IReadOnlyList<KernelArgument> arguments, IReadOnlyList<string> body, IReadOnlyList<KernelScalar>? scalars = null)
    {
        Name = name; Summary = summary; Arguments = arguments; Body = body; Scalars = scalars ?? new KernelScalar[0];
    }

    /// <summary>Scalar parameters after the spans; usually none.</summary>
    public IReadOnlyList<KernelScalar> Scalars { get; }

    public string Name { get; }
    /// <summary>The fused expression, for the doc comment.</summary>
    public string Summary { get; }
    public IReadOnlyList<KernelArgument> Arguments { get; }
    public IReadOnlyList<string> Body { get; }

    public string Signature => $"internal static void {Name}(int n{string.Concat(Arguments.Select(a => ", " + a.Type + " " + a.Name))}{string.Concat(Scalars.Select(s => ", " + s.Type + " " + s.Name))})";

    /// <summary>Identity of the code regardless of name: kernels shared by entry points are emitted once.</summary>
    public string Shape => Signature.Substring(Signature.IndexOf('(')) + "\n" + string.Join("\n", Body);

    /// <summary><paramref name="name"/>, then name_a ... name_z, name_27 ...: deterministic names for different code under one name.</summary>
    public static string Suffixed(string name, int suffix) =>
        suffix == 0 ? name : name + "_" + (suffix <= 26 ? ((char)('a' + suffix - 1)).ToString() : suffix.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The doc comment: the fused nodes, and how many other nodes the same code computes.</summary>
    public static string Doc(string summary, int otherNodes) =>
        "/// <summary>" + System.Security.SecurityElement.Escape(summary) +
        (otherNodes == 0 ? "" : $" (the same code computes {otherNodes} other node{(otherNodes == 1 ? "" : "s")} too)") + "</summary>";

    public void Write(SourceWriter w, int otherNodes = 0)
    {
        w.Line(Doc(Summary, otherNodes));
        w.Open(Signature);
        foreach (var line in Body)
        {
            if (line.StartsWith("}")) w.Close(line.Substring(1));
            else if (line.EndsWith("{")) w.Open(line.Substring(0, line.Length - 1).TrimEnd());
            else w.Line(line);
        }
        w.Close();
    }
}
