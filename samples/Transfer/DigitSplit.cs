using System;
using System.Collections.Generic;
using Samples;

namespace Transfer;

/// <summary>The digits of one half of MNIST (0-4 or 5-9), relabelled 0-4, so both tasks are five-way classifications.</summary>
internal static class DigitSplit
{
    /// <summary>The digits <paramref name="first"/> to <paramref name="first"/>+4 of <paramref name="set"/>, labelled digit - first.</summary>
    public static Digits.Set Range(Digits.Set set, int first) => Take(set, first, int.MaxValue, out _);

    /// <summary>
    /// The first <paramref name="perClass"/> digits of each of <paramref name="first"/>..+4 in <paramref name="set"/>'s
    /// order (relabelled as <see cref="Range"/>); a class with fewer is a <see cref="SampleException"/> naming it.
    /// </summary>
    public static Digits.Set FewPerClass(Digits.Set set, int first, int perClass, string source)
    {
        var few = Take(set, first, perClass, out int[] counts);
        for (int c = 0; c < 5; c++)
            if (counts[c] < perClass)
                throw new SampleException($"{source} holds {counts[c]} training digits {first + c}; --per-class {perClass} needs that many of each of {first}-{first + 4}", SampleHost.UsageError);
        return few;
    }

    private static Digits.Set Take(Digits.Set set, int first, int perClass, out int[] counts)
    {
        counts = new int[5];
        var rows = new List<int>();
        for (int i = 0; i < set.Count; i++)
        {
            int c = set.Labels[i] - first;
            if (c < 0 || c >= 5 || counts[c] >= perClass) continue;
            counts[c]++;
            rows.Add(i);
        }
        if (rows.Count == 0) throw new SampleException($"no digits {first}-{first + 4} in the data");
        var pixels = new float[rows.Count * Digits.Pixels];
        var labels = new int[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            set.Pixels.AsSpan(rows[r] * Digits.Pixels, Digits.Pixels).CopyTo(pixels.AsSpan(r * Digits.Pixels));
            labels[r] = set.Labels[rows[r]] - first;
        }
        return new Digits.Set(pixels, labels);
    }
}
