namespace Dl.Graph;

/// <summary>The convolutional toolbox: convolutions, normalisation and dropout, lowered to ops.</summary>
public static partial class Layers
{
    /// <summary>Pass as a convolution's padding for "same" padding (the output is ceil(input / stride)).</summary>
    public const int SamePadding = int.MinValue;

    /// <summary>
    /// y = act(conv(x, W) + b), x: [N, inChannels, H, W], W: [outChannels, inChannels/groups, k, k]
    /// (He-initialised under ReLU, Glorot otherwise), b: [outChannels] added per channel.
    /// </summary>
    public static Node Conv2d(GraphBuilder g, string path, Node x, int inChannels, int outChannels, int kernel,
        int stride = 1, int padding = 0, int dilation = 1, int groups = 1, UnaryOp? activation = null, bool bias = true)
    {
        var (h, w) = CheckConvInput("Conv2d", path, x, inChannels, outChannels, kernel, stride, padding, dilation, groups);
        var geometry = padding == SamePadding
            ? ConvGeometry.Same(h, w, kernel, kernel, stride, dilation, groups)
            : ConvGeometry.Uniform(stride, padding, dilation, groups);
        var weight = g.Param(path + ".weight", new Shape(outChannels, inChannels / groups, kernel, kernel), activation is ReluOp ? Init.He : Init.Glorot);
        var y = g.Conv2d(x, weight, geometry);
        if (bias) y = ChannelBias(g, path, y, outChannels);
        return Activate(g, y, activation);
    }

