using System;

namespace Dl.Training;

/// <summary>A seeded random partition of sample indices into training, validation and test sets.</summary>
public sealed class DataSplit
{
    private DataSplit(int[] train, int[] validation, int[] test)
    {
        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>Indices of the training samples.</summary>
    public int[] Train { get; }

    /// <summary>Indices of the validation samples.</summary>
    public int[] Validation { get; }

    /// <summary>Indices of the test samples.</summary>
    public int[] Test { get; }

    /// <summary>
    /// Shuffles 0..<paramref name="count"/>-1 with <paramref name="seed"/> (Fisher-Yates over
    /// <see cref="SeededRandom"/>, so the split is the same on every machine) and cuts it into
    /// validation (<c>round(count * validationFraction)</c> indices), test (<c>round(count * testFraction)</c>)
    /// and training (the rest).
    /// </summary>
    public static DataSplit Split(int count, double validationFraction, double testFraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction),
                $"fractions must be non-negative and sum to at most 1; got validation {validationFraction}, test {testFraction}");
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var random = new SeededRandom(seed);
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int validation = (int)Math.Round(count * validationFraction, MidpointRounding.AwayFromZero);
        int test = Math.Min(count - validation, (int)Math.Round(count * testFraction, MidpointRounding.AwayFromZero));
        return new DataSplit(
            order.AsSpan(validation + test).ToArray(),
            order.AsSpan(0, validation).ToArray(),
            order.AsSpan(validation, test).ToArray());
    }

    /// <summary>The rows of <paramref name="rows"/> (each <paramref name="rowLength"/> values) at <paramref name="indices"/>, in that order.</summary>
    public static float[] Gather(ReadOnlySpan<float> rows, int rowLength, ReadOnlySpan<int> indices)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        if (rows.Length % rowLength != 0)
            throw new ArgumentException($"{rows.Length} values are not whole rows of {rowLength}", nameof(rows));
        int rowCount = rows.Length / rowLength;
        var result = new float[indices.Length * rowLength];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)rowCount)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {indices[i]} at position {i} is outside the {rowCount} rows");
            rows.Slice(indices[i] * rowLength, rowLength).CopyTo(result.AsSpan(i * rowLength));
        }
        return result;
    }

    /// <summary>The elements of <paramref name="values"/> (labels, targets) at <paramref name="indices"/>, in that order.</summary>
    public static T[] Gather<T>(ReadOnlySpan<T> values, ReadOnlySpan<int> indices)
    {
        var result = new T[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)values.Length)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {indices[i]} at position {i} is outside the {values.Length} values");
            result[i] = values[indices[i]];
        }
        return result;
    }
}
