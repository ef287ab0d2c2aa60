using System;

namespace Dl.Data;

/// <summary>
/// Seeded, shuffled mini-batches gathered into caller-owned buffers. The rows of a data set are
/// visited in a permutation that <see cref="Shuffle"/> redraws for each epoch (before the first
/// call the order is 0, 1, 2, ...); the same seed gives the same sequence of permutations on every
/// machine (<see cref="SeededRandom"/>, Fisher-Yates). A batch costs copies only: nothing is
/// allocated after construction.
/// </summary>
public sealed class MiniBatches
{
    private readonly float[] _features;
    private readonly int _featureSize;
    private readonly int[] _labels;
    private readonly int _batchSize;
    private readonly int[] _order;
    private readonly SeededRandom _random;
    private readonly bool _dropLast;

    /// <summary>Batches of <paramref name="batchSize"/> rows drawn from <paramref name="features"/> and <paramref name="labels"/>, in an order fixed by <paramref name="seed"/>.</summary>
    /// <param name="features">Rows of <paramref name="featureSize"/> values, one row per label (not copied: later edits show through).</param>
    /// <param name="featureSize">Values per row.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="seed">Fixes the sequence of epoch permutations.</param>
    /// <param name="dropLast">Leave out the last batch when it would be short.</param>
    /// <exception cref="ArgumentException">The features are not a whole number of rows, or the row and label counts differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">featureSize or batchSize is not positive.</exception>
    public MiniBatches(float[] features, int featureSize, int[] labels, int batchSize, int seed, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (featureSize <= 0) throw new ArgumentOutOfRangeException(nameof(featureSize), featureSize, $"the feature size must be positive, got {featureSize}");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"the batch size must be positive, got {batchSize}");
        if (features.Length % featureSize != 0)
            throw new ArgumentException($"{features.Length} feature values are not a whole number of rows of {featureSize} (remainder {features.Length % featureSize})", nameof(features));
        if (features.Length / featureSize != labels.Length)
            throw new ArgumentException($"{features.Length / featureSize} feature rows ({features.Length} values / {featureSize}) but {labels.Length} labels", nameof(labels));
        _features = features; _featureSize = featureSize; _labels = labels; _batchSize = batchSize; _dropLast = dropLast;
        _order = new int[labels.Length];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        _random = new SeededRandom(seed);
    }

    /// <summary>Rows in the data set.</summary>
    public int Count => _labels.Length;

    /// <summary>Values per row.</summary>
    public int FeatureSize => _featureSize;

    /// <summary>Rows per batch (the last may have fewer unless dropLast).</summary>
    public int BatchSize => _batchSize;

    /// <summary>Batches per epoch: ceil(Count / BatchSize), or floor with dropLast.</summary>
    public int BatchCount => _dropLast ? _labels.Length / _batchSize : (_labels.Length + _batchSize - 1) / _batchSize;

    /// <summary>Draws the next epoch's permutation (Fisher-Yates over the previous one with the seeded generator).</summary>
    public void Shuffle()
    {
        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = _random.NextInt(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    /// <summary>
    /// Copies the rows of batch <paramref name="batchIndex"/>, in the current permutation, into
    /// <paramref name="x"/> (rows x FeatureSize values) and their labels into <paramref name="y"/>;
    /// returns the number of rows (BatchSize, or fewer for a short last batch). Values of x and y
    /// past those rows are left as they were.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">batchIndex is outside [0, BatchCount).</exception>
    /// <exception cref="ArgumentException">x or y is too short for the batch.</exception>
    public int Gather(int batchIndex, Span<float> x, Span<int> y)
    {
        if ((uint)batchIndex >= (uint)BatchCount)
            throw new ArgumentOutOfRangeException(nameof(batchIndex), batchIndex, $"batch {batchIndex} is outside [0, {BatchCount})");
        int start = batchIndex * _batchSize;
        int rows = Math.Min(_batchSize, _labels.Length - start);
        if (x.Length < (long)rows * _featureSize)
            throw new ArgumentException($"x: {rows} rows of {_featureSize} need {(long)rows * _featureSize} values, got {x.Length}", nameof(x));
        if (y.Length < rows)
            throw new ArgumentException($"y: {rows} rows need {rows} labels, got {y.Length}", nameof(y));
        var features = _features.AsSpan();
        for (int r = 0; r < rows; r++)
        {
            int src = _order[start + r];
            features.Slice(src * _featureSize, _featureSize).CopyTo(x.Slice(r * _featureSize, _featureSize));
            y[r] = _labels[src];
        }
        return rows;
    }
}
