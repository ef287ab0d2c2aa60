using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dl.Graph;

/// <summary>Joins tensors along one axis (channels, for NCHW feature maps); the others must agree. Its VJP slices the gradient back apart.</summary>
public sealed class ConcatOp : Op
{
    public ConcatOp(int axis) => Axis = axis;
    public int Axis { get; }
    public override string Name => "Concat";
    public override OpClass Class => OpClass.Layout;
    public override string Attributes => "axis=" + Axis.ToString(CultureInfo.InvariantCulture);

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var first = inputs[0].Shape;
        int total = 0;
        foreach (var x in inputs)
        {
            if (x.Type != DType.Float32)
                throw new ShapeException(ShapeErrorKind.WrongType, $"Concat: expects float tensors, got integers of shape {x.Shape}");
            if (x.Shape.Rank != first.Rank)
                throw new ShapeException(ShapeErrorKind.WrongRank, $"Concat: all tensors need the same rank, got {first} and {x.Shape}");
            if (Axis < 0 || Axis >= first.Rank)
                throw new ShapeException(ShapeErrorKind.BadAxis, $"Concat: axis {Axis} is out of range for {first}");
            for (int a = 0; a < first.Rank; a++)
                if (a != Axis && x.Shape[a] != first[a])
                    throw new ShapeException(ShapeErrorKind.Mismatch,
                        $"Concat: {first} and {x.Shape} differ on axis {a} ({first[a]} vs {x.Shape[a]}); only axis {Axis} may differ");
            if (x.Shape[Axis].IsBatch)
                throw new ShapeException(ShapeErrorKind.BadAxis, $"Concat: cannot join along the batch axis of {x.Shape}");
            total += x.Shape[Axis].Size;
        }
        return (first.With(Axis, Dim.Of(total)), DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var dims = (int[])x[0].Dims.Clone();
        dims[Axis] = x.Sum(t => t.Dims[Axis]);
        int outer = dims.Take(Axis).Aggregate(1, (p, d) => p * d), inner = dims.Skip(Axis + 1).Aggregate(1, (p, d) => p * d);
        var y = TensorValue.Zeros(dims);
        int at = 0;
        for (int o = 0; o < outer; o++)
            foreach (var t in x)
            {
                int block = t.Dims[Axis] * inner;
                System.Array.Copy(t.Data, o * block, y.Data, at, block);
                at += block;
            }
        return y;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var grads = new List<Node?>();
        int start = 0;
        foreach (var x in y.Inputs)
        {
            grads.Add(g.Slice(dy, Axis, start, x.Shape[Axis].Size));
            start += x.Shape[Axis].Size;
        }
        return grads;
    }
}

/// <summary>Elements [Start, Start + Length) of one axis. Its VJP places the gradient back between zeros.</summary>
public sealed class SliceOp : Op
{
    public SliceOp(int axis, int start, int length) { Axis = axis; Start = start; Length = length; }
    public int Axis { get; }
    public int Start { get; }
    public int Length { get; }
    public override string Name => "Slice";
    public override OpClass Class => OpClass.Layout;
    public override string Attributes => string.Format(CultureInfo.InvariantCulture, "axis={0} [{1}:{2}]", Axis, Start, Start + Length);

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var x = inputs[0].Shape;
        if (Axis < 0 || Axis >= x.Rank)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"Slice: axis {Axis} is out of range for {x}");
        if (x[Axis].IsBatch)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"Slice: cannot slice the batch axis of {x}");
        if (Start < 0 || Length < 1 || Start + Length > x[Axis].Size)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Slice: [{Start}:{Start + Length}] is not inside axis {Axis} of {x} (size {x[Axis]})");
        return (x.With(Axis, Dim.Of(Length)), inputs[0].Type);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var inDims = x[0].Dims;
        var dims = (int[])inDims.Clone();
        dims[Axis] = Length;
        int outer = dims.Take(Axis).Aggregate(1, (p, d) => p * d), inner = dims.Skip(Axis + 1).Aggregate(1, (p, d) => p * d);
        var y = TensorValue.Zeros(dims);
        for (int o = 0; o < outer; o++)
            System.Array.Copy(x[0].Data, (o * inDims[Axis] + Start) * inner, y.Data, o * Length * inner, Length * inner);
        return y;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var x = y[0].Shape;
        int after = x[Axis].Size - Start - Length;
        var parts = new List<Node>();
        if (Start > 0) parts.Add(g.Constant(0, x.With(Axis, Dim.Of(Start))));
        parts.Add(dy);
        if (after > 0) parts.Add(g.Constant(0, x.With(Axis, Dim.Of(after))));
        return new[] { g.Concat(parts, Axis) };
    }
}

public sealed partial class GraphBuilder
{
    /// <summary>Joins <paramref name="parts"/> along <paramref name="axis"/> (1: the channels of NCHW maps); one part is returned as is.</summary>
    public Node Concat(IReadOnlyList<Node> parts, int axis = 1)
    {
        if (parts.Count == 0)
            throw new ShapeException(ShapeErrorKind.BadArgument, "Concat: needs at least one tensor");
        int a = parts[0].Shape.Axis(axis, "Concat");
        if (parts.Count == 1 && parts[0].Shape[a].IsBatch)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"Concat: cannot join along the batch axis of {parts[0].Shape}");
        return parts.Count == 1 ? parts[0] : Apply(new ConcatOp(a), parts.ToArray());
    }

    public Node Slice(Node x, int axis, int start, int length)
    {
        int a = x.Shape.Axis(axis, "Slice");
        return start == 0 && !x.Shape[a].IsBatch && length == x.Shape[a].Size ? x : Apply(new SliceOp(a, start, length), x);
    }
}
