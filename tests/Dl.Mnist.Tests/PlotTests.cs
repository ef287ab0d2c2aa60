using System;
using System.IO;
using System.Linq;

namespace Dl.Mnist.Tests;

/// <summary>The curves really land in a PNG (ScottPlot over SkiaSharp's native library), or not at all when asked.</summary>
public class PlotTests
{
    [Fact]
    public void The_curves_are_written_as_a_png_where_asked()
    {
        using var dir = new TempFolder();
        string plot = dir.File("curves.png");

        var run = SampleRun.Of("--epochs", "2", "--plot", plot).Succeeded();

        Assert.Equal("curves: " + plot, run.Line("curves: "));
        byte[] png = File.ReadAllBytes(plot);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png.Take(8));
        // Width and height from the IHDR chunk: the 1000 x 400 figure, not an empty placeholder.
        Assert.Equal(1000, ReadBigEndian(png, 16));
        Assert.Equal(400, ReadBigEndian(png, 20));
        Assert.True(png.Length > 10_000, $"{png.Length} bytes is too small for two plotted panels");
        Assert.Equal("", run.Error);
    }

    // The only test that uses the default path; the others name their own file or pass --no-plot.
    [Fact]
    public void The_default_plot_goes_to_the_current_folder_and_no_plot_writes_none()
    {
        string defaultPlot = Path.Combine(Directory.GetCurrentDirectory(), "mnist-curves.png");
        File.Delete(defaultPlot);
        try
        {
            SampleRun.Of("--epochs", "1").Succeeded();
            Assert.True(File.Exists(defaultPlot));
            File.Delete(defaultPlot);

            var run = SampleRun.Of("--epochs", "1", "--no-plot").Succeeded();

            Assert.DoesNotContain("curves:", run.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(defaultPlot));
        }
        finally
        {
            File.Delete(defaultPlot);
        }
    }

    private static int ReadBigEndian(byte[] bytes, int offset) =>
        (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
}
