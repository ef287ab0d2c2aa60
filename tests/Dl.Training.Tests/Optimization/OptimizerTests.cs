using System;
using System.Linq;
using Dl.Training;

namespace Dl.Training.Tests.Optimization;

/// <summary>The <see cref="Optimizer"/> classes: same numbers as the reference (with schedule, decay, clipping), state, no allocation.</summary>
public class OptimizerTests
{
    public static TheoryData<string> Rules => new(ReferenceRule.Names);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Optimizer_matches_the_reference_with_schedule_weight_decay_and_clipping(string rule)
    {
        var model = FakeModel.Mlp(inputs: 20, hidden: 16, outputs: 5, seed: 2);
        int n = model.Parameters.Length;
        var pRef = model.ParameterArray.Select(x => (double)x).ToArray();
        var stateRef = Enumerable.Range(0, ReferenceRule.Slots(rule)).Select(_ => new double[n]).ToArray();
        var schedule = LearningRateSchedule.Warmup(LearningRateSchedule.Cosine(0.05f, 10), 3);
        var optimizer = ReferenceRule.Create(rule, 1f, wd: 0.01f, maxNorm: 2f);
        optimizer.Schedule = schedule;
        var random = new SeededRandom(9);
        int clipped = 0;

        for (long t = 1; t <= 8; t++)
        {
            for (int i = 0; i < n; i++) model.GradientArray[i] = (float)(random.NextNormal() * 0.3);
            var g = model.GradientArray.Select(x => (double)x).ToArray();
            double norm = OptimizerReference.ClipByGlobalNorm(g, 2.0);
            if (norm > 2.0) clipped++;
            ReferenceRule.Step(rule, pRef, g, stateRef, schedule.At(t - 1), 0.01f, t);

            Assert.Equal(schedule.At(t - 1), optimizer.CurrentLearningRate);
            optimizer.Step(model);

            Assert.Equal(t, optimizer.StepCount);
            Assert.Equal(norm, optimizer.LastGradientNorm, 1e-4);
            ReferenceRule.AssertClose(pRef, model.Parameters, $"{rule} step {t}");
        }
        Assert.InRange(clipped, 1, 8); // the clipping path was exercised
    }

    /// <summary>
    /// A weight gradient whose rows the CPU GEMM cut between the pool's threads: each worker wrote
    /// its part, so the update hands each part (state included) to its worker and does the rest
    /// here. Every parameter and state value must still follow the reference, with and without clipping.
    /// </summary>
    [Theory]
    [MemberData(nameof(Rules))]
    public unsafe void Optimizer_split_between_threads_matches_the_reference(string rule)
    {
        const int inputs = 784, hidden = 128, batch = 64;
        foreach (float maxNorm in new[] { 0f, 5f })
        {
            var model = FakeModel.Mlp(inputs, hidden, outputs: 10, seed: 3);
            int n = model.Parameters.Length;
            var pRef = model.ParameterArray.Select(x => (double)x).ToArray();
            var stateRef = Enumerable.Range(0, ReferenceRule.Slots(rule)).Select(_ => new double[n]).ToArray();
            // No weight decay here: among 100K weights a few have g close to -wd·p, where the float
            // rounding of the clipped gradient decides the adaptive rules' step (one thread or two alike).
            var optimizer = ReferenceRule.Create(rule, 0.01f, wd: 0f, maxNorm: maxNorm);
            var random = new SeededRandom(11);
            var x = new float[batch * inputs];
            var dy = new float[batch * hidden];
            for (long t = 1; t <= 3; t++)
            {
                for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextNormal();
                for (int i = 0; i < dy.Length; i++) dy[i] = (float)(random.NextNormal() * 0.01);
                for (int i = inputs * hidden; i < n; i++) model.GradientArray[i] = (float)(random.NextNormal() * 0.1);
                // hidden.weight's gradient Xᵀ·dY, as a backward pass computes it (cut by rows over the pool's threads).
                Dl.Cpu.Gemm.Multiply(inputs, hidden, batch, x, inputs, true, dy, hidden, false, model.GradientArray, hidden);
                fixed (float* g = model.GradientArray)
                    if (Dl.Cpu.WorkerPool.Threads > 1)
                        Assert.True(Dl.Cpu.GemmSplit.LastRowCut is { Parts: > 1, Rows: inputs, RowLength: hidden } cut && cut.C == g,
                            "the product was not cut by rows, so the split update is not exercised");

                var g64 = model.GradientArray.Select(v => (double)v).ToArray();
                if (maxNorm > 0) OptimizerReference.ClipByGlobalNorm(g64, maxNorm);
                ReferenceRule.Step(rule, pRef, g64, stateRef, 0.01f, 0f, t);
                optimizer.Step(model);
                ReferenceRule.AssertClose(pRef, model.Parameters, $"{rule} (clip {maxNorm}) step {t}");
            }
            for (int s = 0; s < stateRef.Length; s++)
                ReferenceRule.AssertClose(stateRef[s], optimizer.State[optimizer.SlotNames[s]], $"{rule} (clip {maxNorm}) slot {optimizer.SlotNames[s]}");
        }
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Step_allocates_nothing_after_the_first(string rule)
    {
        var model = FakeModel.Mlp(inputs: 50, hidden: 40, outputs: 10);
        var optimizer = ReferenceRule.Create(rule, 0.01f, wd: 0.01f, maxNorm: 1f);
        optimizer.Schedule = LearningRateSchedule.Warmup(LearningRateSchedule.Cosine(0.01f, 100), 5);
        model.GradientArray.AsSpan().Fill(0.1f);
        // The first step allocates the state; then 300 ms of steps let the JIT's background tier-ups
        // (~100 ms after a method gets hot) settle before anything is measured.
        long warm = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do { optimizer.Step(model); warm++; } while (clock.ElapsedMilliseconds < 300);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) optimizer.Step(model);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(warm + 100, optimizer.StepCount);
    }

