using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Dl;
using Dl.Data;
using Dl.Training;
using Samples;

namespace SequentialMnist;

/// <summary>
/// The command line: trains a recurrent classifier on MNIST read row by row, prints loss and test accuracy per
/// epoch (a progress bar on a terminal), writes the learning curves as a PNG and prints the
/// <c>sequential_mnist_*</c> figures. A class rather than top-level statements so the tests can run it in-process.
/// </summary>
internal static class SequenceApp
{
    /// <summary>Runs the sample; returns the exit code. Every failure is one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        SampleHost.Run("sequential-mnist", Options.Command(), args, output, error, parsed => Train(Options.Read(parsed), output, error));

    private static int Train(Options options, TextWriter output, TextWriter error)
    {
        var total = Stopwatch.StartNew();
        var (train, test, dir, mean, std) = Digits.LoadForTraining(options.DataDir, options.Batch);
        output.WriteLine($"data: {train.Count} training and {test.Count} test digits from {dir}, each read as 28 steps of 28 pixels");

        string described = Models.Describe(options.Cell, options.Layers, options.Bidirectional);
        var model = Models.Create(options.Cell, options.Layers, options.Bidirectional, options.Seed);
        int parameters = model.Parameters.Length;
        output.WriteLine($"model: {described}, then Dense(-> 10); {parameters:N0} parameters");

        var batches = new MiniBatches(train.Pixels, Digits.Pixels, train.Labels, options.Batch, options.Seed);
        long steps = (long)options.Epochs * batches.BatchCount;
        var optimizer = new Adam(options.LearningRate) { MaxGradientNorm = options.Clip, Schedule = LearningRateSchedule.Cosine(options.LearningRate, steps) };
        var x = new float[options.Batch * Digits.Pixels];
        var y = new int[options.Batch];
        // Random shifts of up to --shift pixels: without them the LSTM memorises the 8,000 digits (train loss
        // near 0.005) and stalls near 97.2 %. Shifted-in pixels take the standardised background (raw 0).
        var augmenter = new Augmenter(1, Digits.Side, Digits.Side, options.Seed);
        float background = -(float)mean / (float)std;
        var trainClock = new Stopwatch();
        var trainLoss = new List<double>();
        var testAccuracy = new List<double>();
        bool console = ReferenceEquals(output, Console.Out);
        // Redrawn in place on a terminal; quiet in logs and tests, which get the epoch line below.
        var bar = new ProgressBar(console ? null : output, live: console ? null : false);

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            batches.Shuffle();
            double lossSum = 0;
            int seen = 0;
            if (bar.IsLive) bar.Start($"epoch {epoch}/{options.Epochs}", batches.BatchCount);
            trainClock.Start();
            for (int b = 0; b < batches.BatchCount; b++)
            {
                int rows = batches.Gather(b, x, y);
                var xs = x.AsSpan(0, rows * Digits.Pixels);
                if (options.Shift > 0) augmenter.Shift(xs, options.Shift, background);
                float loss = model.ComputeGradients(xs, y.AsSpan(0, rows));
                DivergenceException.ThrowIfNotFinite(loss, epoch, optimizer.StepCount, "training loss");
                optimizer.Step(model);
                lossSum += loss * rows;
                seen += rows;
                if (bar.IsLive) bar.Report(b + 1, seen, lossSum / seen);
            }
            trainClock.Stop();
            if (bar.IsLive) bar.Finish();
            double accuracy = Metrics.Accuracy(model, test.Pixels, test.Labels, Digits.Pixels, Digits.Classes);
            trainLoss.Add(lossSum / seen);
            testAccuracy.Add(100 * accuracy);
            output.WriteLine($"epoch {epoch}/{options.Epochs}  loss {lossSum / seen:F4}  test acc {100 * accuracy:F2}%  {clock.Elapsed.TotalSeconds:F1} s");
        }

        if (options.Plot is { } plot) WritePlot(plot, described, trainLoss, testAccuracy, output, error);
        string stem = options.FigureStem;
        output.WriteLine($"{stem}_test_accuracy {testAccuracy[^1]:F2} %");
        output.WriteLine($"{stem}_epochs {options.Epochs} epochs");
        output.WriteLine($"{stem}_train_time {Durations.Seconds(trainClock.Elapsed)} s");
        output.WriteLine($"{stem}_train_step_b{options.Batch} {trainClock.Elapsed.TotalMilliseconds / steps:F3} ms");
        output.WriteLine($"{stem}_wall_time {Durations.Seconds(total.Elapsed)} s");
        return 0;
    }

    private static void WritePlot(string path, string title, List<double> loss, List<double> accuracy, TextWriter output, TextWriter error)
    {
        try
        {
            CurvePlot.Save(path,
                new CurvePanel($"{title}: training loss", new Curve("cross-entropy", loss)),
                new CurvePanel("test accuracy (%)", new Curve("2,000 test digits", accuracy)));
            output.WriteLine($"curves: {Path.GetFullPath(path)}");
        }
        // SkiaSharp's native library missing or unloadable on this machine: the training result still stands.
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            error.WriteLine($"sequential-mnist: no plot written, SkiaSharp could not load: {e.GetBaseException().Message.ReplaceLineEndings(" ")}");
        }
    }
}
