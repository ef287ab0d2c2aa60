using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// A convolution with its epilogue: y = act(conv(x, w) + bias), the bias a per-channel vector
/// ([O,1,1] broadcast over the output, stored as O contiguous floats) and the activation any unary
/// op, applied by its operator struct in the store. Bias and activation never touch memory on their own.
/// </summary>
public sealed class ConvKernel : Kernel
{
    public ConvKernel(Node conv, Node? bias, Node? activation, IReadOnlyList<Node> fused)
    {
        Conv = conv; Bias = bias; Activation = activation; FusedNodes = fused;
    }

    public Node Conv { get; }
    public Node X => Conv[0];
    public Node W => Conv[1];
    public Node? Bias { get; }
    /// <summary>The unary node applied in the store; null for none.</summary>
    public Node? Activation { get; }
    public IReadOnlyList<Node> FusedNodes { get; }
    public Node Output => FusedNodes[FusedNodes.Count - 1];

    public override IReadOnlyList<Node> Writes => new[] { Output };
    public override IReadOnlyList<Node> Reads => new[] { X, W, Bias }.Where(n => n is not null).Select(n => n!).Distinct().ToList();
    public override IReadOnlyList<Node> Fused => FusedNodes;
}
