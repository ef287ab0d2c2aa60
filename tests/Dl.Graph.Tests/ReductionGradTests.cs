using System.Linq;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

public class ReductionGradTests
{
    private static int[]? Axes(string axes) =>
        axes == "all" ? null : axes.Split(',', System.StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();

    [Theory]
    [InlineData("N,4", "all", false)]
    [InlineData("N,4", "all", true)]
    [InlineData("N,4", "0", false)]
    [InlineData("N,4", "0", true)]
    [InlineData("N,4", "1", false)]
    [InlineData("N,4", "1", true)]
    [InlineData("N,4", "-1", false)]
    [InlineData("N,3,4", "1", false)]
    [InlineData("N,3,4", "0,2", false)]
    [InlineData("N,3,4", "0,2", true)]
    [InlineData("N,3,4", "2,1", true)]
    [InlineData("2,3,4", "0,1,2", false)]
    [InlineData("2,3,4", "0", false)]
    public void Sum(string shape, string axes, bool keepDims) =>
        Verify((g, x) => g.Sum(x[0], Axes(axes), keepDims), InputSpec.Float("x", S(shape)));

    [Theory]
    [InlineData("N,4", "all", false)]
    [InlineData("N,4", "all", true)]
    [InlineData("N,4", "0", false)]
    [InlineData("N,4", "0", true)]
    [InlineData("N,4", "1", false)]
    [InlineData("N,4", "1", true)]
    [InlineData("N,3,4", "0,2", false)]
    [InlineData("N,3,4", "1", true)]
    [InlineData("2,3,4", "1,2", false)]
    public void Mean(string shape, string axes, bool keepDims) =>
        Verify((g, x) => g.Mean(x[0], Axes(axes), keepDims), InputSpec.Float("x", S(shape)));

    // Regression (fixed in 7fe7449): SumOp.Vjp reshapes dy [N] to the kept shape [1,N], which ReshapeOp used to
    // reject as "would move the batch dimension", so reductions over a static axis before the batch had no gradient.
    [Theory]
    [InlineData("2,N", "0", false)]
    [InlineData("2,N,3", "0", false)]
    public void Sum_OverAStaticAxisBeforeTheBatch(string shape, string axes, bool keepDims) =>
        Verify((g, x) => g.Sum(x[0], Axes(axes), keepDims), InputSpec.Float("x", S(shape)));

    [Fact]
    public void Mean_OverAStaticAxisBeforeTheBatch() =>
        Verify((g, x) => g.Mean(x[0], new[] { 0 }), InputSpec.Float("x", S("2,N")));

    [Fact]
    public void Sum_OfATransposedBatch_OverAxisZero() =>
        Verify((g, x) => g.Sum(g.Transpose(x[0]), new[] { 0 }), InputSpec.Float("x", S("N,3")));

    [Fact]
    public void Sum_OverAStaticAxisBeforeTheBatch_KeepDimsIsFine() =>
        // keepDims leaves dy already in the kept shape, so no Reshape is built: this case works today.
        Verify((g, x) => g.Sum(x[0], new[] { 0 }, keepDims: true), InputSpec.Float("x", S("2,N")));
}