    [Fact]
    public void State_is_named_by_slot_and_laid_out_like_the_parameters()
    {
        var model = FakeModel.Mlp();
        var adam = new Adam();
        Assert.Empty(adam.State);
        model.GradientArray.AsSpan().Fill(1f);
        adam.Step(model);

        Assert.Equal(new[] { "m", "v" }, adam.State.Keys.OrderBy(k => k));
        Assert.Equal(new[] { "m", "v" }, adam.SlotNames);
        Assert.All(adam.State["m"], x => Assert.Equal(0.1f, x, 1e-7f));   // (1 - 0.9) * 1
        Assert.All(adam.State["v"], x => Assert.Equal(0.001f, x, 1e-7f)); // (1 - 0.999) * 1
        Assert.Equal(new[] { "velocity" }, new Momentum(0.1f).SlotNames);
        Assert.Equal(new[] { "mean_square" }, new RmsProp(0.1f).SlotNames);
        Assert.Equal(new[] { "sum_squares" }, new AdaGrad(0.1f).SlotNames);
        Assert.Empty(new Sgd(0.1f).SlotNames);
    }

    [Fact]
    public void Sgd_without_schedule_uses_the_learning_rate_property()
    {
        var model = new FakeModel(("w", new[] { 2 }));
        model.ParameterArray[0] = 1; model.ParameterArray[1] = 2;
        model.GradientArray[0] = 10; model.GradientArray[1] = -10;
        var sgd = new Sgd(0.5f);
        sgd.Step(model);
        Assert.Equal(new[] { -4f, 7f }, model.ParameterArray);
        sgd.LearningRate = 0.1f;
        sgd.Step(model);
        Assert.Equal(new[] { -5f, 8f }, model.ParameterArray);
    }

    [Fact]
    public void LoadState_and_Reset_restore_and_clear_the_state()
    {
        var momentum = new Momentum(0.1f);
        momentum.LoadState(new System.Collections.Generic.Dictionary<string, float[]> { ["velocity"] = new[] { 1f, 2f } }, 7);
        Assert.Equal(7, momentum.StepCount);
        Assert.Equal(new[] { 1f, 2f }, momentum.State["velocity"]);

        var p = new[] { 0f, 0f };
        momentum.Step(p, new[] { 0f, 0f });
        Assert.Equal(new[] { 0.9f, 1.8f }, momentum.State["velocity"]); // v = 0.9 v + 0
        Assert.Equal(-0.09f, p[0], 1e-7f);

        momentum.Reset();
        Assert.Equal(0, momentum.StepCount);
        Assert.Equal(new[] { 0f, 0f }, momentum.State["velocity"]);

        var e = Assert.Throws<ArgumentException>(() => momentum.LoadState(
            new System.Collections.Generic.Dictionary<string, float[]> { ["m"] = new float[2] }, 0));
        Assert.Equal("Momentum needs slot 'velocity', the state has [m] (Parameter 'state')", e.Message);
    }

    [Fact]
    public void One_optimizer_cannot_serve_two_models_of_different_sizes()
    {
        var adam = new Adam();
        adam.Step(new float[4], new float[4]);
        var e = Assert.Throws<InvalidOperationException>(() => adam.Step(new float[5], new float[5]));
        Assert.Equal("this optimizer holds state for 4 parameters, not 5; use one optimizer per model", e.Message);
        Assert.Throws<ArgumentException>(() => adam.Step(new float[4], new float[3]));
    }
}
