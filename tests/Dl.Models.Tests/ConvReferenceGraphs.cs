using Dl.Graph;

namespace Dl.Models.Tests;

/// <summary>The convolutional test models rebuilt by hand with the graph builder, for the reference evaluator.</summary>
internal static class ConvReferenceGraphs
{
    private static Shape Batch(params int[] dims) => new(new[] { Dim.Batch }.Concat(dims.Select(d => Dim.Of(d))));

    public static ModelGraph SmallCnn()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(2, 9, 9));
        var label = g.Input("label", Batch(), DType.Int32);
        var h = Layers.Conv2d(g, "stem", x, 2, 4, 3, stride: 2, padding: 1, activation: new ReluOp());
        var a = g.LeakyRelu(Layers.Conv2d(g, "dilated", h, 4, 4, 3, padding: 2, dilation: 2), 0.1);
        var b = g.Elu(Layers.Conv2d(g, "grouped", h, 4, 4, 3, padding: Layers.SamePadding, groups: 2, activation: new TanhOp()), 0.5);
        var s = g.Softplus(Layers.DepthwiseSeparableConv2d(g, "separable", g.Concat(new[] { a, b }), 8, 6, 3, padding: 1));
        var m = g.MaxPool2d(s, 3, 2, 1);
        var p = g.AvgPool2d(m, 2, 1);
        var gain = g.Param("gain", new Shape(12), Dl.Graph.Init.Ones);
        var features = g.Mul(g.Concat(new[] { g.GlobalAvgPool2d(p), g.GlobalAvgPool2d(m) }), gain);
        var o = Layers.Dense(g, "head", features, 12, 3);
        var loss = g.Add(g.Add(g.SoftmaxCrossEntropy(o, label), g.Mul(g.Constant(0.01f), g.L1(gain))), g.Mul(g.Constant(0.001f), g.L2(gain)));
        return new ModelGraph("SmallCnn", g, new[] { x, label }, o, loss, forwardInputCount: 1);
    }

    public static ModelGraph ResBnNet()
    {
        var g = new GraphBuilder();
        var x = g.Input("image", Batch(1, 14, 14));
        var label = g.Input("label", Batch(), DType.Int32);
        Node Block(string path, Node input)
        {
            var c1 = Layers.BatchNorm(g, path + ".bn1", Layers.Conv2d(g, path + ".conv1", input, 8, 8, 3, padding: 1, bias: false), 8);
            var c2 = Layers.BatchNorm(g, path + ".bn2", Layers.Conv2d(g, path + ".conv2", g.Relu(c1), 8, 8, 3, padding: 1, bias: false), 8);
            return g.Relu(g.Add(input, c2));
        }
        var h = g.Relu(Layers.BatchNorm(g, "stemNorm", Layers.Conv2d(g, "stem", x, 1, 8, 3, padding: 1, bias: false), 8));
        h = g.MaxPool2d(Block("block2", Block("block1", h)), 2);
        var hidden = Layers.BatchNorm(g, "hiddenNorm", Layers.Dense(g, "hidden", g.Flatten(h), 8 * 7 * 7, 32), 32);
        var f = Layers.Dropout(g, "drop", g.Relu(hidden), 0.2);
        var o = Layers.Dense(g, "output", f, 32, 10);
        return new ModelGraph("ResBnNet", g, new[] { x, label }, o, g.SoftmaxCrossEntropy(o, label), forwardInputCount: 1);
    }

    public static ModelGraph LeNet()
    {
        var g = new GraphBuilder();
        var x = g.Input("image", Batch(1, 28, 28));
        var label = g.Input("label", Batch(), DType.Int32);
        var h = g.MaxPool2d(Layers.Conv2d(g, "conv1", x, 1, 6, 5, padding: 2, activation: new ReluOp()), 2);
        h = g.MaxPool2d(Layers.Conv2d(g, "conv2", h, 6, 16, 5, activation: new ReluOp()), 2);
        var f = Layers.Dense(g, "fc2", Layers.Dense(g, "fc1", g.Flatten(h), 400, 120, new ReluOp()), 120, 84, new ReluOp());
        var o = Layers.Dense(g, "fc3", f, 84, 10);
        return new ModelGraph("LeNet", g, new[] { x, label }, o, g.SoftmaxCrossEntropy(o, label), forwardInputCount: 1);
    }

    public static ModelGraph ConvAutoencoder()
    {
        var g = new GraphBuilder();
        var x = g.Input("image", Batch(1, 28, 28));
        var t = g.Input("target", Batch(1, 28, 28));
        var h = Layers.Conv2d(g, "down1", x, 1, 8, 3, stride: 2, padding: 1, activation: new ReluOp());
        h = Layers.Conv2d(g, "down2", h, 8, 16, 3, stride: 2, padding: 1, activation: new ReluOp());
        h = Layers.ConvTranspose2d(g, "up1", h, 16, 8, 3, stride: 2, padding: 1, outputPadding: 1, activation: new ReluOp());
        var y = Layers.ConvTranspose2d(g, "up2", h, 8, 1, 3, stride: 2, padding: 1, outputPadding: 1);
        return new ModelGraph("ConvAutoencoder", g, new[] { x, t }, y, g.Mse(y, t), forwardInputCount: 1);
    }
}
