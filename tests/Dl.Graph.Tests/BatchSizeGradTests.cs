using System;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>Batch-dependent scales (1/N) must be exact for every batch size, including 1.</summary>
public class BatchSizeGradTests
{
    private static void At(int batch, Func<GraphBuilder, Node[], Node> build, params InputSpec[] inputs)
    {
        var result = Check(build, inputs, batch: batch, seed: 77 + batch);
        Assert.True(result.Passed, $"batch {batch}: {result}");
        Assert.True(result.Compared > 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void MeanOverTheBatch(int batch) =>
        At(batch, (g, x) => g.Mean(x[0], new[] { 0 }), InputSpec.Float("x", S("N,3")));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void MeanOfEverything(int batch) =>
        At(batch, (g, x) => g.Mean(g.Mul(x[0], x[0])), InputSpec.Float("x", S("N,2,3")));

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Losses(int batch)
    {
        At(batch, (g, x) => g.Mse(x[0], x[1]), InputSpec.Float("p", S("N,3")), InputSpec.Float("t", S("N,3")));
        At(batch, (g, x) => g.BinaryCrossEntropy(x[0], x[1]), InputSpec.Float("z", S("N,3"), -3, 3), InputSpec.Float("t", S("N,3"), 0, 1));
        At(batch, (g, x) => g.SoftmaxCrossEntropy(x[0], x[1]), InputSpec.Float("z", S("N,4"), -3, 3), InputSpec.Labels("y", S("N"), 4));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void BroadcastAndSumToAcrossTheBatch(int batch)
    {
        At(batch, (g, x) => g.Add(x[0], x[1]), InputSpec.Float("a", S("N,1")), InputSpec.Float("b", S("1,4")));
        At(batch, (g, x) => g.SumTo(g.Mul(x[0], x[1]), S("4")), InputSpec.Float("a", S("N,4")), InputSpec.Float("b", S("4")));
        At(batch, (g, x) => g.Scale(g.BroadcastTo(x[0], S("N,3")), 3, -1), InputSpec.Float("v", S("3")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void MlpWithCrossEntropy(int batch) =>
        At(batch, (g, x) =>
            g.SoftmaxCrossEntropy(Layers.Dense(g, "o", Layers.Dense(g, "h", x[0], 3, 4, new SigmoidOp()), 4, 3), x[1]),
            InputSpec.Float("x", S("N,3")), InputSpec.Labels("y", S("N"), 3));
}
