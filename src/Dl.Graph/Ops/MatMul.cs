using System.Collections.Generic;

namespace Dl.Graph;

/// <summary>Matrix product of rank-2 tensors: [M,K] x [K,N] -> [M,N].</summary>
public sealed class MatMulOp : Op
{
    public override string Name => "MatMul";
    public override OpClass Class => OpClass.Contraction;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        Shape a = inputs[0].Shape, b = inputs[1].Shape;
        if (a.Rank != 2 || b.Rank != 2)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"MatMul: expects two matrices (rank 2), got {a} and {b}");
        if (a[1] != b[0])
            throw new ShapeException(ShapeErrorKind.Mismatch, $"MatMul: inner dimensions differ: {a} x {b} ({a[1]} vs {b[0]})");
        return (new Shape(a[0], b[1]), DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        TensorValue a = x[0], b = x[1];
        int m = a.Dims[0], k = a.Dims[1], n = b.Dims[1];
        var c = TensorValue.Zeros(new[] { m, n });
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
            {
                double av = a[i * k + p];
                for (int j = 0; j < n; j++) c[i * n + j] += av * b[p * n + j];
            }
        return c;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.MatMul(dy, g.Transpose(y[1])), g.MatMul(g.Transpose(y[0]), dy) };
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
    public Node BiasAdd(Node x, Node bias) => Apply(new BiasAddOp(), x, bias);
}
