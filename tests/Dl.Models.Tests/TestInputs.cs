namespace Dl.Models.Tests;

// Also compiled into Dl.Gpu.Tests (linked from its .csproj).

/// <summary>Seeded test inputs.</summary>
internal static class TestInputs
{
    /// <summary><paramref name="n"/> floats uniform in [-scale, scale).</summary>
    public static float[] Floats(int n, int seed, double scale = 1)
    {
        var r = new Dl.SeededRandom(seed);
        return Enumerable.Range(0, n).Select(_ => (float)((r.NextDouble() * 2 - 1) * scale)).ToArray();
    }

    /// <summary><paramref name="n"/> class indices below <paramref name="classes"/>.</summary>
    public static int[] Labels(int n, int classes, int seed)
    {
        var r = new Dl.SeededRandom(seed);
        return Enumerable.Range(0, n).Select(_ => r.NextInt(classes)).ToArray();
    }
}
