using System;
using System.Collections.Generic;

namespace Dl.Graph;

/// <summary>√x (NaN for x &lt; 0, -0 for -0, as IEEE and MathF.Sqrt).</summary>
public sealed class SqrtOp : UnaryOp
{
    public override string Name => "Sqrt";
    public override double Apply(double x, EvalContext c) => Math.Sqrt(x);
    // d/dx √x = 1/(2√x) = 0.5/y: reuse the output (+∞ at x = 0, where √ has a vertical tangent).
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Scale(g.Div(dy, y), 0.5) };
}

public sealed partial class GraphBuilder
{
    public Node Sqrt(Node x) => Apply(new SqrtOp(), x);
}
