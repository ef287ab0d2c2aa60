using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using Dl;
using Dl.Data;
using Samples;

namespace Adversarial;

/// <summary>
/// Fast-gradient-sign adversarial examples (Goodfellow et al., 2015) against LeNet-5 on MNIST: train the model, then
/// move every test digit by ε in the direction that increases its loss, x' = clip(x + ε·sign(∂loss/∂x), 0, 1), and
/// report how test accuracy falls with ε. A class rather than top-level statements so the tests can run it in-process.
/// </summary>
internal static class AdversarialApp
{
    private const int Batch = 32, GradientChunk = 500;
    private static readonly double[] Epsilons = { 0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3 };

    private static readonly Option<int> EpochsOption = SampleOptions.Integer("--epochs", 3, 1, int.MaxValue, "Epochs to train LeNet-5 before the attacks");
    private static readonly Option<int> SeedOption = SampleOptions.Integer("--seed", 1, int.MinValue, int.MaxValue, "Fixes initialisation and data order");
    private static readonly Option<string> DataOption = SampleOptions.Path("--data", "DIR",
        "Folder with the MNIST IDX files (default: data/mnist in this folder, a parent or beside the executable)");

    /// <summary>Runs the sample; returns the exit code. Every failure is one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var command = new RootCommand("Trains LeNet-5 on MNIST, then measures its test accuracy under fast-gradient-sign attacks of growing strength.")
        {
            EpochsOption, SeedOption, DataOption,
        };
        return SampleHost.Run("adversarial", command, args, output, error,
            parsed => Attack(parsed.GetValue(EpochsOption), parsed.GetValue(SeedOption), parsed.GetValue(DataOption), output));
    }

    private static int Attack(int epochs, int seed, string? dataDir, TextWriter output)
    {
        var total = Stopwatch.StartNew();
        var (train, test, _, mean, std) = Digits.LoadForTraining(dataDir, batch: 1);
        // ε is in raw pixel units (intensities in [0, 1]); the model sees standardised pixels, so both the
        // step and the clipping range are mapped through (p - mean) / std.
        float meanF = (float)mean, stdF = (float)std;
        float lo = (0 - meanF) / stdF, hi = (1 - meanF) / stdF;

        var model = new RobustLeNet(seed);
        var batches = new MiniBatches(train.Pixels, Digits.Pixels, train.Labels, Batch, seed);
        var x = new float[Batch * Digits.Pixels];
        var y = new int[Batch];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            batches.Shuffle();
            for (int b = 0; b < batches.BatchCount; b++)
            {
                int rows = batches.Gather(b, x, y);
                double progress = (epoch * (double)batches.BatchCount + b) / ((double)epochs * batches.BatchCount);
                model.LearningRate = (float)(0.05 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
                model.TrainStep(x.AsSpan(0, rows * Digits.Pixels), y.AsSpan(0, rows));
            }
        }
        output.WriteLine($"trained LeNet-5 for {epochs} epochs in {total.Elapsed.TotalSeconds:F1} s");

        // The gradient of the loss with respect to every test pixel, in chunks (the sign is per pixel, so
        // the batch mean's 1/N scale does not matter).
        var gradient = new float[test.Pixels.Length];
        for (int start = 0; start < test.Count; start += GradientChunk)
        {
            int rows = Math.Min(GradientChunk, test.Count - start);
            var span = new Range(start * Digits.Pixels, (start + rows) * Digits.Pixels);
            model.InputGradient(test.Pixels.AsSpan(span), test.Labels.AsSpan(start, rows), gradient.AsSpan(span));
        }

        var adversarial = new float[test.Pixels.Length];
        foreach (var epsilon in Epsilons)
        {
            float step = (float)(epsilon / stdF);
            for (int i = 0; i < adversarial.Length; i++)
                adversarial[i] = Math.Clamp(test.Pixels[i] + step * MathF.Sign(gradient[i]), lo, hi);
            double accuracy = Metrics.Accuracy(model, adversarial, test.Labels, Digits.Pixels, Digits.Classes);
            output.WriteLine($"fgsm_test_accuracy_eps_{epsilon:F2} {100 * accuracy:F2} %");
        }
        output.WriteLine($"fgsm_wall_time {Durations.Seconds(total.Elapsed)} s");
        return 0;
    }
}
