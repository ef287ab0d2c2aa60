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
    /// <summary>Declares the layer as a field: <c>readonly Conv2d conv1 = new(1, 6, 5, padding: 2, activation: Activation.Relu);</c></summary>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output (filters).</param>
    /// <param name="kernel">Height and width of the square kernel.</param>
    /// <param name="stride">Step between kernel positions.</param>
    /// <param name="padding">Zeros added on every side of the input.</param>
    /// <param name="dilation">Spacing between kernel taps (1: adjacent).</param>
    /// <param name="groups">Channel groups convolved separately; must divide both channel counts.</param>
    /// <param name="activation">Applied after the bias (fused into the convolution).</param>
    /// <param name="bias">Whether the layer has the bias vector b.</param>
    public Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        Activation activation = Activation.None, bool bias = true)
    {
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; PaddingSize = padding;
        Dilation = dilation; Groups = groups; Activation = activation; Bias = bias;
    }

    /// <summary>A convolution with <see cref="Dl.Padding.Same"/> or <see cref="Dl.Padding.Valid"/> padding.</summary>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output (filters).</param>
    /// <param name="kernel">Height and width of the square kernel.</param>
    /// <param name="padding">Same: the output is ceil(input / stride); Valid: no padding.</param>
    /// <param name="stride">Step between kernel positions.</param>
    /// <param name="dilation">Spacing between kernel taps (1: adjacent).</param>
    /// <param name="groups">Channel groups convolved separately; must divide both channel counts.</param>
    /// <param name="activation">Applied after the bias.</param>
    /// <param name="bias">Whether the layer has the bias vector b.</param>
    public Conv2d(int inChannels, int outChannels, int kernel, Padding padding, int stride = 1, int dilation = 1, int groups = 1,
        Activation activation = Activation.None, bool bias = true)
        : this(inChannels, outChannels, kernel, stride, 0, dilation, groups, activation, bias) => Same = padding == Padding.Same;

    /// <summary>Channels of the input (axis 1).</summary>
    public int InChannels { get; }

    /// <summary>Channels of the output: the number of filters.</summary>
    public int OutChannels { get; }

    /// <summary>Height and width of the square kernel.</summary>
    public int Kernel { get; }

    /// <summary>Step between kernel positions, in both directions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side (when not <see cref="Same"/>).</summary>
    public int PaddingSize { get; }

    /// <summary>Whether the padding is <see cref="Dl.Padding.Same"/>: chosen so the output is ceil(input / stride).</summary>
    public bool Same { get; }

    /// <summary>Spacing between kernel taps (1: adjacent).</summary>
    public int Dilation { get; }

    /// <summary>Channel groups convolved separately (<see cref="InChannels"/> for a depthwise convolution).</summary>
    public int Groups { get; }

    /// <summary>The activation applied after the bias.</summary>
    public Activation Activation { get; }

    /// <summary>Whether the layer adds a bias.</summary>
    public bool Bias { get; }

    /// <summary>Applies the layer to <paramref name="x"/>; read by the generator at build time (it throws if called at run time).</summary>
    /// <param name="x">[N, <see cref="InChannels"/>, H, W].</param>
    /// <returns>[N, <see cref="OutChannels"/>, H', W'] with H' = (H + 2·padding - dilation·(kernel - 1) - 1) / stride + 1, likewise W'.</returns>
    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}

