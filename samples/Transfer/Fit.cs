using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Dl;
using Dl.Data;
using Dl.Training;
using Samples;

namespace Transfer;

/// <summary>One training run: momentum SGD over a set for some epochs, test accuracy after each, one progress line per epoch.</summary>
internal static class Fit
{
    /// <summary>What a run gives back: test accuracy after each epoch (the curve) and the time spent in steps.</summary>
    public sealed record Result(List<double> Losses, List<double> Accuracies, TimeSpan TrainTime)
    {
        public double Final => Accuracies[^1];
    }

    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="train"/>, printing "<paramref name="name"/> epoch e/E  loss  test acc  s".
    /// Frozen parameters stay as they are (the optimizer's Step skips them, weight decay included).
    /// </summary>
    public static Result Run(string name, IClassifier model, Digits.Set train, Digits.Set test, int epochs, int batch, float rate, int seed, TextWriter output)
    {
        int size = Math.Min(batch, train.Count);
        var batches = new MiniBatches(train.Pixels, Digits.Pixels, train.Labels, size, seed);
        var optimizer = new Momentum(rate, 0.9f) { WeightDecay = 5e-4f };
        var x = new float[size * Digits.Pixels];
        var y = new int[size];
        var accuracies = new List<double>();
        var losses = new List<double>();
        var trainClock = new Stopwatch();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            batches.Shuffle();
            double lossSum = 0;
            int seen = 0;
            trainClock.Start();
            for (int b = 0; b < batches.BatchCount; b++)
            {
                int rows = batches.Gather(b, x, y);
                float loss = model.ComputeGradients(x.AsSpan(0, rows * Digits.Pixels), y.AsSpan(0, rows));
                DivergenceException.ThrowIfNotFinite(loss, epoch, b + 1);
                optimizer.Step(model);
                lossSum += loss * rows;
                seen += rows;
            }
            trainClock.Stop();
            double accuracy = Metrics.Accuracy(model, test.Pixels, test.Labels, Digits.Pixels, 5);
            accuracies.Add(accuracy);
            losses.Add(lossSum / seen);
            output.WriteLine($"{name} epoch {epoch}/{epochs}  loss {lossSum / seen:F4}  test acc {100 * accuracy:F2}%  {clock.Elapsed.TotalSeconds:F2} s");
        }
        return new Result(losses, accuracies, trainClock.Elapsed);
    }
}
