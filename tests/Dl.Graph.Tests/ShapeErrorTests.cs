using System;
using Dl.Compiler;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>Every shape rule: the right <see cref="ShapeErrorKind"/> and a message naming the op and the shapes.</summary>
public class ShapeErrorTests
{
    private static ShapeException Fails(ShapeErrorKind kind, Func<GraphBuilder, Node> build, params string[] mentions)
    {
        var g = new GraphBuilder();
        var ex = Assert.Throws<ShapeException>(() => build(g));
        Assert.Equal(kind, ex.Kind);
        foreach (var m in mentions)
            Assert.True(ex.Message.Contains(m, StringComparison.Ordinal), $"message should mention \"{m}\": {ex.Message}");
        return ex;
    }

    private static Node F(GraphBuilder g, string name, string shape) => g.Input(name, S(shape));
    private static Node I(GraphBuilder g, string name, string shape) => g.Input(name, S(shape), DType.Int32);

    [Theory]
    [InlineData("Add")]
    [InlineData("Sub")]
    [InlineData("Mul")]
    [InlineData("Div")]
    public void Binary_IncompatibleShapes(string op)
    {
        Func<GraphBuilder, Node, Node, Node> f = op switch
        {
            "Add" => (g, a, b) => g.Add(a, b),
            "Sub" => (g, a, b) => g.Sub(a, b),
            "Mul" => (g, a, b) => g.Mul(a, b),
            _ => (g, a, b) => g.Div(a, b),
        };
        Fails(ShapeErrorKind.Mismatch, g => f(g, F(g, "a", "N,4"), F(g, "b", "N,5")), op, "[N,4]", "[N,5]");
        Fails(ShapeErrorKind.Mismatch, g => f(g, F(g, "a", "N"), F(g, "b", "5")), op, "[N]", "[5]", "N vs 5");
        Fails(ShapeErrorKind.Mismatch, g => f(g, F(g, "a", "2,3"), F(g, "b", "3,3")), op, "[2,3]", "[3,3]");
        Fails(ShapeErrorKind.WrongType, g => f(g, F(g, "a", "N,4"), I(g, "b", "N,4")), op, "[N,4]");
    }

    [Fact]
    public void Broadcasting_BatchAgainstAStaticSize_IsAMismatch()
    {
        // N is not 1 at compile time, so it neither stretches nor is stretched by a static 5.
        Fails(ShapeErrorKind.Mismatch, g => g.Add(F(g, "a", "N,3"), F(g, "b", "5,3")), "Add", "[N,3]", "[5,3]");
        Fails(ShapeErrorKind.Mismatch, g => g.BroadcastTo(F(g, "a", "N"), S("5")), "BroadcastTo", "[N]", "[5]");
    }

