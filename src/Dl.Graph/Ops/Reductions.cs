using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>Sums over the given axes (sorted, distinct), optionally keeping them as size 1.</summary>
public sealed class SumOp : Op
{
    public SumOp(int[] axes, bool keepDims) { Axes = axes; KeepDims = keepDims; }
    public int[] Axes { get; }
    public bool KeepDims { get; }
    public override string Name => "Sum";
    public override OpClass Class => OpClass.Reduction;
    public override string Attributes => "axes=[" + string.Join(",", Axes) + "]" + (KeepDims ? " keep" : "");

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => (Reduced(inputs[0].Shape), DType.Float32);

    public Shape Reduced(Shape x)
    {
        foreach (var a in Axes) x.Axis(a, Name);
        return new Shape(x.Select((d, i) => (d, i)).Where(t => KeepDims || !Axes.Contains(t.i))
            .Select(t => Axes.Contains(t.i) ? Dim.Of(1) : t.d));
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var inDims = x[0].Dims;
        var keepDims = inDims.Select((d, i) => Axes.Contains(i) ? 1 : d).ToArray();
        var map = Broadcasting.IndexMap(keepDims, inDims);
        var result = TensorValue.Zeros(keepDims);
        for (int i = 0; i < map.Length; i++) result[map[i]] += x[0][i];
        return new TensorValue(KeepDims ? keepDims : inDims.Where((_, i) => !Axes.Contains(i)).ToArray(), result.Data);
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var x = y[0].Shape;
        var kept = new Shape(x.Select((d, i) => Axes.Contains(i) ? Dim.Of(1) : d));
        return new[] { g.BroadcastTo(g.Reshape(dy, kept), x) };
    }
}

public sealed partial class GraphBuilder
{
    public Node Sum(Node x, int[]? axes = null, bool keepDims = false) =>
        Apply(new SumOp(NormaliseAxes(x, axes, "Sum"), keepDims), x);

    /// <summary>Mean = Sum scaled by 1/count; each batch axis reduced divides by N once more, resolved per call.</summary>
    public Node Mean(Node x, int[]? axes = null, bool keepDims = false)
    {
        var a = NormaliseAxes(x, axes, "Mean");
        var reduced = a.Select(i => x.Shape[i]).ToArray();
        double count = reduced.Where(d => !d.IsBatch).Aggregate(1.0, (p, d) => p * d.Size);
        return Scale(Sum(x, a, keepDims), 1 / count, -reduced.Count(d => d.IsBatch));
    }

    private static int[] NormaliseAxes(Node x, int[]? axes, string op) =>
        (axes ?? Enumerable.Range(0, x.Shape.Rank).ToArray()).Select(a => x.Shape.Axis(a, op)).Distinct().OrderBy(a => a).ToArray();
}
