using System;
using System.Globalization;
using System.IO;

namespace Dl.Samples.Tests;

/// <summary>samples/Gan: one short run draws its grids and curves and prints its figures; bad data is one line.</summary>
public class GanSampleTests
{
    [Fact]
    public void Gan_trains_an_epoch_draws_its_digits_and_prints_the_verdict()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data"));
        string output = dir.File("out");

        var run = SampleRun.Of("gan", "--epochs", "2", "--batch", "16", "--judge-epochs", "1", "--data", data, "--out", output).Succeeded();

        foreach (string grid in new[] { "gan-epoch-01.png", "gan-epoch-02.png" })
        {
            byte[] png = File.ReadAllBytes(Path.Combine(output, grid));
            var (width, height) = global::Samples.ImageGrid.Size(64, 28, 28, columns: 8);
            // The IHDR's width and height, big-endian at bytes 16 and 20 of a PNG.
            Assert.Equal(width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        }
        Assert.True(new FileInfo(Path.Combine(output, "gan-losses.png")).Length > 1000);
        double share = double.Parse(run.Line("gan_confident_share ").Split(' ')[1], CultureInfo.InvariantCulture);
        Assert.InRange(share, 0, 1);
        Assert.Matches(@"^gan_confident_classes \d+ classes$", run.Line("gan_confident_classes"));
        Assert.Equal("gan_epochs 2 epochs", run.Line("gan_epochs"));
        // Both players learned something finite: a NaN loss would print "NaN".
        Assert.DoesNotContain("NaN", run.Output, StringComparison.Ordinal);
        run.Line("gan_step_b16 ");
    }

    [Theory]
    [InlineData("missing labels file")]
    [InlineData("truncated gzip")]
    public void Gan_names_a_bad_data_file_in_one_line(string damage)
    {
        using var dir = new TempFolder();
        string data = dir.File("data");
        string[] expected = TestDigits.WriteDamaged(data, "train", damage);

        SampleRun.Of("gan", "--epochs", "1", "--data", data, "--out", dir.File("out")).FailedWith(1, expected);
    }

    [Fact]
    public void Gan_refuses_a_batch_larger_than_the_training_digits()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data"));

        SampleRun.Of("gan", "--batch", "1000", "--data", data, "--out", dir.File("out")).FailedWith(2, "--batch 1000");
    }
}
