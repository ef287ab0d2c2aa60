using System.CommandLine;
using Samples;

namespace Autoencoder;

/// <summary>Command-line options. The defaults (10 denoiser epochs, 20 VAE epochs over the 8,000 digits) run in about 75 seconds on two cores.</summary>
internal sealed record Options(string Model, int Epochs, int VaeEpochs, int Batch, float LearningRate, float Noise, int Show, int Seed, string? DataDir, string OutDir)
{
    private static readonly Option<string> ModelOption = SampleOptions.Choice("--model", "both", ["both", "denoise", "vae"], "Which autoencoder to train");
    private static readonly Option<int> EpochsOption = SampleOptions.Integer("--epochs", 10, 1, int.MaxValue, "Epochs of the denoising autoencoder");
    private static readonly Option<int> VaeEpochsOption = SampleOptions.Integer("--vae-epochs", 20, 1, int.MaxValue, "Epochs of the VAE");
    private static readonly Option<int> BatchOption = SampleOptions.Integer("--batch", 64, 1, int.MaxValue, "Digits per step");
    private static readonly Option<float> RateOption = SampleOptions.Number("--lr", 1e-3f, 0, float.PositiveInfinity, "Adam's learning rate, both models", minExclusive: true);
    private static readonly Option<float> NoiseOption = SampleOptions.Number("--noise", 0.5f, 0, 10,
        "Standard deviation of the Gaussian noise added to each pixel (then clipped to [0, 1]) for the denoiser");
    private static readonly Option<int> ShowOption = SampleOptions.Integer("--show", 10, 1, 100, "Test digits per row of the pictures");
    private static readonly Option<int> SeedOption = SampleOptions.Integer("--seed", 1, int.MinValue, int.MaxValue, "Fixes initialisation, data order and noise");
    private static readonly Option<string> DataOption = SampleOptions.Path("--data", "DIR",
        "Folder with the MNIST IDX files (default: data/mnist in this folder, a parent or beside the executable)");
    private static readonly Option<string> OutOption = SampleOptions.Path("--out", "DIR",
        "Folder for the PNG pictures and the VAE checkpoint (made if missing)", "autoencoder-output");

    public static RootCommand Command() => new("Trains a convolutional denoising autoencoder and a VAE on the MNIST digits and draws what they make.")
    {
        ModelOption, EpochsOption, VaeEpochsOption, BatchOption, RateOption, NoiseOption, ShowOption, SeedOption, DataOption, OutOption,
    };

    public static Options Read(ParseResult parsed) => new(
        parsed.GetValue(ModelOption)!, parsed.GetValue(EpochsOption), parsed.GetValue(VaeEpochsOption), parsed.GetValue(BatchOption),
        parsed.GetValue(RateOption), parsed.GetValue(NoiseOption), parsed.GetValue(ShowOption), parsed.GetValue(SeedOption),
        parsed.GetValue(DataOption), parsed.GetValue(OutOption)!);
}
