using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Training;

namespace Dl.Training.Tests.Optimization;

/// <summary>Run-time freezing per parameter tensor: optimizers leave frozen tensors and their state alone, wherever they lie.</summary>
public class FreezingTests
{
    // hidden.weight [4,3] @0, hidden.bias [3] @12, output.weight [3,2] @15, output.bias [2] @21.
    private static FakeModel Model()
    {
        var model = FakeModel.Mlp(seed: 2);
        var random = new SeededRandom(5);
        for (int i = 0; i < model.GradientArray.Length; i++) model.GradientArray[i] = (float)random.NextNormal();
        return model;
    }

    private static float[] Values(FakeModel model, float[] array, string name)
    {
        var p = model.ParameterLayout.Single(x => x.Name == name);
        return array.AsSpan(p.Offset, p.Length).ToArray();
    }

    private static void SameBits(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length && expected.Zip(actual).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second)),
            $"{what}: expected [{string.Join(",", expected)}], got [{string.Join(",", actual)}]");
    }

    public static IEnumerable<object[]> Rules() => new[]
    {
        new object[] { "Sgd" }, new object[] { "Momentum" }, new object[] { "Adam" }, new object[] { "AdamW" },
    };

    private static Optimizer Make(string rule) => rule switch
    {
        "Sgd" => new Sgd(0.1f) { WeightDecay = 0.01f },
        "Momentum" => new Momentum(0.1f, 0.9f),
        "Adam" => new Adam(0.05f),
        _ => new AdamW(0.05f) { WeightDecay = 0.1f },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Frozen_tensors_keep_their_bits_and_state_while_the_others_train_exactly_as_without_freezing(string rule)
    {
        var frozen = Model();
        var free = Model();
        var before = frozen.ParameterArray.ToArray();
        // One tensor in the middle of the layout and, by prefix, the two at its end.
        frozen.Freeze("hidden.bias");
        Assert.Equal(3, frozen.Freeze("output"));
        var o1 = Make(rule);
        var o2 = Make(rule);
        for (int step = 0; step < 5; step++)
        {
            o1.Step(frozen);
            o2.Step(free);
        }

        foreach (var name in new[] { "hidden.bias", "output.weight", "output.bias" })
        {
            SameBits(Values(frozen, before, name), Values(frozen, frozen.ParameterArray, name), name);
            foreach (var (slot, values) in o1.State)
                SameBits(new float[Values(frozen, values, name).Length], Values(frozen, values, name), $"{rule} slot {slot} of {name}");
        }
        // The trainable tensor moved, exactly as it does when nothing is frozen (the rules are elementwise).
        Assert.NotEqual(Values(frozen, before, "hidden.weight"), Values(frozen, frozen.ParameterArray, "hidden.weight"));
        SameBits(Values(free, free.ParameterArray, "hidden.weight"), Values(frozen, frozen.ParameterArray, "hidden.weight"), "hidden.weight");
        Assert.Equal(5, o1.StepCount);
    }

    [Fact]
    public void Clipping_measures_the_trainable_gradients_only()
    {
        var model = Model();
        model.Freeze("hidden");
        var sgd = new Sgd(0.1f) { MaxGradientNorm = 1e-3f };
        sgd.Step(model);
        float expected = MathF.Sqrt(model.GradientArray.Skip(15).Sum(g => g * g));
        Assert.Equal(expected, sgd.LastGradientNorm, 5);
    }

    [Fact]
    public void Unfreeze_IsFrozen_and_names_that_match_nothing()
    {
        var model = Model();
        Assert.False(model.IsFrozen("hidden.weight"));
        Assert.Equal(2, model.Freeze("hidden"));
        Assert.True(model.IsFrozen("hidden.weight") && model.IsFrozen("hidden.bias") && !model.IsFrozen("output.weight"));
        Assert.Equal(new[] { (15, 8) }, Freezing.TrainableRanges(model)!.Select(r => (r.Offset, r.Length)));
        Assert.Equal(1, model.Unfreeze("hidden.weight"));
        Assert.Equal(new[] { (0, 12), (15, 8) }, Freezing.TrainableRanges(model)!.Select(r => (r.Offset, r.Length)));
        Assert.Equal(0, model.Unfreeze("hidden"));
        Assert.Null(Freezing.TrainableRanges(model));
        model.Freeze("output.bias");
        model.UnfreezeAll();
        Assert.Null(Freezing.TrainableRanges(model));

        // "hid" is not a path of "hidden.weight": a prefix is a whole path segment.
        var e = Assert.Throws<ArgumentException>(() => model.Freeze("hid"));
        Assert.Contains("hidden.weight", e.Message);
        Assert.Throws<ArgumentException>(() => model.IsFrozen("nothing"));
    }

    [Fact]
    public void A_step_with_frozen_tensors_allocates_nothing()
    {
        var model = Model();
        model.Freeze("hidden.bias");
        var adam = new Adam(0.01f) { MaxGradientNorm = 1 };
        for (int i = 0; i < 10; i++) adam.Step(model);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) adam.Step(model);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
