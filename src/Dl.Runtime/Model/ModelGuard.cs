using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics.Tensors;

namespace Dl;

/// <summary>
/// Checks a generated model runs on every call: a batch of the wrong size fails here, naming both
/// shapes; with <see cref="CheckFinite"/> on, so does a NaN or infinity in an input or, after an
/// update, in a parameter.
/// </summary>
public static class ModelGuard
{
    /// <summary>
    /// Off by default. When on, every entry point of a generated CPU model checks its float inputs for
    /// NaN and infinity before anything runs, and TrainStep checks every parameter after its update;
    /// the first bad value throws <see cref="NotFiniteNumberException"/> naming the model, the input or
    /// parameter (by its path, e.g. <c>hidden.weight</c>) and the index. When off it costs one read of
    /// this flag per call. Also set by the environment variable DL_CHECK_FINITE=1.
    /// </summary>
    public static bool CheckFinite { get; set; } = Environment.GetEnvironmentVariable("DL_CHECK_FINITE") == "1";

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

    /// <summary>
    /// The error of a row lookup (an embedding) whose index is outside the table: the generated code
    /// checks every index before it reads, so a bad token never reads outside the table. The text is
    /// the reference evaluator's (Dl.Graph's GatherRowsOp.OutOfRange).
    /// </summary>
    public static IndexOutOfRangeException IndexOutOfRange(string what, long index, int at, int rows) =>
        new(string.Format(CultureInfo.InvariantCulture, "{0}: index {1} (element {2} of the indices) is outside the table's rows 0..{3}", what, index, at, rows - 1));

    /// <summary>Throws <see cref="IndexOutOfRange"/>'s error for the first of <paramref name="indices"/> outside 0..rows-1 (the GPU checks them on the host, before they are uploaded).</summary>
    public static void CheckIndices(ReadOnlySpan<int> indices, int rows, string what)
    {
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)rows) throw IndexOutOfRange(what, indices[i], i, rows);
    }

    /// <summary>
    /// The error of a sequence mask whose length is outside 0..steps: the generated code checks each
    /// sample's length before it masks. The text is the reference evaluator's (Dl.Graph's SequenceMaskOp.OutOfRange).
    /// </summary>
    public static IndexOutOfRangeException LengthOutOfRange(long length, int at, int steps) =>
        new(string.Format(CultureInfo.InvariantCulture, "SequenceMask: length {0} (element {1} of the lengths) is outside 0..{2}, the steps of the sequence", length, at, steps));

    /// <summary>Throws <see cref="LengthOutOfRange"/>'s error for the first of <paramref name="lengths"/> outside 0..steps (the GPU checks them on the host, before they are uploaded).</summary>
    public static void CheckLengths(ReadOnlySpan<int> lengths, int steps)
    {
        for (int i = 0; i < lengths.Length; i++)
            if ((uint)lengths[i] > (uint)steps) throw LengthOutOfRange(lengths[i], i, steps);
    }

    /// <summary>Throws <see cref="NotFiniteNumberException"/> at the first NaN or infinity of an input (see <see cref="CheckFinite"/>).</summary>
    public static void RequireFiniteInput(ReadOnlySpan<float> values, string model, string input, string shape)
    {
        int at = IndexOfNonFinite(values);
        if (at < 0) return;
        throw new NotFiniteNumberException(string.Format(CultureInfo.InvariantCulture,
            "{0}: input '{1}' {2} has {3} at index {4}; nothing was run (ModelGuard.CheckFinite is on)", model, input, shape, values[at], at), values[at]);
    }

    /// <summary>
    /// Throws <see cref="NotFiniteNumberException"/> at the first NaN or infinity among the parameters,
    /// naming the parameter of <paramref name="layout"/> it belongs to (see <see cref="CheckFinite"/>).
    /// </summary>
    public static void RequireFiniteParameters(ReadOnlySpan<float> parameters, IReadOnlyList<ParameterInfo> layout, string model, string after)
    {
        int at = IndexOfNonFinite(parameters);
        if (at < 0) return;
        string where = $"index {at} of the parameters";
        foreach (var p in layout)
            if (at >= p.Offset && at < p.Offset + p.Length)
                where = $"index {at - p.Offset} of '{p.Name}' [{string.Join(",", p.Shape)}]";
        throw new NotFiniteNumberException(string.Format(CultureInfo.InvariantCulture,
            "{0}: {1} after {2}: the step diverged (ModelGuard.CheckFinite is on)", model, $"{parameters[at]} at {where}", after), parameters[at]);
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        if (TensorPrimitives.IsFiniteAll(values)) return -1;
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}
