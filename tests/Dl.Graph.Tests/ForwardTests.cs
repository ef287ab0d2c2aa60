using System;
using System.Linq;
using Dl.Graph;
using static Dl.Graph.Tests.Eval;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>The reference semantics of each non-loss op against hand-computed values.</summary>
public class ForwardTests
{
    private static readonly TensorValue A23 = T(new[] { 2, 3 }, 1, 2, 3, 4, 5, 6);

    [Fact]
    public void Add_BroadcastsAVectorOverRows()
    {
        var g = new GraphBuilder();
        var y = g.Add(g.Input("a", S("2,3")), g.Input("b", S("3")));
        Close(new double[] { 11, 22, 33, 14, 25, 36 }, Run(y, 1, ("a", A23), ("b", T(new[] { 3 }, 10, 20, 30))), new[] { 2, 3 });
    }

    [Fact]
    public void Sub_BroadcastsAColumnAndAScalar()
    {
        var g = new GraphBuilder();
        var y = g.Sub(g.Sub(g.Input("a", S("2,3")), g.Input("c", S("2,1"))), g.Input("s", S("")));
        Close(new double[] { -1, 0, 1, -1, 0, 1 },
            Run(y, 1, ("a", A23), ("c", T(new[] { 2, 1 }, 1, 4)), ("s", TensorValue.Scalar(1))));
    }

    [Fact]
    public void Mul_ColumnTimesRow_IsTheOuterProduct()
    {
        var g = new GraphBuilder();
        var y = g.Mul(g.Input("a", S("2,1")), g.Input("b", S("1,3")));
        Close(new double[] { 1, 2, 3, 2, 4, 6 }, Run(y, 1, ("a", T(new[] { 2, 1 }, 1, 2)), ("b", T(new[] { 1, 3 }, 1, 2, 3))), new[] { 2, 3 });
    }

    [Fact]
    public void Mul_WithBatchBroadcastsPerRowFactor()
    {
        var g = new GraphBuilder();
        var y = g.Mul(g.Input("x", S("N,1")), g.Input("y", S("N,2")));
        Close(new double[] { 2, 4, -3, -6, 0, 0 },
            Run(y, 3, ("x", T(new[] { 3, 1 }, 2, -3, 0)), ("y", T(new[] { 3, 2 }, 1, 2, 1, 2, 1, 2))), new[] { 3, 2 });
    }

    [Fact]
    public void Div_ByAVector()
    {
        var g = new GraphBuilder();
        var y = g.Div(g.Input("a", S("2,3")), g.Input("b", S("3")));
        Close(new double[] { 1, 0.5, 0.25, 4, 1.25, 0.5 }, Run(y, 1, ("a", A23), ("b", T(new[] { 3 }, 1, 4, 12))));
    }

    [Fact]
    public void Unary_KnownValues()
    {
        var x = T(new[] { 4 }, -1, 0, 1, 2);
        Node Build(Func<GraphBuilder, Node, Node> f, out GraphBuilder g) { g = new GraphBuilder(); return f(g, g.Input("x", S("4"))); }
        TensorValue R(Func<GraphBuilder, Node, Node> f) => Run(Build(f, out _), 1, ("x", x));

        Close(new double[] { 1, 0, -1, -2 }, R((g, n) => g.Neg(n)));
        Close(new[] { Math.Exp(-1), 1, Math.E, Math.E * Math.E }, R((g, n) => g.Exp(n)), tol: 1e-12);
        Close(new double[] { 0, 0, 1, 2 }, R((g, n) => g.Relu(n)));
        Close(new double[] { 0, 0, 1, 1 }, R((g, n) => g.Step(n)));
        Close(new[] { 1 / (1 + Math.E), 0.5, 1 / (1 + Math.Exp(-1)), 1 / (1 + Math.Exp(-2)) }, R((g, n) => g.Sigmoid(n)), tol: 1e-12);
        Close(new[] { -0.7615941559557649, 0, 0.7615941559557649, 0.9640275800758169 }, R((g, n) => g.Tanh(n)), tol: 1e-12);
        Close(new double[] { -2.5, 0, 2.5, 5 }, R((g, n) => g.Scale(n, 2.5)));
    }

    [Fact]
    public void Log_KnownValues()
    {
        var g = new GraphBuilder();
        var y = g.Log(g.Input("x", S("3")));
        Close(new[] { 0, 1, -Math.Log(2) }, Run(y, 1, ("x", T(new[] { 3 }, 1, Math.E, 0.5))), tol: 1e-12);
    }

