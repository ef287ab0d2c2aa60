using System;
using System.Collections.Generic;
using System.Globalization;

namespace Dl.Graph;

/// <summary>Elementwise unary ops: one line of math and one line of VJP each.</summary>
public abstract class UnaryOp : Op
{
    public override OpClass Class => OpClass.Elementwise;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        if (inputs[0].Type != DType.Float32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"{Name}: expects a float tensor, got an integer tensor of shape {inputs[0].Shape}");
        return (inputs[0].Shape, DType.Float32);
    }

    public abstract double Apply(double x, EvalContext context);

    /// <summary>By default the operator struct named like the op, without arguments.</summary>
    public override ElementwiseOperator Operator => new(Name);

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context) => x[0].Map(v => Apply(v, context));
}

public sealed class NegOp : UnaryOp
{
    public override string Name => "Neg";
    public override double Apply(double x, EvalContext c) => -x;
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Neg(dy) };
}

public sealed class ExpOp : UnaryOp
{
    public override string Name => "Exp";
    public override bool IsTranscendental => true;
    public override double Apply(double x, EvalContext c) => Math.Exp(x);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Mul(dy, y) };
}

public sealed class LogOp : UnaryOp
{
    public override string Name => "Log";
    public override bool IsTranscendental => true;
    public override double Apply(double x, EvalContext c) => Math.Log(x);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Div(dy, y[0]) };
}

public sealed class ReluOp : UnaryOp
{
    public override string Name => "Relu";
    // x < 0 ? 0 : x, not x > 0 ? x : 0: a NaN passes through (it would vanish into a 0 otherwise).
    public override double Apply(double x, EvalContext c) => x < 0 ? 0 : x;
    // The mask comes from the output (y > 0 exactly where x > 0), so backward needs only y.
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Mul(dy, g.Step(y)) };
}

public sealed class SigmoidOp : UnaryOp
{
    public override string Name => "Sigmoid";
    public override bool IsTranscendental => true;
    public override double Apply(double x, EvalContext c) => 1 / (1 + Math.Exp(-x));
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Mul(dy, g.Mul(y, g.Sub(g.Constant(1), y))) };
}

public sealed class TanhOp : UnaryOp
{
    public override string Name => "Tanh";
    public override bool IsTranscendental => true;
    public override double Apply(double x, EvalContext c) => Math.Tanh(x);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Mul(dy, g.Sub(g.Constant(1), g.Mul(y, y))) };
}

/// <summary>Heaviside step: 1 where x &gt; 0, else 0. Its derivative is zero almost everywhere.</summary>
public sealed class StepOp : UnaryOp
{
    public override string Name => "Step";
    public override double Apply(double x, EvalContext c) => x > 0 ? 1 : 0;
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new Node?[] { null };
}

/// <summary>
/// Multiplies by <c>Factor * N^BatchPower</c>: a constant that may depend on the batch size, which is
/// how means over the batch stay exact for every batch size (BatchPower = -1).
/// </summary>
public sealed class ScaleOp : UnaryOp
{
    public ScaleOp(double factor, int batchPower) { Factor = factor; BatchPower = batchPower; }
    public double Factor { get; }
    public int BatchPower { get; }
    public override string Name => "Scale";
    public override string Attributes => Factor.ToString("R", CultureInfo.InvariantCulture) + (BatchPower == 0 ? "" : $" N^{BatchPower}");
    public double Resolve(int batch) => Factor * Math.Pow(batch, BatchPower);
    public override ElementwiseOperator Operator => new(Name, new OperatorArgument(Factor, BatchPower));
    public override double Apply(double x, EvalContext c) => x * Resolve(c.Batch);
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Scale(dy, Factor, BatchPower) };
}

public sealed partial class GraphBuilder
{
    public Node Neg(Node x) => Apply(new NegOp(), x);
    public Node Exp(Node x) => Apply(new ExpOp(), x);
    public Node Log(Node x) => Apply(new LogOp(), x);
    public Node Relu(Node x) => Apply(new ReluOp(), x);
    public Node Sigmoid(Node x) => Apply(new SigmoidOp(), x);
    public Node Tanh(Node x) => Apply(new TanhOp(), x);
    public Node Step(Node x) => Apply(new StepOp(), x);

    /// <summary>x * factor * N^batchPower; the identity for factor 1, power 0.</summary>
    public Node Scale(Node x, double factor, int batchPower = 0) =>
        factor == 1 && batchPower == 0 ? x : Apply(new ScaleOp(factor, batchPower), x);
}
