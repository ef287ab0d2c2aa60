using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>What the autodiff pass builds: only the gradients asked for, zeros for unrelated sources.</summary>
public class AutodiffTests
{
    [Fact]
    public void GradientOfOneBranch_DoesNotTouchTheOtherBranch()
    {
        var g = new GraphBuilder();
        var a = g.Input("a", S("N,3"));
        var b = g.Input("b", S("N,3"));
        var branchB = g.Sum(g.Exp(g.Mul(b, b)));
        var loss = g.Add(g.Sum(g.Tanh(a)), branchB);
        var ga = Autodiff.Gradients(g, loss, new[] { a }).Single();
        var closure = GraphBuilder.Topological(new[] { ga });
        Assert.DoesNotContain(b, closure);
        Assert.DoesNotContain(branchB, closure);
        Assert.Contains(a, closure);
    }

    [Fact]
    public void GradientOfTheWeight_DoesNotBuildTheInputGradient()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        var w = g.Param("w", S("4,3"), Init.Glorot);
        var loss = g.Sum(g.Tanh(g.MatMul(x, w)));
        var gw = Autodiff.Gradients(g, loss, new[] { w }).Single();
        var closure = GraphBuilder.Topological(new[] { gw });
        var matmuls = closure.Where(n => n.Op is MatMulOp && n != g.MatMul(x, w)).ToList();
        // dW = xᵀ·dy, and nothing of the shape of dx = dy·Wᵀ.
        var dw = Assert.Single(matmuls);
        Assert.Same(g.Transpose(x), dw[0]);
        Assert.DoesNotContain(closure, n => n.Op is TransposeOp && n[0] == w);
        Assert.Equal(S("4,3"), gw.Shape);
    }

    [Fact]
    public void GradientThroughTwoLayers_ReachesOnlyTheWantedWeight()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        var h = Layers.Dense(g, "l1", x, 4, 5, new ReluOp());
        var loss = g.SoftmaxCrossEntropy(Layers.Dense(g, "l2", h, 5, 3), g.Input("y", S("N"), DType.Int32));
        var w2 = g.Param("l2.weight", S("5,3"), Init.Glorot);
        var gw2 = Autodiff.Gradients(g, loss, new[] { w2 }).Single();
        var closure = GraphBuilder.Topological(new[] { gw2 });
        // The gradient of the last layer never backpropagates into the first: no dy·W2ᵀ.
        Assert.DoesNotContain(closure, n => n.Op is TransposeOp && n[0] == w2);
        Assert.DoesNotContain(closure, n => n.Op is StepOp);
    }

    [Fact]
    public void SourceTheLossDoesNotDependOn_GetsAZeroConstantOfItsShape()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,3"));
        var unused = g.Input("unused", S("N,2"));
        var p = g.Param("p", S("2,2"), Init.Zeros);
        var grads = Autodiff.Gradients(g, g.Sum(g.Exp(x)), new[] { unused, x, p });
        foreach (var (grad, shape) in new[] { (grads[0], S("N,2")), (grads[2], S("2,2")) })
        {
            var c = Assert.IsType<ConstantOp>(grad.Op);
            Assert.Equal(0.0, c.Value);
            Assert.Equal(shape, grad.Shape);
        }
        Assert.IsNotType<ConstantOp>(grads[1].Op);
        var v = Evaluator.Run(new[] { grads[0] }, _ => null!, 3)[grads[0]];
        Assert.Equal(new[] { 3, 2 }, v.Dims);
        Assert.All(v.Data, d => Assert.Equal(0.0, d));
    }

    [Fact]
    public void IntegerLabels_HaveNoGradient_SoAZeroConstant()
    {
        var g = new GraphBuilder();
        var z = g.Input("z", S("N,3"));
        var y = g.Input("y", S("N"), DType.Int32);
        var grads = Autodiff.Gradients(g, g.SoftmaxCrossEntropy(z, y), new[] { z, y });
        Assert.IsType<ConstantOp>(grads[1].Op);
        Assert.Equal(S("N"), grads[1].Shape);
        Assert.Equal(S("N,3"), grads[0].Shape);
    }

    [Fact]
    public void GradientOfTheLossWithRespectToItself_IsOne()
    {
        var g = new GraphBuilder();
        var loss = g.Sum(g.Input("x", S("3")));
        var d = Assert.IsType<ConstantOp>(Autodiff.Gradients(g, loss, new[] { loss }).Single().Op);
        Assert.Equal(1.0, d.Value);
    }

    [Fact]
    public void GradientsAreReturnedInRequestOrder_WithTheSourceShapes()
    {
        var g = new GraphBuilder();
        var a = g.Input("a", S("N,4"));
        var b = g.Input("b", S("4"));
        var c = g.Input("c", S(""));
        var loss = g.Mean(g.Mul(g.Add(a, b), c));
        var grads = Autodiff.Gradients(g, loss, new[] { c, a, b });
        Assert.Equal(new[] { S(""), S("N,4"), S("4") }, grads.Select(n => n.Shape));
    }

    [Fact]
    public void DifferentiatingTwice_BuildsNothingNew()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        var loss = g.Mean(g.Sigmoid(Layers.Dense(g, "d", x, 4, 2)));
        var first = Autodiff.Gradients(g, loss, new[] { x });
        int count = g.Nodes.Count;
        var second = Autodiff.Gradients(g, loss, new[] { x });
        Assert.Same(first[0], second[0]);
        Assert.Equal(count, g.Nodes.Count);
    }

    [Fact]
    public void GradientWithRespectToAnIntermediateNode()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("2"));
        var h = g.Scale(x, 2);
        var grad = Autodiff.Gradients(g, g.Sum(g.Tanh(h)), new[] { h }).Single();
        var v = Evaluator.Run(new[] { grad }, _ => new TensorValue(new[] { 2 }, new[] { 0.0, 0.5 }), 1)[grad];
        Assert.Equal(1.0, v[0], 12);
        Assert.Equal(1 - System.Math.Tanh(1) * System.Math.Tanh(1), v[1], 12);
    }
}
