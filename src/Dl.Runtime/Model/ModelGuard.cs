using System;
using System.Globalization;

namespace Dl;

/// <summary>Checks a generated model runs on every call: a batch of the wrong size fails here, naming both shapes.</summary>
public static class ModelGuard
{
    /// <summary>The batch size N of an input whose shape is [N, ...] with <paramref name="perSample"/> floats per row.</summary>
    public static int BatchSize(int length, long perSample, string input, string shape)
    {
        if (length == 0 || length % perSample != 0)
            throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
                "{0}: expected shape {1}, a positive multiple of {2} values, got {3} values{4}",
                input, shape, perSample, length, length > perSample ? $" ({length / perSample} rows and {length % perSample} left over)" : ""), input);
        return (int)(length / perSample);
    }

    /// <summary>An input or output whose length is fixed once N is known.</summary>
    public static void ExpectLength(int length, long expected, string input, string shape)
    {
        if (length != expected)
            throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
                "{0}: expected shape {1} = {2} values for this batch, got {3}", input, shape, expected, length), input);
    }
}
