using System;
using System.Linq;
using Dl.Graph;
using static Dl.Graph.Tests.GradCheck;

namespace Dl.Graph.Tests;

/// <summary>RandomNormal: standard normal statistics, fixed per (seed, stream, step), zeros in inference, no gradient.</summary>
public class RandomNormalTests
{
    private static double[] Samples(int batch, long step, bool training = true, int seed = 7, int stream = 0, int features = 1000)
    {
        var g = new GraphBuilder();
        var like = g.Input("x", S($"N,{features}"));
        var y = g.RandomNormal(like, stream);
        var x = TensorValue.Zeros(new[] { batch, features });
        return Evaluator.Run(new[] { y }, _ => x, new EvalContext(batch, training, seed, step))[y].Data;
    }

    [Fact]
    public void StandardNormalStatistics_Over100kSamples()
    {
        var z = Samples(100, 0);
        Assert.Equal(100_000, z.Length);
        double mean = z.Average(), variance = z.Select(v => (v - mean) * (v - mean)).Average();
        Assert.True(Math.Abs(mean) < 0.02, $"mean {mean}");                  // σ/√n ≈ 0.003
        Assert.True(Math.Abs(variance - 1) < 0.03, $"variance {variance}"); // sd of the estimate ≈ 0.0045
        // The tails of a normal: about 4.55% beyond 2σ, 0.27% beyond 3σ.
        Assert.InRange(z.Count(v => Math.Abs(v) > 2) / 1e5, 0.040, 0.051);
        Assert.InRange(z.Count(v => Math.Abs(v) > 3) / 1e5, 0.0018, 0.0037);
        Assert.All(z, v => Assert.Equal((float)v, v));                      // float samples
    }

    [Fact]
    public void SameStepSameValues_NextStepStreamOrSeedDifferent()
    {
        var first = Samples(4, 3);
        Assert.Equal(first, Samples(4, 3));
        Assert.NotEqual(first, Samples(4, 4));
        Assert.NotEqual(first, Samples(4, 3, stream: 1));
        Assert.NotEqual(first, Samples(4, 3, seed: 8));
        // Element i does not depend on the batch: a larger batch extends the smaller one.
        Assert.Equal(first, Samples(5, 3).Take(first.Length));
    }

    [Fact]
    public void Inference_GivesZeros() => Assert.All(Samples(3, 0, training: false), v => Assert.Equal(0, v));

    [Fact]
    public void Definition_SpotValues()
    {
        // Recomputed here from the documented formula, independently of the op's own helper.
        ulong key = RandomNormalOp.StepKey(7, 0, 0);
        ulong bits = DropoutMaskOp.Mix(unchecked(key + 5 * 0x9E3779B97F4A7C15UL));
        double u1 = ((bits >> 32) + 1) / 4294967296.0, u2 = (bits & 0xFFFFFFFF) / 4294967296.0;
        Assert.Equal((float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)), Samples(1, 0)[5]);
    }

    [Fact]
    public void IntegerLikeAndNegativeStreamAreRefused()
    {
        Assert.Contains("float", Assert.Throws<ShapeException>(() => { var g = new GraphBuilder(); g.RandomNormal(g.Input("l", S("N,3"), DType.Int32), 0); }).Message);
        Assert.Contains("stream", Assert.Throws<ShapeException>(() => { var g = new GraphBuilder(); g.RandomNormal(g.Input("x", S("N,3")), -1); }).Message);
    }

    [Fact]
    public void NoGradient_ReparameterisedGradientFlowsThroughMuAndSigmaOnly() =>
        // z = mu + exp(½·lv)·ε with ε fixed for the step: the finite differences see ε as a constant.
        Verify((g, x) => g.Sum(g.Mul(g.Add(x[0], g.Mul(g.Exp(g.Scale(x[1], 0.5)), g.RandomNormal(x[0], 2))), x[0])),
            InputSpec.Float("mu", S("N,3")), InputSpec.Float("lv", S("N,3")));
}
