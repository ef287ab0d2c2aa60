using System;
using System.Collections.Generic;
using System.IO;
using Dl.Checkpoints;
using Samples;

namespace Autoencoder;

/// <summary>
/// The VAE run: trains <see cref="Vae"/> on the clean digits, measures the negative ELBO and its two parts on the test
/// digits, draws test digits over their reconstructions, saves the VAE, loads its decoder half into a
/// <see cref="VaeDecoder"/> (non-strict, the names match) and draws digits decoded from codes drawn from N(0, I).
/// </summary>
internal static class VaeRun
{
    public static void Run(Options o, Digits.Set train, Digits.Set test, string checkpoint, string reconstructions, string samples, TextWriter output)
    {
        var vae = new Vae(o.Seed);
        var (time, steps) = Epochs.Run("vae", vae, vae.ComputeGradients, train, o.VaeEpochs, o.Batch, o.LearningRate, o.Seed, null,
            () => $"test loss {Measure(vae, test).Loss:F2} nats/digit", output);

        var m = Measure(vae, test);
        int show = Math.Min(o.Show, test.Count), n = show * Digits.Pixels;
        var grid = new float[2 * n];
        test.Pixels.AsSpan(0, n).CopyTo(grid);
        m.Reconstructions.AsSpan(0, n).CopyTo(grid.AsSpan(n));
        ImageGrid.Save(reconstructions, grid, 2 * show, Digits.Side, Digits.Side, show);

        Checkpoint.Save(checkpoint, vae);
        var decoder = new VaeDecoder(o.Seed);
        var report = Checkpoint.Load(checkpoint, decoder, new LoadOptions { Strict = false });
        // Every decoder parameter must come from the VAE: a missing one would decode with random weights.
        if (report.Missing.Count > 0) throw new InvalidOperationException("the VAE checkpoint lacks " + string.Join(", ", report.Missing));
        output.WriteLine($"decoder: loaded {string.Join(", ", report.Loaded)} from {checkpoint}; skipped the encoder's {string.Join(", ", report.Unexpected)}");
        int count = show * show;
        var codes = Pixels.Normal(count * Vae.Code, new Random(unchecked(o.Seed + 2)));
        var drawn = new float[count * Digits.Pixels];
        Pixels.Sigmoid(decoder.Predict(codes), drawn);
        ImageGrid.Save(samples, drawn, count, Digits.Side, Digits.Side, show);
        output.WriteLine($"wrote {reconstructions} (rows: test digits, reconstructions) and {samples} ({count} codes from N(0, I) decoded)");

        output.WriteLine($"vae_test_loss {m.Loss:F2} nats/digit");
        output.WriteLine($"vae_test_reconstruction {m.Reconstruction:F2} nats/digit");
        output.WriteLine($"vae_test_kl {m.Kl:F2} nats/digit");
        output.WriteLine($"vae_test_mse {m.Mse:F4} per_pixel");
        output.WriteLine($"vae_train_time {Durations.Seconds(time)} s");
        output.WriteLine($"vae_train_step_b{Math.Min(o.Batch, train.Count)} {time.TotalMilliseconds / steps:F3} ms");
    }

    /// <summary>Test figures with z = mu (Predict draws no noise): loss, its reconstruction and KL parts, squared error, pictures.</summary>
    private sealed record Figures(double Loss, double Reconstruction, double Kl, double Mse, float[] Reconstructions);

    private static Figures Measure(Vae vae, Digits.Set test)
    {
        const int width = Vae.Pixels + 2 * Vae.Code;
        var pictures = new float[test.Pixels.Length];
        double loss = 0, kl = 0;
        for (int start = 0; start < test.Count; start += 500)
        {
            int rows = Math.Min(500, test.Count - start);
            var x = test.Pixels.AsSpan(start * Digits.Pixels, rows * Digits.Pixels);
            loss += vae.Evaluate(x, x) * (double)rows;
            var y = vae.Predict(x);
            for (int r = 0; r < rows; r++)
            {
                var row = y.Slice(r * width, width);
                Pixels.Sigmoid(row[..Vae.Pixels], pictures.AsSpan((start + r) * Digits.Pixels, Digits.Pixels));
                var mu = row.Slice(Vae.Pixels, Vae.Code);
                var logVar = row.Slice(Vae.Pixels + Vae.Code, Vae.Code);
                for (int k = 0; k < Vae.Code; k++) kl += -0.5 * (1 + logVar[k] - (double)mu[k] * mu[k] - Math.Exp(logVar[k]));
            }
        }
        loss /= test.Count;
        kl /= test.Count;
        return new Figures(loss, loss - kl, kl, Pixels.SquaredError(pictures, test.Pixels) / test.Pixels.Length, pictures);
    }
}
