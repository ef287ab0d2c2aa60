using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

/// <summary>
/// The compiled gradient against central differences of the compiled loss itself, in float: a check
/// that does not go through any of our VJPs or the evaluator.
/// </summary>
public class FiniteDifferenceTests
{
    [Fact]
    public void SmoothNet_GradientMatchesCentralDifferences()
    {
        var model = new SmoothNet(seed: 2);
        var random = new Dl.SeededRandom(8);
        const int batch = 5;
        var x = Enumerable.Range(0, batch * 6).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var y = Enumerable.Range(0, batch).Select(_ => random.NextInt(3)).ToArray();
        model.ComputeGradients(x, y);
        var analytic = model.Gradients.ToArray();

        const float h = 1e-2f;
        int checkedCount = 0;
        foreach (var p in model.ParameterLayout)
            for (int k = 0; k < p.Length; k += Math.Max(1, p.Length / 7))
            {
                int i = p.Offset + k;
                float saved = model.Parameters[i];
                model.Parameters[i] = saved + h;
                double up = model.Evaluate(x, y);
                model.Parameters[i] = saved - h;
                double down = model.Evaluate(x, y);
                model.Parameters[i] = saved;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"{p.Name}[{k}]: compiled gradient {analytic[i]:R}, central difference {numeric:R}");
                checkedCount++;
            }
        Assert.True(checkedCount > 20);
    }
}
