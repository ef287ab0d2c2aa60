using System;
using System.Linq;
using Dl.Training;

namespace Dl.Training.Tests.Optimization;

/// <summary>The float span kernels against the double reference over several steps, at lengths that exercise SIMD bodies and tails.</summary>
public class OptimizersTests
{
    public static TheoryData<string, int, float> Cases()
    {
        var data = new TheoryData<string, int, float>();
        foreach (string rule in ReferenceRule.Names)
            foreach (int length in new[] { 1, 37, 1000 })
                foreach (float wd in new[] { 0f, 0.05f })
                    data.Add(rule, length, wd);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float_kernel_matches_the_reference_over_six_steps(string rule, int length, float weightDecay)
    {
        var random = new SeededRandom(length * 31 + rule.Length);
        var p = Enumerable.Range(0, length).Select(_ => (float)random.NextNormal()).ToArray();
        var pRef = p.Select(x => (double)x).ToArray();
        var initial = p.ToArray();
        int slots = ReferenceRule.Slots(rule);
        var state = Enumerable.Range(0, slots).Select(_ => new float[length]).ToArray();
        var stateRef = Enumerable.Range(0, slots).Select(_ => new double[length]).ToArray();
        const float lr = 0.05f;

        for (int t = 1; t <= 6; t++)
        {
            var g = Enumerable.Range(0, length).Select(_ => (float)random.NextNormal()).ToArray();
            ReferenceRule.FloatStep(rule, p, g, state, lr, weightDecay, t);
            ReferenceRule.Step(rule, pRef, g.Select(x => (double)x).ToArray(), stateRef, lr, weightDecay, t);
            ReferenceRule.AssertClose(pRef, p, $"{rule} step {t} p");
            for (int s = 0; s < slots; s++) ReferenceRule.AssertClose(stateRef[s], state[s], $"{rule} step {t} slot {s}");
        }
        // The run must have moved the parameters, or agreement proves nothing.
        Assert.True(Math.Abs(p[0] - initial[0]) > 1e-3, $"{rule}: p[0] stayed at {initial[0]}");
    }

    [Fact]
    public void ClipByGlobalNorm_matches_the_reference()
    {
        var g = Enumerable.Range(1, 100).Select(i => (float)Math.Sin(i)).ToArray();
        var gRef = g.Select(x => (double)x).ToArray();
        double normRef = OptimizerReference.ClipByGlobalNorm(gRef, 0.5);
        float norm = Optimizers.ClipByGlobalNorm(g, 0.5f);
        Assert.Equal(normRef, norm, 1e-5);
        ReferenceRule.AssertClose(gRef, g, "clipped");
        Assert.Equal(0.5, Math.Sqrt(g.Sum(x => (double)x * x)), 1e-5);
    }

    [Fact]
    public void Kernels_refuse_mismatched_lengths()
    {
        var e = Assert.Throws<ArgumentException>(() => Optimizers.Momentum(new float[4], new float[4], new float[3], 0.1f, 0.9f));
        Assert.Equal("spans differ in length: 4 parameters, 4 gradients, 3 state values", e.Message);
        Assert.Throws<ArgumentException>(() => Optimizers.Sgd(new float[4], new float[5], 0.1f));
    }
}
