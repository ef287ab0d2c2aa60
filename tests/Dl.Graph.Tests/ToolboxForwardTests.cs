using System;
using System.Linq;
using Dl.Graph;
using static Dl.Graph.Tests.Eval;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>What the convolution, pooling, normalisation and activation ops compute, against hand-worked values.</summary>
public class ToolboxForwardTests
{
    private static TensorValue Run2(Func<GraphBuilder, Node, Node, Node> f, string a, TensorValue av, string b, TensorValue bv)
    {
        var g = new GraphBuilder();
        var y = f(g, g.Input("a", S(a)), g.Input("b", S(b)));
        return Run(y, av.Dims[0], ("a", av), ("b", bv));
    }

    private static TensorValue Ones(params int[] dims) => new(dims, Enumerable.Repeat(1.0, dims.Aggregate(1, (p, d) => p * d)).ToArray());

    [Fact]
    public void Conv2d_SumsEachWindow()
    {
        // 3x3 input 0..8, 2x2 kernel of ones: each output is the sum of one 2x2 window.
        var y = Run2((g, x, w) => g.Conv2d(x, w, new ConvGeometry()), "1,1,3,3", Range(1, 1, 3, 3), "1,1,2,2", Ones(1, 1, 2, 2));
        Close(new double[] { 8, 12, 20, 24 }, y, new[] { 1, 1, 2, 2 });
    }

    [Fact]
    public void Conv2d_IsCrossCorrelation_NotFlipped()
    {
        // A kernel with a single 1 at its top-left picks the top-left pixel of each window.
        var w = T(new[] { 1, 1, 2, 2 }, 1, 0, 0, 0);
        var y = Run2((g, x, k) => g.Conv2d(x, k, new ConvGeometry()), "1,1,3,3", Range(1, 1, 3, 3), "1,1,2,2", w);
        Close(new double[] { 0, 1, 3, 4 }, y);
    }

    [Fact]
    public void Conv2d_DilationSkipsPixels()
    {
        // 5x5 input 0..24, a 2x2 kernel of ones dilated by 2 reads (i,j), (i,j+2), (i+2,j), (i+2,j+2).
        var y = Run2((g, x, w) => g.Conv2d(x, w, ConvGeometry.Uniform(1, 0, 2, 1)), "1,1,5,5", Range(1, 1, 5, 5), "1,1,2,2", Ones(1, 1, 2, 2));
        Assert.Equal(new[] { 1, 1, 3, 3 }, y.Dims);
        Assert.Equal(0 + 2 + 10 + 12, y[0]);
        Assert.Equal(12 + 14 + 22 + 24, y[8]);
    }

    [Fact]
    public void Conv2d_StrideAndZeroPadding()
    {
        // 4x4 ones, 3x3 ones kernel, padding 1, stride 2: the corner windows see 4 pixels, the others 6 or 9.
        var y = Run2((g, x, w) => g.Conv2d(x, w, ConvGeometry.Uniform(2, 1, 1, 1)), "1,1,4,4", Ones(1, 1, 4, 4), "1,1,3,3", Ones(1, 1, 3, 3));
        Close(new double[] { 4, 6, 6, 9 }, y, new[] { 1, 1, 2, 2 });
    }

    [Fact]
    public void Conv2d_GroupsKeepChannelsApart()
    {
        // Two groups of one channel each: output channel c only sees input channel c.
        var y = Run2((g, x, w) => g.Conv2d(x, w, ConvGeometry.Uniform(1, 0, 1, 2)), "1,2,1,2", Range(1, 2, 1, 2), "2,1,1,1", T(new[] { 2, 1, 1, 1 }, 2, 3));
        Close(new double[] { 0, 2, 6, 9 }, y);
    }

