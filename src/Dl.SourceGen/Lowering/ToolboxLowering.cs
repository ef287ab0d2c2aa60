using System;
using System.Globalization;
using Dl.Graph;
using Dl.SourceGen.Spec;

namespace Dl.SourceGen.Lowering;

/// <summary>Replays the convolutional toolbox's traced ops (layers, pooling, activations, penalties) on a graph builder.</summary>
internal static class ToolboxLowering
{
    /// <summary>The node for <paramref name="op"/>, or null when it is not a toolbox op.</summary>
    public static Node? Build(GraphBuilder g, OpSpec op, Node[] x)
    {
        var i = op.Ints;
        UnaryOp? Activation() => Activations.Named(op.Option);
        switch (op.Kind)
        {
            case OpKind.LeakyRelu: return g.LeakyRelu(x[0], op.Number);
            case OpKind.Elu: return g.Elu(x[0], op.Number);
            case OpKind.Softplus: return g.Softplus(x[0]);
            case OpKind.Abs: return g.Abs(x[0]);
            case OpKind.L1: return g.L1(x[0]);
            case OpKind.L2: return g.L2(x[0]);
            case OpKind.GlobalAvgPool2d: return g.GlobalAvgPool2d(x[0]);
            case OpKind.MaxPool2d: return g.MaxPool2d(x[0], i[0], i[1], i[2]);
            case OpKind.AvgPool2d: return g.AvgPool2d(x[0], i[0], i[1], i[2]);
            case OpKind.Concat: return g.Concat(x, 1);
            case OpKind.Conv2d:
                return Layers.Conv2d(g, op.Name, x[0], i[0], i[1], i[2], i[3], i[4], i[5], i[6], Activation(), op.Flag);
            case OpKind.ConvTranspose2d:
                return Layers.ConvTranspose2d(g, op.Name, x[0], i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7], Activation(), op.Flag);
            case OpKind.DepthwiseSeparableConv2d:
                return Layers.DepthwiseSeparableConv2d(g, op.Name, x[0], i[0], i[1], i[2], i[3], i[4], i[5], Activation(), op.Flag);
            case OpKind.BatchNorm:
                if (x[0].Shape.Rank != i[1])
                    throw new ShapeException(ShapeErrorKind.WrongRank, i[1] == 4
                        ? $"BatchNorm2d '{op.Name}' expects [N,C,H,W] (rank 4), got rank {x[0].Shape.Rank} {x[0].Shape}; use BatchNorm1d for [N,features]"
                        : $"BatchNorm1d '{op.Name}' expects [N,features] (rank 2), got rank {x[0].Shape.Rank} {x[0].Shape}; use BatchNorm2d for [N,C,H,W]");
                return Layers.BatchNorm(g, op.Name, x[0], i[0], op.Number, double.Parse(op.Option, CultureInfo.InvariantCulture));
            case OpKind.Dropout: return Layers.Dropout(g, op.Name, x[0], op.Number);
            default: return null;
        }
    }
}
