using System;
using Dl.Training;

namespace Dl.Training.Tests.Loop;

public class EarlyStoppingTests
{
    [Fact]
    public void Stops_after_patience_epochs_without_improvement_by_min_delta_and_restores_the_best()
    {
        var model = new FakeModel(("w", new[] { 2 }));
        var stopper = new EarlyStopping(model, patience: 2, minDelta: 0.05);

        model.ParameterArray.AsSpan().Fill(1);
        Assert.False(stopper.ShouldStop(0, 1.0));
        model.ParameterArray.AsSpan().Fill(2);
        Assert.False(stopper.ShouldStop(1, 0.8));   // improved
        model.ParameterArray.AsSpan().Fill(3);
        Assert.False(stopper.ShouldStop(2, 0.85));  // worse: 1 without improvement
        model.ParameterArray.AsSpan().Fill(4);
        Assert.True(stopper.ShouldStop(3, 0.79));   // better, but by less than min delta: 2

        Assert.Equal(0.8, stopper.BestLoss);
        Assert.Equal(1, stopper.BestEpoch);
        Assert.Equal(2, stopper.EpochsWithoutImprovement);
        stopper.RestoreBest(model);
        Assert.Equal(new float[] { 2, 2 }, model.ParameterArray);
    }

    [Fact]
    public void NaN_never_improves_and_an_improvement_resets_the_count()
    {
        var model = new FakeModel(("w", new[] { 1 }));
        var stopper = new EarlyStopping(model, patience: 3);
        Assert.False(stopper.ShouldStop(0, double.NaN));
        Assert.Equal(-1, stopper.BestEpoch);
        Assert.Throws<InvalidOperationException>(() => stopper.RestoreBest(model));
        Assert.False(stopper.ShouldStop(1, 0.5));
        Assert.Equal(0, stopper.EpochsWithoutImprovement);
        Assert.False(stopper.ShouldStop(2, double.NaN));
        Assert.False(stopper.ShouldStop(3, 0.5));   // equal is not better
        Assert.True(stopper.ShouldStop(4, 0.6));
    }

    [Fact]
    public void Snapshot_is_taken_without_allocating()
    {
        var model = FakeModel.Mlp(inputs: 100, hidden: 50, outputs: 10);
        // 300 ms of improving epochs on a throwaway stopper first, so the JIT's background tier-ups
        // (~100 ms after a method gets hot) have settled before anything is measured.
        var warm = new EarlyStopping(model, patience: 5);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int e = 0; clock.ElapsedMilliseconds < 300; e++) warm.ShouldStop(e, 1.0 / (e + 1));
        var stopper = new EarlyStopping(model, patience: 5);
        stopper.ShouldStop(0, 10);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int e = 1; e <= 50; e++) stopper.ShouldStop(e, 10 - e * 0.1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
