using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dl.Graph;

/// <summary>
/// A pooling window over NCHW planes: k x k, moved by a stride, over an input zero- (average) or
/// minus-infinity- (max) padded by the same amount on every side. Shared by the pooling ops.
/// </summary>
public abstract class PoolOpBase : Op
{
    protected PoolOpBase(int kernel, int stride, int padding) { Kernel = kernel; Stride = stride; Padding = padding; }
    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public override OpClass Class => OpClass.Reduction;
    public override string Attributes => string.Format(CultureInfo.InvariantCulture, "k={0} s={1} p={2}", Kernel, Stride, Padding);

    /// <summary>The user-facing op name, for messages ("MaxPool2d" also for its gradient ops).</summary>
    protected abstract string Family { get; }

    /// <summary>The pooled size [N,C,OH,OW] of a pooled input <paramref name="x"/>; throws what a user can act on.</summary>
    public Shape Pooled(Shape x, DType type)
    {
        if (type != DType.Float32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"{Family}: expects a float tensor, got integers of shape {x}");
        if (Kernel < 1)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{Family}: the window must be at least 1x1, got {Kernel}");
        if (Stride < 1)
            throw new ShapeException(ShapeErrorKind.BadStride, $"{Family}: the stride must be at least 1, got {Stride}");
        if (Padding < 0 || Padding > Kernel / 2)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{Family}: padding must be between 0 and half the window ({Kernel / 2}), got {Padding}");
        var (h, w) = ConvGeometry.Spatial(Family, x, "the input");
        if (Kernel > h + 2 * Padding || Kernel > w + 2 * Padding)
            throw new ShapeException(ShapeErrorKind.PoolTooLarge,
                $"{Family}: the {Kernel}x{Kernel} window is larger than the {(Padding > 0 ? "padded " : "")}input {h + 2 * Padding}x{w + 2 * Padding} of {x}");
        return new Shape(x[0], x[1], Dim.Of(Out(h)), Dim.Of(Out(w)));
    }

    public int Out(int input) => (input + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>
    /// Calls <paramref name="window"/>(output index, input indices inside the unpadded input) for every
    /// output element of pooling a tensor of <paramref name="dims"/> [N,C,H,W].
    /// </summary>
    protected void ForEachWindow(int[] dims, Action<int, List<int>> window)
    {
        int planes = dims[0] * dims[1], h = dims[2], w = dims[3], oh = Out(h), ow = Out(w);
        var taps = new List<int>();
        for (int p = 0; p < planes; p++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++)
                {
                    taps.Clear();
                    for (int i = 0; i < Kernel; i++)
                        for (int j = 0; j < Kernel; j++)
                        {
                            int ih = y * Stride - Padding + i, iw = x * Stride - Padding + j;
                            if (ih >= 0 && ih < h && iw >= 0 && iw < w) taps.Add((p * h + ih) * w + iw);
                        }
                    window((p * oh + y) * ow + x, taps);
                }
    }

    /// <summary>The input index of each window's maximum: the first in row-major order on ties (the CPU kernels agree).</summary>
    protected int[] ArgMax(TensorValue x)
    {
        var result = new int[x.Dims[0] * x.Dims[1] * Out(x.Dims[2]) * Out(x.Dims[3])];
        ForEachWindow(x.Dims, (o, taps) =>
        {
            int best = taps[0];
            foreach (var t in taps) if (x[t] > x[best]) best = t;
            result[o] = best;
        });
        return result;
    }

    protected int[] PooledDims(int[] x) => new[] { x[0], x[1], Out(x[2]), Out(x[3]) };
}

/// <summary>Max pooling of x [N,C,H,W]; its gradient goes to each window's maximum.</summary>
public sealed class MaxPool2dOp : PoolOpBase
{
    public MaxPool2dOp(int kernel, int stride, int padding) : base(kernel, stride, padding) { }
    public override string Name => "MaxPool2d";
    protected override string Family => "MaxPool2d";
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => (Pooled(inputs[0].Shape, inputs[0].Type), DType.Float32);

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var arg = ArgMax(x[0]);
        return new TensorValue(PooledDims(x[0].Dims), arg.Select(i => x[0][i]).ToArray());
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) => new[] { g.Apply(new MaxPool2dGradOp(Kernel, Stride, Padding), y[0], dy) };
}

/// <summary>
/// The gradient of max pooling: from the pooled input x and the output gradient dy, dx holds each
/// dy at its window's argmax of x (summed where windows overlap), zero elsewhere.
/// </summary>
public sealed class MaxPool2dGradOp : PoolOpBase
{
    public MaxPool2dGradOp(int kernel, int stride, int padding) : base(kernel, stride, padding) { }
    public override string Name => "MaxPool2dGrad";
    protected override string Family => "MaxPool2d";

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var pooled = Pooled(inputs[0].Shape, inputs[0].Type);
        if (!pooled.Equals(inputs[1].Shape))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"{Name}: pooling {inputs[0].Shape} gives {pooled}, but the output gradient is {inputs[1].Shape}");
        return (inputs[0].Shape, DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var arg = ArgMax(x[0]);
        var dx = TensorValue.Zeros(x[0].Dims);
        for (int o = 0; o < arg.Length; o++) dx[arg[o]] += x[1][o];
        return dx;
    }

    // The argmax positions are piecewise constant in x (no gradient); in dy the op is linear and its
    // adjoint reads each window's argmax.
    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node ddx) =>
        new[] { null, g.Apply(new MaxPool2dSelectOp(Kernel, Stride, Padding), y[0], ddx) };
}

