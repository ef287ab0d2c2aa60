using System;
using Dl.Training;

namespace Dl.Training.Tests.Loop;

/// <summary>A loss that turns NaN or infinite stops the run at once, with the epoch and step in the message.</summary>
public class DivergenceTests
{
    [Fact]
    public void The_meter_averages_finite_losses_per_sample()
    {
        var meter = new EpochMeter(epoch: 2, stepsBefore: 10);
        Assert.True(double.IsNaN(meter.Loss));
        meter.Add(1.0f, samples: 30, correct: 3);
        meter.Add(3.0f, samples: 10, correct: 9);

        Assert.Equal((30 * 1.0 + 10 * 3.0) / 40, meter.Loss, 12);
        Assert.Equal(12.0 / 40, meter.Accuracy, 12);
        Assert.Equal(2, meter.Batches);
        Assert.Equal(40, meter.Samples);
        Assert.Equal(12, meter.Step);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void A_non_finite_loss_throws_naming_the_epoch_and_step_and_is_not_counted(float loss, string shown)
    {
        var meter = new EpochMeter(epoch: 3, stepsBefore: 450);
        meter.Add(0.5f, 32, 30);

        var e = Assert.Throws<DivergenceException>(() => meter.Add(loss, 32, 0));

        Assert.Equal($"training diverged: the loss is {shown} at epoch 3, step 452; try a lower learning rate, or check the inputs", e.Message);
        Assert.Equal(3, e.Epoch);
        Assert.Equal(452, e.Step);
        Assert.Equal(BitConverter.DoubleToInt64Bits(loss), BitConverter.DoubleToInt64Bits(e.Loss));
        Assert.Equal(1, meter.Batches);
        Assert.Equal(0.5, meter.Loss);
    }

    [Fact]
    public void A_loop_of_its_own_checks_any_loss_with_the_same_words()
    {
        DivergenceException.ThrowIfNotFinite(1e30, 1, 1);
        var e = Assert.Throws<DivergenceException>(() => DivergenceException.ThrowIfNotFinite(double.NaN, 5, 1125, "validation loss"));
        Assert.Equal("training diverged: the validation loss is NaN at epoch 5, step 1125; try a lower learning rate, or check the inputs", e.Message);
        Assert.IsAssignableFrom<ArithmeticException>(e);
    }

    [Fact]
    public void The_meter_refuses_impossible_counts()
    {
        var meter = new EpochMeter(1, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => meter.Add(0.1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => meter.Add(0.1f, 4, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpochMeter(0, 0));
    }
}
