using System;
using System.Linq;

namespace Dl.Runtime.Tests;

/// <summary>The recurrent layers' init (PyTorch's U(-1/√H, 1/√H)): H is the first size over the gate count.</summary>
public class RecurrentInitTests
{
    [Theory]
    [InlineData(Init.RnnUniform, new[] { 16, 7 }, 16)]
    [InlineData(Init.LstmUniform, new[] { 64, 7 }, 16)]
    [InlineData(Init.LstmUniform, new[] { 64 }, 16)]
    [InlineData(Init.GruUniform, new[] { 48, 16 }, 16)]
    [InlineData(Init.GruUniform, new[] { 300, 5 }, 100)]
    public void Values_FillTheRangeOneOverRootH_AndNoMore(Init init, int[] shape, int hidden)
    {
        var parameter = new ParameterInfo("layer.weight", 0, shape, init);
        Assert.Equal(hidden, Initializers.RecurrentHidden(parameter));
        var values = new float[parameter.Length];
        Initializers.Fill(values, parameter, new SeededRandom(3));
        double bound = 1 / Math.Sqrt(hidden);
        Assert.All(values, v => Assert.InRange(v, -bound, bound));
        // Uniform over the whole range: both ends are reached (to within a tenth) and the mean is near zero.
        Assert.True(values.Max() > 0.9 * bound && values.Min() < -0.9 * bound, $"[{values.Min()}, {values.Max()}] for bound {bound}");
        Assert.InRange(values.Average(), -0.2 * bound, 0.2 * bound);
        // Not what Glorot would give for the same shape (a different bound), so the kind is really read.
        Assert.NotEqual(Math.Sqrt(6.0 / (parameter.FanIn + parameter.FanOut)), bound, 3);
    }
}
