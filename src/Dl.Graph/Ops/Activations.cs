using System;
using System.Collections.Generic;
using System.Globalization;

namespace Dl.Graph;

/// <summary>Leaky ReLU: x for x &gt; 0, slope·x otherwise.</summary>
public sealed class LeakyReluOp : UnaryOp
{
    public LeakyReluOp(double slope) => Slope = slope;
    public double Slope { get; }
    public override string Name => "LeakyRelu";
    public override string Attributes => Slope.ToString("R", CultureInfo.InvariantCulture);
    public override ElementwiseOperator Operator => new(Name, new OperatorArgument(Slope));
    public override double Apply(double x, EvalContext c) => x > 0 ? x : Slope * x;
    // dx = dy · (step(x)·(1 - slope) + slope): 1 on the positive side, slope on the other.
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.Mul(dy, g.Add(g.Scale(g.Step(y[0]), 1 - Slope), g.Constant(Slope))) };
}

/// <summary>ELU: x for x &gt; 0, alpha·(exp(x) - 1) otherwise.</summary>
public sealed class EluOp : UnaryOp
{
    public EluOp(double alpha) => Alpha = alpha;
    public double Alpha { get; }
    public override string Name => "Elu";
    public override bool IsTranscendental => true;
    public override string Attributes => Alpha.ToString("R", CultureInfo.InvariantCulture);
    public override ElementwiseOperator Operator => new(Name, new OperatorArgument(Alpha));
    public override double Apply(double x, EvalContext c) => x > 0 ? x : Alpha * (Math.Exp(x) - 1);
    // On the negative side d/dx alpha·(exp(x) - 1) = alpha·exp(x) = y + alpha: reuse the output.
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var positive = g.Step(y[0]);
        return new[] { g.Mul(dy, g.Add(positive, g.Mul(g.Sub(g.Constant(1), positive), g.Add(y, g.Constant(Alpha))))) };
    }
}

/// <summary>Softplus: log(1 + exp(x)), computed as max(x, 0) + log(1 + exp(-|x|)) so it never overflows.</summary>
public sealed class SoftplusOp : UnaryOp
{
    public override string Name => "Softplus";
    public override bool IsTranscendental => true;
    public override double Apply(double x, EvalContext c) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Mul(dy, g.Sigmoid(y[0])) };
}

/// <summary>|x|; its derivative is sign(x) (0 at 0, the subgradient an L1 penalty wants).</summary>
public sealed class AbsOp : UnaryOp
{
    public override string Name => "Abs";
    public override double Apply(double x, EvalContext c) => Math.Abs(x);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Mul(dy, g.Sign(y[0])) };
}

/// <summary>sign(x): -1, 0 or 1. Piecewise constant, so no gradient flows through it.</summary>
public sealed class SignOp : UnaryOp
{
    public override string Name => "Sign";
    public override double Apply(double x, EvalContext c) => x > 0 ? 1 : x < 0 ? -1 : 0;
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new Node?[] { null };
}

/// <summary>1/sqrt(x), for normalising by a standard deviation.</summary>
public sealed class RsqrtOp : UnaryOp
{
    public override string Name => "Rsqrt";
    public override double Apply(double x, EvalContext c) => 1 / Math.Sqrt(x);
    // d/dx x^(-1/2) = -x^(-3/2) / 2 = -y³ / 2.
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Scale(g.Mul(dy, g.Mul(y, g.Mul(y, y))), -0.5) };
}

/// <summary>SiLU (Swish): x·sigmoid(x), PyTorch's <c>nn.SiLU</c>.</summary>
public sealed class SiluOp : UnaryOp
{
    public override string Name => "Silu";
    public override bool IsTranscendental => true;
    public override double Apply(double x, EvalContext c) => x / (1 + Math.Exp(-x));
    // d/dx x·s(x) = s + x·s·(1 - s) = s·(1 + x·(1 - s)), s from the input (the output alone does not give it).
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var x = y[0];
        var s = g.Sigmoid(x);
        return new[] { g.Mul(dy, g.Mul(s, g.Add(g.Constant(1), g.Mul(x, g.Sub(g.Constant(1), s))))) };
    }
}

