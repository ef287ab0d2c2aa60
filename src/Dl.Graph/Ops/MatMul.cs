using System.Linq;
using System.Collections.Generic;

namespace Dl.Graph;

/// <summary>
/// Matrix product, the left operand read as rows: [..., K] x [K, M] -> [..., M]. Every axis of a but the
/// last is a row (as PyTorch's <c>Linear</c> reads [N, T, K]), so a dense layer applies to each time step
/// of a sequence in one GEMM. The weight's gradient sums over all those rows: <see cref="TransposedMatMulOp"/>.
/// </summary>
public sealed class MatMulOp : Op
{
    public override string Name => "MatMul";
    public override OpClass Class => OpClass.Contraction;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        Shape a = inputs[0].Shape, b = inputs[1].Shape;
        if (a.Rank < 2 || b.Rank != 2)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"MatMul: expects rows [..., K] (rank 2 or more) and a matrix [K, M] (rank 2), got {a} and {b}");
        if (a[a.Rank - 1] != b[0])
            throw new ShapeException(ShapeErrorKind.Mismatch, $"MatMul: inner dimensions differ: {a} x {b} ({a[a.Rank - 1]} vs {b[0]})");
        return (a.With(a.Rank - 1, b[1]), DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        TensorValue a = x[0], b = x[1];
        int k = a.Dims[a.Dims.Length - 1], n = b.Dims[1], m = a.Length / k;
        var dims = (int[])a.Dims.Clone();
        dims[dims.Length - 1] = n;
        var c = TensorValue.Zeros(dims);
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
            {
                double av = a[i * k + p];
                for (int j = 0; j < n; j++) c[i * n + j] += av * b[p * n + j];
            }
        return c;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.MatMul(dy, g.Transpose(y[1])), y[0].Shape.Rank == 2 ? g.MatMul(g.Transpose(y[0]), dy) : g.TransposedMatMul(y[0], dy) };

    /// <summary>One per output element and step of the inner dimension K (which is N itself in a weight gradient xᵀ·dy).</summary>
    public override (long Count, int BatchPower) MultiplyAdds(IReadOnlyList<Node> inputs, Shape output)
    {
        var k = inputs[0].Shape[inputs[0].Shape.Rank - 1];
        return (output.StaticCount * (k.IsBatch ? 1 : k.Size), output.BatchRank + (k.IsBatch ? 1 : 0));
    }
}

/// <summary>
/// aᵀ·b over all rows: [..., K] x [..., M] -> [K, M], the sum over every row r of a[r]ᵀ b[r]. It is the
/// weight gradient of a <see cref="MatMulOp"/> whose rows span more than one axis (a sequence [N, T, K]):
/// one GEMM over all N·T rows, where a transpose of a rank-3 tensor would not be a matrix.
/// </summary>
public sealed class TransposedMatMulOp : Op
{
    public override string Name => "TransposedMatMul";
    public override OpClass Class => OpClass.Contraction;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        Shape a = inputs[0].Shape, b = inputs[1].Shape;
        if (a.Rank < 2 || b.Rank != a.Rank)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"TransposedMatMul: expects two tensors of rows of the same rank (2 or more), got {a} and {b}");
        for (int axis = 0; axis < a.Rank - 1; axis++)
            if (a[axis] != b[axis])
                throw new ShapeException(ShapeErrorKind.Mismatch, $"TransposedMatMul: the rows of {a} and {b} differ on axis {axis}");
        if (a[a.Rank - 1].IsBatch || b[b.Rank - 1].IsBatch)
            throw new ShapeException(ShapeErrorKind.BadAxis, $"TransposedMatMul: the columns of {a} and {b} must be static");
        return (new Shape(a[a.Rank - 1], b[b.Rank - 1]), DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        TensorValue a = x[0], b = x[1];
        int k = a.Dims[a.Dims.Length - 1], n = b.Dims[b.Dims.Length - 1], rows = a.Length / k;
        var c = TensorValue.Zeros(new[] { k, n });
        for (int r = 0; r < rows; r++)
            for (int p = 0; p < k; p++)
            {
                double av = a[r * k + p];
                for (int j = 0; j < n; j++) c[p * n + j] += av * b[r * n + j];
            }
        return c;
    }

    // c = aᵀ b: da[r] = b[r] · dcᵀ, db[r] = a[r] · dc.
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.MatMul(y[1], g.Transpose(dy)), g.MatMul(y[0], dy) };

    /// <summary>One per output element [K, M] and row summed over (every axis of a but the last: N·T rows of a sequence).</summary>
    public override (long Count, int BatchPower) MultiplyAdds(IReadOnlyList<Node> inputs, Shape output)
    {
        var rows = new Shape(inputs[0].Shape.Take(inputs[0].Shape.Rank - 1));
        return (output.StaticCount * rows.StaticCount, output.BatchRank + rows.BatchRank);
    }
}

/// <summary>Adds a bias vector along the last axis: [..., C] + [C].</summary>
public sealed class BiasAddOp : Op
{
    public override string Name => "BiasAdd";
    public override OpClass Class => OpClass.Elementwise;
    /// <summary>Per element a plain addition (the bias is broadcast by how it is read).</summary>
    public override ElementwiseOperator Operator => new("Add");

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        Shape x = inputs[0].Shape, b = inputs[1].Shape;
        if (b.Rank != 1)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"BiasAdd: the bias must be a vector (rank 1), got {b}");
        if (x.Rank < 1 || x[x.Rank - 1] != b[0])
            throw new ShapeException(ShapeErrorKind.Mismatch, $"BiasAdd: bias {b} does not match the last dimension of {x}");
        return (x, DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var y = x[0].Map(v => v);
        int c = x[1].Length;
        for (int i = 0; i < y.Length; i++) y[i] += x[1][i % c];
        return y;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { dy, g.SumTo(dy, y[1].Shape) };
}

public sealed partial class GraphBuilder
{
    public Node MatMul(Node a, Node b) => Apply(new MatMulOp(), a, b);
    /// <summary>aᵀ·b summed over every row: [..., K] x [..., M] -> [K, M] (a matrix product of transposed rows when both are rank 2).</summary>
    public Node TransposedMatMul(Node a, Node b) => a.Shape.Rank == 2 ? MatMul(Transpose(a), b) : Apply(new TransposedMatMulOp(), a, b);
    public Node BiasAdd(Node x, Node bias) => Apply(new BiasAddOp(), x, bias);
}
