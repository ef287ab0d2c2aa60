using System;
using System.Collections.Generic;

namespace Dl.Graph;

/// <summary>Softmax or log-softmax over the last axis, computed stably (max subtracted).</summary>
public abstract class RowNormOp : Op
{
    public override OpClass Class => OpClass.Composite;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        if (inputs[0].Shape.Rank < 1)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"{Name}: expects at least rank 1 (classes on the last axis), got a scalar");
        if (inputs[0].Type != DType.Float32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"{Name}: expects float logits");
        return (inputs[0].Shape, DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var y = x[0].Map(v => v);
        int c = x[0].Dims[x[0].Rank - 1];
        for (int row = 0; row < y.Length / Math.Max(c, 1); row++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < c; j++) max = Math.Max(max, y[row * c + j]);
            for (int j = 0; j < c; j++) sum += Math.Exp(y[row * c + j] - max);
            for (int j = 0; j < c; j++) y[row * c + j] = Finish(y[row * c + j] - max, sum);
        }
        return y;
    }

    /// <summary>Given x - max and the row's sum of exp(x - max).</summary>
    protected abstract double Finish(double shifted, double sum);
}

public sealed class SoftmaxOp : RowNormOp
{
    public override string Name => "Softmax";
    protected override double Finish(double shifted, double sum) => Math.Exp(shifted) / sum;
    // dx = y * (dy - sum(dy * y))
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.Mul(y, g.Sub(dy, g.Sum(g.Mul(dy, y), new[] { -1 }, keepDims: true))) };
}

public sealed class LogSoftmaxOp : RowNormOp
{
    public override string Name => "LogSoftmax";
    protected override double Finish(double shifted, double sum) => shifted - Math.Log(sum);
    // dx = dy - softmax * sum(dy), softmax = exp(y)
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.Sub(dy, g.Mul(g.Exp(y), g.Sum(dy, new[] { -1 }, keepDims: true))) };
}

public sealed partial class GraphBuilder
{
    public Node Softmax(Node x) => Apply(new SoftmaxOp(), x);
    public Node LogSoftmax(Node x) => Apply(new LogSoftmaxOp(), x);
}
