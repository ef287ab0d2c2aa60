using System;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>
/// Sizes past an int are refused where a tensor is made (the front end reports DL0040 there), counts
/// never wrap, the compiler checks its own totals, and the emitter never prints a literal past an int.
/// </summary>
public class TensorLimitTests
{
    [Fact]
    public void A_tensor_of_more_than_int_elements_per_sample_is_refused_where_it_is_made()
    {
        var g = new GraphBuilder();
        var e = Assert.Throws<ShapeException>(() => g.Input("x", S("N,65536,32768")));
        Assert.Equal(ShapeErrorKind.TooLarge, e.Kind);
        Assert.Contains("input 'x'", e.Message);
        Assert.Contains("2147483648 elements per sample", e.Message);
        Assert.Empty(g.Nodes);
    }

    [Fact]
    public void An_op_whose_result_is_too_large_names_the_op()
    {
        var g = new GraphBuilder();
        var a = g.Input("a", S("N,50000,1"));
        var b = g.Input("b", S("N,1,50000"));
        var e = Assert.Throws<ShapeException>(() => g.Mul(a, b));
        Assert.Equal(ShapeErrorKind.TooLarge, e.Kind);
        Assert.StartsWith("Mul: a tensor of shape [N,50000,50000]", e.Message);
    }

    [Fact]
    public void The_largest_tensor_that_fits_is_accepted()
    {
        var g = new GraphBuilder();
        Assert.Equal(int.MaxValue, g.Param("p", S("2147483647"), Dl.Graph.Init.Zeros).Shape.StaticCount);
    }

    [Fact]
    public void Counts_saturate_instead_of_wrapping()
    {
        Assert.Equal(long.MaxValue, S("2000000000,2000000000,2000000000").StaticCount);
        Assert.Equal(0, S("2000000000,2000000000,2000000000,0").StaticCount);
        var e = Assert.Throws<ShapeException>(() => new GraphBuilder().Input("x", S("N,2000000000,2000000000,2000000000")));
        Assert.Contains("more than 9.2e18", e.Message);
    }

    [Fact]
    public void Parameter_total_past_int_is_a_model_error()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,20000"));
        Node y = x;
        for (int i = 0; i < 3; i++) y = g.Mul(y, g.Sum(g.Param("p" + i, S("40000,20000"), Dl.Graph.Init.Zeros), new[] { 0 }));
        var e = Assert.Throws<ShapeException>(() => ModelCompiler.Compile(new ModelGraph("Big", g, new[] { x }, y, null)));
        Assert.Equal(ShapeErrorKind.TooLarge, e.Kind);
        Assert.Contains("model 'Big': the parameters would take 2400000000 floats", e.Message);
    }

    [Fact]
    public void The_emitter_refuses_a_literal_past_int()
    {
        Assert.Equal("2147483647", Sizes.Lit(int.MaxValue));
        Assert.Throws<InvalidOperationException>(() => Sizes.Lit(int.MaxValue + 1L));
    }

    [Fact]
    public void Sizes_of_pairwise_values_multiply_n_by_itself()
    {
        Assert.Equal("n * n", Sizes.Count(S("N,N")));
        Assert.Equal("3 * n * n", Sizes.Count(S("N,3,N")));
        Assert.Equal("7 * __n", Sizes.Count(S("N,7"), "__n"));
    }

    [Fact]
    public void Values_over_pairs_of_samples_get_their_own_arena_region()
    {
        var g = new GraphBuilder();
        var z = g.Input("z", S("N,3"));
        var similarity = g.Relu(g.MatMul(z, g.Transpose(z)));
        var plan = ModelCompiler.Compile(new ModelGraph("Pairs", g, new[] { z }, g.Tanh(similarity), null));
        var regions = plan.ArenaRegions;
        Assert.Equal(3, regions.Count);
        Assert.True(regions[2] >= 1, $"no per-N² region: {string.Join(", ", regions)}");
        Assert.All(plan.Predict.Locations.Values.OfType<ArenaLocation>().Where(a => a.BatchPower == 2), a => Assert.True(a.Offset < regions[2]));
    }
}
