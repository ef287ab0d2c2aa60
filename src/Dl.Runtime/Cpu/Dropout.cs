using System;

namespace Dl.Cpu;

/// <summary>
/// Dropout masks: element i is 0 with probability <c>rate</c>, else 1/(1 - rate). The draw is a
/// counter-based hash of (model seed, layer stream, training step, i), bit for bit the one that
/// defines the op in Dl.Graph (DropoutMaskOp), so compiled masks match the reference evaluator's.
/// </summary>
public static class Dropout
{
    public static void Mask(Span<float> mask, float rate, int stream, int seed, long step)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "the dropout rate must be in [0, 1)");
        ulong key = StreamKey(seed, stream, step);
        uint threshold = Threshold(rate);
        float scale = Scale(rate);
        for (int i = 0; i < mask.Length; i++)
            mask[i] = At(key, i, threshold, scale);
    }

    /// <summary>The key of one layer's masks at one step (seed, stream, step), from which each element is drawn by <see cref="At"/>.</summary>
    public static ulong Key(int seed, int stream, long step) => StreamKey(seed, stream, step);

    /// <summary>Draws below this (of 2^24) drop the element: the rate in 24-bit fixed point.</summary>
    public static uint Threshold(float rate) => (uint)Math.Round((double)rate * (1 << 24));

    /// <summary>What a kept element is multiplied by: 1/(1 - rate).</summary>
    public static float Scale(float rate) => (float)(1 / (1 - (double)rate));

    /// <summary>
    /// Element <paramref name="index"/> of the mask with <paramref name="key"/>: 0 or <paramref name="scale"/>. The one
    /// definition both backends use (a GPU kernel calls it per thread), so their masks are the same bits.
    /// </summary>
    public static float At(ulong key, long index, uint threshold, float scale) => Draw(key, index) >= threshold ? scale : 0f;

    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    internal static ulong StreamKey(int seed, int stream, long step) =>
        Mix(Mix(((ulong)(uint)seed << 32 | (uint)stream) + 0x9E3779B97F4A7C15UL) ^ (ulong)step * 0xD1B54A32D192ED03UL);

    internal static uint Draw(ulong key, long index) => (uint)(Mix(key + (ulong)index * 0x9E3779B97F4A7C15UL) >> 40);
}
