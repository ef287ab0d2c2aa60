using System;
using System.Linq;
using Dl.Compiler;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

public class ElementwiseGradTests
{
    private static Func<GraphBuilder, Node[], Node> BinaryOf(string op) => op switch
    {
        "Add" => (g, x) => g.Add(x[0], x[1]),
        "Sub" => (g, x) => g.Sub(x[0], x[1]),
        "Mul" => (g, x) => g.Mul(x[0], x[1]),
        "Div" => (g, x) => g.Div(x[0], x[1]),
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [InlineData("Add", "N,4", "N,4")]
    [InlineData("Add", "N,4", "4")]
    [InlineData("Add", "4", "N,4")]
    [InlineData("Add", "N,1", "N,4")]
    [InlineData("Add", "N,4", "")]
    [InlineData("Add", "N,1,4", "3,1")]
    [InlineData("Sub", "N,4", "N,4")]
    [InlineData("Sub", "N,4", "4")]
    [InlineData("Sub", "N,1", "N,4")]
    [InlineData("Sub", "", "N,4")]
    [InlineData("Mul", "N,4", "N,4")]
    [InlineData("Mul", "N,4", "4")]
    [InlineData("Mul", "N,1", "N,4")]
    [InlineData("Mul", "N,4", "")]
    [InlineData("Mul", "2,1", "1,3")]
    [InlineData("Div", "N,4", "N,4")]
    [InlineData("Div", "N,4", "4")]
    [InlineData("Div", "N,1", "N,4")]
    [InlineData("Div", "N,4", "")]
    [InlineData("Div", "", "N,4")]
    public void Binary_WithBroadcasting(string op, string a, string b)
    {
        // Divisors are kept away from zero so 1/b stays well conditioned.
        var bSpec = op == "Div" ? InputSpec.AwayFromZero("b", S(b), gap: 0.5, max: 2) : InputSpec.Float("b", S(b));
        Verify(BinaryOf(op), InputSpec.Float("a", S(a)), bSpec);
    }

    [Theory]
    [InlineData("Neg")]
    [InlineData("Exp")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    public void Unary_Smooth(string op)
    {
        Func<GraphBuilder, Node[], Node> f = op switch
        {
            "Neg" => (g, x) => g.Neg(x[0]),
            "Exp" => (g, x) => g.Exp(x[0]),
            "Sigmoid" => (g, x) => g.Sigmoid(x[0]),
            _ => (g, x) => g.Tanh(x[0]),
        };
        Verify(f, InputSpec.Float("x", S("N,5"), -2, 2));
    }

    [Fact]
    public void Log_OnPositiveInputs() =>
        Verify((g, x) => g.Log(x[0]), InputSpec.Float("x", S("N,5"), 0.2, 3));

    [Fact]
    public void Relu_AwayFromZero() =>
        Verify((g, x) => g.Relu(x[0]), InputSpec.AwayFromZero("x", S("N,5"), gap: 0.05));

    [Fact]
    public void Step_HasZeroGradient()
    {
        var result = Verify((g, x) => g.Step(x[0]), InputSpec.AwayFromZero("x", S("N,5"), gap: 0.05));
        Assert.Equal(0, result.MaxAbsError);

        // And structurally: Autodiff gives the zero constant, not a graph that happens to evaluate to 0.
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,5"));
        var grad = Autodiff.Gradients(g, g.Sum(g.Step(x)), new[] { x }).Single();
        var c = Assert.IsType<ConstantOp>(grad.Op);
        Assert.Equal(0, c.Value);
        Assert.Equal(S("N,5"), grad.Shape);
    }

    [Theory]
    [InlineData(2.5, 0)]
    [InlineData(0.5, -1)]
    [InlineData(-3, 1)]
    public void Scale_WithBatchPower(double factor, int power) =>
        Verify((g, x) => g.Scale(x[0], factor, power), InputSpec.Float("x", S("N,4")));

    [Fact]
    public void Scale_BatchPowerMinusOne_GradientIsExactlyFactorOverBatch()
    {
        // d/dx Sum(Scale(x, 6, -1) * R) = 6/N * R with N = 3.
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,2"));
        var grad = Autodiff.Gradients(g, g.Sum(g.Scale(x, 6, -1)), new[] { x }).Single();
        var v = Evaluator.Run(new[] { grad }, _ => TensorValue.Zeros(new[] { 3, 2 }), 3)[grad];
        Assert.All(v.Data, d => Assert.Equal(2.0, d, 12));
    }

    [Theory]
    [InlineData("N,4")]
    [InlineData("N,2,4")]
    [InlineData("4")]
    public void BiasAdd(string x) =>
        Verify((g, n) => g.BiasAdd(n[0], n[1]), InputSpec.Float("x", S(x)), InputSpec.Float("b", S("4")));

    [Theory]
    [InlineData("4", "N,4")]
    [InlineData("N,1", "N,4")]
    [InlineData("1,4", "N,4")]
    [InlineData("", "N,2,3")]
    [InlineData("3,1", "2,3,4")]
    public void BroadcastTo(string from, string to) =>
        Verify((g, x) => g.BroadcastTo(x[0], S(to)), InputSpec.Float("x", S(from)));

    [Theory]
    [InlineData("N,4", "4")]
    [InlineData("N,4", "N,1")]
    [InlineData("N,4", "1,4")]
    [InlineData("N,2,3", "")]
    [InlineData("2,3,4", "3,1")]
    public void SumTo(string from, string to) =>
        Verify((g, x) => g.SumTo(x[0], S(to)), InputSpec.Float("x", S(from)));
}
