using System;

namespace Gan;

/// <summary>Standard-normal noise for the generator, seeded so a run replays (Box-Muller on System.Random).</summary>
internal sealed class Noise
{
    private readonly Random _random;

    public Noise(int seed) => _random = new Random(seed);

    /// <summary>Fills <paramref name="values"/> with independent N(0, 1) samples.</summary>
    public void Fill(Span<float> values)
    {
        for (int i = 0; i < values.Length; i += 2)
        {
            // 1 - NextDouble() is in (0, 1]: the logarithm is finite.
            double radius = Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())), angle = 2 * Math.PI * _random.NextDouble();
            values[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < values.Length) values[i + 1] = (float)(radius * Math.Sin(angle));
        }
    }
}
