using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dl.Checkpoints;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>
/// NaN and infinite values, the mark of a diverged run, are refused by Load and by Save unless the caller opts in
/// with <c>allowNonFinite: true</c>; so is an optimizer learning rate that is NaN, infinite or negative.
/// </summary>
public class NonFiniteTests
{
    public static TheoryData<float, string> Bad => new() { { float.NaN, "NaN" }, { float.PositiveInfinity, "Infinity" }, { float.NegativeInfinity, "-Infinity" } };

    [Theory]
    [MemberData(nameof(Bad))]
    public void A_non_finite_parameter_is_refused_unless_allowed(float bad, string shown)
    {
        using var folder = new TempFolder();
        string path = folder.File("foreign.safetensors");
        // An independent writer's file: no checksum, so only the value check stands between it and the model.
        RawSafetensors.Write(path, "{" + RawSafetensors.Entry("w", "[2,2]", 0, 16) + "," + RawSafetensors.Entry("b", "[2]", 16, 24) + "}",
            RawSafetensors.Floats(1, 2, 3, 4, 5, bad));
        var model = new FakeModel(("w", new[] { 2, 2 }), ("b", new[] { 2 }));
        model.ParameterArray.AsSpan().Fill(-9);

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model));
        Assert.Equal($"b: 1 of 2 values in the file are NaN or infinite (the first, at index 1, is {shown}); a diverged run? Pass allowNonFinite: true to accept them", e.Message);
        Assert.All(model.ParameterArray, p => Assert.Equal(-9f, p));
        Assert.Throws<CheckpointException>(() => Checkpoint.ReadTensors(path));

        Checkpoint.Load(path, model, allowNonFinite: true);
        Assert.Equal(BitConverter.SingleToInt32Bits(bad), BitConverter.SingleToInt32Bits(model.ParameterArray[5]));
        Assert.Equal(BitConverter.SingleToInt32Bits(bad), BitConverter.SingleToInt32Bits(Checkpoint.ReadTensors(path, allowNonFinite: true)["b"].Values[1]));
    }

    [Fact]
    public void A_non_finite_optimizer_state_is_refused()
    {
        using var folder = new TempFolder();
        string path = folder.File("foreign.safetensors");
        RawSafetensors.Write(path, "{" + RawSafetensors.Entry("w", "[2]", 0, 8) + "," + RawSafetensors.Entry("optimizer/velocity/w", "[2]", 8, 16) + "}",
            RawSafetensors.Floats(1, 2, float.NaN, float.NaN));
        var model = new FakeModel(("w", new[] { 2 }));
        var momentum = new Momentum(0.1f);

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, momentum));
        Assert.StartsWith("optimizer/velocity/w: 2 of 2 values in the file are NaN or infinite (the first, at index 0, is NaN)", e.Message);
        Assert.Equal(new[] { 0f, 0f }, model.ParameterArray);
        Assert.Empty(momentum.State);
    }

    [Fact]
    public void Save_refuses_non_finite_values_and_keeps_the_previous_file_unless_allowed()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var model = FakeModel.Mlp(seed: 1);
        Checkpoint.Save(path, model, step: 1);
        byte[] good = File.ReadAllBytes(path);

        model.ParameterArray[13] = float.PositiveInfinity;   // hidden.bias[1]
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Save(path, model, step: 2));
        Assert.Equal($"{path}: not saved: hidden.bias: 1 of 3 values to save are NaN or infinite (the first, at index 1, is Infinity); a diverged run? Pass allowNonFinite: true to accept them", e.Message);
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName));

        var velocity = new float[model.Parameters.Length];
        model.ParameterArray[13] = 0;
        velocity[0] = float.NaN;
        Assert.Throws<CheckpointException>(() => Checkpoint.Save(path, model, new Dictionary<string, float[]> { ["velocity"] = velocity }));
        Assert.Equal(good, File.ReadAllBytes(path));

        Checkpoint.Save(path, model, new Dictionary<string, float[]> { ["velocity"] = velocity }, step: 3, allowNonFinite: true);
        Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, FakeModel.Mlp()));
        var state = Checkpoint.Load(path, FakeModel.Mlp(), allowNonFinite: true);
        Assert.True(float.IsNaN(state.OptimizerState["velocity"][0]));
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("-0.5")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("fast")]
    [InlineData("")]
    public void A_learning_rate_that_is_not_a_finite_non_negative_number_is_refused(string rate)
    {
        using var folder = new TempFolder();
        string path = folder.File("foreign.safetensors");
        RawSafetensors.Write(path, "{\"__metadata__\":{\"dl.learning_rate\":\"" + rate + "\"}," + RawSafetensors.Entry("w", "[2]", 0, 8) + "}",
            RawSafetensors.Floats(1, 2));
        var model = new FakeModel(("w", new[] { 2 }));

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, new Sgd(0.1f)));
        Assert.Equal($"__metadata__ dl.learning_rate is '{rate}', not a learning rate (a finite number >= 0)", e.Message);
        Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model));
        Assert.Equal(new[] { 0f, 0f }, model.ParameterArray);
    }

    [Fact]
    public void The_optimizer_overloads_record_kind_and_rate_restore_the_rate_and_refuse_another_kind()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var (model, _) = IntegrityTests.SaveTrainedAdam(path);
        var metadata = Checkpoint.ReadMetadata(path);
        Assert.Equal("Adam", metadata[Checkpoint.OptimizerKey]);
        Assert.Equal("0.01", metadata[Checkpoint.LearningRateKey]);

        var resumed = new Adam(0.5f);
        var state = Checkpoint.Load(path, FakeModel.Mlp(), resumed);
        Assert.Equal(0.01f, resumed.LearningRate);
        Assert.Equal(0.01f, state.LearningRate);
        Assert.Equal("Adam", state.OptimizerName);

        // AdamW has Adam's slots, so only the recorded kind tells them apart.
        var other = FakeModel.Mlp(seed: 8);
        var before = other.ParameterArray.ToArray();
        var adamW = new AdamW(0.5f);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, other, adamW));
        Assert.Equal("__metadata__ dl.optimizer: the file holds the state of optimizer 'Adam', this one is 'AdamW'", e.Message);
        Assert.Equal(before, other.ParameterArray);
        Assert.Equal(0.5f, adamW.LearningRate);
        Assert.Equal(0, adamW.StepCount);
        // Without an optimizer the parameters load whatever optimizer trained them.
        Checkpoint.Load(path, other);
        Assert.Equal(model.ParameterArray, other.ParameterArray);
    }
}
