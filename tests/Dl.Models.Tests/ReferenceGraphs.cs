using Dl.Graph;

namespace Dl.Models.Tests;

// Also compiled into Dl.Gpu.Tests (linked from its .csproj).

/// <summary>
/// The test models rebuilt by hand with the graph builder: the reference evaluator runs these
/// (in double precision) to check what the generated code computes.
/// </summary>
internal static class ReferenceGraphs
{
    private static Shape Batch(params int[] dims) => new(new[] { Dim.Batch }.Concat(dims.Select(d => Dim.Of(d))));

    public static ModelGraph Classifier(string name, int inputs, int hidden, int classes, UnaryOp? activation)
    {
        var g = new GraphBuilder();
        var x = g.Input(name == "MnistMlp" ? "image" : "x", Batch(inputs));
        var y = g.Input("label", Batch(), DType.Int32);
        var h = Layers.Dense(g, "hidden", x, inputs, hidden, activation);
        var o = Layers.Dense(g, "output", h, hidden, classes);
        return new ModelGraph(name, g, new[] { x, y }, o, g.SoftmaxCrossEntropy(o, y), forwardInputCount: 1);
    }

    public static ModelGraph ResidualRegressor()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(6));
        var t = g.Input("target", Batch(2));
        var h = Layers.Dense(g, "input", x, 6, 8, new TanhOp());
        for (int i = 0; i < 3; i++)
        {
            var inner = Layers.Dense(g, "block.inner", h, 8, 8, new ReluOp());
            h = g.Add(h, g.Mul(inner, g.Param("block.scale", new Shape(8), Dl.Graph.Init.Ones)));
        }
        var y = Layers.Dense(g, "head", h, 8, 2);
        return new ModelGraph("ResidualRegressor", g, new[] { x, t }, y, g.Mse(y, t), forwardInputCount: 1);
    }

    public static ModelGraph OpZoo()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(5));
        var t = g.Input("target", Batch(4));
        var w = g.Param("w", new Shape(5, 4), Dl.Graph.Init.Glorot);
        var gain = g.Param("gain", new Shape(4), Dl.Graph.Init.Ones);
        var h = g.Tanh(g.Mul(g.MatMul(x, w), gain));
        var p = g.Add(g.Softmax(h), g.Mul(g.Exp(g.LogSoftmax(h)), g.Constant(0.5)));
        var centred = g.Sub(p, g.Reshape(g.Mean(p, new[] { 1 }), Batch(1)));
        var gate = Layers.Dense(g, "gate", h, 4, 4, new SigmoidOp());
        var mixed = g.Add(g.Div(centred, g.Add(g.Constant(1), gate)), g.Relu(g.Sub(h, g.Constant(0.1))));
        var y = g.Add(g.Transpose(g.Transpose(mixed)), g.Log(g.Add(g.Mul(h, h), g.Constant(1))));
        var loss = g.Add(g.Add(g.BinaryCrossEntropy(y, t), g.Mul(g.Mean(g.Mul(y, y)), g.Constant(0.01))),
            g.Mul(g.Mean(g.Sum(y, new[] { 1 })), g.Constant(0.001)));
        return new ModelGraph("OpZoo", g, new[] { x, t }, y, loss, forwardInputCount: 1);
    }

    /// <summary>Dl.Gpu.Tests' SequenceLayout model.</summary>
    public static ModelGraph SequenceLayout()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(4, 6));
        var t = g.Input("target", Batch(3, 4));
        var w = g.Param("w", new Shape(6, 3), Dl.Graph.Init.Glorot);
        var first = g.MatMul(g.Select(x, 1, 0), w);
        var last = g.MatMul(g.Select(x, 1, -1), w);
        var stacked = g.Stack(new[] { first, g.Tanh(last), g.Mul(first, last) }, 1);
        var joined = g.Concat(new[] { stacked, g.Slice(g.Slice(x, 1, 1, 3), 2, 0, 3) }, -1);
        var y = g.Tanh(g.Reverse(g.Slice(g.Reverse(joined, 1), -1, 1, 4), -1));
        return new ModelGraph("SequenceLayout", g, new[] { x, t }, y, g.Mse(y, t), forwardInputCount: 1);
    }

    /// <summary>Dl.Gpu.Tests' SequenceProjection model.</summary>
    public static ModelGraph SequenceProjection()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(5, 6));
        var t = g.Input("target", Batch(5, 4));
        var w = g.Param("w", new Shape(6, 4), Dl.Graph.Init.Glorot);
        var b = g.Param("b", new Shape(4), Dl.Graph.Init.Zeros);
        var y = g.Tanh(g.BiasAdd(g.MatMul(x, w), b));
        return new ModelGraph("SequenceProjection", g, new[] { x, t }, y, g.Mse(y, t), forwardInputCount: 1);
    }

    /// <summary>Dl.Gpu.Tests' TokenEmbedding model.</summary>
    public static ModelGraph TokenEmbedding()
    {
        var g = new GraphBuilder();
        var tokens = g.Input("tokens", Batch(5), DType.Int32);
        var t = g.Input("target", Batch(2));
        var e = Layers.Embedding(g, "embed", tokens, 7, 3);
        var w = g.Param("w", new Shape(3, 2), Dl.Graph.Init.Glorot);
        var y = g.MatMul(g.Tanh(g.Add(g.Select(e, 1, -1), g.Mean(e, new[] { 1 }))), w);
        return new ModelGraph("TokenEmbedding", g, new[] { tokens, t }, y, g.Mse(y, t), forwardInputCount: 1);
    }

    /// <summary>Dl.Models.Tests' MaskedSequence model.</summary>
    public static ModelGraph MaskedSequence()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(4, 3));
        var lengths = g.Input("lengths", Batch(), DType.Int32);
        var t = g.Input("target", Batch(2));
        var w = g.Param("w", new Shape(3, 2), Dl.Graph.Init.Glorot);
        var y = g.Sum(g.SequenceMask(g.Tanh(g.MatMul(x, w)), lengths), new[] { 1 });
        return new ModelGraph("MaskedSequence", g, new[] { x, lengths, t }, y, g.Mse(y, t), forwardInputCount: 2);
    }

    /// <summary>Dl.Gpu.Tests' LstmHead model.</summary>
    public static ModelGraph LstmHead()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(5, 3));
        var t = g.Input("target", Batch(2));
        var h = Layers.Lstm(g, "lstm", x, 3, 4).FinalHidden; // [N,1,4]
        var y = Layers.Dense(g, "head", g.Flatten(h), 4, 2);
        return new ModelGraph("LstmHead", g, new[] { x, t }, y, g.Mse(y, t), forwardInputCount: 1);
    }

    /// <summary>Dl.Gpu.Tests' BiGruMean model.</summary>
    public static ModelGraph BiGruMean()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(5, 3));
        var t = g.Input("target", Batch(2));
        var steps = Layers.Gru(g, "gru", x, 3, 4, bidirectional: true).Output; // [N,5,8]
        var y = Layers.Dense(g, "head", g.Mean(steps, new[] { 1 }), 8, 2);
        return new ModelGraph("BiGruMean", g, new[] { x, t }, y, g.Mse(y, t), forwardInputCount: 1);
    }

    /// <summary>Dl.Gpu.Tests' SharedLayerLoop model, unrolled: the same layer (the same interned parameters) at each of the 12 steps.</summary>
    public static ModelGraph SharedLayerLoop()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(4));
        var t = g.Input("target", Batch(4));
        var y = x;
        for (int i = 0; i < 12; i++) y = g.Add(g.Scale(Layers.Dense(g, "cell", y, 4, 4, new TanhOp()), 0.5), y);
        return new ModelGraph("SharedLayerLoop", g, new[] { x, t }, y, g.Mse(y, t), forwardInputCount: 1);
    }
}