/// <summary>
/// GELU, tanh form (PyTorch's <c>gelu(x, approximate='tanh')</c>): 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³).
/// Since 1 + tanh(u) = 2·sigmoid(2u) it is x·sigmoid(2u), which is how it is computed: no cancellation in the negative tail.
/// </summary>
public sealed class GeluTanhOp : UnaryOp
{
    /// <summary>2·√(2/π) and 0.044715: 2u = <see cref="TwoC"/>·(x + <see cref="Cubic"/>·x³).</summary>
    public const double TwoC = 1.5957691216057308, Cubic = 0.044715;
    public override string Name => "GeluTanh";
    public override bool IsTranscendental => true;
    public override double Apply(double x, EvalContext c) => x / (1 + Math.Exp(-TwoC * (x + Cubic * x * x * x)));
    // y = x·s(z), z = 2u: dy/dx = s + x·s·(1 - s)·z', z' = TwoC·(1 + 3·Cubic·x²).
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var x = y[0];
        var x2 = g.Mul(x, x);
        var s = g.Sigmoid(g.Scale(g.Add(x, g.Scale(g.Mul(x2, x), Cubic)), TwoC));
        var dz = g.Add(g.Scale(x2, 3 * Cubic * TwoC), g.Constant(TwoC));
        return new[] { g.Mul(dy, g.Mul(s, g.Add(g.Constant(1), g.Mul(g.Mul(x, g.Sub(g.Constant(1), s)), dz)))) };
    }
}

/// <summary>
/// Hard sigmoid, PyTorch's definition (<c>nn.Hardsigmoid</c>): clamp(x/6 + 1/2, 0, 1), so 0 for x ≤ -3 and 1 for x ≥ 3.
/// (Keras' older hard_sigmoid uses 0.2·x + 0.5; this is not it.)
/// </summary>
public sealed class HardSigmoidOp : UnaryOp
{
    public override string Name => "HardSigmoid";
    // t < 0 ? 0 : t > 1 ? 1 : t: a NaN passes through, as in Relu.
    public override double Apply(double x, EvalContext c)
    {
        double t = x / 6 + 0.5;
        return t < 0 ? 0 : t > 1 ? 1 : t;
    }
    // 1/6 where 0 < y < 1 (exactly -3 < x < 3, PyTorch's open interval), else 0; the mask comes from the output.
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.Scale(g.Mul(dy, g.Mul(g.Step(y), g.Step(g.Sub(g.Constant(1), y)))), 1.0 / 6) };
}

/// <summary>
/// clamp(x, min, max) for constants min ≤ max: min where x &lt; min, max where x &gt; max, else x (a NaN passes
/// through, as in Relu). The gradient passes where min ≤ x ≤ max, the bounds included as in PyTorch's clamp
/// (so at x = min the gradient is dy, not 0); it is 0 outside. min &gt; max is an error (PyTorch returns max).
/// </summary>
public sealed class ClampOp : UnaryOp
{
    public ClampOp(double min, double max)
    {
        if (double.IsNaN(min) || double.IsNaN(max) || min > max)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Clamp: min must not be above max, got min {min.ToString("R", CultureInfo.InvariantCulture)} and max {max.ToString("R", CultureInfo.InvariantCulture)}");
        Min = min; Max = max;
    }

    public double Min { get; }
    public double Max { get; }
    public override string Name => "Clamp";
    public override string Attributes => Min.ToString("R", CultureInfo.InvariantCulture) + ", " + Max.ToString("R", CultureInfo.InvariantCulture);
    public override ElementwiseOperator Operator => new(Name, new OperatorArgument(Min), new OperatorArgument(Max));
    public override double Apply(double x, EvalContext c) => x < Min ? Min : x > Max ? Max : x;
    // dy where !(x < min) and !(x > max): 1 - step(min - x) and 1 - step(x - max), from the input (the output cannot tell x = min from x < min).
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var x = y[0];
        var notBelow = g.Sub(g.Constant(1), g.Step(g.Sub(g.Constant(Min), x)));
        var notAbove = g.Sub(g.Constant(1), g.Step(g.Sub(x, g.Constant(Max))));
        return new[] { g.Mul(dy, g.Mul(notBelow, notAbove)) };
    }
}

public sealed partial class GraphBuilder
{
    public Node Clamp(Node x, double min, double max) => Apply(new ClampOp(min, max), x);
    public Node LeakyRelu(Node x, double slope = 0.01) => Apply(new LeakyReluOp(slope), x);
    public Node Elu(Node x, double alpha = 1.0) => Apply(new EluOp(alpha), x);
    public Node Softplus(Node x) => Apply(new SoftplusOp(), x);
    public Node Abs(Node x) => Apply(new AbsOp(), x);
    public Node Sign(Node x) => Apply(new SignOp(), x);
    public Node Rsqrt(Node x) => Apply(new RsqrtOp(), x);
    public Node Silu(Node x) => Apply(new SiluOp(), x);
    public Node GeluTanh(Node x) => Apply(new GeluTanhOp(), x);
    public Node HardSigmoid(Node x) => Apply(new HardSigmoidOp(), x);

    /// <summary>The L1 penalty Σ|x| (a scalar), to add to a loss.</summary>
    public Node L1(Node x) => Sum(Abs(x));

    /// <summary>The L2 penalty Σx² (a scalar), to add to a loss.</summary>
    public Node L2(Node x) => Sum(Mul(x, x));
}
