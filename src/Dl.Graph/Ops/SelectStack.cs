using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// Select, Chunk and Stack, the sequence-shaped views of Slice and Concat: no ops of their own. A Reshape
/// is a view in the compiled code (the memory planner aliases it), so a Select is one block copy and a
/// Stack one copy per part, as a Slice and a Concat are; their VJPs are those of Slice, Concat and Reshape.
/// </summary>
public sealed partial class GraphBuilder
{
    /// <summary>
    /// Entry <paramref name="index"/> along <paramref name="axis"/> with that axis removed (PyTorch's
    /// <c>select</c>): [N,T,H] on axis 1 gives [N,H]. Negative axis and index count from the end.
    /// </summary>
    public Node Select(Node x, int axis, int index)
    {
        var shape = x.Shape;
        int a = shape.Axis(axis, "Select");
        if (shape[a].IsBatch)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"Select: cannot select along the batch axis of {shape} (axis {axis})");
        int size = shape[a].Size, i = index < 0 ? index + size : index;
        if (i < 0 || i >= size)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Select: index {index} is not inside axis {a} of {shape} (size {size})");
        var dropped = new Shape(shape.Where((_, k) => k != a));
        return Reshape(Apply(new SliceOp(a, i, 1), x), dropped);
    }

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="count"/> equal parts along <paramref name="axis"/>
    /// (negative: from the end): [N,4H] in 4 parts on axis 1 gives four [N,H], an LSTM's gates from one
    /// fused product. A Slice; the axis's size must be a multiple of <paramref name="count"/>.
    /// </summary>
    public Node Chunk(Node x, int axis, int count, int part)
    {
        var shape = x.Shape;
        int a = shape.Axis(axis, "Chunk");
        if (count < 1)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Chunk: needs a positive number of parts, got {count}");
        if (shape[a].IsBatch)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"Chunk: cannot split the batch axis of {shape} (axis {axis})");
        int size = shape[a].Size;
        if (size % count != 0)
            throw new ShapeException(ShapeErrorKind.Mismatch,
                $"Chunk: axis {a} of {shape} (size {size}) does not split into {count} equal parts; its size must be a multiple of {count}");
        if (part < 0 || part >= count)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Chunk: there is no part {part} of {count}");
        return Slice(x, a, part * (size / count), size / count);
    }

    /// <summary>
    /// Where a new axis <paramref name="axis"/> (negative: from the end) goes when tensors of shape
    /// <paramref name="shape"/> are stacked: 0..rank, after the batch axis. Also a loop's stacked outputs.
    /// </summary>
    public static int StackAxis(Shape shape, int axis)
    {
        int rank = shape.Rank, a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 0 || a > rank)
            throw new ShapeException(ShapeErrorKind.BadAxis,
                $"Stack: axis {axis} is out of range for stacking tensors of shape {shape} (the new axis goes at 0..{rank}, or -{rank + 1}..-1)");
        int batchAxis = Enumerable.Range(0, rank).Where(k => shape[k].IsBatch).DefaultIfEmpty(-1).First();
        if (batchAxis >= 0 && a <= batchAxis)
            throw new ShapeException(ShapeErrorKind.BadAxis,
                $"Stack: a new axis {axis} would come before the batch axis of {shape}; stack along axis {batchAxis + 1} or later");
        return a;
    }

    /// <summary>
    /// Joins equal-shaped tensors along a new axis, at <paramref name="axis"/> of the result (negative:
    /// from the end): T tensors [N,H] stacked on axis 1 give [N,T,H]. Each part is viewed with a size-1
    /// axis there and the views are concatenated, one copy per part.
    /// </summary>
    public Node Stack(IReadOnlyList<Node> parts, int axis)
    {
        if (parts.Count == 0)
            throw new ShapeException(ShapeErrorKind.BadArgument, "Stack: needs at least one tensor");
        var first = parts[0].Shape;
        int a = StackAxis(first, axis);
        foreach (var p in parts)
        {
            if (p.Type != DType.Float32)
                throw new ShapeException(ShapeErrorKind.WrongType, $"Stack: expects float tensors, got integers of shape {p.Shape}");
            if (!p.Shape.Equals(first))
                throw new ShapeException(ShapeErrorKind.Mismatch, $"Stack: all tensors need the same shape, got {first} and {p.Shape}");
        }
        var withAxis = new Shape(first.Take(a).Append(Dim.Of(1)).Concat(first.Skip(a)));
        var views = parts.Select(p => Reshape(p, withAxis)).ToList();
        return views.Count == 1 ? views[0] : Apply(new ConcatOp(a), views.ToArray());
    }
}
