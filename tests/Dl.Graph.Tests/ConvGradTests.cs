using System;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>Gradients of the three convolution ops and the convolutional layers against central differences.</summary>
public class ConvGradTests
{
    private static ConvGeometry Geo(int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        ConvGeometry.Uniform(stride, padding, dilation, groups);

    [Theory]
    [InlineData("N,2,5,5", "3,2,3,3", 1, 0, 1, 1)]   // valid 3x3
    [InlineData("N,2,5,6", "3,2,3,3", 2, 1, 1, 1)]   // stride 2, padding 1, non-square input
    [InlineData("N,2,7,7", "2,2,3,3", 1, 2, 2, 1)]   // dilation 2 with padding
    [InlineData("N,4,4,4", "6,2,3,3", 1, 1, 1, 2)]   // two groups
    [InlineData("N,3,4,4", "3,1,3,3", 2, 1, 1, 3)]   // depthwise, strided
    [InlineData("N,3,4,4", "5,3,1,1", 1, 0, 1, 1)]   // 1x1
    [InlineData("N,1,6,6", "2,1,2,3", 3, 1, 1, 1)]   // rectangular kernel, stride larger than the kernel
    public void Conv2d_InputAndWeight(string x, string w, int stride, int padding, int dilation, int groups) =>
        Verify((g, n) => g.Conv2d(n[0], n[1], Geo(stride, padding, dilation, groups)), InputSpec.Float("x", S(x)), InputSpec.Float("w", S(w)));

    [Fact]
    public void Conv2d_UnevenSamePadding()
    {
        // An even kernel under "same" padding pads one pixel more at the bottom and right.
        var geometry = ConvGeometry.Same(5, 5, 4, 4, 1, 1, 1);
        Assert.Equal((1, 1, 2, 2), (geometry.PadTop, geometry.PadLeft, geometry.PadBottom, geometry.PadRight));
        Verify((g, n) => g.Conv2d(n[0], n[1], geometry), InputSpec.Float("x", S("N,1,5,5")), InputSpec.Float("w", S("2,1,4,4")));
    }

    [Theory]
    [InlineData("N,3,3,3", "3,2,3,3", 2, 1, 1, 1, 1)]   // the classic 2x upsampling with output padding
    [InlineData("N,2,4,4", "2,2,2,2", 2, 0, 1, 1, 0)]
    [InlineData("N,4,3,3", "4,1,3,3", 1, 1, 2, 2, 0)]   // dilation and groups
    public void ConvTranspose2d_InputAndWeight(string u, string w, int stride, int padding, int dilation, int groups, int outputPadding) =>
        Verify((g, n) => g.ConvTranspose2d(n[0], n[1], Geo(stride, padding, dilation, groups), outputPadding, outputPadding),
            InputSpec.Float("u", S(u)), InputSpec.Float("w", S(w)));

    [Theory]
    [InlineData("N,2,5,5", "N,3,3,3", 3, 1, 0, 1, 1)]
    [InlineData("N,4,6,6", "N,2,3,3", 3, 2, 1, 1, 2)]
    [InlineData("N,2,7,7", "N,2,3,3", 3, 1, 0, 2, 1)]
    public void Conv2dWeightGrad_InBothInputs(string x, string dy, int k, int stride, int padding, int dilation, int groups) =>
        Verify((g, n) => g.Conv2dWeightGrad(n[0], n[1], Geo(stride, padding, dilation, groups), k, k),
            InputSpec.Float("x", S(x)), InputSpec.Float("dy", S(dy)));

    [Fact]
    public void Conv2dLayer_WithBiasAndTanh() =>
        Verify((g, x) => Layers.Conv2d(g, "conv", x[0], 2, 3, 3, stride: 2, padding: 1, activation: new TanhOp()), InputSpec.Float("x", S("N,2,5,5")));

    [Fact]
    public void Conv2dLayer_SamePaddingKeepsTheSize()
    {
        var g = new GraphBuilder();
        var y = Layers.Conv2d(g, "c", g.Input("x", S("N,3,7,9")), 3, 4, 3, padding: Layers.SamePadding);
        Assert.Equal(S("N,4,7,9"), y.Shape);
        var strided = Layers.Conv2d(g, "d", g.Input("z", S("N,3,7,9")), 3, 4, 3, stride: 2, padding: Layers.SamePadding);
        Assert.Equal(S("N,4,4,5"), strided.Shape);   // ceil(7/2), ceil(9/2)
    }

    [Fact]
    public void ConvTranspose2dLayer_DoublesTheSize()
    {
        var g = new GraphBuilder();
        var y = Layers.ConvTranspose2d(g, "up", g.Input("x", S("N,4,7,7")), 4, 2, 3, stride: 2, padding: 1, outputPadding: 1);
        Assert.Equal(S("N,2,14,14"), y.Shape);
        Verify((b, x) => Layers.ConvTranspose2d(b, "up", x[0], 2, 3, 3, stride: 2, padding: 1, outputPadding: 1, activation: new SigmoidOp()),
            InputSpec.Float("x", S("N,2,3,3")));
    }

    [Fact]
    public void DepthwiseSeparableLayer_NamesAndGradients()
    {
        var g = new GraphBuilder();
        var y = Layers.DepthwiseSeparableConv2d(g, "ds", g.Input("x", S("N,3,6,6")), 3, 5, 3, padding: 1);
        Assert.Equal(S("N,5,6,6"), y.Shape);
        var names = System.Linq.Enumerable.ToList(System.Linq.Enumerable.Select(System.Linq.Enumerable.Where(g.Nodes, n => n.Op is ParamOp), n => ((ParamOp)n.Op).ParamName + " " + n.Shape));
        Assert.Equal(new[] { "ds.depthwise.weight [3,1,3,3]", "ds.pointwise.weight [5,3,1,1]", "ds.pointwise.bias [5]" }, names);
        Verify((b, x) => Layers.DepthwiseSeparableConv2d(b, "ds", x[0], 2, 3, 3, padding: 1, activation: new TanhOp()), InputSpec.Float("x", S("N,2,4,4")));
    }

    [Fact]
    public void SecondOrder_TheGradientOpsDifferentiateToo()
    {
        // d/dx of <dConv/dx(dy), r>: differentiating the backward graph itself, as a gradient penalty would.
        Verify((g, n) =>
        {
            var geometry = Geo(2, 1);
            var y = g.Conv2d(n[0], n[1], geometry);
            return Dl.Compiler.Autodiff.Gradients(g, g.Sum(g.Mul(y, y)), new[] { n[0] })[0];
        }, InputSpec.Float("x", S("N,1,4,4")), InputSpec.Float("w", S("2,1,3,3")));
    }

    [Fact]
    public void TransposedConv_IsTheAdjointOfConv()
    {
        // <conv(x, w), u> = <x, convT(u, w)> for random x, w, u: the defining property.
        var g = new GraphBuilder();
        var geometry = Geo(2, 1, 2, 1);
        var x = g.Input("x", S("2,2,7,7"));
        var w = g.Input("w", S("3,2,3,3"));
        var y = g.Conv2d(x, w, geometry);
        var u = g.Input("u", y.Shape);
        var t = g.ConvTranspose2d(u, w, geometry, ((ConvOpBase)y.Op).OutputPaddingFor(7, y.Shape[2].Size, 3, true), ((ConvOpBase)y.Op).OutputPaddingFor(7, y.Shape[3].Size, 3, false));
        Assert.Equal(x.Shape, t.Shape);
        var left = g.Sum(g.Mul(y, u));
        var right = g.Sum(g.Mul(x, t));
        var rng = new Random(3);
        TensorValue R(Node n) => Random(n.Shape.Resolve(1), rng, r => r.NextDouble() * 2 - 1);
        var values = new System.Collections.Generic.Dictionary<Node, TensorValue> { [x] = R(x), [w] = R(w), [u] = R(u) };
        var result = Evaluator.Run(new[] { left, right }, n => values[n], 1);
        Assert.Equal(result[left][0], result[right][0], 10);
    }
}
