using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// One axis in reverse order (a sequence read backwards, as a bidirectional recurrence needs). Its
/// VJP is the same reversal of the gradient: the map is a permutation, its own inverse and transpose.
/// </summary>
public sealed class ReverseOp : Op
{
    public ReverseOp(int axis) => Axis = axis;
    public int Axis { get; }
    public override string Name => "Reverse";
    public override OpClass Class => OpClass.Layout;
    public override string Attributes => "axis=" + Axis.ToString(CultureInfo.InvariantCulture);

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var x = inputs[0].Shape;
        if (Axis < 0 || Axis >= x.Rank)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"Reverse: axis {Axis} is out of range for {x}");
        if (x[Axis].IsBatch)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"Reverse: cannot reverse the batch axis of {x} (the samples of a batch have no order)");
        return (x, inputs[0].Type);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var dims = x[0].Dims;
        int outer = dims.Take(Axis).Aggregate(1, (p, d) => p * d), size = dims[Axis], inner = dims.Skip(Axis + 1).Aggregate(1, (p, d) => p * d);
        var y = TensorValue.Zeros((int[])dims.Clone());
        for (int o = 0; o < outer; o++)
            for (int t = 0; t < size; t++)
                System.Array.Copy(x[0].Data, (o * size + size - 1 - t) * inner, y.Data, (o * size + t) * inner, inner);
        return y;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Apply(new ReverseOp(Axis), dy) };
}

public sealed partial class GraphBuilder
{
    /// <summary><paramref name="x"/> with <paramref name="axis"/> (negative: from the end; not the batch axis) in reverse order.</summary>
    public Node Reverse(Node x, int axis)
    {
        int a = x.Shape.Axis(axis, "Reverse");
        return !x.Shape[a].IsBatch && x.Shape[a].Size == 1 ? x : Apply(new ReverseOp(a), x);
    }
}