    [Fact]
    public void Sigmoid_SaturatesWithoutNaN()
    {
        var g = new GraphBuilder();
        var y = Run(g.Sigmoid(g.Input("x", S("2"))), 1, ("x", T(new[] { 2 }, -1000, 1000)));
        Close(new double[] { 0, 1 }, y);
    }

    [Theory]
    [InlineData(2, 1.0)]
    [InlineData(4, 0.5)]
    [InlineData(8, 0.25)]
    public void Scale_BatchPowerMinusOne_ResolvesPerBatch(int batch, double expectedFactor)
    {
        var g = new GraphBuilder();
        var y = g.Scale(g.Input("x", S("N")), 2, -1);
        var x = TensorValue.Zeros(new[] { batch }).Map(_ => 3);
        Close(Enumerable.Repeat(3 * expectedFactor, batch).ToArray(), Run(y, batch, ("x", x)), new[] { batch });
    }

    [Fact]
    public void BiasAdd_AddsAlongTheLastAxis()
    {
        var g = new GraphBuilder();
        var y = g.BiasAdd(g.Input("x", S("N,3")), g.Input("b", S("3")));
        Close(new double[] { 2, 4, 6, 5, 7, 9 }, Run(y, 2, ("x", A23), ("b", T(new[] { 3 }, 1, 2, 3))), new[] { 2, 3 });
    }

    [Fact]
    public void MatMul_2x3_Times_3x2()
    {
        var g = new GraphBuilder();
        var y = g.MatMul(g.Input("a", S("2,3")), g.Input("b", S("3,2")));
        var b = T(new[] { 3, 2 }, 7, 8, 9, 10, 11, 12);
        Close(new double[] { 58, 64, 139, 154 }, Run(y, 1, ("a", A23), ("b", b)), new[] { 2, 2 });
    }

    [Fact]
    public void Transpose2D()
    {
        var g = new GraphBuilder();
        var y = g.Transpose(g.Input("a", S("2,3")));
        Close(new double[] { 1, 4, 2, 5, 3, 6 }, Run(y, 1, ("a", A23)), new[] { 3, 2 });
    }

    [Fact]
    public void Transpose3D_OutputAxisIIsInputAxisPermI()
    {
        var g = new GraphBuilder();
        var y = g.Transpose(g.Input("x", S("2,3,4")), new[] { 2, 0, 1 });
        Assert.Equal(S("4,2,3"), y.Shape);
        var v = Run(y, 1, ("x", Range(2, 3, 4)));
        Assert.Equal(new[] { 4, 2, 3 }, v.Dims);
        // out[k,i,j] = in[i,j,k] = 12i + 4j + k; out is row-major over [4,2,3].
        for (int k = 0; k < 4; k++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++)
                    Assert.Equal(12 * i + 4 * j + k, v[k * 6 + i * 3 + j]);
        Assert.Equal(9, v[1 * 6 + 0 * 3 + 2]); // out[1,0,2] = in[0,2,1]
    }

    [Fact]
    public void Reshape_KeepsRowMajorOrder_AndFlattenKeepsTheBatch()
    {
        var g = new GraphBuilder();
        var r = g.Reshape(g.Input("a", S("2,3")), S("3,2"));
        Close(new double[] { 1, 2, 3, 4, 5, 6 }, Run(r, 1, ("a", A23)), new[] { 3, 2 });
        var f = g.Flatten(g.Input("x", S("N,2,2")));
        Assert.Equal(S("N,4"), f.Shape);
        Close(Range(3, 4).Data, Run(f, 3, ("x", Range(3, 2, 2))), new[] { 3, 4 });
    }

    [Theory]
    [InlineData(new[] { 0 }, false, new[] { 3 }, new double[] { 3, 5, 7 })]
    [InlineData(new[] { 1 }, false, new[] { 2 }, new double[] { 3, 12 })]
    [InlineData(new[] { -1 }, true, new[] { 2, 1 }, new double[] { 3, 12 })]
    [InlineData(new[] { 0, 1 }, false, new int[0], new double[] { 15 })]
    [InlineData(new[] { 1, 0 }, true, new[] { 1, 1 }, new double[] { 15 })]
    public void Sum_Axes(int[] axes, bool keep, int[] dims, double[] expected)
    {
        var g = new GraphBuilder();
        var y = g.Sum(g.Input("x", S("2,3")), axes, keep);
        Close(expected, Run(y, 1, ("x", Range(2, 3))), dims);
    }

