using System;

namespace Dl;

/// <summary>Seeded parameter initialisation, called by generated models.</summary>
public static class Initializers
{
    /// <summary>Fills <paramref name="destination"/> as the parameter's <see cref="Init"/> asks.</summary>
    public static void Fill(Span<float> destination, ParameterInfo parameter, SeededRandom random)
    {
        switch (parameter.Init)
        {
            case Init.Zeros: destination.Clear(); break;
            case Init.Ones: destination.Fill(1f); break;
            case Init.He:
            {
                double std = Math.Sqrt(2.0 / parameter.FanIn);
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)(random.NextNormal() * std);
                break;
            }
            default:
            {
                double a = Math.Sqrt(6.0 / (parameter.FanIn + parameter.FanOut));
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)((random.NextDouble() * 2 - 1) * a);
                break;
            }
        }
    }
}
