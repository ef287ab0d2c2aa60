using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Dl.Checkpoints;
using Dl.Data;
using Mnist;
using Samples;

namespace Inference;

/// <summary>Trains the MLP with the generated TrainStep and saves its parameters and input scaling as a checkpoint.</summary>
internal static class Training
{
    private const int Batch = 32;

    public static int Run(Options o, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        // Before the data is read and an epoch is spent: a typo in the path should cost nothing.
        OutputFile.CheckWritable(o.Weights, "--weights");
        string dir = Digits.Folder(o.DataDir, "train");
        var train = Digits.Load(dir, "train");
        var (mean, std) = Digits.MeanAndStd(train.Pixels);
        Digits.Standardize(train.Pixels, mean, std);

        var model = new MnistMlp(seed: 1);
        var batches = new MiniBatches(train.Pixels, Digits.Pixels, train.Labels, Batch, seed: 1);
        var x = new float[Batch * Digits.Pixels];
        var y = new int[Batch];
        long steps = 0, planned = (long)o.Epochs * batches.BatchCount;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            batches.Shuffle();
            double lossSum = 0;
            for (int b = 0; b < batches.BatchCount; b++, steps++)
            {
                int rows = batches.Gather(b, x, y);
                // Cosine decay from 0.2 to zero over the run.
                model.LearningRate = (float)(0.1 * (1 + Math.Cos(Math.PI * steps / planned)));
                lossSum += model.TrainStep(x.AsSpan(0, rows * Digits.Pixels), y.AsSpan(0, rows)) * rows;
            }
            output.WriteLine($"epoch {epoch}/{o.Epochs}  loss {lossSum / train.Count:F4}");
        }
        var metadata = new Dictionary<string, string>
        {
            [InputScaling.MeanKey] = mean.ToString("R", CultureInfo.InvariantCulture),
            [InputScaling.StdKey] = std.ToString("R", CultureInfo.InvariantCulture),
        };
        try
        {
            Checkpoint.Save(o.Weights, model, step: steps, metadata: metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SampleException($"--weights {o.Weights}: could not write the checkpoint ({e.Message})", e);
        }
        output.WriteLine($"saved {o.Weights} ({model.Parameters.Length} parameters, {steps} steps)");
        output.WriteLine($"train_time {Durations.Seconds(clock.Elapsed)} s");
        return 0;
    }
}
