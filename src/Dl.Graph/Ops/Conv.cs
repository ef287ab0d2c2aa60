using System.Collections.Generic;
using System.Globalization;

namespace Dl.Graph;

/// <summary>
/// The three convolution ops. Each is linear in both inputs, and the VJP of each is made of the
/// other two: with B(x, w, y) = &lt;conv(x, w), y&gt;, the gradient of B in x is the transposed
/// convolution, in w the weight gradient. So the set is closed under differentiation.
/// </summary>
public abstract class ConvOpBase : Op
{
    protected ConvOpBase(ConvGeometry geometry) => Geometry = geometry;
    public ConvGeometry Geometry { get; }
    public override OpClass Class => OpClass.Contraction;

    protected static void RequireFloat(string op, Node x, string what)
    {
        if (x.Type != DType.Float32)
            throw new ShapeException(ShapeErrorKind.WrongType, $"{op}: {what} must be a float tensor, got integers of shape {x.Shape}");
    }

    /// <summary>The weight's four static dims [O, C/groups, KH, KW].</summary>
    protected static (int O, int Cg, int Kh, int Kw) Weight(string op, Shape w)
    {
        if (w.Rank != 4)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"{op}: the weight must be [out, in/groups, kh, kw] (rank 4), got rank {w.Rank} {w}");
        if (w.HasBatch)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{op}: the weight {w} cannot have the batch dimension");
        return (w[0].Size, w[1].Size, w[2].Size, w[3].Size);
    }

    /// <summary>Channels that must split evenly into the groups.</summary>
    protected void RequireDivisible(string op, int channels, string what)
    {
        if (channels % Geometry.Groups != 0)
            throw new ShapeException(ShapeErrorKind.ChannelMismatch, $"{op}: {channels} {what} channels do not split into {Geometry.Groups} groups");
    }

    /// <summary>The output padding that makes a transposed convolution of <paramref name="small"/> pixels give exactly <paramref name="large"/>.</summary>
    public int OutputPaddingFor(int large, int small, int kernel, bool vertical) =>
        large - ((small - 1) * Geometry.Stride - (vertical ? Geometry.PadTop + Geometry.PadBottom : Geometry.PadLeft + Geometry.PadRight) + Geometry.Effective(kernel));
}

/// <summary>2-D convolution (cross-correlation, as in every framework) of x [N,C,H,W] with w [O,C/groups,KH,KW] -> [N,O,OH,OW].</summary>
public sealed class Conv2dOp : ConvOpBase
{
    public Conv2dOp(ConvGeometry geometry) : base(geometry) { }
    public override string Name => "Conv2d";
    public override string Attributes => Geometry.Text;

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        Shape x = inputs[0].Shape, w = inputs[1].Shape;
        RequireFloat(Name, inputs[0], "the input");
        RequireFloat(Name, inputs[1], "the weight");
        Geometry.Validate(Name);
        var (h, width) = ConvGeometry.Spatial(Name, x, "the input");
        var (o, cg, kh, kw) = Weight(Name, w);
        int c = x[1].Size;
        RequireDivisible(Name, c, "input");
        RequireDivisible(Name, o, "output");
        if (c / Geometry.Groups != cg)
            throw new ShapeException(ShapeErrorKind.ChannelMismatch,
                $"Conv2d: the input {x} has {c} channels but the weight {w} expects {cg * Geometry.Groups}" +
                (Geometry.Groups > 1 ? $" ({cg} per group, {Geometry.Groups} groups)" : ""));
        int oh = Geometry.Output(Name, h, kh, true, x, w), ow = Geometry.Output(Name, width, kw, false, x, w);
        return (new Shape(x[0], Dim.Of(o), Dim.Of(oh), Dim.Of(ow)), DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        int[] xd = x[0].Dims, wd = x[1].Dims;
        var (_, _, oh, ow) = Sizes(xd, wd);
        var y = TensorValue.Zeros(new[] { xd[0], wd[0], oh, ow });
        Geometry.ForEachTap(xd[0], xd[1], xd[2], xd[3], wd[0], wd[2], wd[3], oh, ow, (xi, wi, yi) => y[yi] += x[0][xi] * x[1][wi]);
        return y;
    }

    private (int, int, int, int) Sizes(int[] xd, int[] wd) =>
        (xd[2], xd[3], (xd[2] + Geometry.PadTop + Geometry.PadBottom - Geometry.Effective(wd[2])) / Geometry.Stride + 1,
            (xd[3] + Geometry.PadLeft + Geometry.PadRight - Geometry.Effective(wd[3])) / Geometry.Stride + 1);

