using System;
using System.Linq;
using Dl.Training;

namespace Dl.Training.Tests.Optimization;

/// <summary>An optimizer's learning rate is a finite number, 0 or more: NaN, infinity or a negative rate is refused where it enters.</summary>
public class LearningRateTests
{
    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-0.1f)]
    public void A_rate_that_is_not_finite_and_non_negative_is_refused(float rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(rate));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(rate));
        var sgd = new Sgd(0.1f);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = rate);
        Assert.Contains("a learning rate must be a finite number >= 0", e.Message);
        Assert.Equal(0.1f, sgd.LearningRate);
        new Sgd(0f);   // zero is a valid (frozen) rate
    }

    [Fact]
    public void A_schedule_that_gives_NaN_stops_the_step_before_it_touches_the_parameters()
    {
        var model = FakeModel.Mlp();
        model.GradientArray.AsSpan().Fill(1);
        var before = model.ParameterArray.ToArray();
        var sgd = new Sgd(0.1f) { Schedule = new Broken() };

        var e = Assert.Throws<InvalidOperationException>(() => sgd.Step(model));

        Assert.Equal("the learning-rate schedule gives NaN at step 1; a rate must be a finite number >= 0", e.Message);
        Assert.Equal(before, model.ParameterArray);
        Assert.Equal(0, sgd.StepCount);
    }

    private sealed class Broken : ILearningRateSchedule
    {
        public float At(long step) => float.NaN;
    }
}
