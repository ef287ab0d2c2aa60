using System;

namespace Dl.Training;

/// <summary>Per-class loss weights that counter class imbalance.</summary>
public static class ClassWeights
{
    /// <summary>
    /// scikit-learn's "balanced" weights: <c>n / (classes * count_c)</c>, so every class contributes the same
    /// total weight. A class absent from <paramref name="labels"/> gets 0 (no sample can use it, and n/0 is not a weight).
    /// </summary>
    public static float[] Balanced(ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var counts = new long[classes];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {labels[i]} at position {i} is outside 0..{classes - 1}");
            counts[labels[i]]++;
        }
        var weights = new float[classes];
        for (int c = 0; c < classes; c++)
            weights[c] = counts[c] == 0 ? 0f : (float)((double)labels.Length / ((double)classes * counts[c]));
        return weights;
    }
}
