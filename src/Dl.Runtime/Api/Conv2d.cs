namespace Dl;

/// <summary>How a convolution pads its input: none, or enough that the output is ceil(input / stride).</summary>
public enum Padding
{
    /// <summary>No padding: the kernel stays inside the input.</summary>
    Valid,
    /// <summary>Zero padding so the output keeps the input's size (divided by the stride, rounded up); the odd pixel goes bottom and right.</summary>
    Same,
}

/// <summary>
/// A 2-D convolution over NCHW input: <c>y = activation(conv(x, W) + b)</c>, x: [N, inChannels, H, W],
/// W: [outChannels, inChannels/groups, kernel, kernel], b: [outChannels]. Parameters are named
/// <c>&lt;field&gt;.weight</c> and <c>&lt;field&gt;.bias</c>; W is He-initialised under ReLU and Glorot
/// otherwise (fan-in = inChannels/groups·kernel²). <c>groups = inChannels</c> is a depthwise
/// convolution. Arguments must be compile-time constants.
/// </summary>
public sealed class Conv2d
{
    public Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        Activation activation = Activation.None, bool bias = true)
    {
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; PaddingSize = padding;
        Dilation = dilation; Groups = groups; Activation = activation; Bias = bias;
    }

    /// <summary>A convolution with <see cref="Dl.Padding.Same"/> or <see cref="Dl.Padding.Valid"/> padding.</summary>
    public Conv2d(int inChannels, int outChannels, int kernel, Padding padding, int stride = 1, int dilation = 1, int groups = 1,
        Activation activation = Activation.None, bool bias = true)
        : this(inChannels, outChannels, kernel, stride, 0, dilation, groups, activation, bias) => Same = padding == Padding.Same;

    public int InChannels { get; }
    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    /// <summary>Zero padding on every side (when not <see cref="Same"/>).</summary>
    public int PaddingSize { get; }
    public bool Same { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public Activation Activation { get; }
    public bool Bias { get; }

    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}

/// <summary>
/// A transposed convolution (learned upsampling): x [N, inChannels, H, W] -> [N, outChannels,
/// (H-1)·stride - 2·padding + dilation·(kernel-1) + 1 + outputPadding, ...]. W: [inChannels,
/// outChannels/groups, kernel, kernel] (the layout of the convolution it transposes), b: [outChannels].
/// </summary>
public sealed class ConvTranspose2d
{
    public ConvTranspose2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int outputPadding = 0,
        int dilation = 1, int groups = 1, Activation activation = Activation.None, bool bias = true)
    {
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; PaddingSize = padding;
        OutputPadding = outputPadding; Dilation = dilation; Groups = groups; Activation = activation; Bias = bias;
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int PaddingSize { get; }
    public int OutputPadding { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public Activation Activation { get; }
    public bool Bias { get; }

    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}

/// <summary>
/// A depthwise kernel x kernel convolution (one filter per input channel, no bias) followed by a
/// pointwise 1x1 convolution to <c>outChannels</c> with bias and activation: far fewer weights than
/// a full convolution. Parameters <c>&lt;field&gt;.depthwise.weight</c>, <c>&lt;field&gt;.pointwise.weight</c>
/// and <c>&lt;field&gt;.pointwise.bias</c>.
/// </summary>
public sealed class DepthwiseSeparableConv2d
{
    public DepthwiseSeparableConv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int dilation = 1,
        Activation activation = Activation.None, bool bias = true)
    {
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; PaddingSize = padding;
        Dilation = dilation; Activation = activation; Bias = bias;
    }

    public DepthwiseSeparableConv2d(int inChannels, int outChannels, int kernel, Padding padding, int stride = 1, int dilation = 1,
        Activation activation = Activation.None, bool bias = true)
        : this(inChannels, outChannels, kernel, stride, 0, dilation, activation, bias) => Same = padding == Padding.Same;

    public int InChannels { get; }
    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int PaddingSize { get; }
    public bool Same { get; }
    public int Dilation { get; }
    public Activation Activation { get; }
    public bool Bias { get; }

    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}
