using System;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;
using static Dl.Graph.Tests.InputSpec;

namespace Dl.Graph.Tests;

/// <summary>KlDivergence(mu, logVar): the value against numbers worked out by hand, shape rules, gradient against finite differences.</summary>
public class KlDivergenceTests
{
    [Fact]
    public void Value_SumOverFeatures_MeanOverBatch_HandComputed()
    {
        var g = new GraphBuilder();
        var mu = g.Input("mu", S("N,2"));
        var logVar = g.Input("lv", S("N,2"));
        var kl = g.KlDivergence(mu, logVar);
        var muValues = new TensorValue(new[] { 2, 2 }, new[] { 1, 0, 0.5, -1 });
        var lvValues = new TensorValue(new[] { 2, 2 }, new[] { 0, Math.Log(2), Math.Log(0.5), 0 });
        var value = Evaluator.Run(new[] { kl }, n => n == mu ? muValues : lvValues, 2)[kl];
        // sample 0: (1+0-1-1) + (1+ln2-0-2) = ln2 - 2; sample 1: (1+ln½-¼-½) + (1+0-1-1) = -¾ - ln2.
        // Sum -2.75, times -½, over the batch of 2: 0.6875.
        Assert.Equal(0.6875, value[0], 12);
        Assert.Empty(value.Dims);
    }

    [Fact]
    public void Zero_ForTheStandardNormal()
    {
        var g = new GraphBuilder();
        var mu = g.Input("mu", S("N,3"));
        var kl = g.KlDivergence(mu, mu);
        Assert.Equal(0, Evaluator.Run(new[] { kl }, _ => TensorValue.Zeros(new[] { 4, 3 }), 4)[kl][0]);
    }

    [Fact]
    public void ShapesMustAgree_AndBeFloat()
    {
        Assert.Contains("same shape", Assert.Throws<ShapeException>(() => { var g = new GraphBuilder(); g.KlDivergence(g.Input("a", S("N,3")), g.Input("b", S("N,2"))); }).Message);
        Assert.Contains("float", Assert.Throws<ShapeException>(() => { var g = new GraphBuilder(); g.KlDivergence(g.Input("a", S("N,3"), DType.Int32), g.Input("b", S("N,3"))); }).Message);
    }

    [Fact]
    public void Gradient_MatchesFiniteDifferences() =>
        Verify((g, x) => g.KlDivergence(x[0], x[1]), Float("mu", S("N,3")), Float("lv", S("N,3"), -1.5, 1));
}