    [Theory]
    [InlineData("Neg")]
    [InlineData("Exp")]
    [InlineData("Log")]
    [InlineData("Relu")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    [InlineData("Step")]
    [InlineData("Scale")]
    public void Unary_IntegerInput_IsWrongType(string op)
    {
        Func<GraphBuilder, Node, Node> f = op switch
        {
            "Neg" => (g, x) => g.Neg(x),
            "Exp" => (g, x) => g.Exp(x),
            "Log" => (g, x) => g.Log(x),
            "Relu" => (g, x) => g.Relu(x),
            "Sigmoid" => (g, x) => g.Sigmoid(x),
            "Tanh" => (g, x) => g.Tanh(x),
            "Step" => (g, x) => g.Step(x),
            _ => (g, x) => g.Scale(x, 2),
        };
        Fails(ShapeErrorKind.WrongType, g => f(g, I(g, "y", "N")), op, "[N]");
    }

    [Fact]
    public void MatMul_InnerDimensionsDiffer() =>
        Fails(ShapeErrorKind.Mismatch, g => g.MatMul(F(g, "a", "N,3"), F(g, "b", "4,2")), "MatMul", "[N,3]", "[4,2]");

    [Fact]
    public void MatMul_NotMatrices() =>
        Fails(ShapeErrorKind.WrongRank, g => g.MatMul(F(g, "a", "N,2,3"), F(g, "b", "3,2,2")), "MatMul", "[N,2,3]", "[3,2,2]");

    [Fact]
    public void MatMul_RowsOfRankOne() =>
        Fails(ShapeErrorKind.WrongRank, g => g.MatMul(F(g, "a", "3"), F(g, "b", "3,2")), "MatMul", "[3]", "[3,2]");

    [Fact]
    public void MatMul_RowsOfASequence_InnerDimensionsDiffer() =>
        Fails(ShapeErrorKind.Mismatch, g => g.MatMul(F(g, "a", "N,5,3"), F(g, "b", "4,2")), "MatMul", "[N,5,3]", "[4,2]", "3 vs 4");

    [Fact]
    public void TransposedMatMul_RowsDiffer() =>
        Fails(ShapeErrorKind.Mismatch, g => g.TransposedMatMul(F(g, "a", "N,5,3"), F(g, "b", "N,4,2")), "TransposedMatMul", "axis 1");

    [Fact]
    public void BiasAdd_BadBias()
    {
        Fails(ShapeErrorKind.Mismatch, g => g.BiasAdd(F(g, "x", "N,4"), F(g, "b", "5")), "BiasAdd", "[N,4]", "[5]");
        Fails(ShapeErrorKind.WrongRank, g => g.BiasAdd(F(g, "x", "N,4"), F(g, "b", "1,4")), "BiasAdd", "[1,4]");
    }

    [Fact]
    public void Transpose_BadPermutation()
    {
        Fails(ShapeErrorKind.BadArgument, g => g.Transpose(F(g, "x", "N,3"), new[] { 0, 0 }), "Transpose", "[0,0]", "[N,3]");
        Fails(ShapeErrorKind.BadArgument, g => g.Transpose(F(g, "x", "N,3"), new[] { 1, 0, 2 }), "Transpose", "[N,3]");
        Fails(ShapeErrorKind.WrongRank, g => g.Transpose(F(g, "x", "N,3,4")), "Transpose", "[N,3,4]");
    }

    [Fact]
    public void Reshape_WrongCountOrBatch()
    {
        Fails(ShapeErrorKind.BadArgument, g => g.Reshape(F(g, "x", "N,6"), S("N,4")), "Reshape", "[N,6]", "[N,4]", "N*6", "N*4");
        Fails(ShapeErrorKind.BadArgument, g => g.Reshape(F(g, "x", "2,3"), S("7")), "Reshape", "[2,3]", "[7]");
        Fails(ShapeErrorKind.BadArgument, g => g.Reshape(F(g, "x", "N,6"), S("3,6")), "Reshape", "[N,6]", "[3,6]");
    }

    [Fact]
    public void Flatten_ScalarOrLateBatch()
    {
        Fails(ShapeErrorKind.WrongRank, g => g.Flatten(F(g, "x", "")), "Flatten");
        Fails(ShapeErrorKind.BadArgument, g => g.Flatten(F(g, "x", "3,N")), "Flatten", "[3,N]");
    }

    [Fact]
    public void Reductions_AxisOutOfRange()
    {
        Fails(ShapeErrorKind.BadAxis, g => g.Sum(F(g, "x", "N,4"), new[] { 2 }), "Sum", "axis 2", "[N,4]");
        Fails(ShapeErrorKind.BadAxis, g => g.Sum(F(g, "x", "N,4"), new[] { -3 }), "Sum", "axis -3", "[N,4]");
        Fails(ShapeErrorKind.BadAxis, g => g.Mean(F(g, "x", "N,4"), new[] { 5 }), "Mean", "axis 5", "[N,4]");
    }

    [Fact]
    public void SoftmaxFamily_ScalarOrIntegerInput()
    {
        Fails(ShapeErrorKind.WrongRank, g => g.Softmax(F(g, "x", "")), "Softmax");
        Fails(ShapeErrorKind.WrongRank, g => g.LogSoftmax(F(g, "x", "")), "LogSoftmax");
        Fails(ShapeErrorKind.WrongType, g => g.Softmax(I(g, "x", "N,3")), "Softmax");
    }

    [Fact]
    public void Mse_ShapesDifferOrIntegers()
    {
        Fails(ShapeErrorKind.Mismatch, g => g.Mse(F(g, "p", "N,3"), F(g, "t", "N,4")), "Mse", "[N,3]", "[N,4]");
        Fails(ShapeErrorKind.WrongType, g => g.Mse(F(g, "p", "N,3"), I(g, "t", "N,3")), "Mse", "[N,3]");
    }

    [Fact]
    public void SoftmaxCrossEntropy_BadLabels()
    {
        Fails(ShapeErrorKind.WrongType, g => g.SoftmaxCrossEntropy(F(g, "z", "N,10"), F(g, "y", "N")), "SoftmaxCrossEntropy", "[N]");
        Fails(ShapeErrorKind.Mismatch, g => g.SoftmaxCrossEntropy(F(g, "z", "N,10"), I(g, "y", "N,10")), "SoftmaxCrossEntropy", "[N,10]", "[N]");
        Fails(ShapeErrorKind.WrongRank, g => g.SoftmaxCrossEntropy(F(g, "z", ""), I(g, "y", "")), "SoftmaxCrossEntropy");
        Fails(ShapeErrorKind.WrongType, g => g.SoftmaxCrossEntropy(I(g, "z", "N,10"), I(g, "y", "N")), "SoftmaxCrossEntropy");
    }

    [Fact]
    public void BinaryCrossEntropy_ShapesDiffer() =>
        Fails(ShapeErrorKind.Mismatch, g => g.BinaryCrossEntropy(F(g, "z", "N,1"), F(g, "t", "N")), "BinaryCrossEntropy", "[N,1]", "[N]");

    [Fact]
    public void BroadcastTo_And_SumTo_NotBroadcastable()
    {
        Fails(ShapeErrorKind.Mismatch, g => g.BroadcastTo(F(g, "x", "3"), S("N,4")), "BroadcastTo", "[3]", "[N,4]");
        Fails(ShapeErrorKind.Mismatch, g => g.SumTo(F(g, "x", "N,4"), S("3")), "SumTo", "[3]", "[N,4]");
        Fails(ShapeErrorKind.Mismatch, g => g.BroadcastTo(F(g, "x", "N,4"), S("4")), "BroadcastTo", "[N,4]", "[4]");
    }

    [Fact]
    public void OneHot_FloatLabels() =>
        Fails(ShapeErrorKind.WrongType, g => g.OneHot(F(g, "y", "N"), 3), "OneHot", "[N]");

    [Fact]
    public void Dense_BadInputs()
    {
        Fails(ShapeErrorKind.WrongRank, g => Layers.Dense(g, "fc", F(g, "x", "N,2,4"), 4, 3), "Dense", "'fc'", "[N,2,4]");
        Fails(ShapeErrorKind.Mismatch, g => Layers.Dense(g, "fc", F(g, "x", "N,5"), 4, 3), "Dense", "[N,4]", "[N,5]");
        Fails(ShapeErrorKind.BadArgument, g => Layers.Dense(g, "fc", F(g, "x", "N,4"), 4, 0), "Dense", "'fc'");
    }

    [Fact]
    public void Param_WithBatchDimension() =>
        Fails(ShapeErrorKind.BadArgument, g => g.Param("w", S("N,3"), Init.Zeros), "'w'", "[N,3]");

    [Fact]
    public void Gradients_OfANonScalar()
    {
        var ex = Fails(ShapeErrorKind.WrongRank, g => { var x = F(g, "x", "N,3"); return Autodiff.Gradients(g, x, new[] { x })[0]; }, "[N,3]");
        Assert.Contains("scalar", ex.Message);
    }

    [Fact]
    public void ModelGraph_NonScalarLoss()
    {
        var g = new GraphBuilder();
        var x = F(g, "x", "N,3");
        var ex = Assert.Throws<ShapeException>(() => new ModelGraph("m", g, new[] { x }, x, x));
        Assert.Equal(ShapeErrorKind.WrongRank, ex.Kind);
        Assert.Contains("[N,3]", ex.Message);
    }

    [Fact]
    public void FailedShapeRule_AddsNoNode()
    {
        var g = new GraphBuilder();
        var a = F(g, "a", "N,3");
        var b = F(g, "b", "4,2");
        int before = g.Nodes.Count;
        Assert.Throws<ShapeException>(() => g.MatMul(a, b));
        Assert.Equal(before, g.Nodes.Count);
        // And the same well-shaped expression can still be built afterwards.
        Assert.Equal(S("N,2"), g.MatMul(a, F(g, "c", "3,2")).Shape);
    }

    [Fact]
    public void NodeFromAnotherBuilder_IsRejected()
    {
        var g1 = new GraphBuilder();
        var g2 = new GraphBuilder();
        var x = g1.Input("x", S("3"));
        g2.Input("other", S("3"));
        g2.Input("more", S("3")); // so x's id exists in g2 but names a different node
        Assert.Throws<ArgumentException>(() => g2.Neg(x));
    }

    [Fact]
    public void NodeFromAnotherBuilder_IsRejectedEvenWhenTheKeyIsAlreadyInterned()
    {
        var g1 = new GraphBuilder();
        var g2 = new GraphBuilder();
        var x = g1.Input("x", S("3"));
        var other = g2.Input("other", S("3"));
        var negOther = g2.Neg(other); // key "Neg(0)" now interned in g2
        Node? returned = null;
        var ex = Record.Exception(() => returned = g2.Neg(x));
        Assert.True(ex is ArgumentException,
            $"expected ArgumentException, got {(ex is null ? "no exception and node " + returned + (ReferenceEquals(returned, negOther) ? " (g2's Neg(other))" : "") : ex.GetType().Name)}");
    }


    [Fact]
    public void Transpose_OfATranspose_PermutationOfWrongLength_IsAShapeError() =>
        Fails(ShapeErrorKind.BadArgument, g => g.Transpose(g.Transpose(F(g, "x", "N,3")), new[] { 0, 1, 2 }), "Transpose", "[0,1,2]");

    [Fact]
    public void Transpose_OfATranspose_RepeatedAxis_NamesThePermutationGiven() =>
        Fails(ShapeErrorKind.BadArgument, g => g.Transpose(g.Transpose(F(g, "x", "N,3")), new[] { 0, 0 }), "Transpose", "[0,0]");
}
