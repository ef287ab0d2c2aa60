using System.CommandLine;
using System.IO;
using Samples;

namespace Inference;

/// <summary>The options of one run.</summary>
internal sealed record Options(bool Train, string Weights, string? DataDir, int Epochs, int Repeat);

/// <summary>
/// The command line: <c>--train</c> trains the MLP and saves a checkpoint; without it, a checkpoint (this sample's or
/// samples/Mnist's) is loaded and the test digits are classified one at a time, with figures printed as
/// <c>name value unit</c> lines. A class rather than top-level statements so the tests can run it in-process.
/// </summary>
internal static class InferenceApp
{
    private static readonly Option<bool> TrainOption = new("--train") { Description = "Train first (SGD on the training digits) and save the weights to --weights" };
    private static readonly Option<string> WeightsOption = SampleOptions.Path("--weights", "PATH",
        "The safetensors checkpoint to load, or to write with --train; a checkpoint of samples/Mnist loads too", "mnist-mlp.safetensors");
    private static readonly Option<string> DataOption = SampleOptions.Path("--data", "DIR",
        "Folder with the MNIST IDX files (default: data/mnist in this folder, a parent or beside the executable)");
    private static readonly Option<int> EpochsOption = SampleOptions.Integer("--epochs", 3, 1, 10_000, "Training epochs (with --train)");
    // Each pass times all 2,000 test digits; the timings are kept to sort them for the percentiles.
    private static readonly Option<int> RepeatOption = SampleOptions.Integer("--repeat", 20, 0, 1000, "Timed passes over the test digits after the first");

    /// <summary>Runs the sample; returns the exit code. Every failure is one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var command = new RootCommand("Classifies the MNIST test digits with the MLP of samples/Mnist, one image at a time, and prints accuracy, cold start and latency.")
        {
            TrainOption, WeightsOption, DataOption, EpochsOption, RepeatOption,
        };
        return SampleHost.Run("inference", command, args, output, error, parsed =>
        {
            var options = new Options(parsed.GetValue(TrainOption), parsed.GetValue(WeightsOption)!, parsed.GetValue(DataOption),
                parsed.GetValue(EpochsOption), parsed.GetValue(RepeatOption));
            return options.Train ? Training.Run(options, output) : Classification.Run(options, output);
        });
    }
}
