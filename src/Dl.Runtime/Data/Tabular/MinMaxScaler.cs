using System;
using System.Numerics.Tensors;

namespace Dl.Data;

/// <summary>
/// Per-feature rescaling to [0, 1], <c>(x - min) / (max - min)</c>, with the range fitted on training data.
/// Later data outside the fitted range maps outside [0, 1]; it is not clipped.
/// </summary>
public sealed class MinMaxScaler
{
    private readonly float[] _scale;

    private MinMaxScaler(float[] min, float[] max)
    {
        Min = min;
        Max = max;
        _scale = new float[min.Length];
        // A constant feature has no range: scale 1 maps it to 0 instead of dividing by zero.
        for (int f = 0; f < min.Length; f++) _scale[f] = max[f] > min[f] ? 1 / (max[f] - min[f]) : 1f;
    }

    /// <summary>Per-feature minimum of the training data.</summary>
    public float[] Min { get; }

    /// <summary>Per-feature maximum of the training data.</summary>
    public float[] Max { get; }

    /// <summary>Number of features per row.</summary>
    public int FeatureCount => Min.Length;

    /// <summary>Fits the per-feature range of <paramref name="data"/>, row-major [rows, <paramref name="featureCount"/>].</summary>
    public static MinMaxScaler Fit(ReadOnlySpan<float> data, int featureCount)
    {
        int rows = TabularShape.Rows(data.Length, featureCount);
        var min = data.Slice(0, featureCount).ToArray();
        var max = data.Slice(0, featureCount).ToArray();
        for (int r = 1; r < rows; r++)
        {
            var row = data.Slice(r * featureCount, featureCount);
            TensorPrimitives.Min(row, min, min);
            TensorPrimitives.Max(row, max, max);
        }
        return new MinMaxScaler(min, max);
    }

    /// <summary>Rescales <paramref name="data"/> ([rows, <see cref="FeatureCount"/>]) in place.</summary>
    public void Transform(Span<float> data)
    {
        int rows = TabularShape.Rows(data.Length, FeatureCount);
        for (int r = 0; r < rows; r++)
        {
            var row = data.Slice(r * FeatureCount, FeatureCount);
            TensorPrimitives.Subtract(row, Min, row);
            TensorPrimitives.Multiply(row, _scale, row);
        }
    }
}

/// <summary>Shape checks shared by the scalers.</summary>
internal static class TabularShape
{
    /// <summary>Rows in <paramref name="length"/> values of <paramref name="featureCount"/> features; at least one whole row.</summary>
    public static int Rows(int length, int featureCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        if (length == 0 || length % featureCount != 0)
            throw new ArgumentException($"{length} values are not a positive number of rows of {featureCount} features");
        return length / featureCount;
    }
}
