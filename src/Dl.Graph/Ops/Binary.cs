using System;
using System.Collections.Generic;

namespace Dl.Graph;

/// <summary>Elementwise binary ops with broadcasting. Each op's math and VJP sit together below.</summary>
public abstract class BinaryOp : Op
{
    /// <summary>The VJP of an op that takes one side per element (max, min): dy to b where <paramref name="tookB"/> is 1, to a elsewhere.</summary>
    protected static IReadOnlyList<Node?> ToTakenSide(GraphBuilder g, Node node, Node dy, Node tookB) =>
        new[] { g.SumTo(g.Mul(dy, g.Sub(g.Constant(1), tookB)), node[0].Shape), g.SumTo(g.Mul(dy, tookB), node[1].Shape) };

    public override OpClass Class => OpClass.Elementwise;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        foreach (var x in inputs)
            if (x.Type != DType.Float32)
                throw new ShapeException(ShapeErrorKind.WrongType, $"{Name}: expects float tensors, got an integer tensor of shape {x.Shape}");
        return (Broadcasting.Result(Name, inputs[0].Shape, inputs[1].Shape), DType.Float32);
    }

    public abstract double Apply(double a, double b);

    /// <summary>The operator struct named like the op.</summary>
    public override ElementwiseOperator Operator => new(Name);

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var outDims = Broadcasting.Binary(x[0], x[1], BroadcastDims(x[0].Dims, x[1].Dims), Apply);
        return outDims;
    }

    private static int[] BroadcastDims(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var d = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - rank + a.Length >= 0 ? a[i - rank + a.Length] : 1;
            int db = i - rank + b.Length >= 0 ? b[i - rank + b.Length] : 1;
            d[i] = Math.Max(da, db);
        }
        return d;
    }
}

public sealed class AddOp : BinaryOp
{
    public override string Name => "Add";
    public override double Apply(double a, double b) => a + b;
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy) =>
        new[] { g.SumTo(dy, node[0].Shape), g.SumTo(dy, node[1].Shape) };
}

public sealed class SubOp : BinaryOp
{
    public override string Name => "Sub";
    public override double Apply(double a, double b) => a - b;
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy) =>
        new[] { g.SumTo(dy, node[0].Shape), g.SumTo(g.Neg(dy), node[1].Shape) };
}

public sealed class MulOp : BinaryOp
{
    public override string Name => "Mul";
    public override double Apply(double a, double b) => a * b;
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy) =>
        new[] { g.SumTo(g.Mul(dy, node[1]), node[0].Shape), g.SumTo(g.Mul(dy, node[0]), node[1].Shape) };
}

public sealed class DivOp : BinaryOp
{
    public override string Name => "Div";
    public override double Apply(double a, double b) => a / b;
    // d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b: reuse the output instead of recomputing a/b².
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy) =>
        new[] { g.SumTo(g.Div(dy, node[1]), node[0].Shape), g.SumTo(g.Neg(g.Mul(dy, g.Div(node, node[1]))), node[1].Shape) };
}

/// <summary>
/// max(a, b) elementwise with broadcasting: a where a &gt; b or a is NaN, else b, so a NaN on either side
/// propagates. The gradient goes to the side that was taken; at a tie to a (the first operand).
/// </summary>
public sealed class MaximumOp : BinaryOp
{
    public override string Name => "Maximum";
    public override double Apply(double a, double b) => a > b || double.IsNaN(a) ? a : b;
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy) =>
        ToTakenSide(g, node, dy, g.Step(g.Sub(node[1], node[0])));   // b taken where b > a
}

/// <summary>
/// min(a, b) elementwise with broadcasting: a where a &lt; b or a is NaN, else b, so a NaN on either side
/// propagates. The gradient goes to the side that was taken; at a tie to a (the first operand).
/// </summary>
public sealed class MinimumOp : BinaryOp
{
    public override string Name => "Minimum";
    public override double Apply(double a, double b) => a < b || double.IsNaN(a) ? a : b;
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy) =>
        ToTakenSide(g, node, dy, g.Step(g.Sub(node[0], node[1])));   // b taken where b < a
}

public sealed partial class GraphBuilder
{
    public Node Maximum(Node a, Node b) => Apply(new MaximumOp(), a, b);
    public Node Minimum(Node a, Node b) => Apply(new MinimumOp(), a, b);
    public Node Add(Node a, Node b) => Apply(new AddOp(), a, b);
    public Node Sub(Node a, Node b) => Apply(new SubOp(), a, b);
    public Node Mul(Node a, Node b) => Apply(new MulOp(), a, b);
    public Node Div(Node a, Node b) => Apply(new DivOp(), a, b);
}
