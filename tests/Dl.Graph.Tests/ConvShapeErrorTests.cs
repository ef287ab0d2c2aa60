using System;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>The shape rules of the convolutional toolbox: the kind a user's diagnostic is chosen by, and a message naming the shapes.</summary>
public class ConvShapeErrorTests
{
    private static void Fails(ShapeErrorKind kind, Func<GraphBuilder, Node> build, params string[] mentions)
    {
        var ex = Assert.Throws<ShapeException>(() => build(new GraphBuilder()));
        Assert.Equal(kind, ex.Kind);
        foreach (var m in mentions)
            Assert.True(ex.Message.Contains(m, StringComparison.Ordinal), $"message should mention \"{m}\": {ex.Message}");
    }

    private static Node F(GraphBuilder g, string name, string shape) => g.Input(name, S(shape));
    private static ConvGeometry Geo(int stride = 1, int padding = 0, int dilation = 1, int groups = 1) => ConvGeometry.Uniform(stride, padding, dilation, groups);

    [Fact]
    public void Conv_ChannelMismatch()
    {
        Fails(ShapeErrorKind.ChannelMismatch, g => g.Conv2d(F(g, "x", "N,3,8,8"), F(g, "w", "6,1,5,5"), Geo()), "Conv2d", "[N,3,8,8]", "3 channels", "[6,1,5,5]", "expects 1");
        Fails(ShapeErrorKind.ChannelMismatch, g => g.Conv2d(F(g, "x", "N,4,8,8"), F(g, "w", "6,1,3,3"), Geo(groups: 2)), "has 4 channels", "expects 2 (1 per group, 2 groups)");
        Fails(ShapeErrorKind.ChannelMismatch, g => g.Conv2d(F(g, "x", "N,3,8,8"), F(g, "w", "6,1,3,3"), Geo(groups: 2)), "3 input channels do not split into 2 groups");
        Fails(ShapeErrorKind.ChannelMismatch, g => Layers.Conv2d(g, "conv2", F(g, "x", "N,6,14,14"), 3, 16, 5), "Conv2d 'conv2'", "expects 3 input channels", "[N,6,14,14]");
        Fails(ShapeErrorKind.ChannelMismatch, g => g.ConvTranspose2d(F(g, "u", "N,2,4,4"), F(g, "w", "3,1,3,3"), Geo()), "ConvTranspose2d", "[N,2,4,4]", "expects 3");
        Fails(ShapeErrorKind.ChannelMismatch, g => Layers.BatchNorm(g, "bn", F(g, "x", "N,4,2,2"), 3), "BatchNorm 'bn'", "3 channels", "[N,4,2,2]");
    }

    [Fact]
    public void Conv_KernelLargerThanThePaddedInput()
    {
        Fails(ShapeErrorKind.KernelTooLarge, g => g.Conv2d(F(g, "x", "N,1,4,4"), F(g, "w", "2,1,5,5"), Geo()), "Conv2d", "kernel 5x5", "larger than the padded input", "4 + padding 0 = 4", "[N,1,4,4]");
        Fails(ShapeErrorKind.KernelTooLarge, g => g.Conv2d(F(g, "x", "N,1,4,4"), F(g, "w", "2,1,3,3"), Geo(dilation: 2)), "dilation 2: 5x5");
        // Padding makes room: the same kernel fits once the input is padded.
        var ok = new GraphBuilder();
        Assert.Equal(S("N,2,2,2"), ok.Conv2d(F(ok, "x", "N,1,4,4"), F(ok, "w", "2,1,5,5"), Geo(padding: 1)).Shape);
    }

