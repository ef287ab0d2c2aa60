using System;
using Dl.Compiler;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>
/// Shapes that hold the batch twice ([N,N], a batch-by-batch product): the count, the means and
/// the losses over them scale by N², and their gradients match finite differences at every batch size.
/// </summary>
public class PairwiseBatchGradTests
{
    private static void At(int batch, Func<GraphBuilder, Node[], Node> build, params InputSpec[] inputs)
    {
        var result = Check(build, inputs, batch: batch, seed: 91 + batch);
        Assert.True(result.Passed, $"batch {batch}: {result}");
        Assert.True(result.Compared > 0);
    }

    [Fact]
    public void Batch_by_batch_product_is_N_by_N()
    {
        var g = new GraphBuilder();
        var z = g.Input("z", S("N,3"));
        var similarity = g.MatMul(z, g.Transpose(z));
        Assert.Equal("[N,N]", similarity.Shape.ToString());
        Assert.Equal(2, similarity.Shape.BatchRank);
        Assert.Equal(1, similarity.Shape.StaticCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Mean_of_the_similarities(int batch) =>
        At(batch, (g, x) => g.Mean(g.Mul(g.MatMul(x[0], g.Transpose(x[0])), g.Constant(0.5))), InputSpec.Float("z", S("N,3")));

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Contrastive_cross_entropy_over_the_batch(int batch) =>
        At(batch, (g, x) => g.SoftmaxCrossEntropy(g.MatMul(x[0], g.Transpose(x[0])), x[1]),
            InputSpec.Float("z", S("N,3")), InputSpec.Labels("positive", S("N"), batch));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Row_means_and_mse_over_pairs(int batch) =>
        At(batch, (g, x) =>
        {
            var s = g.MatMul(x[0], g.Transpose(x[1]));
            return g.Add(g.Mean(g.Mean(g.Tanh(s), new[] { 1 })), g.Mse(s, g.MatMul(x[1], g.Transpose(x[0]))));
        }, InputSpec.Float("a", S("N,2")), InputSpec.Float("b", S("N,2")));

    [Fact]
    public void Mean_over_both_batch_axes_divides_by_N_squared()
    {
        var g = new GraphBuilder();
        var z = g.Input("z", S("N,2"));
        var mean = g.Mean(g.MatMul(z, g.Transpose(z)));
        Assert.Equal(-2, Assert.IsType<ScaleOp>(mean.Op).BatchPower);
    }

    [Fact]
    public void Summing_a_constant_over_N_by_N_folds_to_N_squared_times_it()
    {
        var g = new GraphBuilder();
        var z = g.Input("z", S("N,2"));
        var pairs = g.MatMul(z, g.Transpose(z));
        var total = g.SumTo(g.Constant(3, pairs.Shape), Shape.Scalar);
        var map = Simplify.Run(new GraphBuilder(), new[] { total });
        var scale = Assert.IsType<ScaleOp>(map[total].Op);
        Assert.Equal((1.0, 2), (scale.Factor, scale.BatchPower));
        Assert.Equal(3.0, Assert.IsType<ConstantOp>(map[total][0].Op).Value);
    }

    [Fact]
    public void Reshape_keeps_the_number_of_batch_axes()
    {
        var g = new GraphBuilder();
        var z = g.Input("z", S("N,2"));
        var pairs = g.MatMul(z, g.Transpose(z));
        var e = Assert.Throws<ShapeException>(() => g.Reshape(pairs, S("N,1")));
        Assert.Contains("N^2*1 elements", e.Message);
    }
}
