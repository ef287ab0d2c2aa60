using System;

namespace Dl.Cpu;

/// <summary>
/// One 2-D convolution's geometry as generated code passes it: per-image input [C,H,W], output
/// [O,OH,OW], kernel, stride, dilation, top/left padding (bottom/right padding follows from the
/// output size) and channel groups.
/// </summary>
public readonly struct ConvShape
{
    public ConvShape(int channels, int height, int width, int outChannels, int kernelH, int kernelW,
        int stride, int dilation, int padTop, int padLeft, int groups, int outHeight, int outWidth)
    {
        if (channels <= 0 || height <= 0 || width <= 0 || outChannels <= 0 || kernelH <= 0 || kernelW <= 0 || outHeight <= 0 || outWidth <= 0)
            throw new ArgumentException("convolution sizes must be positive");
        if (stride <= 0 || dilation <= 0 || groups <= 0 || channels % groups != 0 || outChannels % groups != 0 || padTop < 0 || padLeft < 0)
            throw new ArgumentException($"invalid convolution geometry: stride {stride}, dilation {dilation}, padding {padTop},{padLeft}, {channels} -> {outChannels} channels in {groups} groups");
        Channels = channels; Height = height; Width = width; OutChannels = outChannels; KernelH = kernelH; KernelW = kernelW;
        Stride = stride; Dilation = dilation; PadTop = padTop; PadLeft = padLeft; Groups = groups; OutHeight = outHeight; OutWidth = outWidth;
    }

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int OutChannels { get; }
    public int KernelH { get; }
    public int KernelW { get; }
    public int Stride { get; }
    public int Dilation { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public int Groups { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }

    /// <summary>Input channels per group.</summary>
    public int GroupChannels => Channels / Groups;
    /// <summary>Output channels per group.</summary>
    public int GroupOutChannels => OutChannels / Groups;
    /// <summary>Rows of the unfolded input of a group: one per (channel, kernel row, kernel column).</summary>
    public int PatchSize => GroupChannels * KernelH * KernelW;
    public int InputPlane => Height * Width;
    public int OutputPlane => OutHeight * OutWidth;
    public int InputSize => Channels * InputPlane;
    public int OutputSize => OutChannels * OutputPlane;
    public int WeightSize => OutChannels * PatchSize;

    /// <summary>A 1x1, stride-1, unpadded convolution: the input already is its own unfolding.</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && Stride == 1 && PadTop == 0 && PadLeft == 0 && OutHeight == Height && OutWidth == Width;

    /// <summary>Multiply-adds of one image.</summary>
    public long Work => (long)OutChannels * OutputPlane * PatchSize;
}

/// <summary>
/// Unfolding ("im2col") of one group of one image into a [PatchSize, OutputPlane] matrix, so that
/// a convolution is the product W[Og, PatchSize] · col; and its adjoint ("col2im"), which adds a
/// column matrix back into the image (the input gradient). Out-of-image taps read as zero.
/// </summary>
internal static unsafe class Im2Col
{
    public static void Unfold(in ConvShape s, float* x, float* col)
    {
        int ow = s.OutWidth, oh = s.OutHeight, h = s.Height, w = s.Width;
        for (int c = 0; c < s.GroupChannels; c++)
            for (int ky = 0; ky < s.KernelH; ky++)
                for (int kx = 0; kx < s.KernelW; kx++)
                {
                    float* row = col + (long)((c * s.KernelH + ky) * s.KernelW + kx) * s.OutputPlane;
                    int dx = kx * s.Dilation - s.PadLeft;
                    // Output columns whose tap falls inside the image: ox in [lo, hi).
                    int lo = Math.Min(ow, Math.Max(0, CeilDiv(-dx, s.Stride))), hi = Math.Max(lo, Math.Min(ow, CeilDiv(w - dx, s.Stride)));
                    for (int oy = 0; oy < oh; oy++)
                    {
                        float* dst = row + oy * ow;
                        int iy = oy * s.Stride - s.PadTop + ky * s.Dilation;
                        if ((uint)iy >= (uint)h) { new Span<float>(dst, ow).Clear(); continue; }
                        float* src = x + (long)(c * h + iy) * w + dx;
                        for (int ox = 0; ox < lo; ox++) dst[ox] = 0;
                        if (s.Stride == 1) new ReadOnlySpan<float>(src + lo, hi - lo).CopyTo(new Span<float>(dst + lo, hi - lo));
                        else for (int ox = lo; ox < hi; ox++) dst[ox] = src[ox * s.Stride];
                        for (int ox = hi; ox < ow; ox++) dst[ox] = 0;
                    }
                }
    }

    /// <summary>x += fold(col): every column entry added to the pixel its tap reads.</summary>
    public static void FoldAdd(in ConvShape s, float* col, float* x)
    {
        int ow = s.OutWidth, oh = s.OutHeight, h = s.Height, w = s.Width;
        for (int c = 0; c < s.GroupChannels; c++)
            for (int ky = 0; ky < s.KernelH; ky++)
                for (int kx = 0; kx < s.KernelW; kx++)
                {
                    float* row = col + (long)((c * s.KernelH + ky) * s.KernelW + kx) * s.OutputPlane;
                    int dx = kx * s.Dilation - s.PadLeft;
                    int lo = Math.Min(ow, Math.Max(0, CeilDiv(-dx, s.Stride))), hi = Math.Max(lo, Math.Min(ow, CeilDiv(w - dx, s.Stride)));
                    for (int oy = 0; oy < oh; oy++)
                    {
                        int iy = oy * s.Stride - s.PadTop + ky * s.Dilation;
                        if ((uint)iy >= (uint)h) continue;
                        float* src = row + oy * ow;
                        float* dst = x + (long)(c * h + iy) * w + dx;
                        if (s.Stride == 1)
                        {
                            var d = new Span<float>(dst + lo, hi - lo);
                            System.Numerics.Tensors.TensorPrimitives.Add(d, new ReadOnlySpan<float>(src + lo, hi - lo), d);
                        }
                        else for (int ox = lo; ox < hi; ox++) dst[ox * s.Stride] += src[ox];
                    }
                }
    }

    /// <summary>ceil(a / b) for b &gt; 0 and any sign of a.</summary>
    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -((-a) / b);
}
