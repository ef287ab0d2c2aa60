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
        uint threshold = (uint)Math.Round((double)rate * (1 << 24));
        float scale = (float)(1 / (1 - (double)rate));
        for (int i = 0; i < mask.Length; i++)
            mask[i] = Draw(key, i) >= threshold ? scale : 0f;
    }

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
