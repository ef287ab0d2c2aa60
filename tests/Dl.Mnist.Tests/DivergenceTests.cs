using System;
using System.IO;
using Mnist;

namespace Dl.Mnist.Tests;

/// <summary>A run whose loss turns NaN or infinite stops with one line naming the epoch and step; it never reports an accuracy or saves.</summary>
public class DivergenceTests
{
    [Fact]
    public void A_diverged_run_exits_non_zero_naming_epoch_and_step_and_saves_nothing()
    {
        using var dir = new TempFolder();
        string save = dir.File("run.safetensors"), plot = dir.File("curves.png");

        var run = SampleRun.Of("--lr", "1e30", "--epochs", "2", "--save", save, "--plot", plot);

        run.Refused(1, "training diverged: the loss is ");
        Assert.Matches(@"at epoch 1, step \d+;", run.Error);
        Assert.DoesNotContain("mnist_test_accuracy", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(save));
        Assert.False(File.Exists(plot));
    }

    [Fact]
    public void A_diverged_run_leaves_the_last_good_checkpoint_as_it_was()
    {
        using var dir = new TempFolder();
        string path = dir.File("run.safetensors");
        SampleRun.Of("--epochs", "3", "--stop-after", "1", "--save", path, "--no-plot").Succeeded();
        byte[] before = File.ReadAllBytes(path);
        // The same run continued with a rate that blows up: the checkpoint's settings must agree, so tamper the
        // trainer instead, through the toolkit: the meter stops epoch 2 at its first non-finite loss.
        var settings = Trainer.ReadSettings(path);
        using var trainer = new Trainer(settings, TestData.Prepared(settings));
        trainer.Restore(path);
        trainer.Optimizer.Schedule = Dl.Training.LearningRateSchedule.Constant(1e30f);

        var e = Assert.Throws<Dl.Training.DivergenceException>(() => trainer.RunEpoch());

        Assert.Equal(2, e.Epoch);
        Assert.InRange(e.Step, 226, 450);
        Assert.Equal(1, trainer.EpochsDone);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_NaN_validation_loss_prints_as_NaN_and_no_validation_set_as_a_dash()
    {
        var nan = new EpochRecord(0.5, 0.9, double.NaN, double.NaN, 1.0);

        Assert.Contains("val loss NaN acc NaN%", MnistApp.EpochLine(1, 5, nan, validated: true), StringComparison.Ordinal);
        Assert.Contains("val -", MnistApp.EpochLine(1, 5, nan, validated: false), StringComparison.Ordinal);
        Assert.Contains("train loss 0.5000 acc 90.00%", MnistApp.EpochLine(1, 5, nan, validated: true), StringComparison.Ordinal);
    }
}
