using System.Linq;
using Dl.Compiler;
using Dl.Graph;

namespace Dl.Graph.Tests.Compiler;

/// <summary>Constant folding, identities, dead code: the simplified graph computes the same values with fewer nodes.</summary>
public class SimplifyTests
{
    [Fact]
    public void FoldsConstantsAndDropsIdentities()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, 3));
        var two = g.Add(g.Constant(1), g.Constant(1));                 // folds to 2
        var y = g.Mul(g.Add(g.Mul(x, g.Constant(1)), g.Constant(0)), two); // x*1+0 -> x; x*2 -> Scale (Canonicalize)
        var dead = g.Exp(x);                                              // not a root: dropped
        var clean = new GraphBuilder();
        var map = Simplify.Run(clean, new[] { y });
        var ops = GraphBuilder.Topological(new[] { map[y] }).Select(n => n.Op.Key).ToList();
        Assert.Equal(new[] { "Input{x [N,3]}", "Scale{2}" }, ops);
        Assert.DoesNotContain(clean.Nodes, n => n.Op is ExpOp);
        _ = dead;
    }

    [Fact]
    public void SimplifiedGraph_EvaluatesTheSame()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(Dim.Batch, 3));
        var y = g.Mean(g.Scale(g.Scale(g.Neg(g.Neg(g.Tanh(x))), 2), 0.5, -1), new[] { 0 });
        var clean = new GraphBuilder();
        var z = Simplify.Run(clean, new[] { y })[y];
        var data = new TensorValue(new[] { 4, 3 }, Enumerable.Range(0, 12).Select(i => i * 0.1 - 0.5).ToArray());
        var before = Evaluator.Run(new[] { y }, _ => data, 4)[y].Data;
        var after = Evaluator.Run(new[] { z }, _ => data, 4)[z].Data;
        Assert.Equal(before, after);
        Assert.True(GraphBuilder.Topological(new[] { z }).Count < GraphBuilder.Topological(new[] { y }).Count);
    }

    [Fact]
    public void CommonSubexpressions_AreOneNode()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", new Shape(2));
        var a = g.Tanh(g.Mul(x, x));
        var b = g.Tanh(g.Mul(x, x));
        Assert.Same(a, b);
    }
}
