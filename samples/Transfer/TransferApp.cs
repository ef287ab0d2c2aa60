using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Dl;
using Dl.Checkpoints;
using Samples;

namespace Transfer;

/// <summary>
/// The command line: pretrains LeNet-5 on the digits 0-4 and saves it; loads its convolutions (non-strict, by name) into
/// a new model with a fresh head for 5-9, freezes them and fine-tunes the head on a few labelled digits; trains the same
/// model from the same start without the loaded convolutions as the baseline, and once more with the loaded convolutions
/// trained too; prints the accuracies as <c>transfer_*</c> figures and draws the learning curves.
/// </summary>
internal static class TransferApp
{
    /// <summary>The parameters the pretrained model lends: both convolutions, weights and biases.</summary>
    public static readonly string[] Transferred = { "conv1", "conv2" };

    /// <summary>The seed of the new model (head and, for the baseline, convolutions): the same for both 5-9 runs.</summary>
    public static int HeadSeed(int seed) => unchecked(seed + 1);

    /// <summary>Runs the sample; returns the exit code. Every failure is one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        SampleHost.Run("transfer", Options.Command(), args, output, error, parsed => Train(Options.Read(parsed), output));

    private static int Train(Options o, TextWriter output)
    {
        var total = Stopwatch.StartNew();
        // The data folder is found first, so a run that cannot start leaves no empty --out folder behind.
        string dataDir = Digits.Folder(o.DataDir, "train");
        var files = OutputFolder.Prepare(o.OutDir, "pretrained.safetensors", "transferred.safetensors", "transfer-curves.png", "transfer-predictions.png");
        var (train, test, dir, _, _) = Digits.LoadForTraining(dataDir, 1);
        Digits.Set low = DigitSplit.Range(train, 0), lowTest = DigitSplit.Range(test, 0);
        Digits.Set few = DigitSplit.FewPerClass(train, 5, o.PerClass, dir), highTest = DigitSplit.Range(test, 5);
        output.WriteLine($"data: {low.Count} training digits 0-4, {few.Count} of 5-9 ({o.PerClass} each), {lowTest.Count} + {highTest.Count} test digits, from {dir}");

        // 1. Learn features where labels are plenty.
        var pretrained = new LowDigitsLeNet(o.Seed);
        var pre = Fit.Run("pretrain 0-4", pretrained, low, lowTest, o.PretrainEpochs, o.Batch, o.LearningRate, o.Seed, output);
        Checkpoint.Save(files[0], pretrained);
        output.WriteLine($"saved {files[0]}");

        // 2. A new model for 5-9: what the checkpoint has under the same names and shapes loads, the rest is reported.
        var transferred = new HighDigitsNet(HeadSeed(o.Seed));
        var report = Checkpoint.Load(files[0], transferred, new LoadOptions { Strict = false });
        output.WriteLine($"loaded:     {string.Join(", ", report.Loaded)}");
        output.WriteLine($"missing:    {string.Join(", ", report.Missing)} (kept their fresh values)");
        output.WriteLine($"unexpected: {string.Join(", ", report.Unexpected)} (skipped)");
        foreach (string prefix in Transferred) transferred.Freeze(prefix);
        var frozen = FrozenNames(transferred);
        output.WriteLine($"frozen:     {string.Join(", ", frozen)}");
        var before = Snapshot(transferred, frozen);

        // 3. Fine-tune the head on a few labels; then the same model from the same start, every weight trained, as the baseline.
        var tuned = Fit.Run("transfer 5-9", transferred, few, highTest, o.Epochs, o.Batch, o.LearningRate, o.Seed, output);
        CheckUnchanged(transferred, before);
        output.WriteLine($"checked: the {frozen.Count} frozen tensors are bit for bit what the checkpoint held");
        Checkpoint.Save(files[1], transferred);
        var scratchModel = new HighDigitsNet(HeadSeed(o.Seed));
        var scratch = Fit.Run("scratch 5-9", scratchModel, few, highTest, o.Epochs, o.Batch, o.LearningRate, o.Seed, output);
        // The middle way: the loaded convolutions as a starting point only, every weight trained.
        var unfrozenModel = new HighDigitsNet(HeadSeed(o.Seed));
        Checkpoint.Load(files[0], unfrozenModel, new LoadOptions { Strict = false });
        var unfrozen = Fit.Run("unfrozen 5-9", unfrozenModel, few, highTest, o.Epochs, o.Batch, o.LearningRate, o.Seed, output);

        CurvePlot.Save(files[2],
            new CurvePanel($"test accuracy on 5-9 ({few.Count} labels)", new Curve("transferred, frozen convs", tuned.Accuracies), new Curve("from scratch", scratch.Accuracies),
                new Curve("transferred, all trained", unfrozen.Accuracies)),
            new CurvePanel("training loss", new Curve("transferred, frozen convs", tuned.Losses), new Curve("from scratch", scratch.Losses),
                new Curve("transferred, all trained", unfrozen.Losses)));
        const int shown = 12;
        var wrong = PredictionPicture.Save(files[3], highTest, 5, shown, transferred, scratchModel, unfrozenModel);
        output.WriteLine($"wrote {files[1]}, {files[2]} and {files[3]} (the first {shown} test digits 5-9 captioned with the predictions of the " +
            $"frozen transfer ({wrong[0]} wrong), scratch ({wrong[1]}) and all-trained transfer ({wrong[2]}) models, one row each; wrong ones inverted)");

        output.WriteLine($"transfer_pretrain_accuracy {pre.Final:F4} ratio");
        output.WriteLine($"transfer_accuracy {tuned.Final:F4} ratio");
        output.WriteLine($"scratch_accuracy {scratch.Final:F4} ratio");
        output.WriteLine($"transfer_unfrozen_accuracy {unfrozen.Final:F4} ratio");
        output.WriteLine($"transfer_gain {tuned.Final - scratch.Final:F4} ratio");
        output.WriteLine($"transfer_labels {few.Count} digits");
        output.WriteLine($"transfer_pretrain_time {Durations.Seconds(pre.TrainTime)} s");
        output.WriteLine($"transfer_finetune_time {Durations.Seconds(tuned.TrainTime)} s");
        output.WriteLine($"scratch_train_time {Durations.Seconds(scratch.TrainTime)} s");
        output.WriteLine($"transfer_wall_time {Durations.Seconds(total.Elapsed)} s");
        return 0;
    }

    private static List<string> FrozenNames(ICompiledModel model) =>
        model.ParameterLayout.Where(p => model.IsFrozen(p.Name)).Select(p => p.Name).ToList();

    private static Dictionary<string, float[]> Snapshot(ICompiledModel model, IEnumerable<string> names)
    {
        var copy = new Dictionary<string, float[]>();
        foreach (var p in model.ParameterLayout)
            if (names.Contains(p.Name)) copy[p.Name] = model.Parameters.Slice(p.Offset, p.Length).ToArray();
        return copy;
    }

    /// <summary>The promise of freezing, checked on the run itself: a changed frozen value is a bug, not a user error.</summary>
    private static void CheckUnchanged(ICompiledModel model, Dictionary<string, float[]> before)
    {
        foreach (var p in model.ParameterLayout)
            if (before.TryGetValue(p.Name, out var values) && !model.Parameters.Slice(p.Offset, p.Length).SequenceEqual(values))
                throw new InvalidOperationException($"frozen {p.Name} changed during fine-tuning");
    }
}