    [Fact]
    public void Sum_Rank3_OverFirstAndLastAxes()
    {
        var g = new GraphBuilder();
        var y = g.Sum(g.Input("x", S("2,3,4")), new[] { 0, 2 });
        // sum over i,k of 12i + 4j + k = 60 + 32j
        Close(new double[] { 60, 92, 124 }, Run(y, 1, ("x", Range(2, 3, 4))), new[] { 3 });
    }

    [Fact]
    public void Mean_OverTheBatch_DividesByTheActualBatch()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,2"));
        var rows = g.Mean(x, new[] { 0 });
        var all = g.Mean(x);
        var perRow = g.Mean(x, new[] { 1 }, keepDims: true);
        var x3 = T(new[] { 3, 2 }, 1, 2, 3, 4, 5, 9);
        Close(new double[] { 3, 5 }, Run(rows, 3, ("x", x3)), new[] { 2 });
        Close(new double[] { 4 }, Run(all, 3, ("x", x3)), new int[0]);
        Close(new double[] { 1.5, 3.5, 7 }, Run(perRow, 3, ("x", x3)), new[] { 3, 1 });
        // The same graph at batch 2: the scale is 1/2, not the 1/3 of the previous call.
        Close(new double[] { 2, 3 }, Run(rows, 2, ("x", T(new[] { 2, 2 }, 1, 2, 3, 4))), new[] { 2 });
    }

    [Fact]
    public void BroadcastTo_And_SumTo()
    {
        var g = new GraphBuilder();
        var b = g.BroadcastTo(g.Input("v", S("3")), S("N,3"));
        Close(new double[] { 1, 2, 3, 1, 2, 3 }, Run(b, 2, ("v", T(new[] { 3 }, 1, 2, 3))), new[] { 2, 3 });
        var cols = g.SumTo(g.Input("a", S("2,3")), S("3"));
        Close(new double[] { 5, 7, 9 }, Run(cols, 1, ("a", A23)), new[] { 3 });
        var rows = g.SumTo(g.Input("a", S("2,3")), S("2,1"));
        Close(new double[] { 6, 15 }, Run(rows, 1, ("a", A23)), new[] { 2, 1 });
    }

    [Fact]
    public void Softmax_Of_1_2_3()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("3"));
        var v = T(new[] { 3 }, 1, 2, 3);
        Close(new[] { 0.09003057317038046, 0.24472847105479764, 0.6652409557748219 }, Run(g.Softmax(x), 1, ("x", v)), tol: 1e-14);
        Close(new[] { -2.4076059644443806, -1.4076059644443806, -0.4076059644443806 }, Run(g.LogSoftmax(x), 1, ("x", v)), tol: 1e-14);
    }

    [Fact]
    public void Softmax_IsRowWise_AndStableForHugeLogits()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,2"));
        var v = T(new[] { 2, 2 }, 1000, 1000, -1000, 0);
        Close(new[] { 0.5, 0.5, 0, 1 }, Run(g.Softmax(x), 2, ("x", v)));
        Close(new[] { -Math.Log(2), -Math.Log(2), -1000, 0 }, Run(g.LogSoftmax(x), 2, ("x", v)), tol: 1e-12);
    }

    [Fact]
    public void OneHot_OutOfRangeLabelGivesAZeroRow()
    {
        var g = new GraphBuilder();
        var y = g.OneHot(g.Input("y", S("N"), DType.Int32), 3);
        Assert.Equal(S("N,3"), y.Shape);
        Close(new double[] { 0, 0, 1, 1, 0, 0, 0, 0, 0 }, Run(y, 3, ("y", T(new[] { 3 }, 2, 0, 5))), new[] { 3, 3 });
    }

    [Fact]
    public void Constant_WithBatchShape_ResolvesPerCall()
    {
        var g = new GraphBuilder();
        var c = g.Constant(1.5, S("N,2"));
        Close(new[] { 1.5, 1.5, 1.5, 1.5 }, Run(c, 2), new[] { 2, 2 });
    }

    [Fact]
    public void Evaluator_RejectsABindingOfTheWrongShape()
    {
        var g = new GraphBuilder();
        var y = g.Exp(g.Input("x", S("N,3")));
        var ex = Assert.Throws<InvalidOperationException>(() => Run(y, 2, ("x", TensorValue.Zeros(new[] { 2, 4 }))));
        Assert.Contains("[2,4]", ex.Message);
        Assert.Contains("[2,3]", ex.Message);
    }
}
