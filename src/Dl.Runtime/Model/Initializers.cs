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
            case Init.RnnUniform or Init.LstmUniform or Init.GruUniform:
            {
                double a = 1.0 / Math.Sqrt(RecurrentHidden(parameter));
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)((random.NextDouble() * 2 - 1) * a);
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

    /// <summary>The hidden size of a recurrent layer's weight [G·H, in] or bias [G·H]: its first size over the gate count G.</summary>
    public static int RecurrentHidden(ParameterInfo parameter)
    {
        int gates = parameter.Init switch { Init.LstmUniform => 4, Init.GruUniform => 3, _ => 1 };
        int rows = parameter.Shape.Length == 0 ? 1 : parameter.Shape[0];
        return Math.Max(1, rows / gates);
    }
}
