using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Autoencoder;
using Dl.Checkpoints;
using Samples;
using SkiaSharp;

namespace Dl.Samples.Tests;

/// <summary>
/// samples/Autoencoder on the small test digits: it denoises (better than the noisy input), the VAE's test loss falls,
/// the pictures are PNGs of the promised size with the clean digits where they belong, and the stand-alone decoder
/// filled from the VAE's checkpoint decodes exactly as the VAE's own decoder half does.
/// </summary>
public class AutoencoderTests
{
    private const int Show = 4;

    [Fact]
    public void It_denoises_the_vae_learns_and_both_draw_their_pictures()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data")), output = dir.File("pictures");

        var run = SampleRun.Of("autoencoder", "--epochs", "20", "--vae-epochs", "6", "--batch", "16", "--lr", "0.003", "--show", Show.ToString(CultureInfo.InvariantCulture),
            "--data", data, "--out", output).Succeeded();

        // 120 steps take the denoised test digits well below the noise's own error.
        double denoised = Number(run.Line("denoise_test_mse "), "per_pixel"), noisy = Number(run.Line("denoise_noisy_mse "), "per_pixel");
        Assert.True(denoised < 0.8 * noisy, $"denoised {denoised}, noisy {noisy}:\n{run.Output}");
        Assert.InRange(Number(run.Line("denoise_test_bce "), "nats/pixel"), 0, 1);
        double first = TestLoss(run.Line("vae epoch 1/6")), last = TestLoss(run.Line("vae epoch 6/6"));
        Assert.True(last < first, $"VAE test loss {first} after epoch 1, {last} after epoch 6");
        Assert.Equal(last, Number(run.Line("vae_test_loss "), "nats/digit"), 2);
        Assert.True(Number(run.Line("vae_test_kl "), "nats/digit") >= 0);
        Assert.True(Number(run.Line("vae_test_reconstruction "), "nats/digit") > 0);
        foreach (string figure in new[] { "denoise_train_time", "vae_train_time", "autoencoder_wall_time" })
            Assert.True(Number(run.Line(figure + " "), "s") > 0, figure);
        run.Line("denoise_train_step_b16 ");
        run.Line("vae_train_step_b16 ");
        Assert.Contains("skipped the encoder's encoder.weight", run.Line("decoder: loaded decoderHidden.weight"), StringComparison.Ordinal);

        var testDigits = Dl.Data.Idx.ReadImages(TestDigits.ImagesPath(data, "t10k")).Pixels;
        using (var denoise = Decode(Path.Combine(output, "denoise.png"), 3 * Show))
            AssertRowIsDigits(denoise, row: 2, testDigits);   // noisy, denoised, clean
        using (var reconstructions = Decode(Path.Combine(output, "vae-reconstructions.png"), 2 * Show))
            AssertRowIsDigits(reconstructions, row: 0, testDigits);
        Decode(Path.Combine(output, "vae-samples.png"), Show * Show).Dispose();
    }

    [Fact]
    public void The_decoder_filled_from_a_vae_checkpoint_decodes_as_the_vae_does()
    {
        using var dir = new TempFolder();
        string path = dir.File("vae.safetensors");
        var vae = new Vae(7);
        var x = Enumerable.Range(0, 3 * Vae.Pixels).Select(i => (i * 31 % 97) / 96f).ToArray();
        Checkpoint.Save(path, vae);
        var decoder = new VaeDecoder(8);

        var report = Checkpoint.Load(path, decoder, new LoadOptions { Strict = false });

        Assert.Empty(report.Missing);
        Assert.Equal(4, report.Loaded.Count);
        // Predict draws no noise, so z is mu: the decoder given mu must give the VAE's logits.
        const int width = Vae.Pixels + 2 * Vae.Code;
        var y = vae.Predict(x).ToArray();
        var mu = Enumerable.Range(0, 3).SelectMany(r => y.Skip(r * width + Vae.Pixels).Take(Vae.Code)).ToArray();
        var decoded = decoder.Predict(mu).ToArray();
        for (int r = 0; r < 3; r++)
            for (int i = 0; i < Vae.Pixels; i++)
                Assert.Equal(y[r * width + i], decoded[r * Vae.Pixels + i], 4);
    }

    [Fact]
    public void One_model_alone_writes_only_its_own_pictures()
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data")), output = dir.File("out");

        var run = SampleRun.Of("autoencoder", "--model", "vae", "--vae-epochs", "1", "--data", data, "--out", output).Succeeded();

        Assert.DoesNotContain("denoise_", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "denoise.png")));
        Assert.True(File.Exists(Path.Combine(output, "vae-samples.png")));
    }

    private static SKBitmap Decode(string path, int images)
    {
        var bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap is not null, $"{path} is not a PNG a decoder reads");
        Assert.Equal(ImageGrid.Size(images, 28, 28, Show), (bitmap.Width, bitmap.Height));
        return bitmap;
    }

    /// <summary>Row <paramref name="row"/> of the grid (scale 2, gap 2) shows the first test digits as they are.</summary>
    private static void AssertRowIsDigits(SKBitmap grid, int row, float[] digits)
    {
        for (int n = 0; n < Show; n++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    byte expected = ImageGrid.Gray(digits[n * 784 + y * 28 + x]);
                    var pixel = grid.GetPixel(2 + n * 58 + 2 * x + 1, 2 + row * 58 + 2 * y + 1);
                    Assert.True(pixel.Red == expected, $"digit {n} pixel ({x},{y}): {pixel.Red}, expected {expected}");
                }
    }

    private static double TestLoss(string line) =>
        double.Parse(Regex.Match(line, @"test loss (\d+\.\d+) nats/digit").Groups[1].Value, CultureInfo.InvariantCulture);

    private static double Number(string line, string unit)
    {
        var parts = line.Split(' ');
        Assert.True(parts.Length == 3 && parts[2] == unit, $"'{line}' is not 'name value {unit}'");
        return double.Parse(parts[1], CultureInfo.InvariantCulture);
    }
}
