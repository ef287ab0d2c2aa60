using System;
using System.Linq;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>Gradients of the new activations, concatenation, penalties, batch norm and dropout.</summary>
public class ToolboxGradTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    public void LeakyRelu(double slope) =>
        Verify((g, x) => g.LeakyRelu(x[0], slope), InputSpec.AwayFromZero("x", S("N,5"), gap: 0.05, max: 2));

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.3)]
    public void Elu(double alpha) =>
        Verify((g, x) => g.Elu(x[0], alpha), InputSpec.AwayFromZero("x", S("N,5"), gap: 0.05, max: 3));

    [Fact]
    public void Softplus_IncludingLargeInputs() =>
        Verify((g, x) => g.Softplus(x[0]), InputSpec.Float("x", S("N,6"), -30, 30));

    [Fact]
    public void Silu_IncludingBothTails() =>
        Verify((g, x) => g.Silu(x[0]), InputSpec.Float("x", S("N,6"), -12, 12));

    [Fact]
    public void GeluTanh_IncludingBothTails() =>
        Verify((g, x) => g.GeluTanh(x[0]), InputSpec.Float("x", S("N,6"), -6, 6));

    [Fact]
    public void GeluTanh_MatchesTheTanhFormula()
    {
        // The op computes x·sigmoid(2u); PyTorch's definition is 0.5·x·(1 + tanh u).
        var op = new GeluTanhOp();
        foreach (double x in new[] { -5.0, -1.3, -0.2, 0, 0.4, 1.7, 4.5 })
        {
            double u = System.Math.Sqrt(2 / System.Math.PI) * (x + 0.044715 * x * x * x);
            Assert.Equal(0.5 * x * (1 + System.Math.Tanh(u)), op.Apply(x, new EvalContext(1)), 12);
        }
    }

    [Fact]
    public void HardSigmoid_OnTheSlopeAndBothSaturatedSides()
    {
        Verify((g, x) => g.HardSigmoid(x[0]), InputSpec.Float("x", S("N,6"), -2.9, 2.9));
        Verify((g, x) => g.HardSigmoid(x[0]), InputSpec.Float("x", S("N,6"), 3.1, 8));
        Verify((g, x) => g.HardSigmoid(x[0]), InputSpec.Float("x", S("N,6"), -8, -3.1));
    }

    [Fact]
    public void Abs_AwayFromZero() =>
        Verify((g, x) => g.Abs(x[0]), InputSpec.AwayFromZero("x", S("N,5"), gap: 0.05));

    [Fact]
    public void Rsqrt_OnPositiveInputs() =>
        Verify((g, x) => g.Rsqrt(x[0]), InputSpec.Float("x", S("N,5"), 0.3, 3));

    [Fact]
    public void L1AndL2Penalties_OnAParameter()
    {
        // d/dw (λ1·Σ|w| + λ2·Σw²) = λ1·sign(w) + 2·λ2·w, added to an ordinary loss.
        Verify((g, x) =>
        {
            var w = g.Param("w", S("3,4"), Init.Glorot);
            var fit = g.Sum(g.Mul(g.MatMul(x[0], w), g.MatMul(x[0], w)));
            return g.Add(fit, g.Add(g.Scale(g.L1(w), 0.1), g.Scale(g.L2(w), 0.01)));
        }, InputSpec.Float("x", S("N,3")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Concat_AlongChannelsAndLastAxis(int axis) =>
        Verify((g, x) => g.Concat(new[] { x[0], g.Tanh(x[1]), x[0] }, axis), InputSpec.Float("a", S("N,2,3")), InputSpec.Float("b", S("N,2,3")));

    [Fact]
    public void Slice() => Verify((g, x) => g.Slice(x[0], 1, 1, 2), InputSpec.Float("x", S("N,4,2")));

    [Fact]
    public void BatchNorm2d_TrainMode_AllOfInputGammaAndBeta() =>
        Verify((g, x) => Layers.BatchNorm(g, "bn", x[0], 2), InputSpec.Float("x", S("N,2,3,3")));

    [Fact]
    public void BatchNorm1d_TrainMode() =>
        Verify((g, x) => Layers.BatchNorm(g, "bn", x[0], 4), InputSpec.Float("x", S("N,4")));

    [Fact]
    public void BatchNorm_EvalMode_IsAnAffineMapOfTheRunningAverages()
    {
        // Specialised to inference, the gradient flows through the running-average normalisation.
        Verify((g, x) =>
        {
            var y = Layers.BatchNorm(g, "bn", x[0], 2);
            return Modes.Specialise(g, new[] { y }, training: false)[y];
        }, InputSpec.Float("x", S("N,2,2,2")));
    }

    [Fact]
    public void Dropout_TrainMode_GradientIsTheMask() =>
        Verify((g, x) => Layers.Dropout(g, "drop", g.Tanh(x[0]), 0.3), InputSpec.Float("x", S("N,8")));

    [Fact]
    public void Residual_ConvBatchNormBlock()
    {
        // x + relu(bn(conv(x))): the residual block of the small ResNet model, end to end.
        Verify((g, x) =>
        {
            var h = Layers.Conv2d(g, "conv", x[0], 2, 2, 3, padding: 1, bias: false);
            return g.Add(x[0], g.Tanh(Layers.BatchNorm(g, "bn", h, 2)));
        }, InputSpec.Float("x", S("N,2,3,3")));
    }
}
