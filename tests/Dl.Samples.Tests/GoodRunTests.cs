using System;
using System.Globalization;
using System.IO;

namespace Dl.Samples.Tests;

/// <summary>The samples still do their job on good data, and --help is generated from the options.</summary>
public class GoodRunTests
{
    [Fact]
    public void LeNet_trains_an_epoch_and_prints_its_figures()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data"));

        var run = SampleRun.Of("lenet", "--epochs", "1", "--batch", "16", "--data", data).Succeeded();

        Assert.StartsWith($"data: {TestDigits.TrainCount} training and {TestDigits.TestCount} test digits", run.Line("data: "), StringComparison.Ordinal);
        Assert.Matches(@"^lenet_test_accuracy \d+\.\d\d %$", run.Line("lenet_test_accuracy"));
        Assert.Equal("lenet_epochs 1 epochs", run.Line("lenet_epochs"));
        run.Line("lenet_train_step_b16 ");
    }

    [Fact]
    public void Adversarial_attacks_after_an_epoch_and_accuracy_falls_with_epsilon()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data"));

        var run = SampleRun.Of("adversarial", "--epochs", "1", "--data", data).Succeeded();

        double clean = Percent(run.Line("fgsm_test_accuracy_eps_0.00")), attacked = Percent(run.Line("fgsm_test_accuracy_eps_0.30"));
        Assert.True(attacked <= clean, $"accuracy rose under attack: {clean} % clean, {attacked} % at eps 0.30");
        run.Line("fgsm_wall_time ");
    }

    [Fact]
    public void Inference_trains_saves_loads_and_classifies()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data")), weights = dir.File("mlp.safetensors");

        SampleRun.Of("inference", "--train", "--epochs", "2", "--weights", weights, "--data", data).Succeeded();
        var run = SampleRun.Of("inference", "--weights", weights, "--repeat", "1", "--data", data).Succeeded();

        Assert.Equal($"mnist_inference_images {TestDigits.TestCount} images", run.Line("mnist_inference_images"));
        Assert.Contains("input.mean and input.std in the checkpoint", run.Line("scaling: "), StringComparison.Ordinal);
        Assert.True(Percent(run.Line("mnist_inference_accuracy")) > 30, run.Output);
        run.Line("latency_per_image_p50 ");
    }

    [Theory]
    [InlineData("lstm", "sequential_mnist_lstm")]
    [InlineData("gru", "sequential_mnist_gru2_bi", "--layers", "2", "--bidirectional")]
    [InlineData("rnn", "sequential_mnist_rnn_bi", "--bidirectional")]
    public void SequentialMnist_trains_each_cell_and_draws_its_curves(string cell, string stem, params string[] more)
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data")), plot = dir.File("curves.png");

        var run = SampleRun.Of("sequential-mnist", ["--cell", cell, "--epochs", "1", "--batch", "16", "--data", data, "--plot", plot, .. more]).Succeeded();

        Assert.Contains(cell.ToUpperInvariant() + "(28, 128)", run.Line("model: "), StringComparison.Ordinal);
        Assert.Matches(@"^epoch 1/1  loss \d+\.\d{4}  test acc \d+\.\d\d%", run.Line("epoch 1/1"));
        Assert.Matches($@"^{stem}_test_accuracy \d+\.\d\d %$", run.Line(stem + "_test_accuracy"));
        Assert.Equal($"{stem}_epochs 1 epochs", run.Line(stem + "_epochs"));
        run.Line($"{stem}_train_step_b16 ");
        var png = File.ReadAllBytes(plot);
        Assert.True(png.Length > 1000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', $"{plot} is not a PNG ({png.Length} bytes)");
    }

    [Theory]
    [InlineData("lenet", "--weight-decay <X>")]
    [InlineData("adversarial", "--epochs <N>")]
    [InlineData("inference", "--weights <PATH>")]
    [InlineData("sequential-mnist", "--cell <lstm|gru|rnn>")]
    public void Help_lists_the_options_with_their_defaults(string sample, string option)
    {
        var run = SampleRun.Of(sample, "--help").Succeeded();

        Assert.Contains($"Usage:\n  {sample} [options]", run.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains(option, run.Output, StringComparison.Ordinal);
        Assert.Contains("[default: ", run.Output, StringComparison.Ordinal);
    }

    private static double Percent(string line) => double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
}
