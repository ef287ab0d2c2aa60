using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph;

/// <summary>Losses reduce to a scalar mean. Their VJPs scale by 1/count, where each batch axis multiplies the count by N.</summary>
public abstract class LossOp : Op
{
    public override OpClass Class => OpClass.Composite;

    /// <summary>Scales <paramref name="x"/> by 1/(element count of <paramref name="shape"/>).</summary>
    protected static Node DivideByCount(GraphBuilder g, Node x, Shape shape) =>
        g.Scale(x, 1.0 / shape.StaticCount, -shape.BatchRank);

    protected static void RequireFloat(string op, Node x, string what)
    {
        if (x.Type != DType.Float32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"{op}: {what} must be a float tensor, got integers of shape {x.Shape}");
    }
}

/// <summary>Mean squared error: mean((prediction - target)²) over all elements.</summary>
public sealed class MseOp : LossOp
{
    public override string Name => "Mse";

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        RequireFloat(Name, inputs[0], "the prediction");
        RequireFloat(Name, inputs[1], "the target");
        if (!inputs[0].Shape.Equals(inputs[1].Shape))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"Mse: prediction {inputs[0].Shape} and target {inputs[1].Shape} must have the same shape");
        return (Shape.Scalar, DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context) =>
        TensorValue.Scalar(x[0].Data.Zip(x[1].Data, (p, t) => (p - t) * (p - t)).Sum() / x[0].Length);

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        var dp = DivideByCount(g, g.Scale(g.Mul(g.Sub(y[0], y[1]), dy), 2), y[0].Shape);
        return new[] { dp, g.Neg(dp) };
    }
}

/// <summary>
/// Categorical cross-entropy from logits [..., C] and integer labels [...]: the mean over rows of
/// -log softmax(logits)[label]. Taking logits (not probabilities) keeps it stable and lets the
/// compiler fuse softmax and loss into one pass.
/// </summary>
public sealed class SoftmaxCrossEntropyOp : LossOp
{
    public override string Name => "SoftmaxCrossEntropy";

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        Node logits = inputs[0], labels = inputs[1];
        RequireFloat(Name, logits, "the logits");
        if (labels.Type != DType.Int32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"SoftmaxCrossEntropy: labels must be integer class indices, got a float tensor of shape {labels.Shape}");
        if (logits.Shape.Rank < 1)
            throw new ShapeException(ShapeErrorKind.WrongRank, "SoftmaxCrossEntropy: logits must have the classes on a last axis, got a scalar");
        var rows = new Shape(logits.Shape.Take(logits.Shape.Rank - 1));
        if (!rows.Equals(labels.Shape))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"SoftmaxCrossEntropy: logits {logits.Shape} need labels of shape {rows}, got {labels.Shape}");
        return (Shape.Scalar, DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var logSoftmax = new LogSoftmaxOp().Evaluate(new[] { x[0] }, context);
        int c = x[0].Dims[x[0].Rank - 1], rows = x[1].Length;
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            int label = (int)x[1][r];
            if (label < 0 || label >= c)
                throw new ArgumentOutOfRangeException(nameof(x), $"label {label} in row {r} is outside [0, {c})");
            loss -= logSoftmax[r * c + label];
        }
        return TensorValue.Scalar(loss / rows);
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        Node logits = y[0], labels = y[1];
        var classes = logits.Shape[logits.Shape.Rank - 1];
        var diff = g.Sub(g.Softmax(logits), g.OneHot(labels, classes));
        return new[] { DivideByCount(g, g.Mul(diff, dy), labels.Shape), null };
    }
}

/// <summary>
/// Binary cross-entropy from logits z and targets t in [0,1], mean over all elements of
/// max(z,0) - z·t + log(1 + exp(-|z|)) (the stable form of -t·log σ(z) - (1-t)·log(1-σ(z))).
/// </summary>
public sealed class BinaryCrossEntropyOp : LossOp
{
    public override string Name => "BinaryCrossEntropy";

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        RequireFloat(Name, inputs[0], "the logits");
        RequireFloat(Name, inputs[1], "the target");
        if (!inputs[0].Shape.Equals(inputs[1].Shape))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"BinaryCrossEntropy: logits {inputs[0].Shape} and target {inputs[1].Shape} must have the same shape");
        return (Shape.Scalar, DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context) =>
        TensorValue.Scalar(x[0].Data.Zip(x[1].Data, (z, t) => Math.Max(z, 0) - z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)))).Sum() / x[0].Length);

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        Node z = y[0], t = y[1];
        return new[]
        {
            DivideByCount(g, g.Mul(g.Sub(g.Sigmoid(z), t), dy), z.Shape),
            DivideByCount(g, g.Mul(g.Neg(z), dy), z.Shape),
        };
    }
}

/// <summary>
/// Integer labels [...] to float one-hot rows [..., Classes]; out-of-range labels give a zero row.
/// The classes may be the batch (N): cross-entropy over [N,N] similarities labels each sample by
/// the index of its match in the batch.
/// </summary>
public sealed class OneHotOp : Op
{
    public OneHotOp(Dim classes) => Classes = classes;
    public Dim Classes { get; }
    public override string Name => "OneHot";
    public override OpClass Class => OpClass.Composite;
    public override string Attributes => Classes.ToString();

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        if (inputs[0].Type != DType.Int32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"OneHot: expects integer labels, got floats of shape {inputs[0].Shape}");
        return (new Shape(inputs[0].Shape.Concat(new[] { Classes })), DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        int classes = Classes.Resolve(context.Batch);
        var y = TensorValue.Zeros(x[0].Dims.Concat(new[] { classes }).ToArray());
        for (int r = 0; r < x[0].Length; r++)
        {
            int label = (int)x[0][r];
            if (label >= 0 && label < classes) y[r * classes + label] = 1;
        }
        return y;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new Node?[] { null };
}

public sealed partial class GraphBuilder
{
    public Node Mse(Node prediction, Node target) => Apply(new MseOp(), prediction, target);
    public Node SoftmaxCrossEntropy(Node logits, Node labels) => Apply(new SoftmaxCrossEntropyOp(), logits, labels);
    public Node BinaryCrossEntropy(Node logits, Node target) => Apply(new BinaryCrossEntropyOp(), logits, target);
    public Node OneHot(Node labels, Dim classes) => Apply(new OneHotOp(classes), labels);
}