/// <summary>Reads v [N,C,H,W] at each window's argmax of x: the adjoint of <see cref="MaxPool2dGradOp"/> in dy.</summary>
public sealed class MaxPool2dSelectOp : PoolOpBase
{
    public MaxPool2dSelectOp(int kernel, int stride, int padding) : base(kernel, stride, padding) { }
    public override string Name => "MaxPool2dSelect";
    protected override string Family => "MaxPool2d";

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        if (!inputs[0].Shape.Equals(inputs[1].Shape))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"{Name}: the values {inputs[1].Shape} must have the shape of the pooled input {inputs[0].Shape}");
        return (Pooled(inputs[0].Shape, inputs[0].Type), DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var arg = ArgMax(x[0]);
        return new TensorValue(PooledDims(x[0].Dims), arg.Select(i => x[1][i]).ToArray());
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dz) => new[] { null, g.Apply(new MaxPool2dGradOp(Kernel, Stride, Padding), y[0], dz) };
}

/// <summary>Average pooling; padded positions count as zeros (every window divides by k²), which keeps it linear.</summary>
public sealed class AvgPool2dOp : PoolOpBase
{
    public AvgPool2dOp(int kernel, int stride, int padding) : base(kernel, stride, padding) { }
    public override string Name => "AvgPool2d";
    protected override string Family => "AvgPool2d";
    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs) => (Pooled(inputs[0].Shape, inputs[0].Type), DType.Float32);

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var y = TensorValue.Zeros(PooledDims(x[0].Dims));
        double scale = 1.0 / (Kernel * Kernel);
        ForEachWindow(x[0].Dims, (o, taps) => { foreach (var t in taps) y[o] += x[0][t] * scale; });
        return y;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy) =>
        new[] { g.Apply(new AvgPool2dGradOp(Kernel, Stride, Padding, y[0].Shape[2].Size, y[0].Shape[3].Size), dy) };
}

/// <summary>The adjoint of average pooling: spreads each dy over its window, divided by k², into an H x W plane.</summary>
public sealed class AvgPool2dGradOp : PoolOpBase
{
    public AvgPool2dGradOp(int kernel, int stride, int padding, int height, int width) : base(kernel, stride, padding)
    {
        Height = height;
        Width = width;
    }

    public int Height { get; }
    public int Width { get; }
    public override string Name => "AvgPool2dGrad";
    protected override string Family => "AvgPool2d";
    public override string Attributes => base.Attributes + string.Format(CultureInfo.InvariantCulture, " {0}x{1}", Height, Width);

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        var dy = inputs[0].Shape;
        ConvGeometry.Spatial(Name, dy, "the output gradient");
        var x = new Shape(dy[0], dy[1], Dim.Of(Height), Dim.Of(Width));
        var pooled = Pooled(x, inputs[0].Type);
        if (!pooled.Equals(dy))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"{Name}: pooling {x} gives {pooled}, but the output gradient is {dy}");
        return (x, DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        var dims = new[] { x[0].Dims[0], x[0].Dims[1], Height, Width };
        var dx = TensorValue.Zeros(dims);
        double scale = 1.0 / (Kernel * Kernel);
        ForEachWindow(dims, (o, taps) => { foreach (var t in taps) dx[t] += x[0][o] * scale; });
        return dx;
    }

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node ddx) => new[] { g.Apply(new AvgPool2dOp(Kernel, Stride, Padding), ddx) };
}

public sealed partial class GraphBuilder
{
    /// <summary>Max over k x k windows; the stride defaults to the window (non-overlapping).</summary>
    public Node MaxPool2d(Node x, int kernel, int? stride = null, int padding = 0) => Apply(new MaxPool2dOp(kernel, stride ?? kernel, padding), x);

    /// <summary>Mean over k x k windows; the stride defaults to the window.</summary>
    public Node AvgPool2d(Node x, int kernel, int? stride = null, int padding = 0) => Apply(new AvgPool2dOp(kernel, stride ?? kernel, padding), x);

    /// <summary>[N,C,H,W] -> [N,C]: the mean of each channel's plane.</summary>
    public Node GlobalAvgPool2d(Node x)
    {
        ConvGeometry.Spatial("GlobalAvgPool2d", x.Shape, "the input");
        if (x.Type != DType.Float32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"GlobalAvgPool2d: expects a float tensor, got integers of shape {x.Shape}");
        return Mean(x, new[] { 2, 3 });
    }
}
