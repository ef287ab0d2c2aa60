using System;
using Dl.Training;

namespace Dl.Training.Tests.Loop;

public class ScheduleTests
{
    [Fact]
    public void Constant_is_the_same_everywhere()
    {
        var s = LearningRateSchedule.Constant(0.1f);
        Assert.Equal(0.1f, s.At(0));
        Assert.Equal(0.1f, s.At(1_000_000));
    }

    [Fact]
    public void Step_decays_by_gamma_every_k_steps()
    {
        var s = LearningRateSchedule.Step(1f, every: 10, gamma: 0.5f);
        Assert.Equal(1f, s.At(0));
        Assert.Equal(1f, s.At(9));
        Assert.Equal(0.5f, s.At(10));
        Assert.Equal(0.25f, s.At(25));
        Assert.Equal(0.125f, s.At(30));
    }

    [Fact]
    public void Exponential_decays_continuously()
    {
        var s = LearningRateSchedule.Exponential(2f, 0.5f);
        Assert.Equal(2f, s.At(0));
        Assert.Equal(1f, s.At(1));
        Assert.Equal(0.25f, s.At(3));
        var slow = LearningRateSchedule.Exponential(2f, 0.5f, every: 2);
        Assert.Equal((float)Math.Sqrt(2), slow.At(1));
        Assert.Equal(1f, slow.At(2));
    }

    [Fact]
    public void Cosine_goes_from_the_rate_to_the_minimum_and_stays()
    {
        var s = LearningRateSchedule.Cosine(1f, totalSteps: 10, minimum: 0.1f);
        Assert.Equal(1f, s.At(0));
        Assert.Equal(0.55f, s.At(5), 1e-7f);                                   // halfway: the mean
        Assert.Equal(0.1f + 0.45f * (1 + 0.80901699f), s.At(2), 1e-6f);        // cos(pi/5) = (1 + sqrt 5) / 4
        Assert.Equal(0.1f, s.At(10), 1e-7f);
        Assert.Equal(0.1f, s.At(50), 1e-7f);
    }

    [Fact]
    public void Warmup_ramps_linearly_then_hands_over_with_the_inner_clock_starting_at_zero()
    {
        var s = LearningRateSchedule.Warmup(LearningRateSchedule.Constant(0.4f), 4);
        Assert.Equal(0.1f, s.At(0));
        Assert.Equal(0.2f, s.At(1));
        Assert.Equal(0.4f, s.At(3));
        Assert.Equal(0.4f, s.At(4));

        var stepped = LearningRateSchedule.Warmup(LearningRateSchedule.Step(1f, every: 2, gamma: 0.5f), 2);
        Assert.Equal(0.5f, stepped.At(0));
        Assert.Equal(1f, stepped.At(1));
        Assert.Equal(1f, stepped.At(3));   // inner step 1
        Assert.Equal(0.5f, stepped.At(4)); // inner step 2
        Assert.Equal(0.4f, LearningRateSchedule.Warmup(LearningRateSchedule.Constant(0.4f), 0).At(0));
    }

    [Fact]
    public void Non_positive_periods_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(1f, 0, 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Warmup(LearningRateSchedule.Constant(1f), -1));
    }
}