    [Fact]
    public void Conv_StrideOrDilationOfZero()
    {
        Fails(ShapeErrorKind.BadStride, g => g.Conv2d(F(g, "x", "N,1,4,4"), F(g, "w", "2,1,3,3"), Geo(stride: 0)), "stride must be at least 1, got 0");
        Fails(ShapeErrorKind.BadStride, g => g.Conv2d(F(g, "x", "N,1,4,4"), F(g, "w", "2,1,3,3"), Geo(dilation: 0)), "dilation must be at least 1, got 0");
        Fails(ShapeErrorKind.BadStride, g => Layers.Conv2d(g, "c", F(g, "x", "N,1,4,4"), 1, 2, 3, stride: 0), "Conv2d 'c'", "stride");
        Fails(ShapeErrorKind.BadStride, g => g.MaxPool2d(F(g, "x", "N,1,4,4"), 2, 0), "MaxPool2d", "stride");
    }

    [Fact]
    public void TransposedConv_NonPositiveOutputSize()
    {
        Fails(ShapeErrorKind.EmptyOutput, g => g.ConvTranspose2d(F(g, "u", "N,1,1,1"), F(g, "w", "1,1,2,2"), Geo(padding: 1)), "ConvTranspose2d", "output would be 0x0", "padding 1");
        Fails(ShapeErrorKind.BadArgument, g => g.ConvTranspose2d(F(g, "u", "N,1,3,3"), F(g, "w", "1,1,2,2"), Geo(stride: 2), 2, 2), "output padding", "[0, stride 2)");
    }

    [Fact]
    public void Pool_WindowLargerThanTheInput()
    {
        Fails(ShapeErrorKind.PoolTooLarge, g => g.MaxPool2d(F(g, "x", "N,3,2,2"), 3), "MaxPool2d", "3x3 window", "input 2x2", "[N,3,2,2]");
        Fails(ShapeErrorKind.PoolTooLarge, g => g.AvgPool2d(F(g, "x", "N,3,5,2"), 3), "AvgPool2d", "5x2");
        Fails(ShapeErrorKind.BadArgument, g => g.MaxPool2d(F(g, "x", "N,3,8,8"), 2, 2, 2), "padding", "half the window");
    }

    [Fact]
    public void Conv_WrongRankAndBadArguments()
    {
        Fails(ShapeErrorKind.WrongRank, g => g.Conv2d(F(g, "x", "N,784"), F(g, "w", "6,1,5,5"), Geo()), "[N,C,H,W]", "rank 2 [N,784]");
        Fails(ShapeErrorKind.WrongRank, g => g.Conv2d(F(g, "x", "N,1,8,8"), F(g, "w", "6,25"), Geo()), "weight", "[6,25]");
        Fails(ShapeErrorKind.WrongRank, g => g.MaxPool2d(F(g, "x", "N,8,8"), 2), "MaxPool2d", "[N,8,8]");
        Fails(ShapeErrorKind.BadArgument, g => g.Conv2d(F(g, "x", "N,1,8,8"), F(g, "w", "6,1,3,3"), Geo(padding: -1)), "padding cannot be negative");
        Fails(ShapeErrorKind.Mismatch, g => g.Conv2dWeightGrad(F(g, "x", "N,1,8,8"), F(g, "d", "N,2,5,5"), Geo(), 3, 3), "Conv2dWeightGrad", "[N,2,6,6]", "[N,2,5,5]");
        Fails(ShapeErrorKind.BadArgument, g => g.Dropout(F(g, "x", "N,4"), 1.0, 0), "Dropout", "[0, 1)");
        Fails(ShapeErrorKind.Mismatch, g => g.Concat(new[] { F(g, "a", "N,2,3,3"), F(g, "b", "N,2,4,3") }), "Concat", "[N,2,3,3]", "[N,2,4,3]", "axis 2");
        Fails(ShapeErrorKind.BadArgument, g => g.Slice(F(g, "a", "N,4"), 1, 3, 2), "Slice", "[3:5]");
        Fails(ShapeErrorKind.Mismatch, g => g.TrainEval(F(g, "a", "N,4"), F(g, "b", "N,5")), "TrainEval");
    }
}
