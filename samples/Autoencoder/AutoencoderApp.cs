using System.Diagnostics;
using System.IO;
using Samples;

namespace Autoencoder;

/// <summary>
/// The command line: trains the denoising autoencoder, the VAE or both on the MNIST digits (pixels in [0, 1], not
/// standardised: they are the targets), prints a progress line per epoch and the <c>denoise_*</c> and <c>vae_*</c>
/// figures, and writes PNG grids of what the models draw into --out.
/// </summary>
internal static class AutoencoderApp
{
    /// <summary>Runs the sample; returns the exit code. Every failure is one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        SampleHost.Run("autoencoder", Options.Command(), args, output, error, parsed => Train(Options.Read(parsed), output));

    private static int Train(Options o, TextWriter output)
    {
        var total = Stopwatch.StartNew();
        // The data folder is found first, so a run that cannot start leaves no empty --out folder behind.
        string dir = Digits.Folder(o.DataDir, "train");
        var files = OutputFolder.Prepare(o.OutDir, "denoise.png", "vae.safetensors", "vae-reconstructions.png", "vae-samples.png");
        var train = Digits.Load(dir, "train");
        var test = Digits.Load(dir, "t10k");
        output.WriteLine($"data: {train.Count} training and {test.Count} test digits from {dir}");
        if (o.Model is "both" or "denoise") Denoiser.Run(o, train, test, files[0], output);
        if (o.Model is "both" or "vae") VaeRun.Run(o, train, test, files[1], files[2], files[3], output);
        output.WriteLine($"autoencoder_wall_time {Durations.Seconds(total.Elapsed)} s");
        return 0;
    }
}
