using System;
using System.IO;
using Samples;

namespace Autoencoder;

/// <summary>
/// The denoising run: trains <see cref="DenoisingAutoencoder"/> to map digits with fresh noise each step back to the clean
/// digits, then measures it on the test digits under one fixed draw of noise and draws noisy / denoised / clean rows.
/// </summary>
internal static class Denoiser
{
    public static void Run(Options o, Digits.Set train, Digits.Set test, string picture, TextWriter output)
    {
        var model = new DenoisingAutoencoder(o.Seed);
        var random = new Random(o.Seed);
        // The test noise is drawn once, so every epoch's figure (and every run's) measures the same task.
        var noisyTest = new float[test.Pixels.Length];
        Pixels.AddNoise(test.Pixels, noisyTest, o.Noise, new Random(unchecked(o.Seed + 1)));
        double noisyMse = Pixels.SquaredError(noisyTest, test.Pixels) / test.Pixels.Length;
        output.WriteLine($"denoise: Gaussian noise of std {o.Noise} per pixel, clipped to [0, 1]; the noisy test digits are {noisyMse:F4} mean squared error from the clean ones");

        var (time, steps) = Epochs.Run("denoise", model, model.ComputeGradients, train, o.Epochs, o.Batch, o.LearningRate, o.Seed,
            (clean, noisy) => Pixels.AddNoise(clean, noisy, o.Noise, random),
            () => $"test mse {Measure(model, noisyTest, test).Mse:F4}", output);

        var (bce, mse, denoised) = Measure(model, noisyTest, test);
        int show = Math.Min(o.Show, test.Count), n = show * Digits.Pixels;
        var grid = new float[3 * n];
        noisyTest.AsSpan(0, n).CopyTo(grid);
        denoised.AsSpan(0, n).CopyTo(grid.AsSpan(n));
        test.Pixels.AsSpan(0, n).CopyTo(grid.AsSpan(2 * n));
        ImageGrid.Save(picture, grid, 3 * show, Digits.Side, Digits.Side, show);
        output.WriteLine($"wrote {picture} (rows: noisy, denoised, clean)");

        output.WriteLine($"denoise_test_bce {bce:F4} nats/pixel");
        output.WriteLine($"denoise_test_mse {mse:F4} per_pixel");
        output.WriteLine($"denoise_noisy_mse {noisyMse:F4} per_pixel");
        output.WriteLine($"denoise_train_time {Durations.Seconds(time)} s");
        output.WriteLine($"denoise_train_step_b{Math.Min(o.Batch, train.Count)} {time.TotalMilliseconds / steps:F3} ms");
    }

    /// <summary>Binary cross-entropy (the loss) and squared error per pixel of the denoised test digits, and the pictures.</summary>
    private static (double Bce, double Mse, float[] Denoised) Measure(DenoisingAutoencoder model, float[] noisy, Digits.Set test)
    {
        var denoised = new float[test.Pixels.Length];
        double bce = 0;
        for (int start = 0; start < test.Count; start += 500)
        {
            int rows = Math.Min(500, test.Count - start);
            var x = noisy.AsSpan(start * Digits.Pixels, rows * Digits.Pixels);
            var clean = test.Pixels.AsSpan(start * Digits.Pixels, rows * Digits.Pixels);
            bce += model.Evaluate(x, clean) * (double)rows;
            Pixels.Sigmoid(model.Predict(x), denoised.AsSpan(start * Digits.Pixels, rows * Digits.Pixels));
        }
        return (bce / test.Count, Pixels.SquaredError(denoised, test.Pixels) / test.Pixels.Length, denoised);
    }
}
