using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>Layers and compositions: parameters created inside the function are checked too.</summary>
public class CompositionGradTests
{
    [Theory]
    [InlineData("None", true)]
    [InlineData("Relu", true)]
    [InlineData("Sigmoid", true)]
    [InlineData("Tanh", true)]
    [InlineData("None", false)]
    [InlineData("Tanh", false)]
    public void Dense_EachActivation(string activation, bool bias)
    {
        var result = Verify((g, x) => Layers.Dense(g, "d", x[0], 4, 3, Activations.Named(activation), bias), InputSpec.Float("x", S("N,4")));
        // x: 3*4, weight: 4*3, bias: 3 elements are all compared.
        Assert.Equal(12 + 12 + (bias ? 3 : 0), result.Compared);
    }

    [Fact]
    public void Mlp_TwoLayers_WithCrossEntropy()
    {
        var result = Verify((g, x) =>
        {
            var h = Layers.Dense(g, "hidden", x[0], 4, 6, new ReluOp());
            var logits = Layers.Dense(g, "out", h, 6, 3);
            return g.SoftmaxCrossEntropy(logits, x[1]);
        }, InputSpec.Float("x", S("N,4")), InputSpec.Labels("y", S("N"), 3));
        Assert.Equal(12 + 24 + 6 + 18 + 3, result.Compared);
    }

    [Fact]
    public void Mlp_TwoLayers_WithMseAndMeanOverBatch() =>
        Verify((g, x) =>
        {
            var h = Layers.Dense(g, "hidden", x[0], 3, 5, new TanhOp());
            return g.Mse(Layers.Dense(g, "out", h, 5, 2, new SigmoidOp()), x[1]);
        }, InputSpec.Float("x", S("N,3")), InputSpec.Constant("t", S("N,2")));

    [Fact]
    public void NodeUsedTwice_GradientsAccumulate() =>
        Verify((g, x) => g.Add(g.Mul(x[0], x[0]), x[0]), InputSpec.Float("x", S("N,4")));

    [Fact]
    public void NodeUsedTwice_GradientIsTwoXPlusOne()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("3"));
        var grad = Autodiff.Gradients(g, g.Sum(g.Add(g.Mul(x, x), x)), new[] { x }).Single();
        var xv = new TensorValue(new[] { 3 }, new[] { -1.5, 0.0, 2.0 });
        var v = Evaluator.Run(new[] { grad }, _ => xv, 1)[grad];
        Assert.Equal(new[] { -2.0, 1.0, 5.0 }, v.Data);
    }

    [Fact]
    public void IntermediateUsedByManyConsumers() =>
        Verify((g, x) =>
        {
            var t = g.Tanh(x[0]);
            return g.Add(g.Mul(t, g.Exp(t)), g.BiasAdd(g.Softmax(t), g.Sum(t, new[] { 0 })));
        }, InputSpec.Float("x", S("N,4")));

    [Fact]
    public void SharedLayer_WeightGradientsAccumulateOverBothUses() =>
        Verify((g, x) =>
        {
            var a = Layers.Dense(g, "shared", x[0], 3, 3, new TanhOp());
            return Layers.Dense(g, "shared", a, 3, 3, new TanhOp());
        }, InputSpec.Float("x", S("N,3")));

    [Fact]
    public void AttentionLikeBlock_TransposeMatMulSoftmax() =>
        Verify((g, x) =>
        {
            var scores = g.Scale(g.MatMul(x[0], g.Transpose(x[1])), 0.5);
            return g.MatMul(g.Softmax(scores), x[1]);
        }, InputSpec.Float("q", S("N,4")), InputSpec.Float("k", S("5,4")));
}
