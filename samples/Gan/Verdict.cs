using System;
using System.Linq;
using Dl;
using Dl.Data;
using Dl.Training;

namespace Gan;

/// <summary>
/// What the judge (a classifier trained on the real digits) says about a batch of digits: the share it names with
/// confidence above <see cref="Confident"/>, and over those, how many of the ten classes appear and the largest
/// class's share. Real test digits give the reference: a generator that draws digits comes close to it; one that
/// draws blobs scores near 0; one that draws a single digit (mode collapse) shows few classes and a large top share.
/// </summary>
internal sealed record Verdict(double ConfidentShare, int Classes, double TopClassShare)
{
    public const double Confident = 0.9;

    /// <summary>Trains the judge on the real training digits (pixels in [0, 1]) and returns it with its test accuracy.</summary>
    public static (Judge Judge, double TestAccuracy) TrainJudge(float[] trainPixels, int[] trainLabels, float[] testPixels, int[] testLabels, int epochs, int seed)
    {
        var judge = new Judge(seed);
        var optimizer = new Adam(1e-3f);
        var batches = new MiniBatches(trainPixels, 28 * 28, trainLabels, 64, seed);
        var x = new float[64 * 28 * 28];
        var y = new int[64];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            batches.Shuffle();
            for (int b = 0; b < batches.BatchCount; b++)
            {
                int rows = batches.Gather(b, x, y);
                judge.ComputeGradients(x.AsSpan(0, rows * 28 * 28), y.AsSpan(0, rows));
                optimizer.Step(judge);
            }
        }
        return (judge, Metrics.Accuracy(judge, testPixels, testLabels, 28 * 28, 10));
    }

    /// <summary>The judge's verdict on <paramref name="count"/> digits of 784 pixels each.</summary>
    public static Verdict Of(Judge judge, ReadOnlySpan<float> digits, int count)
    {
        var logits = judge.Predict(digits[..(count * 28 * 28)]);
        var perClass = new int[10];
        int confident = 0;
        for (int i = 0; i < count; i++)
        {
            var row = logits.Slice(i * 10, 10);
            int best = 0;
            for (int c = 1; c < 10; c++) if (row[c] > row[best]) best = c;
            double sum = 0;
            for (int c = 0; c < 10; c++) sum += Math.Exp(row[c] - row[best]);
            if (1 / sum > Confident) { confident++; perClass[best]++; }
        }
        return new Verdict((double)confident / count, perClass.Count(n => n > 0), confident == 0 ? 0 : (double)perClass.Max() / confident);
    }
}
