using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace Dl.Checkpoints;

/// <summary>The check that keeps NaN and infinite values (the mark of a diverged run) out of checkpoints unless asked for.</summary>
internal static class NonFinite
{
    /// <summary>Throws <see cref="CheckpointException"/> naming <paramref name="tensor"/>, how many values are not finite and the first.</summary>
    public static void ThrowIfAny(string tensor, ReadOnlySpan<float> values, string where)
    {
        // IsFiniteAll reads the first element even of an empty span.
        if (values.IsEmpty || TensorPrimitives.IsFiniteAll(values)) return;
        int count = 0, first = -1;
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
            {
                count++;
                if (first < 0) first = i;
            }
        throw new CheckpointException(string.Create(CultureInfo.InvariantCulture,
            $"{tensor}: {count} of {values.Length} values {where} are NaN or infinite (the first, at index {first}, is {values[first]}); a diverged run? Pass allowNonFinite: true to accept them"));
    }
}
