using System;
using System.IO;
using System.Text;

namespace Dl.Samples.Tests;

/// <summary>Outputs that cannot be written: a checkpoint path that cannot be created (found before training), and a full stdout.</summary>
public class OutputTests
{
    [Fact]
    public void An_unwritable_checkpoint_is_refused_before_training()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data"));
        string file = dir.File("a-file");
        File.WriteAllText(file, "not a folder");
        var cases = new (string Weights, string Message)[]
        {
            (dir.File("missing/w.safetensors"), $"--weights {dir.File("missing/w.safetensors")}: the folder {dir.File("missing")} does not exist"),
            (data, $"--weights {data}: that is a folder; give a file name"),
            (Path.Combine(file, "w.safetensors"), $"--weights {Path.Combine(file, "w.safetensors")}: {file} is a file, not a folder"),
        };
        foreach (var (weights, message) in cases)
        {
            var run = SampleRun.Of("inference", "--train", "--epochs", "1", "--weights", weights, "--data", data);

            run.FailedWith(2, message);
            Assert.DoesNotContain("epoch", run.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("transfer")]
    [InlineData("autoencoder")]
    public void An_out_folder_that_cannot_be_made_is_one_line_before_any_training(string sample)
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data")), file = dir.File("taken");
        File.WriteAllText(file, "a file where a folder would go");
        string under = Path.Combine(file, "pictures");

        var run = SampleRun.Of(sample, "--data", data, "--out", under).FailedWith(1, $"--out {under}: cannot make the folder");
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void A_folder_given_as_the_checkpoint_to_load_is_refused()
    {
        using var dir = new TempFolder();

        SampleRun.Of("inference", "--weights", dir.Path).FailedWith(2, $"--weights {dir.Path}: that is a folder, not a checkpoint");
    }

    [Theory]
    [InlineData("lenet")]
    [InlineData("adversarial")]
    [InlineData("inference --train")]
    [InlineData("transfer")]
    [InlineData("autoencoder")]
    public void A_stdout_that_fails_is_one_line_on_stderr(string run)
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data"));
        string sample = run.Split(' ')[0];

        var result = SampleRun.Of(sample, new FullDevice(), BadDataTests.Arguments(run, data, dir));

        result.FailedWith(1, "No space left on device");
    }

    /// <summary>Standard output redirected to a full disk: every write fails.</summary>
    private sealed class FullDevice : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => throw new IOException("No space left on device");

        public override void Write(string? value) => throw new IOException("No space left on device");

        public override void WriteLine(string? value) => throw new IOException("No space left on device");

        public override string ToString() => "";
    }
}
