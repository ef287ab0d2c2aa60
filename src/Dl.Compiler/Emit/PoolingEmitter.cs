using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>Emits the pooling ops as calls into <c>Dl.Cpu.Pooling</c>, the planes of an NCHW tensor pooled one by one.</summary>
public static class PoolingEmitter
{
    public static List<string> Emit(Node node, Func<int, string> input)
    {
        var op = (PoolOpBase)node.Op;
        // Every pooling op relates an input plane (H x W) to a pooled plane (OH x OW).
        Shape plane = node.Op is MaxPool2dGradOp or AvgPool2dGradOp ? node.Shape : node[0].Shape;
        Shape pooled = node.Op is MaxPool2dGradOp ? node[1].Shape : node.Op is AvgPool2dGradOp ? node[0].Shape : node.Shape;
        string geometry = $"{Sizes.Product(plane.Take(2))}, {Sizes.Of(plane[2])}, {Sizes.Of(plane[3])}, {op.Kernel}, {op.Stride}, {op.Padding}, {Sizes.Of(pooled[2])}, {Sizes.Of(pooled[3])}";
        string call = node.Op switch
        {
            MaxPool2dOp => $"MaxForward({input(0)}, y, ",
            MaxPool2dGradOp => $"MaxBackward({input(0)}, {input(1)}, y, ",
            MaxPool2dSelectOp => $"MaxSelect({input(0)}, {input(1)}, y, ",
            AvgPool2dOp => $"AvgForward({input(0)}, y, ",
            _ => $"AvgBackward({input(0)}, y, ",
        };
        return new() { "global::Dl.Cpu.Pooling." + call + geometry + ");" };
    }
}
