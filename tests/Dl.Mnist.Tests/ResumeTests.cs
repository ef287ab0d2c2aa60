using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Checkpoints;
using Mnist;

namespace Dl.Mnist.Tests;

/// <summary>
/// An interrupted run resumed from its checkpoint must be the uninterrupted run: same losses and accuracies
/// per epoch, bit for bit, and the same final parameters and optimizer state.
/// </summary>
public class ResumeTests
{
    // Adam has state (m, v) and a bias correction driven by the step count; momentum has velocity; SGD none, so
    // for SGD only the schedule position and the data order carry over. Each case trains 8 short epochs.
    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void Two_epochs_saved_then_resumed_for_two_more_equal_four_straight(string optimizer)
    {
        using var dir = new TempFolder();
        string straight = dir.File("straight.safetensors"), split = dir.File("split.safetensors");
        var common = new[] { "--optimizer", optimizer, "--epochs", "4", "--no-plot" };

        var whole = SampleRun.Of(common.Concat(new[] { "--save", straight }).ToArray()).Succeeded();
        SampleRun.Of(common.Concat(new[] { "--save", split, "--stop-after", "2" }).ToArray()).Succeeded();
        Assert.Equal(2, Trainer.ReadCurve(split).Count);
        var resumed = SampleRun.Of("--resume", split, "--save", split, "--no-plot").Succeeded();

        AssertSameCurve(Trainer.ReadCurve(straight), Trainer.ReadCurve(split));
        AssertSameTensors(Checkpoint.ReadTensors(straight), Checkpoint.ReadTensors(split));
        Assert.Equal(Checkpoint.ReadMetadata(straight)[Checkpoint.StepKey], Checkpoint.ReadMetadata(split)[Checkpoint.StepKey]);
        Assert.Equal(whole.Line("mnist_test_accuracy"), resumed.Line("mnist_test_accuracy"));
        Assert.Contains("2 of 4 epochs done", resumed.Output, StringComparison.Ordinal);
    }

    // Shows the test above can fail: a continuation that has the parameters, step and data order but lost
    // Adam's moments gives a different epoch 3.
    [Fact]
    public void Losing_the_optimizer_state_changes_the_continuation()
    {
        using var dir = new TempFolder();
        string path = dir.File("adam.safetensors");
        SampleRun.Of("--optimizer", "adam", "--epochs", "4", "--save", path, "--stop-after", "2", "--no-plot").Succeeded();
        var data = TestData.Prepared(Trainer.ReadSettings(path));

        using var faithful = new Trainer(Trainer.ReadSettings(path), data);
        faithful.Restore(path);
        using var amnesiac = new Trainer(Trainer.ReadSettings(path), data);
        amnesiac.Restore(path);
        var zeros = amnesiac.Optimizer.State.ToDictionary(kv => kv.Key, kv => new float[kv.Value.Length]);
        amnesiac.Optimizer.LoadState(zeros, amnesiac.Optimizer.StepCount);

        Assert.NotEqual(faithful.RunEpoch().TrainLoss, amnesiac.RunEpoch().TrainLoss);
    }

    [Fact]
    public void A_finished_run_resumes_to_its_evaluation_without_training()
    {
        using var dir = new TempFolder();
        string path = dir.File("done.safetensors");
        var first = SampleRun.Of("--epochs", "1", "--save", path, "--no-plot").Succeeded();
        byte[] before = System.IO.File.ReadAllBytes(path);

        var again = SampleRun.Of("--resume", path, "--save", path, "--no-plot").Succeeded();

        Assert.Equal(first.Line("mnist_test_accuracy"), again.Line("mnist_test_accuracy"));
        var epochLines = again.Output.Split('\n').Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).ToList();
        Assert.Equal(first.Line("epoch 1/1") + "  (from the checkpoint)", Assert.Single(epochLines).TrimEnd('\r'));
        Assert.Equal(before, System.IO.File.ReadAllBytes(path));
    }

    private static void AssertSameCurve(IReadOnlyList<EpochRecord> expected, IReadOnlyList<EpochRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int e = 0; e < expected.Count; e++)
        {
            // Seconds differ from run to run; everything computed must not, not even in the last bit.
            Same(e, "train loss", expected[e].TrainLoss, actual[e].TrainLoss);
            Same(e, "train accuracy", expected[e].TrainAccuracy, actual[e].TrainAccuracy);
            Same(e, "validation loss", expected[e].ValidationLoss, actual[e].ValidationLoss);
            Same(e, "validation accuracy", expected[e].ValidationAccuracy, actual[e].ValidationAccuracy);
        }
    }

    private static void Same(int epoch, string what, double expected, double actual) =>
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
            $"epoch {epoch + 1} {what}: {expected:R} straight, {actual:R} resumed");

    private static void AssertSameTensors(IReadOnlyDictionary<string, TensorData> expected, IReadOnlyDictionary<string, TensorData> actual)
    {
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (name, tensor) in expected)
        {
            var other = actual[name].Values;
            int differing = Enumerable.Range(0, tensor.Values.Length).Count(i => BitConverter.SingleToInt32Bits(tensor.Values[i]) != BitConverter.SingleToInt32Bits(other[i]));
            Assert.True(differing == 0, $"{name}: {differing} of {tensor.Values.Length} values differ");
        }
    }
}