    /// <summary>One per output element and weight tap it sums: (C/groups)·KH·KW per element of y [N, O, OH, OW].</summary>
    public override (long Count, int BatchPower) MultiplyAdds(IReadOnlyList<Node> inputs, Shape output) =>
        (output.StaticCount * (inputs[1].Shape.StaticCount / inputs[1].Shape[0].Size), output.BatchRank);

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        Shape x = y[0].Shape, w = y[1].Shape;
        int kh = w[2].Size, kw = w[3].Size;
        int padH = OutputPaddingFor(x[2].Size, y.Shape[2].Size, kh, true), padW = OutputPaddingFor(x[3].Size, y.Shape[3].Size, kw, false);
        return new[] { g.ConvTranspose2d(dy, y[1], Geometry, padH, padW), g.Conv2dWeightGrad(y[0], dy, Geometry, kh, kw) };
    }
}

/// <summary>
/// Transposed convolution: the adjoint of <see cref="Conv2dOp"/> in its input. u [N,O,UH,UW] with
/// w [O,C/groups,KH,KW] -> [N,C,H,W], H = (UH-1)·stride - padding + dilated kernel + output padding.
/// It is the gradient of a convolution's input, and a learned upsampling layer (ConvTranspose2d).
/// </summary>
public sealed class ConvTranspose2dOp : ConvOpBase
{
    public ConvTranspose2dOp(ConvGeometry geometry, int outputPaddingH, int outputPaddingW) : base(geometry)
    {
        OutputPaddingH = outputPaddingH;
        OutputPaddingW = outputPaddingW;
    }

    /// <summary>Extra rows (columns) at the bottom (right): picks one of the input sizes a strided convolution maps to the same output size.</summary>
    public int OutputPaddingH { get; }
    public int OutputPaddingW { get; }
    public override string Name => "ConvTranspose2d";
    public override string Attributes => Geometry.Text + (OutputPaddingH == 0 && OutputPaddingW == 0 ? "" : string.Format(CultureInfo.InvariantCulture, " op={0},{1}", OutputPaddingH, OutputPaddingW));

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        Shape u = inputs[0].Shape, w = inputs[1].Shape;
        RequireFloat(Name, inputs[0], "the input");
        RequireFloat(Name, inputs[1], "the weight");
        Geometry.Validate(Name);
        var (uh, uw) = ConvGeometry.Spatial(Name, u, "the input");
        var (o, cg, kh, kw) = Weight(Name, w);
        if (u[1].Size != o)
            throw new ShapeException(ShapeErrorKind.ChannelMismatch, $"ConvTranspose2d: the input {u} has {u[1]} channels but the weight {w} expects {o}");
        RequireDivisible(Name, o, "input");
        if (OutputPaddingH < 0 || OutputPaddingW < 0 || OutputPaddingH >= Geometry.Stride || OutputPaddingW >= Geometry.Stride)
            throw new ShapeException(ShapeErrorKind.BadArgument,
                $"ConvTranspose2d: output padding must be in [0, stride {Geometry.Stride}), got {OutputPaddingH},{OutputPaddingW}");
        int h = Size(uh, kh, true), width = Size(uw, kw, false);
        if (h <= 0 || width <= 0)
            throw new ShapeException(ShapeErrorKind.EmptyOutput,
                $"ConvTranspose2d: the output would be {h}x{width}: padding {Geometry.PaddingText} removes more than the {(uh - 1) * Geometry.Stride + Geometry.Effective(kh)}x{(uw - 1) * Geometry.Stride + Geometry.Effective(kw)} pixels that input {u} and kernel {kh}x{kw} produce");
        return (new Shape(u[0], Dim.Of(cg * Geometry.Groups), Dim.Of(h), Dim.Of(width)), DType.Float32);
    }

    private int Size(int small, int kernel, bool vertical) =>
        (small - 1) * Geometry.Stride - (vertical ? Geometry.PadTop + Geometry.PadBottom : Geometry.PadLeft + Geometry.PadRight)
        + Geometry.Effective(kernel) + (vertical ? OutputPaddingH : OutputPaddingW);

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        int[] ud = x[0].Dims, wd = x[1].Dims;
        int c = wd[1] * Geometry.Groups, h = Size(ud[2], wd[2], true), width = Size(ud[3], wd[3], false);
        var y = TensorValue.Zeros(new[] { ud[0], c, h, width });
        Geometry.ForEachTap(ud[0], c, h, width, wd[0], wd[2], wd[3], ud[2], ud[3], (xi, wi, yi) => y[xi] += x[0][yi] * x[1][wi]);
        return y;
    }

    /// <summary>One per input element and weight tap it spreads to: (O/groups)·KH·KW per element of x [N, C, H, W].</summary>
    public override (long Count, int BatchPower) MultiplyAdds(IReadOnlyList<Node> inputs, Shape output) =>
        (inputs[0].Shape.StaticCount * (inputs[1].Shape.StaticCount / inputs[1].Shape[0].Size), inputs[0].Shape.BatchRank);

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dy)
    {
        Shape w = y[1].Shape;
        return new[] { g.Conv2d(dy, y[1], Geometry), g.Conv2dWeightGrad(dy, y[0], Geometry, w[2].Size, w[3].Size) };
    }
}

