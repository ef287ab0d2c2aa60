using System;

namespace Autoencoder;

/// <summary>The host-side arithmetic on pictures: noise, the sigmoid of logits, errors.</summary>
internal static class Pixels
{
    /// <summary>
    /// <paramref name="clean"/> plus N(0, <paramref name="sigma"/>²) per pixel, clipped to [0, 1], into <paramref name="noisy"/>.
    /// Box-Muller on <paramref name="random"/> (System.Random with a seed: the same noise on every run).
    /// </summary>
    public static void AddNoise(ReadOnlySpan<float> clean, Span<float> noisy, float sigma, Random random)
    {
        for (int i = 0; i < clean.Length; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            noisy[i] = Math.Clamp(clean[i] + sigma * (float)normal, 0f, 1f);
        }
    }

    /// <summary>1 / (1 + e^-x) of each logit: the picture a model of pixel logits draws.</summary>
    public static void Sigmoid(ReadOnlySpan<float> logits, Span<float> pictures)
    {
        for (int i = 0; i < logits.Length; i++) pictures[i] = 1f / (1f + MathF.Exp(-logits[i]));
    }

    /// <summary>Sum of squared differences, in double.</summary>
    public static double SquaredError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) { double d = a[i] - b[i]; sum += d * d; }
        return sum;
    }

    /// <summary>Standard normal values from <paramref name="random"/> (Box-Muller), for codes drawn from the prior.</summary>
    public static float[] Normal(int count, Random random)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return values;
    }
}
