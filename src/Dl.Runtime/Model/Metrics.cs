using System;

namespace Dl;

/// <summary>Classification metrics over logits or a compiled classifier.</summary>
public static class Metrics
{
    /// <summary>Rows of <paramref name="logits"/> ([rows, classes]) whose largest entry is at the label.</summary>
    public static int CountCorrect(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes)
    {
        if (logits.Length != labels.Length * classes)
            throw new ArgumentException($"logits hold {logits.Length} values; {labels.Length} labels x {classes} classes need {labels.Length * classes}");
        int correct = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            var row = logits.Slice(r * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            if (best == labels[r]) correct++;
        }
        return correct;
    }

    /// <summary>Accuracy of <paramref name="model"/> over a whole data set, predicted in chunks of <paramref name="chunk"/> rows.</summary>
    public static double Accuracy(IClassifier model, float[] features, int[] labels, int featureSize, int classes, int chunk = 500)
    {
        if (labels.Length == 0) throw new ArgumentException("no samples to evaluate");
        int correct = 0;
        for (int start = 0; start < labels.Length; start += chunk)
        {
            int rows = Math.Min(chunk, labels.Length - start);
            var logits = model.Predict(features.AsSpan(start * featureSize, rows * featureSize));
            correct += CountCorrect(logits, labels.AsSpan(start, rows), classes);
        }
        return (double)correct / labels.Length;
    }
}
