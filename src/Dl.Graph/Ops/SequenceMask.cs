using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// A batch of sequences of different lengths: x [N,T,...] with every step t at or past its sample's
/// length (integer lengths [N]) set to zero, so padding contributes nothing downstream. A length
/// outside 0..T is an error at run time (<see cref="IndexOutOfRangeException"/> naming it), as a
/// token outside an embedding's table is. The map is a diagonal 0/1 projection, its own transpose:
/// its VJP masks the gradient the same way (steps past a length pass none back); lengths have no gradient.
/// </summary>
public sealed class SequenceMaskOp : Op
{
    public override string Name => "SequenceMask";
    public override OpClass Class => OpClass.Layout;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var (x, lengths) = (inputs[0], inputs[1]);
        if (x.Type != DType.Float32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"SequenceMask: x must be floats [N, T, ...], got integers of shape {x.Shape}");
        if (x.Shape.Rank < 2)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"SequenceMask: x must be a batch of sequences [N, T, ...] (rank 2 or more), got {x.Shape}");
        if (x.Shape[1].IsBatch)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"SequenceMask: the steps (axis 1) of {x.Shape} must have a fixed size, not the batch");
        if (lengths.Type != DType.Int32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"SequenceMask: the lengths must be integers (Labels) [{x.Shape[0]}], got floats of shape {lengths.Shape}");
        if (lengths.Shape.Rank != 1 || lengths.Shape[0] != x.Shape[0])
            throw new ShapeException(ShapeErrorKind.Mismatch, $"SequenceMask: the lengths must be one per sample of x {x.Shape}, [{x.Shape[0]}], got {lengths.Shape}");
        return (x.Shape, DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var (values, lengths) = (x[0], x[1]);
        int samples = values.Dims[0], steps = values.Dims[1], inner = values.Dims.Skip(2).Aggregate(1, (p, d) => p * d);
        var y = TensorValue.Zeros((int[])values.Dims.Clone());
        for (int n = 0; n < samples; n++)
            Array.Copy(values.Data, n * steps * inner, y.Data, n * steps * inner, Steps(lengths[n], n, steps) * inner);
        return y;
    }

    /// <summary>The steps a sample keeps, or the run-time error every backend gives for a length outside 0..steps.</summary>
    public static int Steps(double length, int at, int steps) =>
        length >= 0 && length <= steps ? (int)length : throw OutOfRange((long)length, at, steps);

    public static IndexOutOfRangeException OutOfRange(long length, int at, int steps) =>
        new(string.Format(CultureInfo.InvariantCulture, "SequenceMask: length {0} (element {1} of the lengths) is outside 0..{2}, the steps of the sequence", length, at, steps));

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.SequenceMask(dy, y[1]), null };
}

public sealed partial class GraphBuilder
{
    /// <summary><paramref name="x"/> [N,T,...] with the steps at or past each sample's <paramref name="lengths"/> [N] (integers) set to zero.</summary>
    public Node SequenceMask(Node x, Node lengths) => Apply(new SequenceMaskOp(), x, lengths);
}