/// <summary>
/// The gradient of a convolution's weight: from its input x [N,C,H,W] and output gradient
/// dy [N,O,OH,OW], dw [O,C/groups,KH,KW] = Σ over the batch and positions of x·dy.
/// </summary>
public sealed class Conv2dWeightGradOp : ConvOpBase
{
    public Conv2dWeightGradOp(ConvGeometry geometry, int kernelH, int kernelW) : base(geometry)
    {
        KernelH = kernelH;
        KernelW = kernelW;
    }

    public int KernelH { get; }
    public int KernelW { get; }
    public override string Name => "Conv2dWeightGrad";
    public override string Attributes => Geometry.Text + string.Format(CultureInfo.InvariantCulture, " k={0}x{1}", KernelH, KernelW);

    public override (Shape Shape, DType Type) InferShape(IReadOnlyList<Node> inputs)
    {
        Shape x = inputs[0].Shape, dy = inputs[1].Shape;
        RequireFloat(Name, inputs[0], "the input");
        RequireFloat(Name, inputs[1], "the output gradient");
        Geometry.Validate(Name);
        if (KernelH < 1 || KernelW < 1)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{Name}: the kernel must be at least 1x1, got {KernelH}x{KernelW}");
        var (h, width) = ConvGeometry.Spatial(Name, x, "the input");
        var (oh, ow) = ConvGeometry.Spatial(Name, dy, "the output gradient");
        int c = x[1].Size, o = dy[1].Size;
        RequireDivisible(Name, c, "input");
        RequireDivisible(Name, o, "output");
        var kernel = new Shape(Dim.Of(o), Dim.Of(c / Geometry.Groups), Dim.Of(KernelH), Dim.Of(KernelW));
        int eh = Geometry.Output(Name, h, KernelH, true, x, kernel), ew = Geometry.Output(Name, width, KernelW, false, x, kernel);
        if (x[0] != dy[0] || eh != oh || ew != ow)
            throw new ShapeException(ShapeErrorKind.Mismatch,
                $"{Name}: a {KernelH}x{KernelW} convolution ({Geometry.Text}) of {x} gives [{x[0]},{o},{eh},{ew}], but the output gradient is {dy}");
        return (kernel, DType.Float32);
    }

    public override TensorValue Evaluate(IReadOnlyList<TensorValue> x, EvalContext context)
    {
        int[] xd = x[0].Dims, dd = x[1].Dims;
        var dw = TensorValue.Zeros(new[] { dd[1], xd[1] / Geometry.Groups, KernelH, KernelW });
        Geometry.ForEachTap(xd[0], xd[1], xd[2], xd[3], dd[1], KernelH, KernelW, dd[2], dd[3], (xi, wi, yi) => dw[wi] += x[0][xi] * x[1][yi]);
        return dw;
    }

    /// <summary>One per element of dy [N, O, OH, OW] and tap of its filter: (C/groups)·KH·KW each, summed into dw.</summary>
    public override (long Count, int BatchPower) MultiplyAdds(IReadOnlyList<Node> inputs, Shape output) =>
        (inputs[1].Shape.StaticCount * (output.StaticCount / output[0].Size), inputs[1].Shape.BatchRank);

    public override IReadOnlyList<Node?> Vjp(GraphBuilder g, Node y, Node dw)
    {
        Shape x = y[0].Shape, dy = y[1].Shape;
        int padH = OutputPaddingFor(x[2].Size, dy[2].Size, KernelH, true), padW = OutputPaddingFor(x[3].Size, dy[3].Size, KernelW, false);
        return new[] { g.ConvTranspose2d(y[1], dw, Geometry, padH, padW), g.Conv2d(y[0], dw, Geometry) };
    }
}

public sealed partial class GraphBuilder
{
    public Node Conv2d(Node x, Node weight, ConvGeometry geometry) => Apply(new Conv2dOp(geometry), x, weight);

    public Node ConvTranspose2d(Node x, Node weight, ConvGeometry geometry, int outputPaddingH = 0, int outputPaddingW = 0) =>
        Apply(new ConvTranspose2dOp(geometry, outputPaddingH, outputPaddingW), x, weight);

    public Node Conv2dWeightGrad(Node x, Node outputGradient, ConvGeometry geometry, int kernelH, int kernelW) =>
        Apply(new Conv2dWeightGradOp(geometry, kernelH, kernelW), x, outputGradient);
}
