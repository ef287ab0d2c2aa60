using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Dl.Checkpoints;

namespace Dl.Training.Tests.Checkpoints;

public class CheckpointRoundTripTests
{
    [Fact]
    public void Parameters_optimizer_state_step_and_metadata_come_back_exactly()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var model = FakeModel.Mlp(seed: 7);
        var m = Enumerable.Range(0, model.Parameters.Length).Select(i => i * 0.5f).ToArray();
        var v = Enumerable.Range(0, model.Parameters.Length).Select(i => -i - 0.25f).ToArray();
        Checkpoint.Save(path, model, new Dictionary<string, float[]> { ["m"] = m, ["v"] = v }, step: 1234,
            metadata: new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "quote \" and \\ and ünïcode" });

        var restored = FakeModel.Mlp(seed: 99);
        Assert.NotEqual(model.ParameterArray, restored.ParameterArray);
        var state = Checkpoint.Load(path, restored);

        Assert.Equal(model.ParameterArray, restored.ParameterArray);
        Assert.Equal(1234, state.Step);
        Assert.Equal("3", state.Metadata["epoch"]);
        Assert.Equal("quote \" and \\ and ünïcode", state.Metadata["note"]);
        Assert.False(state.Metadata.ContainsKey(Checkpoint.StepKey));
        Assert.Equal(new[] { "m", "v" }, state.OptimizerState.Keys.OrderBy(k => k));
        Assert.Equal(m, state.OptimizerState["m"]);
        Assert.Equal(v, state.OptimizerState["v"]);
    }

    [Fact]
    public void File_follows_the_safetensors_layout()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var model = new FakeModel(("w", new[] { 2, 3 }), ("b", new[] { 3 }));
        for (int i = 0; i < 9; i++) model.Parameters[i] = i + 1;
        Checkpoint.Save(path, model, step: 5);

        byte[] bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.Equal(8 + (long)n + 9 * 4, bytes.Length);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        // The checksums: the header's digest, then CRC-32C of each tensor's bytes, by an independent bitwise CRC.
        uint w = ReferenceCrc32C.Of(bytes.AsSpan(8 + (int)n, 24)), b = ReferenceCrc32C.Of(bytes.AsSpan(8 + (int)n + 24, 12));
        Assert.Matches(
            "^" + Regex.Escape("{\"__metadata__\":{\"dl.format\":\"dlcompiler-checkpoint-v2\",\"dl.layout\":\"dense=[in,out];conv=[out,in/groups,kh,kw]\",\"dl.step\":\"5\",\"dl.checksum\":\"crc32c ") +
            "[0-9a-f]{8}" + Regex.Escape($" {w:x8} {b:x8}\"}}," +
            "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]}}") + "$", header.TrimEnd(' '));
        // Data: little-endian floats in layout order, right after the header.
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n)));
        Assert.Equal(9f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n + 32)));
    }

    [Fact]
    public void ReadTensors_returns_every_tensor_by_name_with_shape()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var model = FakeModel.Mlp();
        var velocity = Enumerable.Repeat(2.5f, model.Parameters.Length).ToArray();
        Checkpoint.Save(path, model, new Dictionary<string, float[]> { ["velocity"] = velocity });

        var tensors = Checkpoint.ReadTensors(path);
        Assert.Equal(8, tensors.Count);
        Assert.Equal(new[] { 4, 3 }, tensors["hidden.weight"].Shape);
        Assert.Equal(model.ParameterArray.AsSpan(12, 3).ToArray(), tensors["hidden.bias"].Values);
        Assert.Equal(new[] { 2 }, tensors["optimizer/velocity/output.bias"].Shape);
        Assert.Equal(new[] { 2.5f, 2.5f }, tensors["optimizer/velocity/output.bias"].Values);
        Assert.Equal(Checkpoint.FormatValue, Checkpoint.ReadMetadata(path)[Checkpoint.FormatKey]);
    }

    [Fact]
    public void Save_replaces_an_existing_file_and_leaves_no_temporary_files()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var model = FakeModel.Mlp(seed: 1);
        Checkpoint.Save(path, model, step: 1);
        model.InitializeParameters(2);
        Checkpoint.Save(path, model, step: 2);

        Assert.Equal(new[] { "model.safetensors" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName));
        var restored = FakeModel.Mlp(seed: 3);
        Assert.Equal(2, Checkpoint.Load(path, restored).Step);
        Assert.Equal(model.ParameterArray, restored.ParameterArray);
    }

    [Fact]
    public void Save_rejects_reserved_metadata_and_mis_sized_optimizer_state()
    {
        using var folder = new TempFolder();
        var model = FakeModel.Mlp();
        var e1 = Assert.Throws<ArgumentException>(() => Checkpoint.Save(folder.File("a"), model,
            metadata: new Dictionary<string, string> { ["dl.step"] = "9" }));
        Assert.Contains("'dl.step' is reserved", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Checkpoint.Save(folder.File("b"), model,
            new Dictionary<string, float[]> { ["m"] = new float[3] }));
        Assert.Contains("optimizer slot 'm' holds 3 values, the model has 23 parameters", e2.Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Optimizer_overloads_resume_training_exactly()
    {
        using var folder = new TempFolder();
        string path = folder.File("ckpt.safetensors");
        var model = FakeModel.Mlp(seed: 4);
        var adam = new Adam(0.01f);
        var random = new SeededRandom(5);
        void Backward(FakeModel target) { for (int i = 0; i < target.GradientArray.Length; i++) target.GradientArray[i] = (float)random.NextNormal(); }
        for (int s = 0; s < 3; s++) { Backward(model); adam.Step(model); }
        Checkpoint.Save(path, model, adam);

        var resumed = FakeModel.Mlp(seed: 6);
        var resumedAdam = new Adam(0.01f);
        Checkpoint.Load(path, resumed, resumedAdam);
        Assert.Equal(3, resumedAdam.StepCount);
        Assert.Equal(adam.State["v"], resumedAdam.State["v"]);

        Backward(model);
        model.GradientArray.CopyTo(resumed.GradientArray, 0);
        adam.Step(model);
        resumedAdam.Step(resumed);
        Assert.Equal(model.ParameterArray, resumed.ParameterArray);
    }

    [Fact]
    public void Optimizer_load_requires_the_optimizers_slots_and_leaves_the_model_alone()
    {
        using var folder = new TempFolder();
        string path = folder.File("params-only.safetensors");
        Checkpoint.Save(path, FakeModel.Mlp(seed: 1));
        var model = FakeModel.Mlp(seed: 2);
        var before = model.ParameterArray.ToArray();
        var adam = new Adam();

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, adam));
        Assert.Equal("optimizer state: the file has slots [], the optimizer needs [m,v]", e.Message);
        Assert.Equal(before, model.ParameterArray);
        Assert.Equal(0, adam.StepCount);
    }
}