    [Fact]
    public void ConvTranspose2d_SpreadsEachInputOverItsWindow()
    {
        // Stride 2 with a 2x2 kernel of ones: each input value fills its own 2x2 block.
        var y = Run2((g, u, w) => g.ConvTranspose2d(u, w, ConvGeometry.Uniform(2, 0, 1, 1)), "1,1,2,2", T(new[] { 1, 1, 2, 2 }, 1, 2, 3, 4), "1,1,2,2", Ones(1, 1, 2, 2));
        Close(new double[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, y, new[] { 1, 1, 4, 4 });
    }

    [Fact]
    public void Pooling_MaxAndAverage()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("1,1,4,4"));
        Close(new double[] { 5, 7, 13, 15 }, Run(g.MaxPool2d(x, 2), 1, ("x", Range(1, 1, 4, 4))));
        Close(new double[] { 2.5, 4.5, 10.5, 12.5 }, Run(g.AvgPool2d(x, 2), 1, ("x", Range(1, 1, 4, 4))));
        Close(new double[] { 7.5 }, Run(g.GlobalAvgPool2d(x), 1, ("x", Range(1, 1, 4, 4))));
        // 3x3 windows, stride 2, padding 1 (max ignores the padding; average counts it as zeros).
        Close(new double[] { 5, 7, 13, 15 }, Run(g.MaxPool2d(x, 3, 2, 1), 1, ("x", Range(1, 1, 4, 4))));
        Close(new double[] { 10 / 9.0, 24 / 9.0, 51 / 9.0, 90 / 9.0 }, Run(g.AvgPool2d(x, 3, 2, 1), 1, ("x", Range(1, 1, 4, 4))), tol: 1e-12);
    }

    [Fact]
    public void MaxPool_TiesGoToTheFirstElement()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("1,1,2,2"));
        var dx = g.Apply(new MaxPool2dGradOp(2, 2, 0), x, g.Input("dy", S("1,1,1,1")));
        Close(new double[] { 0, 5, 0, 0 }, Run(dx, 1, ("x", T(new[] { 1, 1, 2, 2 }, 1, 3, 3, 2)), ("dy", T(new[] { 1, 1, 1, 1 }, 5))));
    }

    [Fact]
    public void Activations()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("4"));
        var v = T(new[] { 4 }, -2, -0.5, 0, 3);
        Close(new double[] { -0.2, -0.05, 0, 3 }, Run(g.LeakyRelu(x, 0.1), 1, ("x", v)), tol: 1e-15);
        Close(new[] { Math.Exp(-2) - 1, Math.Exp(-0.5) - 1, 0, 3 }, Run(g.Elu(x), 1, ("x", v)), tol: 1e-15);
        Close(v.Data.Select(a => Math.Log(1 + Math.Exp(a))).ToArray(), Run(g.Softplus(x), 1, ("x", v)), tol: 1e-14);
        Close(new double[] { 2, 0.5, 0, 3 }, Run(g.Abs(x), 1, ("x", v)));
        Close(new double[] { -1, -1, 0, 1 }, Run(g.Sign(x), 1, ("x", v)));
        Close(new double[] { 13.25 }, Run(g.L2(x), 1, ("x", v)));
        Close(new double[] { 5.5 }, Run(g.L1(x), 1, ("x", v)));
        Close(new double[] { 0.5 }, Run(g.Rsqrt(g.Constant(4)), 1));
    }

    [Fact]
    public void Concat_AndSlice()
    {
        var g = new GraphBuilder();
        var a = g.Input("a", S("2,1,2"));
        var b = g.Input("b", S("2,2,2"));
        var c = g.Concat(new[] { a, b });
        Assert.Equal(S("2,3,2"), c.Shape);
        var av = T(new[] { 2, 1, 2 }, 1, 2, 3, 4);
        var bv = T(new[] { 2, 2, 2 }, 10, 11, 12, 13, 14, 15, 16, 17);
        Close(new double[] { 1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17 }, Run(c, 2, ("a", av), ("b", bv)));
        Close(new double[] { 2, 10, 11, 12, 13, 4, 14, 15, 16, 17 }.Where((_, i) => i % 5 != 0).ToArray(),
            Run(g.Slice(c, 1, 1, 2), 2, ("a", av), ("b", bv)));
    }

    [Fact]
    public void BatchNorm_TrainUsesTheBatch_EvalUsesTheRunningAverages()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,1"));
        var y = Layers.BatchNorm(g, "bn", x, 1, momentum: 0.5, epsilon: 1e-12);
        var data = T(new[] { 4, 1 }, 1, 2, 3, 4);   // mean 2.5, biased variance 1.25
        TensorValue Bind(Node n) => n.Op switch
        {
            InputOp => data,
            ParamOp p => p.ParamName == "bn.gamma" ? T(new[] { 1 }, 2) : T(new[] { 1 }, 1),
            StateOp s => s.StateName == "bn.running_mean" ? T(new[] { 1 }, 1) : T(new[] { 1 }, 4),
            _ => throw new InvalidOperationException(),
        };
        var train = Evaluator.Run(new[] { y }, Bind, new EvalContext(4, training: true))[y];
        double sd = Math.Sqrt(1.25);
        Close(new[] { 1 - 3 / sd, 1 - 1 / sd, 1 + 1 / sd, 1 + 3 / sd }, train, tol: 1e-9);
        var eval = Evaluator.Run(new[] { y }, Bind, new EvalContext(4, training: false))[y];
        Close(new[] { 1.0, 2, 3, 4 }, eval, tol: 1e-9);   // (x - 1) / 2 · 2 + 1
        var updates = g.StateUpdates.ToDictionary(u => ((StateOp)u.State.Op).StateName, u => u.Value);
        var values = Evaluator.Run(updates.Values, Bind, new EvalContext(4));
        Close(new[] { 0.5 * 1 + 0.5 * 2.5 }, values[updates["bn.running_mean"]]);
        Close(new[] { 0.5 * 4 + 0.5 * 1.25 }, values[updates["bn.running_var"]]);
    }

    [Fact]
    public void Dropout_InvertedScaling_FreshEveryStep_IdentityInEval()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", S("N,100"));
        var y = Layers.Dropout(g, "drop", x, 0.25);
        var ones = Ones(200, 100);
        TensorValue At(long step, bool training = true) => Evaluator.Run(new[] { y }, _ => ones, new EvalContext(200, training, seed: 7, step: step))[y];
        var first = At(0);
        Assert.All(first.Data, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.75) < 1e-12));
        double kept = first.Data.Count(v => v != 0) / (double)first.Length;
        Assert.InRange(kept, 0.74, 0.76);                      // 20,000 draws: ±1% is over 3 standard deviations
        Assert.InRange(first.Data.Average(), 0.98, 1.02);      // inverted scaling keeps the expectation
        Assert.Equal(first.Data, At(0).Data);                  // the same seed and step: the same mask
        Assert.NotEqual(first.Data, At(1).Data);               // the next step draws afresh
        Assert.All(At(0, training: false).Data, v => Assert.Equal(1, v));
    }
}