    /// <summary>
    /// The transposed convolution (learned upsampling): x [N, inChannels, H, W] -> [N, outChannels,
    /// (H-1)·stride - 2·padding + dilation·(k-1) + 1 + outputPadding, ...]; W: [inChannels, outChannels/groups, k, k].
    /// </summary>
    public static Node ConvTranspose2d(GraphBuilder g, string path, Node x, int inChannels, int outChannels, int kernel,
        int stride = 1, int padding = 0, int outputPadding = 0, int dilation = 1, int groups = 1, UnaryOp? activation = null, bool bias = true)
    {
        if (padding == SamePadding)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"ConvTranspose2d '{path}': give an explicit padding (\"same\" is for Conv2d)");
        CheckConvInput("ConvTranspose2d", path, x, inChannels, outChannels, kernel, stride, padding, dilation, groups);
        var weight = g.Param(path + ".weight", new Shape(inChannels, outChannels / groups, kernel, kernel), activation is ReluOp ? Init.He : Init.Glorot);
        var y = g.ConvTranspose2d(x, weight, ConvGeometry.Uniform(stride, padding, dilation, groups), outputPadding, outputPadding);
        if (bias) y = ChannelBias(g, path, y, outChannels);
        return Activate(g, y, activation);
    }

    /// <summary>
    /// A depthwise k x k convolution (one filter per input channel, groups = channels, no bias) then
    /// a pointwise 1x1 convolution to <paramref name="outChannels"/>: parameters "&lt;path&gt;.depthwise.weight",
    /// "&lt;path&gt;.pointwise.weight" and "&lt;path&gt;.pointwise.bias".
    /// </summary>
    public static Node DepthwiseSeparableConv2d(GraphBuilder g, string path, Node x, int inChannels, int outChannels, int kernel,
        int stride = 1, int padding = 0, int dilation = 1, UnaryOp? activation = null, bool bias = true)
    {
        var depthwise = Conv2d(g, path + ".depthwise", x, inChannels, inChannels, kernel, stride, padding, dilation, groups: inChannels, bias: false);
        return Conv2d(g, path + ".pointwise", depthwise, inChannels, outChannels, 1, activation: activation, bias: bias);
    }

    /// <summary>
    /// Batch normalisation of [N, features] (per feature) or [N, C, H, W] (per channel): training
    /// normalises with the batch's mean and (biased) variance and updates the running averages
    /// "&lt;path&gt;.running_mean"/"running_var" (new = (1 - momentum)·old + momentum·batch); inference
    /// normalises with the running averages. Then y = gamma·x̂ + beta ("&lt;path&gt;.gamma", "&lt;path&gt;.beta").
    /// </summary>
    public static Node BatchNorm(GraphBuilder g, string path, Node x, int features, double momentum = 0.1, double epsilon = 1e-5)
    {
        int rank = x.Shape.Rank;
        if (rank != 2 && rank != 4)
            throw new ShapeException(ShapeErrorKind.WrongRank, $"BatchNorm '{path}' expects [N,features] or [N,C,H,W], got rank {rank} {x.Shape}");
        if (features <= 0)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"BatchNorm '{path}': the number of features must be positive, got {features}");
        if (x.Shape[1] != Dim.Of(features))
            throw new ShapeException(ShapeErrorKind.ChannelMismatch, $"BatchNorm '{path}' expects {features} {(rank == 4 ? "channels" : "features")} on axis 1, got {x.Shape}");
        if (!(momentum >= 0 && momentum <= 1) || !(epsilon > 0))
            throw new ShapeException(ShapeErrorKind.BadArgument, $"BatchNorm '{path}': momentum must be in [0, 1] and epsilon positive");
        var axes = rank == 4 ? new[] { 0, 2, 3 } : new[] { 0 };
        var vector = new Shape(features);
        var perChannel = rank == 4 ? new Shape(features, 1, 1) : vector;   // broadcasts over [N,C,H,W] or [N,F]
        Node Spread(Node v) => g.Reshape(v, perChannel);

        var gamma = g.Param(path + ".gamma", vector, Init.Ones);
        var beta = g.Param(path + ".beta", vector, Init.Zeros);
        var runningMean = g.State(path + ".running_mean", vector, Init.Zeros);
        var runningVar = g.State(path + ".running_var", vector, Init.Ones);

        // Training: batch statistics (kept as [1,C,1,1] so they broadcast back over the batch).
        var mean = g.Mean(x, axes, keepDims: true);
        var centred = g.Sub(x, mean);
        var variance = g.Mean(g.Mul(centred, centred), axes, keepDims: true);
        var normalised = g.Mul(centred, g.Rsqrt(g.Add(variance, g.Constant(epsilon))));
        var train = g.Add(g.Mul(normalised, Spread(gamma)), Spread(beta));
        g.UpdateState(runningMean, g.Add(g.Scale(runningMean, 1 - momentum), g.Scale(g.Reshape(mean, vector), momentum)));
        g.UpdateState(runningVar, g.Add(g.Scale(runningVar, 1 - momentum), g.Scale(g.Reshape(variance, vector), momentum)));

        // Inference: a per-channel affine map from the running averages.
        var scale = g.Mul(g.Rsqrt(g.Add(runningVar, g.Constant(epsilon))), gamma);
        var eval = g.Add(g.Mul(g.Sub(x, Spread(runningMean)), Spread(scale)), Spread(beta));
        return g.TrainEval(train, eval);
    }

    /// <summary>BatchNorm2d: <see cref="BatchNorm"/> of [N,C,H,W] only (the rank is checked here, with a hint to the 1-d layer).</summary>
    public static Node BatchNorm2d(GraphBuilder g, string path, Node x, int channels, double momentum = 0.1, double epsilon = 1e-5) =>
        x.Shape.Rank == 4 ? BatchNorm(g, path, x, channels, momentum, epsilon)
        : throw new ShapeException(ShapeErrorKind.WrongRank, $"BatchNorm2d '{path}' expects [N,C,H,W] (rank 4), got rank {x.Shape.Rank} {x.Shape}; use BatchNorm1d for [N,features]");

    /// <summary>BatchNorm1d: <see cref="BatchNorm"/> of [N,features] only.</summary>
    public static Node BatchNorm1d(GraphBuilder g, string path, Node x, int features, double momentum = 0.1, double epsilon = 1e-5) =>
        x.Shape.Rank == 2 ? BatchNorm(g, path, x, features, momentum, epsilon)
        : throw new ShapeException(ShapeErrorKind.WrongRank, $"BatchNorm1d '{path}' expects [N,features] (rank 2), got rank {x.Shape.Rank} {x.Shape}; use BatchNorm2d for [N,C,H,W]");

    /// <summary>Inverted dropout at <paramref name="rate"/>, its mask stream named by the layer's path.</summary>
    public static Node Dropout(GraphBuilder g, string path, Node x, double rate) => g.Dropout(x, rate, DropoutMaskOp.StreamOf(path));

    private static Node ChannelBias(GraphBuilder g, string path, Node y, int channels) =>
        g.Add(y, g.Reshape(g.Param(path + ".bias", new Shape(channels), Init.Zeros), new Shape(channels, 1, 1)));

    private static (int H, int W) CheckConvInput(string layer, string path, Node x, int inChannels, int outChannels, int kernel,
        int stride, int padding, int dilation, int groups)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernel <= 0)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{layer} '{path}': channels and kernel size must be positive, got {inChannels} -> {outChannels}, kernel {kernel}");
        ConvGeometry.RequirePositive($"{layer} '{path}'", stride, dilation);
        if (padding < 0 && padding != SamePadding)
            throw new ShapeException(ShapeErrorKind.BadArgument, $"{layer} '{path}': padding cannot be negative, got {padding}");
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ShapeException(ShapeErrorKind.ChannelMismatch, $"{layer} '{path}': {inChannels} input and {outChannels} output channels do not split into {groups} groups");
        var (h, w) = ConvGeometry.Spatial($"{layer} '{path}'", x.Shape, "the input");
        if (x.Shape[1] != Dim.Of(inChannels))
            throw new ShapeException(ShapeErrorKind.ChannelMismatch, $"{layer} '{path}' expects {inChannels} input channels, got {x.Shape[1]} in {x.Shape}");
        return (h, w);
    }
}
