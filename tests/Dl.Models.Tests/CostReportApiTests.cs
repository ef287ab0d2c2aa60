using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

/// <summary>The cost report a generated model carries: constants, the ModelCost object and its table.</summary>
public class CostReportApiTests
{
    [Fact]
    public void TheMnistMlp_ReportsItsProductsPerSample_AndItsArenaForAnyBatch()
    {
        Assert.Equal(784 * 128 + 128 * 10, MnistMlp.PredictMultiplyAdds);
        Assert.Equal(2 * (784 * 128 + 128 * 10) + 128 * 10, MnistMlp.TrainStepMultiplyAdds);   // forward, dW1, dW2, dh
        var cost = MnistMlp.CostReport;
        Assert.Equal(MnistMlp.ParameterCount, cost.Parameters);
        Assert.Equal(new[] { "hidden", "output" }, cost.Layers.Select(l => l.Layer));
        Assert.Equal(cost.Parameters, cost.Layers.Sum(l => l.Parameters));
        Assert.Equal(MnistMlp.ArenaFixedFloats + 64 * MnistMlp.ArenaFloatsPerSample, cost.ArenaFloats(64));
        Assert.Throws<ArgumentOutOfRangeException>(() => cost.ArenaFloats(0));
        var table = cost.ToString();
        Assert.Contains("hidden", table);
        Assert.Contains("101,632", table);
        Assert.Contains("train step 204,544", table);
    }
}
