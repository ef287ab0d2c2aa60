using System;
using System.Linq;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>
/// Sqrt, Pow, Clamp, Maximum and Minimum: shape rules, the forward meaning against values worked out
/// by hand, and gradients against finite differences (away from kinks and from 0 for roots).
/// </summary>
public class ElementwiseMathTests
{
    /// <summary>The reference evaluator's value of <paramref name="build"/> over x = <paramref name="values"/> (shape [values.Length]).</summary>
    private static double[] Forward(Func<GraphBuilder, Node, Node> build, params double[] values)
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S(values.Length.ToString()));
        var y = build(g, x);
        return Evaluator.Run(new[] { y }, _ => new TensorValue(new[] { values.Length }, values), 1)[y].Data;
    }

    private static void Same(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i].Equals(actual[i]) || Math.Abs(expected[i] - actual[i]) <= 1e-15 * Math.Abs(expected[i]),
                $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static string ShapeError(Func<GraphBuilder, Node> build) =>
        Assert.Throws<ShapeException>(() => build(new GraphBuilder())).Message;

    // ---- Sqrt ----

    [Fact]
    public void Sqrt_Forward_HandValues() =>
        Same(new[] { 0, 0.5, 1, 2, 3, 12, double.NaN }, Forward((g, x) => g.Sqrt(x), 0, 0.25, 1, 4, 9, 144, -1));

    [Fact]
    public void Sqrt_KeepsTheShape_AndRefusesIntegers()
    {
        var g = new GraphBuilder();
        Assert.Equal(S("N,3,2"), g.Sqrt(g.Input("x", S("N,3,2"))).Shape);
        Assert.Contains("Sqrt: expects a float tensor", ShapeError(b => b.Sqrt(b.Input("t", S("N,4"), DType.Int32))));
    }

    [Fact]
    public void Sqrt_Gradient() => Verify((g, x) => g.Sqrt(x[0]), InputSpec.Float("x", S("N,5"), 0.1, 4));

    // ---- Maximum and Minimum ----

    [Fact]
    public void Maximum_And_Minimum_Forward_HandValues_NaNPropagates()
    {
        Same(new[] { 1, 0.5, 3, double.NaN, 0.5 }, Forward((g, x) => g.Maximum(x, g.Constant(0.5)), 1, -2, 3, double.NaN, 0.5));
        Same(new[] { 0.5, -2, 0.5, double.NaN, 0.5 }, Forward((g, x) => g.Minimum(x, g.Constant(0.5)), 1, -2, 3, double.NaN, 0.5));
        Same(new[] { double.NaN, double.NaN }, Forward((g, x) => g.Maximum(g.Constant(double.NaN), x), 1, -2));
        Same(new[] { double.NaN, double.NaN }, Forward((g, x) => g.Minimum(g.Constant(double.NaN), x), 1, -2));
    }

    [Fact]
    public void Maximum_Broadcasts_LikeAdd_AndRefusesMisfits()
    {
        var g = new GraphBuilder();
        Assert.Equal(S("N,3,4"), g.Maximum(g.Input("a", S("N,3,4")), g.Input("b", S("4"))).Shape);
        Assert.Equal(S("N,3,4"), g.Minimum(g.Input("c", S("N,1,4")), g.Input("d", S("N,3,1"))).Shape);
        Assert.Contains("Maximum", ShapeError(b => b.Maximum(b.Input("a", S("N,4")), b.Input("b", S("3")))));
        Assert.Contains("Minimum: expects float tensors", ShapeError(b => b.Minimum(b.Input("a", S("N,4")), b.Input("t", S("N,4"), DType.Int32))));
    }

    [Fact]
    public void Maximum_Gradient_GoesToTheSideTaken() =>
        Verify((g, x) => g.Maximum(x[0], x[1]), InputSpec.Float("a", S("N,4")), InputSpec.Float("b", S("4")));

    [Fact]
    public void Minimum_Gradient_GoesToTheSideTaken() =>
        Verify((g, x) => g.Minimum(x[0], x[1]), InputSpec.Float("a", S("N,3,4")), InputSpec.Float("b", S("N,3,1")));

    // ---- Pow ----

    [Fact]
    public void Pow_Forward_HandValues_WithIeeeSpecialCases()
    {
        // 2.5: 4^2.5 = 32, 0^2.5 = 0, (-4)^2.5 has no real value, (-∞)^2.5 = +∞ as in IEEE pow.
        Same(new[] { 32, 1, 0, double.NaN, double.PositiveInfinity, double.NaN }, Forward((g, x) => g.Pow(x, 2.5), 4, 1, 0, -4, double.NegativeInfinity, double.NaN));
        // An odd integer keeps the sign of x, an even one drops it; 0 to a negative power is +∞.
        Same(new[] { -8, 8, -0.125 }, Forward((g, x) => g.Pow(x, 3), -2, 2, -0.5));
        Same(new[] { 4, 4, 0.25 }, Forward((g, x) => g.Pow(x, 2), -2, 2, 0.5));
        Same(new[] { -0.5, double.PositiveInfinity }, Forward((g, x) => g.Pow(x, -1), -2, 0));
        // x^0 is 1 for every x, NaN included.
        Same(new[] { 1.0, 1, 1 }, Forward((g, x) => g.Pow(x, 0), -3, 0, double.NaN));
    }

    [Fact]
    public void Pow_KeepsTheShape_RefusesIntegers_AndANonFiniteExponent()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,3,2"));
        Assert.Equal(S("N,3,2"), g.Pow(x, 2.5).Shape);
        Assert.Same(x, g.Pow(x, 1));   // x^1 is x itself
        Assert.Contains("Pow: expects a float tensor", ShapeError(b => b.Pow(b.Input("t", S("N,4"), DType.Int32), 2.5)));
        Assert.Contains("Pow: the exponent must be a finite number", ShapeError(b => b.Pow(b.Input("x", S("N,4")), double.PositiveInfinity)));
        Assert.Contains("Pow: the exponent must be a finite number", ShapeError(b => b.Pow(b.Input("x", S("N,4")), double.NaN)));
    }

    [Theory]
    [InlineData(2.5, 0.1, 3)]
    [InlineData(-1.5, 0.2, 3)]
    [InlineData(0.5, 0.2, 3)]
    [InlineData(3, -2, 2)]    // odd: the gradient 3x² also on the negative side
    [InlineData(2, -2, 2)]
    [InlineData(-2, 0.3, 2)]
    public void Pow_Gradient(double exponent, double lo, double hi) =>
        Verify((g, x) => g.Pow(x[0], exponent), InputSpec.Float("x", S("N,5"), lo, hi));

    [Fact]
    public void Pow_ToTheZero_HasNoGradient()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,4"));
        Assert.Null(Assert.Single(new PowOp(0).Vjp(g, g.Pow(x, 0), g.Input("dy", S("N,4")))));
    }

    // ---- Clamp ----

    [Fact]
    public void Clamp_Forward_HandValues_NaNPassesThrough() =>
        Same(new[] { -0.5, -0.5, 0.25, 2, 2, double.NaN, -0.5, 2 },
            Forward((g, x) => g.Clamp(x, -0.5, 2), -3, -0.5, 0.25, 2, 7, double.NaN, double.NegativeInfinity, double.PositiveInfinity));

    [Fact]
    public void Clamp_KeepsTheShape_RefusesIntegers_AndMinAboveMax()
    {
        var g = new GraphBuilder();
        Assert.Equal(S("N,3,2"), g.Clamp(g.Input("x", S("N,3,2")), -1, 1).Shape);
        Assert.Equal(S("N,2"), g.Clamp(g.Input("y", S("N,2")), 0.5, 0.5).Shape);   // min = max: every element becomes it
        Assert.Contains("Clamp: expects a float tensor", ShapeError(b => b.Clamp(b.Input("t", S("N,4"), DType.Int32), -1, 1)));
        Assert.Contains("Clamp: min must not be above max, got min 1 and max -1", ShapeError(b => b.Clamp(b.Input("x", S("N,4")), 1, -1)));
        Assert.Contains("Clamp: min must not be above max", ShapeError(b => b.Clamp(b.Input("x", S("N,4")), double.NaN, 1)));
    }

    [Fact]
    public void Clamp_Gradient() => Verify((g, x) => g.Clamp(x[0], -0.5, 0.7), InputSpec.Float("x", S("N,5"), -1.5, 1.5));

    [Fact]
    public void Clamp_Gradient_PassesAtTheBounds_AndNotOutside()
    {
        // dy = 1: the VJP is the mask itself, 1 at x = min and x = max (PyTorch's clamp), 0 beyond them.
        var mask = Forward((g, x) => new ClampOp(-0.5, 2).Vjp(g, g.Clamp(x, -0.5, 2), g.Constant(1))[0]!, -0.5, 2, -0.6, 2.1, 0.3, -100, 100);
        Same(new double[] { 1, 1, 0, 0, 1, 0, 0 }, mask);
    }

    // ---- Comparisons and Where ----

    [Fact]
    public void Comparisons_Forward_HandValues_NaNGivesZero()
    {
        double[] x = { -1, 0.5, 2, double.NaN, -0.0 };
        Same(new double[] { 0, 0, 1, 0, 0 }, Forward((g, v) => g.Greater(v, g.Constant(0.5)), x));
        Same(new double[] { 1, 0, 0, 0, 1 }, Forward((g, v) => g.Less(v, g.Constant(0.5)), x));
        Same(new double[] { 0, 1, 1, 0, 0 }, Forward((g, v) => g.GreaterEqual(v, g.Constant(0.5)), x));
        Same(new double[] { 1, 1, 0, 0, 1 }, Forward((g, v) => g.LessEqual(v, g.Constant(0.5)), x));
        Same(new double[] { 0, 0, 0, 0, 1 }, Forward((g, v) => g.Equal(v, g.Constant(0)), x));   // -0 = +0
        Same(new double[] { 1, 1, 1, 0, 1 }, Forward((g, v) => g.Equal(v, v), x));                // NaN ≠ NaN
    }

    [Fact]
    public void Comparisons_Broadcast_LikeAdd_AndRefuseMisfits()
    {
        var g = new GraphBuilder();
        Assert.Equal(S("N,3,4"), g.Greater(g.Input("a", S("N,3,4")), g.Input("b", S("4"))).Shape);
        Assert.Equal(S("N,3,4"), g.LessEqual(g.Input("c", S("N,1,4")), g.Input("d", S("N,3,1"))).Shape);
        Assert.Contains("Less", ShapeError(b => b.Less(b.Input("a", S("N,4")), b.Input("b", S("3")))));
        Assert.Contains("Equal: expects float tensors", ShapeError(b => b.Equal(b.Input("a", S("N,4")), b.Input("t", S("N,4"), DType.Int32))));
    }

    [Fact]
    public void Comparisons_HaveNoGradient()
    {
        var g = new GraphBuilder();
        var a = g.Input("a", S("N,4"));
        foreach (var node in new[] { g.Greater(a, a), g.Less(a, a), g.GreaterEqual(a, a), g.LessEqual(a, a), g.Equal(a, a) })
            Assert.All(node.Op.Vjp(g, node, g.Input("dy", S("N,4"))), Assert.Null);
        // Against finite differences too (the inputs are apart, so no step lies between x ± h).
        Verify((b, x) => b.Mul(b.Greater(x[0], x[1]), x[0]), InputSpec.AwayFromZero("a", S("N,4"), 0.3), InputSpec.Float("b", S("4"), -0.1, 0.1));
    }

    [Fact]
    public void Where_Forward_TakesTheSide_AndTheOtherSideDoesNotLeak()
    {
        // a = log(x) is NaN for x < 0 and -∞ at 0; where x > 0 takes it, elsewhere 7: no NaN in the result.
        Same(new[] { 7, 7, 0, Math.Log(2) }, Forward((g, x) => g.Where(g.Greater(x, g.Constant(0)), g.Log(x), g.Constant(7)), -1, 0, 1, 2));
        // A NaN condition counts as true (≠ 0), as in C.
        Same(new double[] { 1, 2, 1 }, Forward((g, x) => g.Where(x, g.Constant(1), g.Constant(2)), 3, 0, double.NaN));
    }

    [Fact]
    public void Where_BroadcastsTheThreeShapes_AndRefusesMisfits()
    {
        var g = new GraphBuilder();
        Assert.Equal(S("N,3,4"), g.Where(g.Input("c", S("N,3,1")), g.Input("a", S("4")), g.Input("b", S("N,1,4"))).Shape);
        Assert.Equal(S("N,4"), g.Where(g.Input("m", S("N,4")), g.Input("x", S("N,4")), g.Constant(0)).Shape);
        Assert.Contains("Where", ShapeError(b => b.Where(b.Input("c", S("N,4")), b.Input("a", S("N,4")), b.Input("b", S("3")))));
        Assert.Contains("Where: expects float tensors", ShapeError(b => b.Where(b.Input("t", S("N,4"), DType.Int32), b.Input("a", S("N,4")), b.Input("b", S("N,4")))));
    }

    [Fact]
    public void Where_Gradient_GoesToTheSideTaken_SummedOverBroadcasts()
    {
        Verify((g, x) => g.Where(x[0], x[1], x[2]), InputSpec.Mask("c", S("N,4")), InputSpec.Float("a", S("N,4")), InputSpec.Float("b", S("4")));
        Verify((g, x) => g.Where(x[0], x[1], x[2]), InputSpec.Mask("c", S("N,3,1")), InputSpec.Float("a", S("4")), InputSpec.Float("b", S("N,1,4")));
        // A condition made by a comparison of a differentiated input: still no gradient through the mask.
        Verify((g, x) => g.Where(g.Greater(x[0], g.Constant(0)), g.Mul(x[0], x[0]), g.Scale(x[0], 0.5)), InputSpec.AwayFromZero("x", S("N,5")));
    }

    // ---- exact GELU and its error function ----

    [Theory]
    [InlineData(0.5, 0.47950012218695346)]       // erfc values published to 17 digits (DLMF, Wolfram)
    [InlineData(1, 0.15729920705028513)]
    [InlineData(2, 0.0046777349810472658)]
    [InlineData(3, 2.2090496998585441e-05)]
    [InlineData(5, 1.5374597944280349e-12)]
    [InlineData(10, 2.0884875837625448e-45)]
    [InlineData(-1, 1.8427007929497149)]
    [InlineData(0, 1)]
    public void Erfc_InDouble_MatchesPublishedValues(double x, double expected)
    {
        double got = ErrorFunction.Erfc(x);
        Assert.True(Math.Abs(got - expected) <= 1e-13 * Math.Abs(expected), $"erfc({x}) = {got:R}, expected {expected:R}");
        Assert.True(Math.Abs(ErrorFunction.Erf(x) - (1 - expected)) <= 1e-15, $"erf({x})");
    }

    [Fact]
    public void Gelu_Forward_HandValues()
    {
        // x·Φ(x) with Φ(±1) = 0.8413447460685429 / 0.15865525393145707, Φ(3) = 0.99865010196836990.
        var got = Forward((g, x) => g.Gelu(x), 0, 1, -1, 3, -3, double.NaN);
        double[] expected = { 0, 0.8413447460685429, -0.15865525393145707, 3 * 0.9986501019683699, -3 * (1 - 0.9986501019683699), double.NaN };
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i].Equals(got[i]) || Math.Abs(expected[i] - got[i]) <= 1e-13, $"[{i}]: expected {expected[i]:R}, got {got[i]:R}");
    }

    [Fact]
    public void Gelu_KeepsTheShape_AndRefusesIntegers()
    {
        var g = new GraphBuilder();
        Assert.Equal(S("N,3,2"), g.Gelu(g.Input("x", S("N,3,2"))).Shape);
        Assert.Contains("Gelu: expects a float tensor", ShapeError(b => b.Gelu(b.Input("t", S("N,4"), DType.Int32))));
    }

    [Fact]
    public void Gelu_Gradient() => Verify((g, x) => g.Gelu(x[0]), InputSpec.Float("x", S("N,5"), -4, 4));

    [Fact]
    public void NormalCdf_Gradient() => Verify((g, x) => g.NormalCdf(x[0]), InputSpec.Float("x", S("N,5"), -3, 3));
}
