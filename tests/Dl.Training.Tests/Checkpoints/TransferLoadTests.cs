using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Checkpoints;
using static Dl.Training.Tests.Checkpoints.RawSafetensors;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>Loading for transfer: non-strict loads that report what they did, loads under other names, and no silent transposes.</summary>
public class TransferLoadTests
{
    /// <summary>torch.nn.Linear(3, 3) as safetensors.torch.save_file writes it: weight [out,in], no __metadata__ of ours.</summary>
    private static void WriteTorchLinear3x3(string path) =>
        Write(path, "{" + Entry("0.bias", "[3]", 0, 12) + "," + Entry("0.weight", "[3,3]", 12, 48) + "}",
            Floats(0.5f, -1, 2, /* weight rows = outputs */ 1, 2, 3, 4, 5, 6, 7, 8, 9));

    [Fact]
    public void A_square_PyTorch_Linear_weight_is_refused_by_Load_with_the_way_to_import_it()
    {
        using var folder = new TempFolder();
        string path = folder.File("torch.safetensors");
        WriteTorchLinear3x3(path);
        var model = new FakeModel(("0.weight", new[] { 3, 3 }), ("0.bias", new[] { 3 }));
        model.InitializeParameters(4);
        var before = model.ParameterArray.ToArray();

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model));
        Assert.Contains("0.weight", e.Message);
        Assert.Contains("[3,3]", e.Message);
        Assert.Contains("Checkpoint.ImportPyTorch", e.Message);
        Assert.Contains("AssumeOwnLayout", e.Message);
        Assert.Equal(before, model.ParameterArray);
        // The non-strict path refuses it too.
        Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, new LoadOptions { Strict = false }));
        Assert.Equal(before, model.ParameterArray);

        // Told the file is in our layout, it loads as stored.
        var report = Checkpoint.Load(path, model, new LoadOptions { AssumeOwnLayout = true });
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 0.5f, -1, 2 }, model.ParameterArray);
        Assert.Equal(new[] { "0.bias", "0.weight" }, report.Loaded.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Our_own_files_record_their_layout_and_load_square_matrices()
    {
        using var folder = new TempFolder();
        string path = folder.File("own.safetensors");
        var source = new FakeModel(("w", new[] { 3, 3 }), ("b", new[] { 3 }));
        source.InitializeParameters(2);
        Checkpoint.Save(path, source);
        Assert.Equal(Checkpoint.LayoutValue, Checkpoint.ReadMetadata(path)[Checkpoint.LayoutKey]);

        var model = new FakeModel(("w", new[] { 3, 3 }), ("b", new[] { 3 }));
        var state = Checkpoint.Load(path, model);
        Assert.Equal(source.ParameterArray, model.ParameterArray);
        Assert.False(state.Metadata.ContainsKey(Checkpoint.LayoutKey));
    }

    [Fact]
    public void A_file_recording_an_unknown_layout_is_refused()
    {
        using var folder = new TempFolder();
        string path = folder.File("other.safetensors");
        Write(path, "{\"__metadata__\":{\"dl.layout\":\"dense=[out,in]\"}," + Entry("b", "[2]", 0, 8) + "}", Floats(1, 2));
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, new FakeModel(("b", new[] { 2 }))));
        Assert.Contains("dl.layout", e.Message);
        Assert.Contains("dense=[out,in]", e.Message);
    }

    [Fact]
    public void A_non_strict_load_into_a_model_with_a_new_head_loads_the_shared_part_and_reports_the_rest()
    {
        using var folder = new TempFolder();
        string path = folder.File("base.safetensors");
        var source = FakeModel.Mlp(seed: 3);
        var adam = new Adam(0.01f);
        adam.Step(source);
        Checkpoint.Save(path, source, adam);   // optimizer tensors too: skipped and listed
        var model = new FakeModel(("hidden.weight", new[] { 4, 3 }), ("hidden.bias", new[] { 3 }), ("head.weight", new[] { 3, 5 }), ("head.bias", new[] { 5 }));
        model.InitializeParameters(9);
        var head = model.ParameterArray.AsSpan(15).ToArray();

        Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model));   // strict: as before
        var report = Checkpoint.Load(path, model, new LoadOptions { Strict = false });

        Assert.Equal(new[] { "hidden.weight", "hidden.bias" }, report.Loaded);
        Assert.Equal(new[] { "head.weight", "head.bias" }, report.Missing);
        Assert.Contains("output.weight", report.Unexpected);
        Assert.Contains("output.bias", report.Unexpected);
        Assert.Contains(report.Unexpected, n => n.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal));
        Assert.Empty(report.State.OptimizerState);
        Assert.Equal(source.ParameterArray.AsSpan(0, 15).ToArray(), model.ParameterArray.AsSpan(0, 15).ToArray());
        Assert.Equal(head, model.ParameterArray.AsSpan(15).ToArray());   // bit for bit: untouched
    }

    [Fact]
    public void A_non_strict_load_refuses_a_shape_mismatch_whole_naming_both_shapes_and_loads_once_it_is_renamed_away()
    {
        using var folder = new TempFolder();
        string path = folder.File("base.safetensors");
        var source = FakeModel.Mlp(seed: 3);   // output.weight [3,2]
        Checkpoint.Save(path, source);
        var model = new FakeModel(("hidden.weight", new[] { 4, 3 }), ("hidden.bias", new[] { 3 }), ("output.weight", new[] { 3, 5 }), ("output.bias", new[] { 5 }));
        model.InitializeParameters(9);
        var before = model.ParameterArray.ToArray();

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, new LoadOptions { Strict = false }));
        Assert.Contains("output.weight", e.Message);
        Assert.Contains("[3,2]", e.Message);
        Assert.Contains("[3,5]", e.Message);
        Assert.Equal(before, model.ParameterArray);   // hidden.* were not loaded either

        var report = Checkpoint.Load(path, model, new LoadOptions
        {
            Strict = false,
            Rename = name => name.StartsWith("output.", StringComparison.Ordinal) ? null : name,
        });
        Assert.Equal(new[] { "output.weight", "output.bias" }, report.Missing);
        Assert.Equal(new[] { "output.weight", "output.bias" }, report.Unexpected.OrderByDescending(n => n, StringComparer.Ordinal));
        Assert.Equal(source.ParameterArray.AsSpan(0, 15).ToArray(), model.ParameterArray.AsSpan(0, 15).ToArray());
        Assert.Equal(before.AsSpan(15).ToArray(), model.ParameterArray.AsSpan(15).ToArray());
    }

    [Fact]
    public void A_name_mapping_loads_a_file_into_a_model_with_other_names_strictly()
    {
        using var folder = new TempFolder();
        string path = folder.File("base.safetensors");
        var source = FakeModel.Mlp(seed: 5);
        var adam = new Adam(0.01f);
        adam.Step(source);
        Checkpoint.Save(path, source, adam);
        var model = new FakeModel(("encoder.weight", new[] { 4, 3 }), ("encoder.bias", new[] { 3 }), ("output.weight", new[] { 3, 2 }), ("output.bias", new[] { 2 }));

        var map = new Dictionary<string, string?> { ["hidden.weight"] = "encoder.weight", ["hidden.bias"] = "encoder.bias" };
        var report = Checkpoint.Load(path, model, new LoadOptions { Rename = LoadOptions.RenameWith(map) });

        Assert.Equal(source.ParameterArray, model.ParameterArray);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        // A strict load renames the optimizer's tensors with their parameters.
        Assert.Equal(new[] { "m", "v" }, report.State.OptimizerState.Keys.OrderBy(k => k, StringComparer.Ordinal));

        var wrong = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, new LoadOptions { Rename = n => n.Replace("hidden", "enc") }));
        Assert.Contains("renamed to 'enc.weight'", wrong.Message);
        var skipped = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, new LoadOptions { Rename = _ => null }));
        Assert.Contains("Strict = false", skipped.Message);
    }

    [Fact]
    public void Two_file_tensors_renamed_into_one_parameter_are_refused()
    {
        using var folder = new TempFolder();
        string path = folder.File("two.safetensors");
        Write(path, "{" + Entry("a", "[2]", 0, 8) + "," + Entry("b", "[2]", 8, 16) + "}", Floats(1, 2, 3, 4));
        var model = new FakeModel(("x", new[] { 2 }));
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, new LoadOptions { Strict = false, Rename = _ => "x" }));
        Assert.Contains("parameter x", e.Message);
        Assert.Equal(new float[2], model.ParameterArray);
    }

    [Fact]
    public void An_I64_tensor_is_parsed_but_never_loaded_into_a_parameter()
    {
        using var folder = new TempFolder();
        string path = folder.File("counter.safetensors");
        Write(path, "{" + Entry("b", "[2]", 0, 8) + "," + Entry("n", "[]", 8, 16, "I64") + "}", Concat(Floats(1, 2), new byte[] { 7, 0, 0, 0, 0, 0, 0, 0 }));
        var report = Checkpoint.Load(path, new FakeModel(("b", new[] { 2 })), new LoadOptions { Strict = false });
        Assert.Equal(new[] { "n" }, report.Unexpected);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, new FakeModel(("b", new[] { 2 }), ("n", new int[0]))));
        Assert.Contains("n: dtype I64", e.Message);
        Assert.Throws<CheckpointException>(() => Checkpoint.ReadTensors(path));
    }
}
