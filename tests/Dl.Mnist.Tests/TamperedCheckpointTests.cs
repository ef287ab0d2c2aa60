using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dl.Checkpoints;
using Mnist;

namespace Dl.Mnist.Tests;

/// <summary>
/// The settings a resumed run takes from its checkpoint are validated like the command line's: an edited file
/// (its checksum rewritten, so only the values are wrong) is refused with one line naming the file and the key,
/// and is left as it was. A byte edited without the checksum is refused by the checksum.
/// </summary>
public class TamperedCheckpointTests
{
    [Theory]
    [InlineData("mnist.epochs", "0", "its mnist.epochs is '0', not a positive integer")]
    [InlineData("mnist.epochs", "-5", "its mnist.epochs is '-5', not a positive integer")]
    [InlineData("mnist.batch", "-32", "its mnist.batch is '-32', not a positive integer")]
    [InlineData("mnist.batch", "2147483647", "its mnist.batch 2147483647 is more than the 7200 training digits")]
    [InlineData("mnist.batch", "2739138", "its mnist.batch 2739138 is more than the 7200 training digits")]
    [InlineData("mnist.validation", "NaN", "its mnist.validation is 'NaN', not a fraction in [0, 1)")]
    [InlineData("mnist.validation", "1", "its mnist.validation is '1', not a fraction in [0, 1)")]
    [InlineData("mnist.lr", "NaN", "its mnist.lr is 'NaN', not a positive number")]
    [InlineData("mnist.lr", "-0.2", "its mnist.lr is '-0.2', not a positive number")]
    [InlineData("mnist.lr", "Infinity", "its mnist.lr is 'Infinity', not a positive number")]
    [InlineData("mnist.epochs", "five", "mnist.epochs 'five' in its metadata is not a number")]
    public void A_tampered_setting_is_refused_on_resume_with_one_line(string key, string value, string message)
    {
        using var dir = new TempFolder();
        string path = dir.File("run.safetensors"), plot = dir.File("curves.png");
        SampleRun.Of("--epochs", "2", "--stop-after", "1", "--save", path, "--no-plot").Succeeded();
        Rewrite(path, key, value);
        byte[] before = File.ReadAllBytes(path);

        var run = SampleRun.Of("--resume", path, "--save", path, "--plot", plot);

        run.Refused(1, $"{path}: ");
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(plot));
    }

    [Fact]
    public void A_setting_edited_in_place_is_refused_by_the_checksum()
    {
        using var dir = new TempFolder();
        string path = dir.File("run.safetensors");
        SampleRun.Of("--epochs", "2", "--stop-after", "1", "--save", path, "--no-plot").Succeeded();
        byte[] bytes = File.ReadAllBytes(path);
        byte[] from = System.Text.Encoding.UTF8.GetBytes("\"mnist.batch\":\"32\""), to = System.Text.Encoding.UTF8.GetBytes("\"mnist.batch\":\"64\"");
        int at = bytes.AsSpan().IndexOf(from);
        Assert.True(at > 0);
        to.CopyTo(bytes, at);
        File.WriteAllBytes(path, bytes);

        var run = SampleRun.Of("--resume", path, "--save", path, "--no-plot");

        run.Refused(1, $"{path}: the header has checksum ");
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void The_checkpoint_records_the_inputs_standardisation_for_inference()
    {
        using var dir = new TempFolder();
        string path = dir.File("run.safetensors");
        SampleRun.Of("--epochs", "1", "--save", path, "--no-plot").Succeeded();
        var settings = Trainer.ReadSettings(path);
        var data = TestData.Prepared(settings);

        var meta = Checkpoint.ReadMetadata(path);

        Assert.Equal(data.Mean, float.Parse(meta["input.mean"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(data.Std, float.Parse(meta["input.std"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Sgd", meta[Checkpoint.OptimizerKey]);
    }

    /// <summary>Saves the checkpoint again with one metadata value changed, through the checkpoint API (so its checksum is valid).</summary>
    private static void Rewrite(string path, string key, string value)
    {
        var settings = Trainer.ReadSettings(path);
        var model = new MnistMlp();
        var optimizer = OptimizerChoice.Create(settings.Optimizer, settings.LearningRate);
        Checkpoint.Load(path, model, optimizer);
        var metadata = Checkpoint.ReadMetadata(path).Where(kv => !kv.Key.StartsWith("dl.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.True(metadata.ContainsKey(key), key);
        metadata[key] = value;
        Checkpoint.Save(path, model, optimizer, metadata);
    }
}
