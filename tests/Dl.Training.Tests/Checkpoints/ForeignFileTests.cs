using System.IO;
using Dl.Checkpoints;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>Files written by other code than <see cref="Checkpoint.Save"/>: the reader must follow the format, not our writer's habits.</summary>
public class ForeignFileTests
{
    [Fact]
    public void A_hand_written_file_with_other_key_order_whitespace_escapes_and_extra_metadata_loads()
    {
        using var folder = new TempFolder();
        string path = folder.File("foreign.safetensors");
        // Tensors stored b first then w, fields in another order, metadata last, a \u escape in a
        // name, newlines, and a header length that is not a multiple of 8.
        string json = "{\n  \"b\": {\"data_offsets\": [0, 8], \"shape\": [2], \"dtype\": \"F32\"},\n" +
                      "  \"\\u0077\": {\"shape\": [2, 2], \"dtype\": \"F32\", \"data_offsets\": [8, 24]},\n" +
                      "  \"__metadata__\": {\"framework\": \"handmade\", \"dl.step\": \"17\", \"format\": \"pt\"}\n}";
        Assert.NotEqual(0, System.Text.Encoding.UTF8.GetByteCount(json) % 8);
        RawSafetensors.Write(path, json, RawSafetensors.Floats(5, 6, 1, 2, 3, 4));

        var model = new FakeModel(("w", new[] { 2, 2 }), ("b", new[] { 2 }));
        var state = Checkpoint.Load(path, model);

        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, model.ParameterArray);
        Assert.Equal(17, state.Step);
        Assert.Equal("handmade", state.Metadata["framework"]);
        Assert.Equal("pt", state.Metadata["format"]);
        Assert.Empty(state.OptimizerState);
    }

    [Fact]
    public void A_file_without_metadata_loads_at_step_zero_and_scalars_and_empty_tensors_are_allowed()
    {
        using var folder = new TempFolder();
        string path = folder.File("bare.safetensors");
        string json = "{" + RawSafetensors.Entry("scale", "[]", 0, 4) + "," + RawSafetensors.Entry("none", "[0,3]", 4, 4) + "}";
        RawSafetensors.Write(path, json, RawSafetensors.Floats(2.5f));

        var model = new FakeModel(("scale", new int[0]), ("none", new[] { 0, 3 }));
        var state = Checkpoint.Load(path, model);

        Assert.Equal(new[] { 2.5f }, model.ParameterArray);
        Assert.Equal(0, state.Step);
        Assert.Empty(state.Metadata);
    }

    [Fact]
    public void A_missing_file_is_FileNotFoundException_naming_the_path()
    {
        using var folder = new TempFolder();
        string path = folder.File("nowhere.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(path, FakeModel.Mlp()));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FileName);
        Assert.Throws<FileNotFoundException>(() => Checkpoint.ReadTensors(path));
    }
}
