using System.Linq;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>Interning (CSE by construction), identities the builder folds, and node order.</summary>
public class BuilderTests
{
    [Fact]
    public void SameExpressionTwice_IsTheSameNode()
    {
        var g = new GraphBuilder();
        Node Build() => g.Relu(g.Add(g.MatMul(g.Input("x", S("N,4")), g.Param("w", S("4,3"), Init.Glorot)), g.Constant(1)));
        var first = Build();
        int count = g.Nodes.Count;
        var second = Build();
        Assert.Same(first, second);
        Assert.Equal(count, g.Nodes.Count);
    }

    [Fact]
    public void DifferentAttributes_AreDifferentNodes()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        Assert.NotSame(g.Sum(x, new[] { 0 }), g.Sum(x, new[] { 1 }));
        Assert.NotSame(g.Sum(x, new[] { 1 }), g.Sum(x, new[] { 1 }, keepDims: true));
        Assert.NotSame(g.Scale(x, 0.5), g.Scale(x, 0.5, -1));
        Assert.NotSame(g.Constant(0.1), g.Constant(0.1 + 1e-17 * 100));
        Assert.NotSame(g.Sub(x, g.Constant(1)), g.Sub(g.Constant(1), x));
        Assert.NotSame(g.Input("x", S("N,4")), g.Input("x", S("N,4"), DType.Int32));
    }

    [Fact]
    public void EquivalentAxisLists_AreNormalisedToOneNode()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,3,4"));
        Assert.Same(g.Sum(x, new[] { 2 }), g.Sum(x, new[] { -1 }));
        Assert.Same(g.Sum(x, new[] { 0, 2 }), g.Sum(x, new[] { 2, 0, -1 }));
        Assert.Same(g.Sum(x), g.Sum(x, new[] { 0, 1, 2 }));
        Assert.Same(g.Mean(x, new[] { 1 }), g.Mean(x, new[] { -2 }));
    }

    [Fact]
    public void ParamsWithTheSameName_AreOneNode()
    {
        var g = new GraphBuilder();
        Assert.Same(g.Param("w", S("4,3"), Init.Glorot), g.Param("w", S("4,3"), Init.Glorot));
        Assert.Same(g.Input("x", S("N,4")), g.Input("x", S("N,4")));
        Assert.NotSame(g.Param("w", S("4,3"), Init.Glorot), g.Param("v", S("4,3"), Init.Glorot));
    }

    [Fact]
    public void DenseCalledTwiceWithOnePath_SharesItsWeights()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,3"));
        var once = Layers.Dense(g, "enc", x, 3, 3, new TanhOp());
        var twice = Layers.Dense(g, "enc", once, 3, 3, new TanhOp());
        var pars = GraphBuilder.Topological(new[] { twice }).Where(n => n.Op is ParamOp).ToList();
        Assert.Equal(new[] { "enc.weight", "enc.bias" }, pars.Select(p => ((ParamOp)p.Op).ParamName));
        Assert.Same(Layers.Dense(g, "enc", x, 3, 3, new TanhOp()), once);
    }

    [Fact]
    public void TransposeOfTranspose_IsTheOriginalNode()
    {
        var g = new GraphBuilder();
        var m = g.Input("m", S("N,4"));
        Assert.Same(m, g.Transpose(g.Transpose(m)));
        var t = g.Input("t", S("2,3,4"));
        Assert.Same(t, g.Transpose(g.Transpose(t, new[] { 2, 0, 1 }), new[] { 1, 2, 0 }));
    }

    [Fact]
    public void TransposeOfTranspose_ComposesIntoOnePermutation()
    {
        var g = new GraphBuilder();
        var t = g.Input("t", S("2,3,4"));
        var twice = g.Transpose(g.Transpose(t, new[] { 1, 2, 0 }), new[] { 1, 2, 0 });
        var op = Assert.IsType<TransposeOp>(twice.Op);
        Assert.Same(t, twice[0]);
        Assert.Equal(new[] { 2, 0, 1 }, op.Perm);
        Assert.Equal(S("4,2,3"), twice.Shape);
    }

    [Fact]
    public void IdentityBuilders_ReturnTheirInput()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        Assert.Same(x, g.Reshape(x, S("N,4")));
        Assert.Same(x, g.Scale(x, 1));
        Assert.Same(x, g.SumTo(x, S("N,4")));
        Assert.Same(x, g.BroadcastTo(x, S("N,4")));
        Assert.Same(x, g.Flatten(x));
        Assert.NotSame(x, g.Scale(x, 1, -1));
    }

    [Fact]
    public void NodeIds_FollowCreationOrder_AndInputsComeFirst()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        Layers.Dense(g, "a", Layers.Dense(g, "b", x, 4, 5, new ReluOp()), 5, 2);
        for (int i = 0; i < g.Nodes.Count; i++)
        {
            Assert.Equal(i, g.Nodes[i].Id);
            Assert.All(g.Nodes[i].Inputs, input => Assert.True(input.Id < i));
        }
    }

    [Fact]
    public void Topological_VisitsADiamondOnce_InputsBeforeUsers()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("3"));
        var a = g.Exp(x);
        var b = g.Tanh(x);
        var unrelated = g.Neg(g.Input("u", S("3")));
        var top = g.Add(g.Mul(a, b), a);
        var order = GraphBuilder.Topological(new[] { top });
        Assert.Equal(order.Count, order.Distinct().Count());
        Assert.DoesNotContain(unrelated, order);
        Assert.Equal(new[] { x, a, b, g.Mul(a, b), top }.OrderBy(n => n.Id), order.OrderBy(n => n.Id));
        foreach (var n in order)
            Assert.All(n.Inputs, i => Assert.True(order.IndexOf(i) < order.IndexOf(n)));
    }

    [Fact]
    public void Import_IntoTheSameBuilder_FindsTheSameNodes_AndRewriteReplaces()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        var y = g.Sigmoid(g.Relu(x));
        var same = g.Import(new[] { y });
        Assert.Same(y, same[y]);

        var h = new GraphBuilder();
        var swapped = h.Import(new[] { y }, (b, node, inputs) => node.Op is ReluOp ? b.Tanh(inputs[0]) : null)[y];
        Assert.IsType<SigmoidOp>(swapped.Op);
        Assert.IsType<TanhOp>(swapped[0].Op);
        Assert.Equal(S("N,4"), swapped.Shape);
    }

    [Fact]
    public void OpEquality_IsByTypeAndAttributes()
    {
        Assert.Equal(new AddOp(), new AddOp());
        Assert.NotEqual<Op>(new AddOp(), new SubOp());
        Assert.Equal(new SumOp(new[] { 1 }, false), new SumOp(new[] { 1 }, false));
        Assert.NotEqual(new SumOp(new[] { 1 }, false), new SumOp(new[] { 1 }, true));
        Assert.Equal("Scale{0.5 N^-1}", new ScaleOp(0.5, -1).Key);
        Assert.Equal("Transpose{[1,0]}", new TransposeOp(new[] { 1, 0 }).Key);
    }
}
