using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>NumPy broadcasting: shapes align on the right; a static 1 stretches to the other size.</summary>
public static class Broadcasting
{
    public static Shape Result(string op, Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new Dim[rank];
        for (int i = 0; i < rank; i++)
        {
            Dim da = At(a, i - rank + a.Rank), db = At(b, i - rank + b.Rank);
            if (da == db) dims[i] = da;
            else if (!da.IsBatch && da.Size == 1) dims[i] = db;
            else if (!db.IsBatch && db.Size == 1) dims[i] = da;
            else
                throw new ShapeException(ShapeErrorKind.Mismatch,
                    $"{op}: shapes {a} and {b} cannot be broadcast together (dimension {i} of the result: {da} vs {db})");
        }
        return new Shape(dims);
    }

    private static Dim At(Shape s, int axis) => axis < 0 ? Dim.Of(1) : s[axis];

    /// <summary>True when <paramref name="from"/> broadcasts to exactly <paramref name="to"/>.</summary>
    public static bool Broadcasts(Shape from, Shape to)
    {
        if (from.Rank > to.Rank) return false;
        for (int i = 0; i < from.Rank; i++)
        {
            Dim f = from[i], t = to[i + to.Rank - from.Rank];
            if (f != t && (f.IsBatch || f.Size != 1)) return false;
        }
        return true;
    }

    /// <summary>For each element of <paramref name="outDims"/>, the flat index into a tensor of <paramref name="inDims"/> that broadcasts to it.</summary>
    public static int[] IndexMap(int[] inDims, int[] outDims)
    {
        int n = outDims.Aggregate(1, (p, d) => p * d);
        var map = new int[n];
        var inStrides = TensorValue.Strides(inDims);
        int offset = outDims.Length - inDims.Length;
        var idx = new int[outDims.Length];
        for (int flat = 0; flat < n; flat++)
        {
            int src = 0;
            for (int ax = 0; ax < inDims.Length; ax++)
                if (inDims[ax] != 1) src += idx[ax + offset] * inStrides[ax];
            map[flat] = src;
            for (int ax = outDims.Length - 1; ax >= 0; ax--)
            {
                if (++idx[ax] < outDims[ax]) break;
                idx[ax] = 0;
            }
        }
        return map;
    }

    public static TensorValue Binary(TensorValue a, TensorValue b, int[] outDims, Func<double, double, double> f)
    {
        var ma = IndexMap(a.Dims, outDims);
        var mb = IndexMap(b.Dims, outDims);
        var data = new double[ma.Length];
        for (int i = 0; i < data.Length; i++) data[i] = f(a[ma[i]], b[mb[i]]);
        return new TensorValue(outDims, data);
    }
}

/// <summary>Stretches a tensor to a larger shape it broadcasts to. The VJP of broadcasting is <see cref="SumToOp"/>.</summary>
public sealed class BroadcastToOp : Op
{
    public BroadcastToOp(Shape target) => Target = target;
    public Shape Target { get; }
    public override string Name => "BroadcastTo";
    public override OpClass Class => OpClass.Elementwise;
    /// <summary>Per element the identity (the stretch is in how the input is read).</summary>
    public override ElementwiseOperator Operator => new("Identity");
    public override string Attributes => Target.ToString();

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        if (!Broadcasting.Broadcasts(inputs[0].Shape, Target))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"BroadcastTo: {inputs[0].Shape} does not broadcast to {Target}");
        return (Target, inputs[0].Type);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var dims = Target.Resolve(context.Batch);
        var map = Broadcasting.IndexMap(x[0].Dims, dims);
        return new TensorValue(dims, map.Select(i => x[0][i]).ToArray());
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node gradient) => new[] { g.SumTo(gradient, node[0].Shape) };
}

/// <summary>Sums a tensor down to a shape that broadcasts to it: the gradient of broadcasting.</summary>
public sealed class SumToOp : Op
{
    public SumToOp(Shape target) => Target = target;
    public Shape Target { get; }
    public override string Name => "SumTo";
    public override OpClass Class => OpClass.Reduction;
    public override string Attributes => Target.ToString();

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        if (!Broadcasting.Broadcasts(Target, inputs[0].Shape))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"SumTo: {Target} does not broadcast to {inputs[0].Shape}");
        return (Target, inputs[0].Type);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var dims = Target.Resolve(context.Batch);
        var map = Broadcasting.IndexMap(dims, x[0].Dims);
        var result = TensorValue.Zeros(dims);
        for (int i = 0; i < map.Length; i++) result[map[i]] += x[0][i];
        return result;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node node, Node gradient) => new[] { g.BroadcastTo(gradient, node[0].Shape) };
}

public sealed partial class GraphBuilder
{
    /// <summary>Sums <paramref name="x"/> down to <paramref name="shape"/>; the identity when shapes already agree.</summary>
    public Node SumTo(Node x, Shape shape) => x.Shape.Equals(shape) ? x : Apply(new SumToOp(shape), x);

    public Node BroadcastTo(Node x, Shape shape) => x.Shape.Equals(shape) ? x : Apply(new BroadcastToOp(shape), x);
}
