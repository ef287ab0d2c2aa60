using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Dl.Checkpoints;
using Samples;
using SkiaSharp;
using Transfer;

namespace Dl.Samples.Tests;

/// <summary>
/// samples/Transfer on the small test digits: the convolutions it loads are the pretrained ones and stay bit for bit
/// through fine-tuning while the fresh head trains; it reports the load, prints its figures and draws the curves.
/// </summary>
public class TransferTests
{
    private const int Seed = 3;

    private static (SampleRun Run, string Out) TinyRun(TempFolder dir, params string[] more)
    {
        string data = TestDigits.WriteGood(dir.File("data")), output = dir.File("out/nested");
        var run = SampleRun.Of("transfer", ["--pretrain-epochs", "1", "--epochs", "2", "--per-class", "4", "--batch", "8",
            "--seed", Seed.ToString(CultureInfo.InvariantCulture), "--data", data, "--out", output, .. more]).Succeeded();
        return (run, output);
    }

    [Fact]
    public void Frozen_convolutions_are_the_pretrained_ones_bit_for_bit_and_the_head_trains()
    {
        using var dir = new TempFolder();
        var (_, output) = TinyRun(dir);

        var pretrained = Checkpoint.ReadTensors(Path.Combine(output, "pretrained.safetensors"));
        var tuned = Checkpoint.ReadTensors(Path.Combine(output, "transferred.safetensors"));
        var fresh = new HighDigitsNet(TransferApp.HeadSeed(Seed));
        foreach (string name in new[] { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias" })
        {
            // Equal as bits: a frozen tensor touched by weight decay or momentum would differ in the last place.
            Assert.Equal(Bits(pretrained[name].Values), Bits(tuned[name].Values));
            if (name.EndsWith(".weight", StringComparison.Ordinal))
                Assert.NotEqual(Bits(Initial(fresh, name)), Bits(tuned[name].Values));   // loaded, not the new model's own start
        }
        foreach (string name in new[] { "head1.weight", "head2.weight", "head2.bias" })
        {
            Assert.False(pretrained.ContainsKey(name), $"{name} should be new to the transferred model");
            int changed = Initial(fresh, name).Zip(tuned[name].Values).Count(p => p.First != p.Second);
            Assert.True(changed > tuned[name].Values.Length / 2, $"{name}: only {changed} of {tuned[name].Values.Length} values trained");
        }
    }

    [Fact]
    public void It_reports_the_load_prints_its_figures_and_draws_both_curves()
    {
        using var dir = new TempFolder();
        var (run, output) = TinyRun(dir);

        Assert.Equal("loaded:     conv1.weight, conv1.bias, conv2.weight, conv2.bias", run.Line("loaded: "));
        Assert.StartsWith("missing:    head1.weight, head1.bias, head2.weight, head2.bias", run.Line("missing: "), StringComparison.Ordinal);
        Assert.StartsWith("unexpected: fc1.weight, fc1.bias, fc2.weight, fc2.bias, fc3.weight, fc3.bias", run.Line("unexpected: "), StringComparison.Ordinal);
        Assert.Equal("checked: the 4 frozen tensors are bit for bit what the checkpoint held", run.Line("checked: "));
        Assert.Matches(@"^data: \d+ training digits 0-4, 20 of 5-9 \(4 each\), \d+ \+ \d+ test digits", run.Line("data: "));
        Assert.Matches(@"^transfer 5-9 epoch 2/2  loss \d+\.\d{4}  test acc \d+\.\d\d%", run.Line("transfer 5-9 epoch 2/2"));
        Assert.Matches(@"^scratch 5-9 epoch 2/2  loss ", run.Line("scratch 5-9 epoch 2/2"));
        foreach (string figure in new[] { "transfer_pretrain_accuracy", "transfer_accuracy", "scratch_accuracy", "transfer_unfrozen_accuracy" })
        {
            double value = Number(run.Line(figure + " "), "ratio");
            Assert.InRange(value, 0, 1);
        }
        Assert.Equal("transfer_labels 20 digits", run.Line("transfer_labels "));
        foreach (string figure in new[] { "transfer_pretrain_time", "transfer_finetune_time", "scratch_train_time", "transfer_wall_time" })
            Assert.True(Number(run.Line(figure + " "), "s") > 0, figure);
        using var png = SKBitmap.Decode(Path.Combine(output, "transfer-curves.png"));
        Assert.NotNull(png);
        Assert.Equal((1000, 400), (png.Width, png.Height));
    }

    [Fact]
    public void The_predictions_picture_inverts_as_many_captions_as_each_model_got_wrong()
    {
        using var dir = new TempFolder();
        var (run, output) = TinyRun(dir);
        int high = Dl.Data.Idx.ReadLabels(TestDigits.LabelsPath(dir.File("data"), "t10k")).Count(label => label >= 5);
        int shown = Math.Min(12, high);
        var said = System.Text.RegularExpressions.Regex.Match(run.Line("wrote "), @"frozen transfer \((\d+) wrong\), scratch \((\d+)\) and all-trained transfer \((\d+)\)");
        Assert.True(said.Success, run.Line("wrote "));

        using var png = SKBitmap.Decode(Path.Combine(output, "transfer-predictions.png"));

        Assert.Equal(ImageGrid.Size(3 * shown, PredictionPicture.CellRows, 28, shown), (png.Width, png.Height));
        for (int model = 0; model < 3; model++)
        {
            // The caption strip's top-left pixel: white behind a wrong prediction, black behind a right one.
            int inverted = Enumerable.Range(0, shown).Count(n => png.GetPixel(2 + n * 58, 2 + model * (2 * PredictionPicture.CellRows + 2) + 2 * 28).Red == 255);
            Assert.Equal(int.Parse(said.Groups[model + 1].Value, CultureInfo.InvariantCulture), inverted);
        }
    }

    [Fact]
    public void Too_few_digits_of_a_class_is_one_line_naming_it()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data"));

        SampleRun.Of("transfer", "--per-class", "1000", "--data", data, "--out", dir.File("out"))
            .FailedWith(2, "training digits 5;", "--per-class 1000 needs that many of each of 5-9");
    }

    [Fact]
    public void An_out_that_is_a_file_is_refused_before_training()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data")), file = dir.File("taken");
        File.WriteAllText(file, "x");

        var run = SampleRun.Of("transfer", "--data", data, "--out", file).FailedWith(2, $"--out {file}: that is a file; give a folder");
        Assert.DoesNotContain("epoch", run.Output, StringComparison.Ordinal);
    }

    private static float[] Initial(HighDigitsNet model, string name)
    {
        var p = model.ParameterLayout.Single(q => q.Name == name);
        return model.Parameters.Slice(p.Offset, p.Length).ToArray();
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>The value of a "name value unit" line, after checking the unit.</summary>
    private static double Number(string line, string unit)
    {
        var parts = line.Split(' ');
        Assert.True(parts.Length == 3 && parts[2] == unit, $"'{line}' is not 'name value {unit}'");
        return double.Parse(parts[1], CultureInfo.InvariantCulture);
    }
}
