using System.Linq;
using Dl.Compiler;
using Dl.Graph;

namespace Dl.Graph.Tests.Compiler;

/// <summary>The build-time cost report against counts worked out by hand.</summary>
public class CostReportTests
{
    private static CostReport Report(System.Func<GraphBuilder, Node, Node> body, Shape input, int classes)
    {
        var g = new GraphBuilder();
        var x = g.Input("x", input);
        var y = g.Input("label", new Shape(Dim.Batch), DType.Int32);
        var o = body(g, x);
        return CostReport.Of(ModelCompiler.Compile(new ModelGraph("M", g, new[] { x, y }, o, g.SoftmaxCrossEntropy(o, y), forwardInputCount: 1)));
    }

    [Fact]
    public void Mlp_CountsEachProductOnce_AndTheTrainStepAddsTheBackwardProducts()
    {
        var cost = Report((g, x) => Layers.Dense(g, "output", Layers.Dense(g, "hidden", x, 784, 128, new ReluOp()), 128, 10),
            new Shape(Dim.Batch, Dim.Of(784)), 10);
        Assert.Equal(784 * 128 + 128 + 128 * 10 + 10, cost.Parameters);                 // 101,770
        Assert.Equal(784 * 128 + 128 * 10, cost.PredictMultiplyAdds);                 // 101,632
        Assert.Equal(new[] { ("hidden", 784L * 128 + 128, 784L * 128), ("output", 1290L, 1280L) },
            cost.Layers.Select(l => (l.Layer, l.Parameters, l.PredictMultiplyAdds)).ToArray());
        // Backward: dW2 = hᵀ·dy (128·10), dh = dy·W2ᵀ (10·128), dW1 = xᵀ·dh (784·128); no dx (x takes no gradient).
        Assert.Equal(784 * 128 + 128 * 10 + 128 * 10 + 10 * 128 + 784 * 128, cost.TrainStepMultiplyAdds);
        Assert.Equal(0, cost.FixedMultiplyAdds);
    }

    private static Node Conv(GraphBuilder g, string name, Node x, int cin, int cout, int k, int pad) =>
        Layers.Conv2d(g, name, x, cin, cout, k, 1, pad, 1, 1, null, false);

    [Fact]
    public void A1x1Bottleneck_CostsAThirdOfTheDirect3x3()
    {
        var input = new Shape(Dim.Batch, Dim.Of(256), Dim.Of(32), Dim.Of(32));
        Node Head(GraphBuilder g, Node h, int c) => Layers.Dense(g, "head", g.GlobalAvgPool2d(h), c, 10);
        var bottleneck = Report((g, x) => Head(g, Conv(g, "expand", Conv(g, "reduce", x, 256, 64, 1, 0), 64, 128, 3, 1), 128), input, 10);
        var direct = Report((g, x) => Head(g, Conv(g, "conv", x, 256, 128, 3, 1), 128), input, 10);
        long reduce = 32L * 32 * 64 * 256, expand = 32L * 32 * 128 * 64 * 9, head = 128 * 10;
        Assert.Equal(reduce + expand + head, bottleneck.PredictMultiplyAdds);         // 16.8M + 75.5M: about 92M
        Assert.Equal(32L * 32 * 128 * 256 * 9 + head, direct.PredictMultiplyAdds);    // about 302M
        Assert.Equal(reduce, bottleneck.Layers.Single(l => l.Layer == "reduce").PredictMultiplyAdds);
        Assert.InRange(bottleneck.PredictMultiplyAdds / 1e6, 91.5, 92.5);
        Assert.InRange(direct.PredictMultiplyAdds / 1e6, 301.5, 302.5);
        Assert.Equal(256 * 64 + 64 * 128 * 9 + 1290, bottleneck.Parameters);
    }

    [Fact]
    public void AnLstm_CountsItsStepOncePerStep()
    {
        const int steps = 28, inputs = 28, hidden = 128;
        var cost = Report((g, x) =>
            Layers.Dense(g, "head", g.Reshape(Layers.Lstm(g, "lstm", x, inputs, hidden).FinalHidden, new Shape(Dim.Batch, Dim.Of(hidden))), hidden, 10),
            new Shape(Dim.Batch, Dim.Of(steps), Dim.Of(inputs)), 10);
        long projection = steps * inputs * 4L * hidden, recurrent = steps * hidden * 4L * hidden, head = hidden * 10;
        Assert.Equal(projection + recurrent + head, cost.PredictMultiplyAdds);        // 2,237,696
        Assert.Equal(projection + recurrent, cost.Layers.Single(l => l.Layer == "lstm").PredictMultiplyAdds);
        Assert.Equal(4L * hidden * (inputs + hidden + 2), cost.Layers.Single(l => l.Layer == "lstm").Parameters);
        // Backward: W_ih's gradient over all T·N rows, dh·W_hh and W_hh's gradient per step, the head's two products.
        long backward = projection + 2 * recurrent + 2 * head;
        Assert.Equal(projection + recurrent + head + backward, cost.TrainStepMultiplyAdds);
    }
}
