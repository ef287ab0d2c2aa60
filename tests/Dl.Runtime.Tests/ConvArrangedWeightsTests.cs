using System;
using System.Linq;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>
/// The direct convolution keeps each layer's rearranged weights between calls and reuses them while the
/// weights' bytes are unchanged. These tests change weights in place (same array, same address), in the
/// middle as well as at the ends, and run more layers than it keeps, so a stale arrangement would give
/// a wrong result against the naive loops.
/// </summary>
public partial class ConvKernelTests
{
    private static double[] NaiveForward(ConvShape s, int batch, float[] x, float[] w)
    {
        var y = new double[batch * s.OutputSize];
        for (int n = 0; n < batch; n++) Taps(s, n, (xi, wi, yi) => y[yi] += x[xi] * w[wi]);
        return y;
    }

    private static double[] NaiveInputGradient(ConvShape s, int batch, float[] dy, float[] w)
    {
        var dx = new double[batch * s.InputSize];
        for (int n = 0; n < batch; n++) Taps(s, n, (xi, wi, yi) => dx[xi] += dy[yi] * w[wi]);
        return dx;
    }

    [Theory]
    [InlineData(0)]          // the first weight
    [InlineData(1200)]       // one in the middle
    [InlineData(2399)]       // the last
    public void Weights_changed_in_place_between_calls_are_used(int changed)
    {
        var s = Shape(6, 14, 14, 16, 5, 1, 0, 1, 1);   // LeNet's conv2: 2,400 weights
        var x = Random(2 * s.InputSize, 1);
        var dy = Random(2 * s.OutputSize, 2);
        var w = Random(s.WeightSize, 3);
        var y = new float[2 * s.OutputSize];
        var dx = new float[2 * s.InputSize];
        for (int round = 0; round < 3; round++)
        {
            Conv.Forward(s, 2, x, w, default, y);
            Close(y, NaiveForward(s, 2, x, w), $"y, round {round}");
            Conv.BackwardData(s, 2, dy, w, dx);
            Close(dx, NaiveInputGradient(s, 2, dy, w), $"dx, round {round}");
            w[changed] += 0.5f;   // the same array: only its bytes tell the change
        }
    }

    [Fact]
    public void More_layers_than_the_kept_arrangements_each_use_their_own_weights()
    {
        var s = Shape(3, 9, 11, 5, 3, 1, 1, 1, 1);
        var x = Random(s.InputSize, 4);
        var layers = Enumerable.Range(0, 20).Select(i => Random(s.WeightSize, 100 + i)).ToArray();
        var expected = layers.Select(w => NaiveForward(s, 1, x, w)).ToArray();
        var y = new float[s.OutputSize];
        for (int pass = 0; pass < 3; pass++)
            for (int i = 0; i < layers.Length; i++)
            {
                // Every other pass backwards: each layer meets the arrangements in another order.
                int layer = pass % 2 == 0 ? i : layers.Length - 1 - i;
                Conv.Forward(s, 1, x, layers[layer], default, y);
                Close(y, expected[layer], $"layer {layer}, pass {pass}");
            }
    }
}