/// <summary>
/// A transposed convolution (learned upsampling): x [N, inChannels, H, W] -> [N, outChannels,
/// (H-1)·stride - 2·padding + dilation·(kernel-1) + 1 + outputPadding, ...]. W: [inChannels,
/// outChannels/groups, kernel, kernel] (the layout of the convolution it transposes), b: [outChannels].
/// </summary>
public sealed class ConvTranspose2d
{
    /// <summary>Declares the layer as a field: <c>readonly ConvTranspose2d up = new(16, 8, 2, stride: 2);</c> doubles H and W.</summary>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output.</param>
    /// <param name="kernel">Height and width of the square kernel.</param>
    /// <param name="stride">Upsampling factor.</param>
    /// <param name="padding">Removed from every side of the full output.</param>
    /// <param name="outputPadding">Added to the bottom and right of the output, to reach sizes a stride skips.</param>
    /// <param name="dilation">Spacing between kernel taps.</param>
    /// <param name="groups">Channel groups handled separately.</param>
    /// <param name="activation">Applied after the bias.</param>
    /// <param name="bias">Whether the layer has the bias vector b.</param>
    public ConvTranspose2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int outputPadding = 0,
        int dilation = 1, int groups = 1, Activation activation = Activation.None, bool bias = true)
    {
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; PaddingSize = padding;
        OutputPadding = outputPadding; Dilation = dilation; Groups = groups; Activation = activation; Bias = bias;
    }

    /// <summary>Channels of the input (axis 1).</summary>
    public int InChannels { get; }

    /// <summary>Channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>Height and width of the square kernel.</summary>
    public int Kernel { get; }

    /// <summary>Upsampling factor.</summary>
    public int Stride { get; }

    /// <summary>Removed from every side of the full output.</summary>
    public int PaddingSize { get; }

    /// <summary>Added to the bottom and right of the output.</summary>
    public int OutputPadding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>Channel groups handled separately.</summary>
    public int Groups { get; }

    /// <summary>The activation applied after the bias.</summary>
    public Activation Activation { get; }

    /// <summary>Whether the layer adds a bias.</summary>
    public bool Bias { get; }

    /// <summary>Applies the layer to <paramref name="x"/>; read by the generator at build time (it throws if called at run time).</summary>
    /// <param name="x">[N, <see cref="InChannels"/>, H, W].</param>
    /// <returns>[N, <see cref="OutChannels"/>, H', W'], the sizes in the class summary.</returns>
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
    /// <summary>Declares the layer as a field: <c>readonly DepthwiseSeparableConv2d block = new(32, 64, 3, padding: 1);</c></summary>
    /// <param name="inChannels">Channels of the input (one depthwise filter each).</param>
    /// <param name="outChannels">Channels of the output of the pointwise convolution.</param>
    /// <param name="kernel">Height and width of the depthwise kernel.</param>
    /// <param name="stride">Step of the depthwise kernel.</param>
    /// <param name="padding">Zeros added on every side before the depthwise convolution.</param>
    /// <param name="dilation">Spacing between depthwise kernel taps.</param>
    /// <param name="activation">Applied after the pointwise bias.</param>
    /// <param name="bias">Whether the pointwise convolution has a bias.</param>
    public DepthwiseSeparableConv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int dilation = 1,
        Activation activation = Activation.None, bool bias = true)
    {
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride; PaddingSize = padding;
        Dilation = dilation; Activation = activation; Bias = bias;
    }

    /// <summary>The layer with <see cref="Dl.Padding.Same"/> or <see cref="Dl.Padding.Valid"/> padding.</summary>
    /// <param name="inChannels">Channels of the input (one depthwise filter each).</param>
    /// <param name="outChannels">Channels of the output of the pointwise convolution.</param>
    /// <param name="kernel">Height and width of the depthwise kernel.</param>
    /// <param name="padding">Same: the output is ceil(input / stride); Valid: no padding.</param>
    /// <param name="stride">Step of the depthwise kernel.</param>
    /// <param name="dilation">Spacing between depthwise kernel taps.</param>
    /// <param name="activation">Applied after the pointwise bias.</param>
    /// <param name="bias">Whether the pointwise convolution has a bias.</param>
    public DepthwiseSeparableConv2d(int inChannels, int outChannels, int kernel, Padding padding, int stride = 1, int dilation = 1,
        Activation activation = Activation.None, bool bias = true)
        : this(inChannels, outChannels, kernel, stride, 0, dilation, activation, bias) => Same = padding == Padding.Same;

    /// <summary>Channels of the input (one depthwise filter each).</summary>
    public int InChannels { get; }

    /// <summary>Channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>Height and width of the depthwise kernel.</summary>
    public int Kernel { get; }

    /// <summary>Step of the depthwise kernel.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side (when not <see cref="Same"/>).</summary>
    public int PaddingSize { get; }

    /// <summary>Whether the padding is <see cref="Dl.Padding.Same"/>.</summary>
    public bool Same { get; }

    /// <summary>Spacing between depthwise kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>The activation applied after the pointwise bias.</summary>
    public Activation Activation { get; }

    /// <summary>Whether the pointwise convolution adds a bias.</summary>
    public bool Bias { get; }

    /// <summary>Applies the layer to <paramref name="x"/>; read by the generator at build time (it throws if called at run time).</summary>
    /// <param name="x">[N, <see cref="InChannels"/>, H, W].</param>
    /// <returns>[N, <see cref="OutChannels"/>, H', W'], H' and W' as for <see cref="Conv2d"/> with this kernel, stride and padding.</returns>
    public Tensor Forward(Tensor x) => throw Tensor.Symbolic();
}
