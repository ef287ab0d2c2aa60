using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// An elementwise comparison with broadcasting, as a float mask: 1 where it holds, else 0 (a NaN on either side
/// gives 0, as IEEE comparisons are false for NaN). Piecewise constant, so no gradient flows to either side.
/// </summary>
public abstract class ComparisonOp : BinaryOp
{
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy) => new Node?[] { null, null };
}

/// <summary>1 where a &gt; b, else 0 (NaN: 0).</summary>
public sealed class GreaterOp : ComparisonOp
{
    public override string Name => "Greater";
    public override double Apply(double a, double b) => a > b ? 1 : 0;
}

/// <summary>1 where a &lt; b, else 0 (NaN: 0).</summary>
public sealed class LessOp : ComparisonOp
{
    public override string Name => "Less";
    public override double Apply(double a, double b) => a < b ? 1 : 0;
}

/// <summary>1 where a ≥ b, else 0 (NaN: 0).</summary>
public sealed class GreaterEqualOp : ComparisonOp
{
    public override string Name => "GreaterEqual";
    public override double Apply(double a, double b) => a >= b ? 1 : 0;
}

/// <summary>1 where a ≤ b, else 0 (NaN: 0).</summary>
public sealed class LessEqualOp : ComparisonOp
{
    public override string Name => "LessEqual";
    public override double Apply(double a, double b) => a <= b ? 1 : 0;
}

/// <summary>1 where a = b (so -0 = +0), else 0 (NaN: 0, even against itself).</summary>
public sealed class EqualOp : ComparisonOp
{
    public override string Name => "Equal";
    public override double Apply(double a, double b) => a == b ? 1 : 0;
}

/// <summary>
/// where(condition, a, b) elementwise, the three shapes broadcast together as for <c>+</c>: a where condition ≠ 0
/// (a NaN condition counts as true, as in C), else b; a comparison's mask is the usual condition. Only the side
/// taken is read, so an ∞ or NaN on the other side does not leak into the result (as it would into mask·a +
/// (1 - mask)·b). The gradient goes to a where the condition holds and to b elsewhere (summed over broadcast
/// axes); none to the condition.
/// </summary>
public sealed class WhereOp : Op
{
    public override string Name => "Where";
    public override OpClass Class => OpClass.Elementwise;
    public override ElementwiseOperator Operator => new(Name);

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        foreach (var x in inputs)
            if (x.Type != DType.Float32)
                throw new ShapeException(ShapeErrorKind.WrongType, $"Where: expects float tensors (a comparison's mask as the condition), got an integer tensor of shape {x.Shape}");
        return (Broadcasting.Result(Name, Broadcasting.Result(Name, inputs[0].Shape, inputs[1].Shape), inputs[2].Shape), DType.Float32);
    }

    public static double Apply(double condition, double a, double b) => condition != 0 ? a : b;

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        int rank = x.Max(v => v.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
            dims[i] = x.Max(v => i - rank + v.Rank >= 0 ? v.Dims[i - rank + v.Rank] : 1);
        var maps = x.Select(v => Broadcasting.IndexMap(v.Dims, dims)).ToArray();
        var data = new double[maps[0].Length];
        for (int i = 0; i < data.Length; i++) data[i] = Apply(x[0][maps[0][i]], x[1][maps[1][i]], x[2][maps[2][i]]);
        return new TensorValue(dims, data);
    }

    // dy itself to the side taken (a Where again, so a NaN dy on the other side stays out), 0 to the other.
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node dy) => new[]
    {
        null,
        g.SumTo(g.Where(node[0], dy, g.Constant(0)), node[1].Shape),
        g.SumTo(g.Where(node[0], g.Constant(0), dy), node[2].Shape),
    };
}

public sealed partial class GraphBuilder
{
    public Node Greater(Node a, Node b) => Apply(new GreaterOp(), a, b);
    public Node Less(Node a, Node b) => Apply(new LessOp(), a, b);
    public Node GreaterEqual(Node a, Node b) => Apply(new GreaterEqualOp(), a, b);
    public Node LessEqual(Node a, Node b) => Apply(new LessEqualOp(), a, b);
    public Node Equal(Node a, Node b) => Apply(new EqualOp(), a, b);
    public Node Where(Node condition, Node a, Node b) => Apply(new WhereOp(), condition, a, b);
}
