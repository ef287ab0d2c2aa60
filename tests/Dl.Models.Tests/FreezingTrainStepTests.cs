using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

/// <summary>The generated TrainStep's SGD update honours run-time freezing (<see cref="Freezing"/>).</summary>
public class FreezingTrainStepTests
{
    [Fact]
    public void TrainStep_leaves_frozen_tensors_bit_for_bit_and_trains_the_rest()
    {
        var model = new SmallMlp(seed: 3) { LearningRate = 0.1f };
        var x = Enumerable.Range(0, 8 * 12).Select(i => (i % 7) / 7f - 0.4f).ToArray();
        var labels = Enumerable.Range(0, 8).Select(i => i % 5).ToArray();
        model.Freeze("hidden");
        float[] Tensor(string name) { var p = model.ParameterLayout.Single(q => q.Name == name); return model.Parameters.Slice(p.Offset, p.Length).ToArray(); }
        var hiddenWeight = Tensor("hidden.weight");
        var hiddenBias = Tensor("hidden.bias");
        var outputWeight = Tensor("output.weight");

        for (int i = 0; i < 3; i++) model.TrainStep(x, labels);

        Assert.Equal(hiddenWeight.Select(BitConverter.SingleToInt32Bits), Tensor("hidden.weight").Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(hiddenBias.Select(BitConverter.SingleToInt32Bits), Tensor("hidden.bias").Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(outputWeight, Tensor("output.weight"));
        Assert.Contains(model.Gradients.ToArray(), g => g != 0);   // the gradients were there; only the update skipped them

        model.UnfreezeAll();
        model.TrainStep(x, labels);
        Assert.NotEqual(hiddenWeight, Tensor("hidden.weight"));
    }
}
