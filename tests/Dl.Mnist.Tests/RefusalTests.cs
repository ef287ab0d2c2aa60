using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dl.Checkpoints;
using Mnist;

namespace Dl.Mnist.Tests;

/// <summary>
/// A checkpoint that does not belong to the run is refused with one clear line and a non-zero exit, before
/// anything changes: not the checkpoint file, not the plot, not the model in memory.
/// </summary>
public class RefusalTests
{
    [Fact]
    public void Resuming_with_another_optimizer_is_refused_and_changes_nothing()
    {
        using var dir = new TempFolder();
        string path = dir.File("adam.safetensors"), plot = dir.File("curves.png");
        SampleRun.Of("--optimizer", "adam", "--epochs", "2", "--stop-after", "1", "--save", path, "--no-plot").Succeeded();
        byte[] before = File.ReadAllBytes(path);

        var run = SampleRun.Of("--optimizer", "momentum", "--resume", path, "--save", path, "--plot", plot);

        Assert.Equal(2, run.ExitCode);
        AssertOneLine(run.Error, "--optimizer momentum differs from the adam that");
        Assert.Equal("", run.Output);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(plot));
    }

    [Fact]
    public void A_trainer_of_another_optimizer_refuses_the_checkpoint_and_keeps_its_parameters()
    {
        using var dir = new TempFolder();
        string path = dir.File("adam.safetensors");
        SampleRun.Of("--optimizer", "adam", "--epochs", "2", "--stop-after", "1", "--save", path, "--no-plot").Succeeded();
        var momentum = Trainer.ReadSettings(path) with { Optimizer = "momentum" };
        using var trainer = new Trainer(momentum, TestData.Prepared(momentum));
        float[] parameters = trainer.Model.Parameters.ToArray();

        var e = Assert.Throws<MnistException>(() => trainer.Restore(path));

        Assert.Contains("--optimizer adam", e.Message, StringComparison.Ordinal);
        Assert.Equal(parameters, trainer.Model.Parameters.ToArray());
        Assert.Equal(0, trainer.EpochsDone);
        Assert.Equal(0, trainer.Steps);
    }

    // The metadata says "this sample", the tensors say otherwise (64 hidden units, not 128): the shape check
    // of the checkpoint loader catches it, and the message names the tensor.
    [Fact]
    public void A_checkpoint_of_another_model_is_refused_by_its_shapes()
    {
        using var dir = new TempFolder();
        string real = dir.File("real.safetensors"), other = dir.File("other.safetensors");
        SampleRun.Of("--epochs", "1", "--save", real, "--no-plot").Succeeded();
        var metadata = Checkpoint.ReadMetadata(real).Where(kv => !kv.Key.StartsWith("dl.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        Checkpoint.Save(other, new OtherMlp(hidden: 64), step: 225, metadata: metadata);
        byte[] before = File.ReadAllBytes(other);

        var run = SampleRun.Of("--resume", other, "--save", other, "--no-plot");

        Assert.Equal(1, run.ExitCode);
        AssertOneLine(run.Error, "hidden.");
        Assert.Contains("shape", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(other));
    }

    [Fact]
    public void A_safetensors_file_from_elsewhere_is_refused_by_its_metadata()
    {
        using var dir = new TempFolder();
        string other = dir.File("other.safetensors");
        Checkpoint.Save(other, new OtherMlp(hidden: 128), step: 5);

        var run = SampleRun.Of("--resume", other, "--no-plot");

        Assert.Equal(1, run.ExitCode);
        AssertOneLine(run.Error, "is not a checkpoint of this sample");
    }

    [Fact]
    public void A_file_that_is_not_safetensors_is_refused_with_its_name()
    {
        using var dir = new TempFolder();
        string path = dir.File("notes.safetensors");
        File.WriteAllText(path, "not a checkpoint");

        var run = SampleRun.Of("--resume", path, "--no-plot");

        Assert.Equal(1, run.ExitCode);
        AssertOneLine(run.Error, path + ": ");
        Assert.Equal("not a checkpoint", File.ReadAllText(path));
    }

    [Theory]
    [InlineData(2, "unknown option '--learning-rate'", "--learning-rate", "0.1")]
    [InlineData(2, "--optimizer must be one of sgd, momentum", "--optimizer", "lbfgs")]
    [InlineData(2, "--lr must be a positive number; got '-1'", "--lr", "-1")]
    [InlineData(2, "--epochs must be a positive integer; got 'five'", "--epochs", "five")]
    [InlineData(2, "--validation must be a fraction in [0, 1); got '1'", "--validation", "1")]
    [InlineData(2, "--batch needs a value", "--batch")]
    [InlineData(2, "--stop-after without --save", "--stop-after", "1")]
    [InlineData(2, "--save /no/such/folder/x.safetensors: the folder /no/such/folder does not exist", "--save", "/no/such/folder/x.safetensors")]
    [InlineData(1, "--resume missing.safetensors: no such file", "--resume", "missing.safetensors")]
    [InlineData(1, "no-such-dir", "--data", "no-such-dir")]
    public void Bad_options_fail_with_one_line_and_no_stack_trace(int exitCode, string message, params string[] args)
    {
        var run = SampleRun.Of(args);

        Assert.Equal(exitCode, run.ExitCode);
        AssertOneLine(run.Error, message);
    }

    [Theory]
    [InlineData("2739138", "0.1", "--batch 2739138 is more than the 7200 training digits")]
    [InlineData("2147483647", "0.1", "--batch 2147483647 is more than the 7200 training digits")]
    [InlineData("8001", "0", "--batch 8001 is more than the 8000 training digits")]
    public void A_batch_larger_than_the_training_set_is_refused_before_training(string batch, string validation, string message)
    {
        var run = SampleRun.Of("--batch", batch, "--validation", validation, "--no-plot");

        run.Refused(2, message);
        Assert.DoesNotContain("epoch 1/", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_whole_training_set_as_one_batch_trains()
    {
        var run = SampleRun.Of("--batch", "8000", "--validation", "0", "--epochs", "1", "--no-plot", "--lr", "0.5").Succeeded();
        Assert.Contains("1 batches of 8000", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stop_after_beyond_the_plan_runs_the_plan()
    {
        using var dir = new TempFolder();
        string path = dir.File("run.safetensors");
        SampleRun.Of("--epochs", "2", "--stop-after", "1", "--save", path, "--no-plot").Succeeded();

        // Epochs done + N must not overflow into "stop before starting".
        var run = SampleRun.Of("--resume", path, "--stop-after", "2147483647", "--save", path, "--no-plot").Succeeded();

        Assert.Contains("epoch 2/2 ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped after", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_is_generated_and_lists_every_option()
    {
        var run = SampleRun.Of("--help").Succeeded();
        foreach (string option in new[] { "--optimizer", "--lr", "--epochs", "--batch", "--seed", "--validation", "--save", "--resume",
                                           "--stop-after", "--plot", "--no-plot", "--data", "--device", "--help" })
            Assert.Contains(option + " ", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    private static void AssertOneLine(string error, string expected)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{error}");
        Assert.StartsWith("mnist: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        // A stack trace would name exception types; a message for the user does not.
        Assert.DoesNotContain("Exception", lines[0], StringComparison.Ordinal);
    }

    /// <summary>An MLP laid out like the sample's but with its own hidden width, standing in for "another model".</summary>
    private sealed class OtherMlp : ICompiledModel
    {
        private readonly float[] _parameters;

        public OtherMlp(int hidden)
        {
            var layout = new List<ParameterInfo>();
            int offset = 0;
            foreach (var (name, shape) in new[] { ("hidden.weight", new[] { 784, hidden }), ("hidden.bias", new[] { hidden }),
                                                  ("output.weight", new[] { hidden, 10 }), ("output.bias", new[] { 10 }) })
            {
                var info = new ParameterInfo(name, offset, shape, Init.Glorot);
                layout.Add(info);
                offset += info.Length;
            }
            ParameterLayout = layout;
            _parameters = new float[offset];
        }

        public Span<float> Parameters => _parameters;
        public ReadOnlySpan<float> Gradients => _parameters;
        public IReadOnlyList<ParameterInfo> ParameterLayout { get; }
        public float LearningRate { get; set; }
        public void InitializeParameters(int seed) => Array.Fill(_parameters, 0.5f);
    }
}
