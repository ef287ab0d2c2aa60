using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>Reinterprets the elements under a new shape with the same count (row-major order kept).</summary>
public sealed class ReshapeOp : Op
{
    public ReshapeOp(Shape target) => Target = target;
    public Shape Target { get; }
    public override string Name => "Reshape";
    public override OpClass Class => OpClass.Layout;
    public override string Attributes => Target.ToString();

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var x = inputs[0].Shape;
        if (x.BatchRank != Target.BatchRank || x.StaticCount != Target.StaticCount)
            throw new ShapeException(ShapeErrorKind.BadArgument,
                $"Reshape: cannot reshape {x} ({Count(x)} elements) to {Target} ({Count(Target)} elements)");
        return (Target, inputs[0].Type);
    }

    private static string Count(Shape s) => s.BatchRank switch { 0 => "", 1 => "N*", int p => $"N^{p}*" } + s.StaticCount;

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context) =>
        new(Target.Resolve(context.Batch), (double[])x[0].Data.Clone());

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Reshape(dy, y[0].Shape) };
}

/// <summary>Permutes axes: output axis i is input axis Perm[i].</summary>
public sealed class TransposeOp : Op
{
    public TransposeOp(int[] perm) => Perm = perm;
    public int[] Perm { get; }
    public override string Name => "Transpose";
    public override OpClass Class => OpClass.Layout;
    public override string Attributes => "[" + string.Join(",", Perm) + "]";

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var x = inputs[0].Shape;
        if (Perm.Length != x.Rank || !Perm.OrderBy(p => p).SequenceEqual(Enumerable.Range(0, x.Rank)))
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Transpose: {Attributes} is not a permutation of the {x.Rank} axes of {x}");
        return (new Shape(Perm.Select(p => x[p])), inputs[0].Type);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var inDims = x[0].Dims;
        var outDims = Perm.Select(p => inDims[p]).ToArray();
        var inStrides = TensorValue.Strides(inDims);
        var result = TensorValue.Zeros(outDims);
        var idx = new int[outDims.Length];
        for (int flat = 0; flat < result.Length; flat++)
        {
            int src = 0;
            for (int ax = 0; ax < idx.Length; ax++) src += idx[ax] * inStrides[Perm[ax]];
            result[flat] = x[0][src];
            for (int ax = idx.Length - 1; ax >= 0; ax--) { if (++idx[ax] < outDims[ax]) break; idx[ax] = 0; }
        }
        return result;
    }

    public int[] Inverse()
    {
        var inv = new int[Perm.Length];
        for (int i = 0; i < Perm.Length; i++) inv[Perm[i]] = i;
        return inv;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Transpose(dy, Inverse()) };
}

public sealed partial class GraphBuilder
{
    public Node Reshape(Node x, Shape shape) => x.Shape.Equals(shape) ? x : Apply(new ReshapeOp(shape), x);

    /// <summary>Reshape to sizes as model code writes them: -1 (at most once) is the batch dimension, other sizes positive.</summary>
    public Node Reshape(Node x, IReadOnlyList<int> dims)
    {
        if (dims.Count(d => d == -1) > 1 || dims.Any(d => d == 0 || d < -1))
            throw new ShapeException(ShapeErrorKind.BadArgument,
                $"Reshape: [{string.Join(",", dims)}] is not a valid shape (sizes are positive; -1, at most once, is the batch dimension)");
        return Reshape(x, new Shape(dims.Select(d => d == -1 ? Dim.Batch : Dim.Of(d))));
    }

    /// <summary>Keeps the first axis and flattens the rest: [N,C,H,W] -> [N,C*H*W].</summary>
    public Node Flatten(Node x)
    {
        if (x.Shape.Rank < 1)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"Flatten: expects at least rank 1, got a scalar");
        var rest = x.Shape.Skip(1).Aggregate(1L, (p, d) => d.IsBatch
            ? throw new ShapeException(ShapeErrorKind.BadArgument, $"Flatten: only the first axis may be the batch in {x.Shape}")
            : p * d.Size);
        if (rest > TensorLimits.MaxElements)
            throw new ShapeException(ShapeErrorKind.TooLarge, $"Flatten: {x.Shape} flattens to {rest} elements per row, more than {TensorLimits.MaxElements} (the most one tensor can hold)");
        return Reshape(x, new Shape(x.Shape[0], Dim.Of((int)rest)));
    }

    /// <summary>Transposes with the given permutation; swaps the two axes of a matrix by default.</summary>
    public Node Transpose(Node x, int[]? perm = null)
    {
        if (perm is null)
        {
            if (x.Shape.Rank != 2)
                throw new ShapeException(ShapeErrorKind.WrongRank, $"Transpose: without a permutation it expects a matrix (rank 2), got {x.Shape}");
            perm = new[] { 1, 0 };
        }
        // Check what the user wrote before composing, so the message names it.
        if (perm.Length != x.Shape.Rank || !perm.OrderBy(p => p).SequenceEqual(Enumerable.Range(0, x.Shape.Rank)))
            throw new ShapeException(ShapeErrorKind.BadArgument, $"Transpose: [{string.Join(",", perm)}] is not a permutation of the {x.Shape.Rank} axes of {x.Shape}");
        // Transpose of a transpose is a single permutation (or none): keep graphs small.
        if (x.Op is TransposeOp inner)
        {
            var composed = perm.Select(p => inner.Perm[p]).ToArray();
            return composed.Select((p, i) => p == i).All(b => b) ? x[0] : Apply(new TransposeOp(composed), x[0]);
        }
        return Apply(new TransposeOp(perm), x);
    }
}
