using System.CommandLine;
using Samples;

namespace Gan;

/// <summary>
/// Command-line options. The defaults (Adam at 2e-4 with beta1 0.5 for both players, batches of 64, as in the DCGAN
/// paper's recipe) train in a few minutes on two cores.
/// </summary>
internal sealed record Options(int Epochs, int Batch, float LearningRate, int JudgeEpochs, int Seed, string? DataDir, string OutDir)
{
    private static readonly Option<int> EpochsOption = SampleOptions.Integer("--epochs", 30, 1, int.MaxValue, "Epochs of GAN training");
    private static readonly Option<int> BatchOption = SampleOptions.Integer("--batch", 64, 1, int.MaxValue, "Real digits per step (at most the training digits)");
    private static readonly Option<float> RateOption = SampleOptions.Number("--lr", 2e-4f, 0, float.PositiveInfinity,
        "Adam learning rate of both players", minExclusive: true);
    private static readonly Option<int> JudgeOption = SampleOptions.Integer("--judge-epochs", 10, 1, int.MaxValue, "Epochs to train the classifier that judges the generated digits");
    private static readonly Option<int> SeedOption = SampleOptions.Integer("--seed", 1, int.MinValue, int.MaxValue, "Fixes initialisation, data order and noise");
    private static readonly Option<string> DataOption = SampleOptions.Path("--data", "DIR",
        "Folder with the MNIST IDX files (default: data/mnist in this folder, a parent or beside the executable)");
    private static readonly Option<string> OutOption = SampleOptions.Path("--out", "DIR", "Folder for the PNG pictures (default: gan-out)");

    public static RootCommand Command() => new("Trains a GAN on the MNIST digits: a PNG grid of generated digits per epoch, the two losses' curves, and a classifier's verdict on the generated digits.")
    {
        EpochsOption, BatchOption, RateOption, JudgeOption, SeedOption, DataOption, OutOption,
    };

    public static Options Read(ParseResult parsed) => new(
        parsed.GetValue(EpochsOption), parsed.GetValue(BatchOption), parsed.GetValue(RateOption), parsed.GetValue(JudgeOption),
        parsed.GetValue(SeedOption), parsed.GetValue(DataOption), parsed.GetValue(OutOption) ?? "gan-out");
}
