using Dl.Compiler;
using Dl.Graph;

namespace Dl.Gpu.Tests;

/// <summary>
/// The test models rebuilt with the graph builder, and the reference evaluator (double precision)
/// run with a model's current parameters: what the generated code on either backend must compute.
/// </summary>
internal static class Reference
{
    public sealed record Result(double[] Output, double Loss, Dictionary<string, double[]> Gradients);

    public static Result Run(ModelGraph graph, Dl.ICompiledModel model, int batch, params (string Name, Array Values)[] inputs)
    {
        var gradients = Autodiff.Gradients(graph.Builder, graph.Loss!, graph.Parameters);
        var layout = model.ParameterLayout.ToDictionary(p => p.Name);
        var values = Evaluator.Run(new[] { graph.Output, graph.Loss! }.Concat(gradients), node =>
        {
            if (node.Op is ParamOp p)
            {
                var info = layout[p.ParamName];
                return new TensorValue(info.Shape, model.Parameters.Slice(info.Offset, info.Length).ToArray().Select(v => (double)v).ToArray());
            }
            var array = inputs.Single(i => i.Name == ((InputOp)node.Op).InputName).Values;
            var data = array is int[] ints ? ints.Select(v => (double)v).ToArray() : ((float[])array).Select(v => (double)v).ToArray();
            return new TensorValue(node.Shape.Resolve(batch), data);
        }, batch);
        return new Result(values[graph.Output].Data, values[graph.Loss!].Data[0],
            graph.Parameters.Zip(gradients).ToDictionary(t => ((ParamOp)t.First.Op).ParamName, t => values[t.Second].Data));
    }

    private static Shape Batch(params int[] dims) => new(new[] { Dim.Batch }.Concat(dims.Select(d => Dim.Of(d))));

    public static ModelGraph SmallMlp()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(12));
        var y = g.Input("label", Batch(), DType.Int32);
        var h = Layers.Dense(g, "hidden", x, 12, 16, LayerActivation.Relu);
        var o = Layers.Dense(g, "output", h, 16, 5);
        return new ModelGraph("SmallMlp", g, new[] { x, y }, o, g.SoftmaxCrossEntropy(o, y), forwardInputCount: 1);
    }

    public static ModelGraph ResidualRegressor()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", Batch(6));
        var t = g.Input("target", Batch(2));
        var h = Layers.Dense(g, "input", x, 6, 8, LayerActivation.Tanh);
        for (int i = 0; i < 3; i++)
        {
            var inner = Layers.Dense(g, "block.inner", h, 8, 8, LayerActivation.Relu);
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
        var gate = Layers.Dense(g, "gate", h, 4, 4, LayerActivation.Sigmoid);
        var mixed = g.Add(g.Div(centred, g.Add(g.Constant(1), gate)), g.Relu(g.Sub(h, g.Constant(0.1))));
        var y = g.Add(g.Transpose(g.Transpose(mixed)), g.Log(g.Add(g.Mul(h, h), g.Constant(1))));
        var loss = g.Add(g.Add(g.BinaryCrossEntropy(y, t), g.Mul(g.Mean(g.Mul(y, y)), g.Constant(0.01))),
            g.Mul(g.Mean(g.Sum(y, new[] { 1 })), g.Constant(0.001)));
        return new ModelGraph("OpZoo", g, new[] { x, t }, y, loss, forwardInputCount: 1);
    }
}
