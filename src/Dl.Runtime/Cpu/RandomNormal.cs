using System;

namespace Dl.Cpu;

/// <summary>
/// Standard normal samples for a training step: bit for bit the definition of Dl.Graph's RandomNormalOp
/// (Box-Muller's cosine branch on two 32-bit uniforms from dropout's counter-based hash of seed, stream, step
/// and index, in a domain of its own), so compiled samples match the reference evaluator's.
/// </summary>
public static class RandomNormal
{
    private const ulong Domain = 0x4E4F524D414C2121UL;

    public static void Fill(Span<float> samples, int stream, int seed, long step)
    {
        ulong key = Key(seed, stream, step);
        for (int i = 0; i < samples.Length; i++) samples[i] = At(key, i);
    }

    /// <summary>The key of one op's samples at one step (seed, stream, step), from which each sample is drawn by <see cref="At"/>.</summary>
    public static ulong Key(int seed, int stream, long step) => Dropout.Mix(Dropout.StreamKey(seed, stream, step) ^ Domain);

    /// <summary>
    /// Sample <paramref name="index"/> with <paramref name="key"/>: the one definition both backends use (a GPU kernel
    /// calls it per thread, in double as here).
    /// </summary>
    public static float At(ulong key, long index)
    {
        ulong bits = Dropout.Mix(key + (ulong)index * 0x9E3779B97F4A7C15UL);
        double u1 = ((bits >> 32) + 1) * (1.0 / 4294967296.0);
        double u2 = (uint)bits * (1.0 / 4294967296.0);
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
