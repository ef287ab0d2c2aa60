using System;
using System.Linq;
using Dl.Training;

namespace Dl.Training.Tests.Optimization;

/// <summary>
/// Optimizer.Step(model, ranges), what a generated Train{Objective} calls: only the ranges move, and where some
/// parameters are frozen as well, only the part of the ranges that is not frozen.
/// </summary>
public class PartStepTests
{
    // hidden.weight [4,3] @0, hidden.bias [3] @12, output.weight [3,2] @15, output.bias [2] @21.
    private static FakeModel Model()
    {
        var model = FakeModel.Mlp(seed: 2);
        for (int i = 0; i < model.GradientArray.Length; i++) model.GradientArray[i] = 0.1f * (i + 1);
        return model;
    }

    private static bool[] Moved(float[] before, FakeModel model) => before.Select((v, i) => v != model.ParameterArray[i]).ToArray();

    [Fact]
    public void Only_the_given_ranges_move()
    {
        var model = Model();
        var before = model.ParameterArray.ToArray();
        new Adam(0.01f).Step(model, new[] { (12, 3), (21, 2) });
        var moved = Moved(before, model);
        for (int i = 0; i < moved.Length; i++)
            Assert.True(moved[i] == (i is >= 12 and < 15 or >= 21), $"parameter {i} moved: {moved[i]}");
    }

    [Fact]
    public void Frozen_parameters_inside_the_ranges_stay()
    {
        var model = Model();
        model.Freeze("hidden.bias");
        var before = model.ParameterArray.ToArray();
        // hidden.weight's second half through output.weight: hidden.bias (12..14) is frozen in the middle.
        new Sgd(0.1f).Step(model, new[] { (6, 15) });
        var moved = Moved(before, model);
        for (int i = 0; i < moved.Length; i++)
            Assert.True(moved[i] == (i is >= 6 and < 12 or >= 15 and < 21), $"parameter {i} moved: {moved[i]}");
    }

    [Fact]
    public void A_part_step_with_frozen_parameters_allocates_nothing_after_the_first()
    {
        var model = Model();
        model.Freeze("hidden.bias");
        var optimizer = new Sgd(0.1f);
        var part = new[] { (6, 15) };
        optimizer.Step(model, part);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int s = 0; s < 100; s++) optimizer.Step(model, part);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_freeze_between_part_steps_takes_effect()
    {
        var model = Model();
        model.Freeze("hidden.bias");
        var optimizer = new Sgd(0.1f);
        var part = new[] { (6, 15) };
        optimizer.Step(model, part);
        model.Freeze("output.weight");
        var before = model.ParameterArray.ToArray();
        optimizer.Step(model, part);
        var moved = Moved(before, model);
        for (int i = 0; i < moved.Length; i++)
            Assert.True(moved[i] == (i is >= 6 and < 12), $"parameter {i} moved: {moved[i]}");
    }

    [Fact]
    public void A_range_outside_the_parameters_is_refused()
    {
        var model = Model();
        var e = Assert.Throws<ArgumentException>(() => new Sgd(0.1f).Step(model, new[] { (20, 5) }));
        Assert.Contains("(20, 5)", e.Message);
    }
}
