using System;
using System.Linq;
using Dl.Graph;
using static Dl.Graph.Tests.Eval;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>Loss values against hand-computed numbers, including the numerically hard cases.</summary>
public class LossForwardTests
{
    [Fact]
    public void Mse_IsTheMeanOfSquaredDifferences()
    {
        var g = new GraphBuilder();
        var y = g.Mse(g.Input("p", S("N")), g.Input("t", S("N")));
        Close(new[] { 13.0 / 3 }, Run(y, 3, ("p", T(new[] { 3 }, 1, 2, 3)), ("t", T(new[] { 3 }, 1, 0, 0))), new int[0]);
    }

    [Fact]
    public void SoftmaxCrossEntropy_KnownLogitsAndLabels()
    {
        var g = new GraphBuilder();
        var y = g.SoftmaxCrossEntropy(g.Input("z", S("N,3")), g.Input("y", S("N"), DType.Int32));
        // -log softmax([1,2,3]) = [2.4076, 1.4076, 0.4076]; labels 2 and 0 -> mean(0.4076, 2.4076).
        var z = T(new[] { 2, 3 }, 1, 2, 3, 1, 2, 3);
        Close(new[] { 1.4076059644443806 }, Run(y, 2, ("z", z), ("y", T(new[] { 2 }, 2, 0))), tol: 1e-13);
    }

    [Fact]
    public void SoftmaxCrossEntropy_UniformLogitsGiveLogC()
    {
        var g = new GraphBuilder();
        var y = g.SoftmaxCrossEntropy(g.Input("z", S("N,10")), g.Input("y", S("N"), DType.Int32));
        Close(new[] { Math.Log(10) }, Run(y, 3, ("z", TensorValue.Zeros(new[] { 3, 10 })), ("y", T(new[] { 3 }, 0, 9, 4))), tol: 1e-13);
    }

    [Fact]
    public void SoftmaxCrossEntropy_HugeLogitsStayFinite()
    {
        var g = new GraphBuilder();
        var y = g.SoftmaxCrossEntropy(g.Input("z", S("N,2")), g.Input("y", S("N"), DType.Int32));
        // Row 0 is confidently right (loss ~0), row 1 confidently wrong by 2000 (loss 2000).
        var v = Run(y, 2, ("z", T(new[] { 2, 2 }, 1000, -1000, 1000, -1000)), ("y", T(new[] { 2 }, 0, 1)));
        Close(new[] { 1000.0 }, v, tol: 1e-9);
    }

    [Fact]
    public void SoftmaxCrossEntropy_LabelOutOfRange_Throws()
    {
        var g = new GraphBuilder();
        var y = g.SoftmaxCrossEntropy(g.Input("z", S("N,3")), g.Input("y", S("N"), DType.Int32));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Run(y, 2, ("z", TensorValue.Zeros(new[] { 2, 3 })), ("y", T(new[] { 2 }, 1, 3))));
        Assert.Contains("label 3", ex.Message);
    }

    [Fact]
    public void BinaryCrossEntropy_AtZeroLogitIsLog2()
    {
        var g = new GraphBuilder();
        var y = g.BinaryCrossEntropy(g.Input("z", S("2")), g.Input("t", S("2")));
        Close(new[] { Math.Log(2) }, Run(y, 1, ("z", T(new[] { 2 }, 0, 0)), ("t", T(new[] { 2 }, 0, 1))), tol: 1e-14);
    }

    [Fact]
    public void BinaryCrossEntropy_MatchesTheNaiveFormulaForModerateLogits()
    {
        double[] z = { -3, -0.5, 0.25, 2 }, t = { 0, 1, 0.3, 0.9 };
        double Sig(double v) => 1 / (1 + Math.Exp(-v));
        double expected = z.Zip(t, (zi, ti) => -ti * Math.Log(Sig(zi)) - (1 - ti) * Math.Log(1 - Sig(zi))).Average();
        var g = new GraphBuilder();
        var y = g.BinaryCrossEntropy(g.Input("z", S("N")), g.Input("t", S("N")));
        Close(new[] { expected }, Run(y, 4, ("z", T(new[] { 4 }, z)), ("t", T(new[] { 4 }, t))), tol: 1e-12);
    }

    [Fact]
    public void BinaryCrossEntropy_StableAtPlusMinus100()
    {
        var g = new GraphBuilder();
        var y = g.BinaryCrossEntropy(g.Input("z", S("4")), g.Input("t", S("4")));
        // right and confident: ~0 each; wrong and confident: 100 each. Mean = 200/4.
        var v = Run(y, 1, ("z", T(new[] { 4 }, 100, -100, 100, -100)), ("t", T(new[] { 4 }, 1, 0, 0, 1)));
        Assert.True(double.IsFinite(v[0]), v.ToString());
        Close(new[] { 50.0 }, v, tol: 1e-12);
    }
}
