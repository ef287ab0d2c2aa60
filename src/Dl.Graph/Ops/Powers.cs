using System;
using System.Collections.Generic;
using System.Globalization;

namespace Dl.Graph;

/// <summary>√x (NaN for x &lt; 0, -0 for -0, as IEEE and MathF.Sqrt).</summary>
public sealed class SqrtOp : UnaryOp
{
    public override string Name => "Sqrt";
    public override double Apply(double x, EvalContext c) => Math.Sqrt(x);
    // d/dx √x = 1/(2√x) = 0.5/y: reuse the output (+∞ at x = 0, where √ has a vertical tangent).
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Scale(g.Div(dy, y), 0.5) };
}

/// <summary>
/// x^p for a constant, finite exponent p, with IEEE pow's meaning (Math.Pow, MathF.Pow): x^0 = 1 for every x
/// (NaN included); for x &lt; 0 an integer p gives |x|^p with the sign of x when p is odd, and any other p gives
/// NaN (-∞ excepted: (-∞)^p is +∞ for p &gt; 0, +0 for p &lt; 0); 0^p is 0 for p &gt; 0 (-0 kept for odd p) and +∞
/// for p &lt; 0. The gradient is p·x^(p-1)·dy (none for p = 0).
/// </summary>
public sealed class PowOp : UnaryOp
{
    public PowOp(double exponent)
    {
        if (double.IsNaN(exponent) || double.IsInfinity(exponent))
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Pow: the exponent must be a finite number, got {exponent}");
        Exponent = exponent;
    }

    public double Exponent { get; }
    public override string Name => "Pow";
    public override bool IsTranscendental => true;
    public override string Attributes => Exponent.ToString("R", CultureInfo.InvariantCulture);
    public override ElementwiseOperator Operator => new(Name, new OperatorArgument(Exponent));
    public override double Apply(double x, EvalContext c) => Math.Pow(x, Exponent);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        Exponent == 0 ? new Node?[] { null } : new[] { g.Scale(g.Mul(dy, g.Pow(y[0], Exponent - 1)), Exponent) };
}

public sealed partial class GraphBuilder
{
    public Node Sqrt(Node x) => Apply(new SqrtOp(), x);

    /// <summary>x^exponent elementwise (see <see cref="PowOp"/>); x^1 is x itself.</summary>
    public Node Pow(Node x, double exponent) => exponent == 1 ? x : Apply(new PowOp(exponent), x);
}
