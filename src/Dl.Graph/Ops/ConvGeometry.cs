using System;
using System.Globalization;

namespace Dl.Graph;

/// <summary>
/// How a 2-D convolution slides its kernel over an NCHW input: stride, dilation, zero padding on
/// each side (top, left, bottom, right: "same" padding with an even kernel is uneven) and channel
/// groups (groups = channels is a depthwise convolution). The three convolution ops (forward,
/// transposed, weight gradient) share it, and so do their shape rules and reference loops.
/// </summary>
public sealed class ConvGeometry
{
    public ConvGeometry(int stride = 1, int dilation = 1, int padTop = 0, int padLeft = 0, int padBottom = 0, int padRight = 0, int groups = 1)
    {
        Stride = stride; Dilation = dilation; PadTop = padTop; PadLeft = padLeft; PadBottom = padBottom; PadRight = padRight; Groups = groups;
    }

    /// <summary>Symmetric padding on all four sides.</summary>
    public static ConvGeometry Uniform(int stride, int padding, int dilation, int groups) =>
        new(stride, dilation, padding, padding, padding, padding, groups);

    /// <summary>
    /// "Same" padding: the output is ceil(input / stride) in each direction, the total padding split
    /// with the odd pixel at the bottom and right (as TensorFlow does). Needs the input's static size.
    /// </summary>
    public static ConvGeometry Same(int height, int width, int kernelH, int kernelW, int stride, int dilation, int groups)
    {
        RequirePositive("Conv2d", stride, dilation);
        int Total(int input, int kernel) => Math.Max(((input + stride - 1) / stride - 1) * stride + dilation * (kernel - 1) + 1 - input, 0);
        int th = Total(height, kernelH), tw = Total(width, kernelW);
        return new ConvGeometry(stride, dilation, th / 2, tw / 2, th - th / 2, tw - tw / 2, groups);
    }

    public int Stride { get; }
    public int Dilation { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public int PadBottom { get; }
    public int PadRight { get; }
    public int Groups { get; }

    public string Text => string.Format(CultureInfo.InvariantCulture, "s={0} d={1} p={2},{3},{4},{5} g={6}",
        Stride, Dilation, PadTop, PadLeft, PadBottom, PadRight, Groups);

    public string PaddingText => PadTop == PadLeft && PadTop == PadBottom && PadTop == PadRight
        ? PadTop.ToString(CultureInfo.InvariantCulture)
        : $"{PadTop},{PadLeft},{PadBottom},{PadRight}";

    /// <summary>The extent a kernel of <paramref name="kernel"/> taps covers once dilated.</summary>
    public int Effective(int kernel) => Dilation * (kernel - 1) + 1;

    /// <summary>Stride and dilation must be at least 1 (a zero stride never moves; a zero dilation stacks every tap).</summary>
    public static void RequirePositive(string op, int stride, int dilation)
    {
        if (stride <= 0)
            throw new ShapeException(ShapeErrorKind.BadStride, $"{op}: the stride must be at least 1, got {stride}");
        if (dilation <= 0)
            throw new ShapeException(ShapeErrorKind.BadStride, $"{op}: the dilation must be at least 1, got {dilation}");
    }

    /// <summary>Checks the attributes alone: positive stride and dilation, padding of zero or more, at least one group.</summary>
    public void Validate(string op)
    {
        RequirePositive(op, Stride, Dilation);
        if (PadTop < 0 || PadLeft < 0 || PadBottom < 0 || PadRight < 0)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{op}: padding cannot be negative, got {PaddingText}");
        if (Groups < 1)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{op}: groups must be at least 1, got {Groups}");
    }

    /// <summary>
    /// The output size of a convolution over <paramref name="input"/> pixels (one direction);
    /// throws when the dilated kernel does not fit in the padded input.
    /// </summary>
    public int Output(string op, int input, int kernel, bool vertical, Shape x, Shape w)
    {
        int padded = input + (vertical ? PadTop + PadBottom : PadLeft + PadRight);
        int effective = Effective(kernel);
        if (effective > padded)
            throw new ShapeException(ShapeErrorKind.KernelTooLarge,
                $"{op}: the kernel {w[2]}x{w[3]}{(Dilation > 1 ? $" (dilation {Dilation}: {Effective(w[2].Size)}x{Effective(w[3].Size)})" : "")} " +
                $"is larger than the padded input ({(vertical ? "height" : "width")} {input} + padding {(vertical ? PadTop + PadBottom : PadLeft + PadRight)} = {padded}) of {x}");
        return (padded - effective) / Stride + 1;
    }

    /// <summary>The static height and width of an NCHW tensor (the batch may only be the first axis).</summary>
    public static (int H, int W) Spatial(string op, Shape x, string what)
    {
        if (x.Rank != 4)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"{op}: {what} must be [N,C,H,W] (rank 4), got rank {x.Rank} {x}");
        for (int a = 1; a < 4; a++)
            if (x[a].IsBatch)
                throw new ShapeException(ShapeErrorKind.BadArgument, $"{op}: only the first axis of {what} {x} may be the batch");
        return (x[2].Size, x[3].Size);
    }

    /// <summary>
    /// Visits every multiply-add of the convolution y = conv(x, w) as (x index, w index, y index):
    /// the forward op accumulates x·w into y, the transposed op y·w into x, the weight gradient x·y
    /// into w. One loop for the three keeps their reference meanings consistent by construction.
    /// </summary>
    public void ForEachTap(int batch, int c, int h, int width, int o, int kh, int kw, int oh, int ow, Action<int, int, int> tap)
    {
        int cg = c / Groups, og = o / Groups;
        for (int n = 0; n < batch; n++)
            for (int oc = 0; oc < o; oc++)
            {
                int group = oc / og;
                for (int ic = 0; ic < cg; ic++)
                {
                    int xPlane = (n * c + group * cg + ic) * h * width;
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++)
                        {
                            int wi = ((oc * cg + ic) * kh + i) * kw + j;
                            for (int y = 0; y < oh; y++)
                            {
                                int ih = y * Stride - PadTop + i * Dilation;
                                if (ih < 0 || ih >= h) continue;
                                for (int x = 0; x < ow; x++)
                                {
                                    int iw = x * Stride - PadLeft + j * Dilation;
                                    if (iw < 0 || iw >= width) continue;
                                    tap(xPlane + ih * width + iw, wi, ((n * o + oc) * oh + y) * ow + x);
                                }
                            }
                        }
                }
            }
    }
}
