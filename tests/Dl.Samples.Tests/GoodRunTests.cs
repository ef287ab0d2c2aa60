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

    [Fact]
    public void CharRnn_learns_the_shipped_text_and_writes_from_the_prime()
    {
        using var dir = new TempFolder();
        string plot = dir.File("bpc.png");

        var run = SampleRun.Of("charrnn", "--limit", "30000", "--epochs", "3", "--batch", "16", "--sample", "50", "--prime", "And he said",
            "--plot", plot).Succeeded();

        Assert.Contains("30,000 characters from ", run.Line("text: "), StringComparison.Ordinal);
        Assert.Contains("kjv-gospels-acts.txt", run.Line("text: "), StringComparison.Ordinal);
        // log2(96) = 6.58 bits is a model that knows nothing; three short epochs get well under 5.
        double bits = Number(run.Line("charrnn_validation_bpc"));
        Assert.True(bits < 5.0, $"validation {bits} bits/char after three epochs:\n{run.Output}");
        string sample = run.Output.Split("sample at temperature 0.7:\n")[1].Split("\ncurves: ")[0].ReplaceLineEndings("\n");
        Assert.StartsWith("And he said", sample, StringComparison.Ordinal);
        Assert.Equal("And he said".Length + 50, sample.Length);
        Assert.True(File.ReadAllBytes(plot).Length > 1000, "no curve written");
        run.Line("charrnn_train_step_b16 ");
    }

    [Fact]
    public void CharRnn_reads_any_text_and_counts_what_is_not_ascii()
    {
        using var dir = new TempFolder();
        string text = dir.File("poem.txt");
        File.WriteAllText(text, string.Concat(System.Linq.Enumerable.Repeat("Sing, O goddess, the anger of Achilles \u2014 son of Peleus.\r\n", 400)));

        var run = SampleRun.Of("charrnn", "--text", text, "--epochs", "1", "--batch", "8", "--sample", "10", "--plot", dir.File("c.png")).Succeeded();

        Assert.Contains("; 400 characters outside printable ASCII read as '?'", run.Line("text: "), StringComparison.Ordinal);
        Assert.Contains("to train on", run.Line("text: "), StringComparison.Ordinal);
    }

    [Fact]
    public void CharRnn_refuses_a_text_too_short_for_a_batch_and_a_binary_file()
    {
        using var dir = new TempFolder();
        string shortText = dir.File("short.txt"), binary = dir.File("weights.bin"), missing = dir.File("none.txt");
        File.WriteAllText(shortText, "In the beginning was the Word.\n");
        File.WriteAllBytes(binary, [0x50, 0x4b, 0x03, 0x04, 0, 0, 0x41, 0x42]);

        SampleRun.Of("charrnn", "--text", shortText).FailedWith(1, "31 characters are too few; --batch 32 needs at least 2,311");
        SampleRun.Of("charrnn", "--text", binary).FailedWith(1, "a NUL character at offset 4; this is not a text file");
        SampleRun.Of("charrnn", "--text", missing).FailedWith(1, $"--text {missing}: no such file");
    }

    [Theory]
    [InlineData("lenet", "--weight-decay <X>")]
    [InlineData("adversarial", "--epochs <N>")]
    [InlineData("inference", "--weights <PATH>")]
    [InlineData("sequential-mnist", "--cell <lstm|gru|rnn>")]
    [InlineData("charrnn", "--temperature <X>")]
    [InlineData("transfer", "--per-class <N>")]
    [InlineData("autoencoder", "--model <both|denoise|vae>")]
    public void Help_lists_the_options_with_their_defaults(string sample, string option)
    {
        var run = SampleRun.Of(sample, "--help").Succeeded();

        Assert.Contains($"Usage:\n  {sample} [options]", run.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains(option, run.Output, StringComparison.Ordinal);
        Assert.Contains("[default: ", run.Output, StringComparison.Ordinal);
    }

    private static double Percent(string line) => double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);

    private static double Number(string line) => Percent(line);
}
