using System.CommandLine;
using Samples;

namespace Transfer;

/// <summary>
/// Command-line options. The defaults (3 pretraining epochs over the ~4,000 digits 0-4, 30 fine-tuning epochs over
/// 100 digits of each of 5-9) run in about 5 seconds on two cores.
/// </summary>
internal sealed record Options(int PretrainEpochs, int Epochs, int PerClass, int Batch, float LearningRate, int Seed, string? DataDir, string OutDir)
{
    private static readonly Option<int> PretrainOption = SampleOptions.Integer("--pretrain-epochs", 3, 1, int.MaxValue, "Epochs on the digits 0-4");
    private static readonly Option<int> EpochsOption = SampleOptions.Integer("--epochs", 30, 1, int.MaxValue,
        "Epochs on the few digits 5-9, for the transferred model and the one from scratch alike");
    private static readonly Option<int> PerClassOption = SampleOptions.Integer("--per-class", 100, 1, int.MaxValue,
        "Labelled training digits of each of 5-9 (the first ones in the file)");
    private static readonly Option<int> BatchOption = SampleOptions.Integer("--batch", 32, 1, int.MaxValue, "Digits per step");
    private static readonly Option<float> RateOption = SampleOptions.Number("--lr", 0.01f, 0, float.PositiveInfinity,
        "Learning rate of momentum SGD (0.9), every phase", minExclusive: true);
    private static readonly Option<int> SeedOption = SampleOptions.Integer("--seed", 1, int.MinValue, int.MaxValue, "Fixes initialisation and data order");
    private static readonly Option<string> DataOption = SampleOptions.Path("--data", "DIR",
        "Folder with the MNIST IDX files (default: data/mnist in this folder, a parent or beside the executable)");
    private static readonly Option<string> OutOption = SampleOptions.Path("--out", "DIR",
        "Folder for pretrained.safetensors, transferred.safetensors, transfer-curves.png and transfer-predictions.png (made if missing)", "transfer-output");

    public static RootCommand Command() => new("Reuses LeNet-5's convolutions learnt on the digits 0-4 for 5-9 with few labels, against training from scratch.")
    {
        PretrainOption, EpochsOption, PerClassOption, BatchOption, RateOption, SeedOption, DataOption, OutOption,
    };

    public static Options Read(ParseResult parsed) => new(
        parsed.GetValue(PretrainOption), parsed.GetValue(EpochsOption), parsed.GetValue(PerClassOption), parsed.GetValue(BatchOption),
        parsed.GetValue(RateOption), parsed.GetValue(SeedOption), parsed.GetValue(DataOption), parsed.GetValue(OutOption)!);
}
