using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>
/// Pooling gradients against central differences. Random inputs are continuous, so no window holds
/// two values within the finite-difference step: max pooling is differentiable at every sampled point.
/// </summary>
public class PoolingGradTests
{
    [Theory]
    [InlineData("N,2,4,4", 2, 2, 0)]
    [InlineData("N,2,5,5", 3, 2, 1)]   // overlapping, padded windows
    [InlineData("N,1,5,6", 2, 1, 0)]   // stride 1: each input can win several windows
    public void MaxPool2d(string x, int k, int stride, int padding) =>
        Verify((g, n) => g.MaxPool2d(n[0], k, stride, padding), InputSpec.Float("x", S(x)));

    [Theory]
    [InlineData("N,2,4,4", 2, 2, 0)]
    [InlineData("N,2,5,5", 3, 2, 1)]
    public void AvgPool2d(string x, int k, int stride, int padding) =>
        Verify((g, n) => g.AvgPool2d(n[0], k, stride, padding), InputSpec.Float("x", S(x)));

    [Fact]
    public void GlobalAvgPool2d() =>
        Verify((g, n) => g.GlobalAvgPool2d(n[0]), InputSpec.Float("x", S("N,3,3,4")));

    [Fact]
    public void MaxPool2dGrad_IsLinearInTheOutputGradient() =>
        Verify((g, n) => g.Apply(new MaxPool2dGradOp(3, 2, 1), n[0], n[1]),
            InputSpec.Constant("x", S("N,2,5,5"), -1, 1), InputSpec.Float("dy", S("N,2,3,3")));

    [Fact]
    public void MaxPool2dSelect_IsLinearInTheValues() =>
        Verify((g, n) => g.Apply(new MaxPool2dSelectOp(2, 2, 0), n[0], n[1]),
            InputSpec.Constant("x", S("N,2,4,4"), -1, 1), InputSpec.Float("v", S("N,2,4,4")));

    [Fact]
    public void AvgPool2dGrad() =>
        Verify((g, n) => g.Apply(new AvgPool2dGradOp(3, 2, 1, 5, 5), n[0]), InputSpec.Float("dy", S("N,2,3,3")));

    [Fact]
    public void MaxPool_ThenConv_ThroughALeNetBlock() =>
        Verify((g, n) => g.MaxPool2d(Layers.Conv2d(g, "c", n[0], 1, 2, 3, padding: 1, activation: new TanhOp()), 2),
            InputSpec.Float("x", S("N,1,4,4")));

    [Fact]
    public void MaxPool_RoutesTheGradientToTheArgmaxOnly()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("1,1,2,2"));
        var dx = Dl.Compiler.Autodiff.Gradients(g, g.Sum(g.MaxPool2d(x, 2)), new[] { x })[0];
        var v = Evaluator.Run(new[] { dx }, _ => Eval.T(new[] { 1, 1, 2, 2 }, 0.5, 3, -1, 2), 1)[dx];
        Assert.Equal(new double[] { 0, 1, 0, 0 }, v.Data);
    }
}
