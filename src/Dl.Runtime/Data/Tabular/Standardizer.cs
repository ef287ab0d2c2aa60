using System;
using System.Numerics.Tensors;

namespace Dl.Data;

/// <summary>
/// Per-feature standardisation, <c>(x - mean) / std</c>, with mean and (population) standard deviation
/// fitted on training data and then applied unchanged to validation and test data.
/// </summary>
public sealed class Standardizer
{
    private readonly float[] _scale;

    private Standardizer(float[] mean, float[] std)
    {
        Mean = mean;
        Std = std;
        _scale = new float[std.Length];
        for (int f = 0; f < std.Length; f++) _scale[f] = 1 / std[f];
    }

    /// <summary>Per-feature means.</summary>
    public float[] Mean { get; }

    /// <summary>
    /// Per-feature standard deviations, with 1 in place of a constant feature's (one whose spread is 0 or
    /// below float resolution at its mean), so such a feature becomes 0 instead of a division by zero.
    /// </summary>
    public float[] Std { get; }

    /// <summary>Number of features per row.</summary>
    public int FeatureCount => Mean.Length;

    /// <summary>Fits means and deviations to <paramref name="data"/>, row-major [rows, <paramref name="featureCount"/>].</summary>
    public static Standardizer Fit(ReadOnlySpan<float> data, int featureCount)
    {
        int rows = TabularShape.Rows(data.Length, featureCount);
        // Two passes in double: the one-pass formula loses everything to cancellation when mean >> std.
        var sum = new double[featureCount];
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < featureCount; f++) sum[f] += data[r * featureCount + f];
        var mean = new double[featureCount];
        for (int f = 0; f < featureCount; f++) mean[f] = sum[f] / rows;
        var squares = new double[featureCount];
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < featureCount; f++)
            {
                double d = data[r * featureCount + f] - mean[f];
                squares[f] += d * d;
            }
        var meanF = new float[featureCount];
        var stdF = new float[featureCount];
        for (int f = 0; f < featureCount; f++)
        {
            double std = Math.Sqrt(squares[f] / rows);
            meanF[f] = (float)mean[f];
            stdF[f] = std <= Math.Abs(mean[f]) * 1e-6 || std == 0 ? 1f : (float)std;
        }
        return new Standardizer(meanF, stdF);
    }

    /// <summary>Standardises <paramref name="data"/> ([rows, <see cref="FeatureCount"/>]) in place.</summary>
    public void Transform(Span<float> data)
    {
        int rows = TabularShape.Rows(data.Length, FeatureCount);
        for (int r = 0; r < rows; r++)
        {
            var row = data.Slice(r * FeatureCount, FeatureCount);
            TensorPrimitives.Subtract(row, Mean, row);
            TensorPrimitives.Multiply(row, _scale, row);
        }
    }

    /// <summary>Undoes <see cref="Transform"/> in place: <c>x * std + mean</c>.</summary>
    public void InverseTransform(Span<float> data)
    {
        int rows = TabularShape.Rows(data.Length, FeatureCount);
        for (int r = 0; r < rows; r++)
        {
            var row = data.Slice(r * FeatureCount, FeatureCount);
            TensorPrimitives.MultiplyAdd(row, Std, Mean, row);
        }
    }
}
