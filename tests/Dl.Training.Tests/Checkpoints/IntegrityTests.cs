using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Dl.Checkpoints;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>
/// A checkpoint carries CRC-32C checksums of its header and of each tensor: bytes changed after the save are
/// refused, naming the tensor, and never load as if they were the model. Files of other writers have none and
/// load unchecked (see <see cref="ForeignFileTests"/>).
/// </summary>
public class IntegrityTests
{
    [Fact]
    public void Crc32C_matches_the_standard_check_value_and_the_bitwise_definition()
    {
        Assert.Equal(0xE3069283u, Crc32C.Of(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32C.Of(ReadOnlySpan<byte>.Empty));
        var random = new Random(42);
        for (int length = 0; length < 100; length++)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            // From an odd offset too: the fast path reads 8-byte words, which must not need alignment.
            Assert.Equal(ReferenceCrc32C.Of(bytes), Crc32C.Of(bytes));
            if (length > 1) Assert.Equal(ReferenceCrc32C.Of(bytes.AsSpan(1)), Crc32C.Of(bytes.AsSpan(1)));
        }
    }

    public static TheoryData<string> TensorNames => new(
        "hidden.weight", "hidden.bias", "output.weight", "output.bias",
        "optimizer/m/hidden.weight", "optimizer/m/output.bias", "optimizer/v/hidden.bias", "optimizer/v/output.weight");

    [Theory]
    [MemberData(nameof(TensorNames))]
    public void A_flipped_byte_in_any_tensor_is_refused_naming_the_tensor(string tensor)
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        SaveTrainedAdam(path);
        var file = SavedFile.Read(path);
        var (begin, end) = Range(file.Header, tensor);
        var data = (byte[])file.Data.Clone();
        data[(begin + end) / 2] ^= 0x10;
        file.Write(path, file.Header, data);

        var model = FakeModel.Mlp(seed: 9);
        var before = model.ParameterArray.ToArray();
        var adam = new Adam();
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, adam));

        Assert.StartsWith(tensor + ": its bytes have checksum ", e.Message);
        Assert.EndsWith("the tensor's data is corrupt", e.Message);
        Assert.Equal(before, model.ParameterArray);
        Assert.Equal(0, adam.StepCount);
        Assert.Empty(adam.State);
    }

    [Theory]
    [InlineData("\"dl.step\":\"3\"", "\"dl.step\":\"7\"")]
    [InlineData("\"note\":\"kept\"", "\"note\":\"kelp\"")]
    [InlineData("\"dl.learning_rate\":\"0.01\"", "\"dl.learning_rate\":\"0.02\"")]
    [InlineData("\"hidden.weight\":{\"dtype\":\"F32\",\"shape\":[4,3]", "\"hidden.weight\":{\"dtype\":\"F32\",\"shape\":[3,4]")]
    [InlineData("\"hidden.bias\"", "\"hidden.bia5\"")]
    public void An_edited_header_is_refused_by_its_checksum(string from, string to)
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        SaveTrainedAdam(path);
        var file = SavedFile.Read(path);
        file.Write(path, file.Edited(from, to));

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, FakeModel.Mlp(), new Adam()));
        Assert.StartsWith("the header has checksum ", e.Message);
        Assert.Throws<CheckpointException>(() => Checkpoint.ReadMetadata(path));
    }

    [Fact]
    public void Whitespace_and_escapes_do_not_change_what_loads_and_pass_the_checksum()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        var (model, adam) = SaveTrainedAdam(path);
        var file = SavedFile.Read(path);
        file.Write(path, file.Edited("\"hidden.bias\":{", "\n  \"hidden\\u002ebias\" : {  "));

        var loaded = FakeModel.Mlp(seed: 9);
        var resumed = new Adam();
        var state = Checkpoint.Load(path, loaded, resumed);

        Assert.Equal(model.ParameterArray, loaded.ParameterArray);
        Assert.Equal(adam.State["v"], resumed.State["v"]);
        Assert.Equal(3, state.Step);
    }

    [Theory]
    [InlineData("no checksum", null, "__metadata__ has no dl.checksum, which every dlcompiler-checkpoint-v2 file carries: the header is corrupt")]
    [InlineData("other algorithm", "sha1 00000000", "__metadata__ dl.checksum is 'sha1 00000000': expected 'crc32c' and hex checksums")]
    [InlineData("too few", "crc32c 00000000 00000000", "__metadata__ dl.checksum lists 1 tensor checksums, the file has 12 tensors")]
    [InlineData("not hex", "crc32c 0000000g 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000",
        "__metadata__ dl.checksum is 'crc32c 0000000g 00000000 00000000 00000000 00000000 00000000 00000000 00000000 0...': '0000000g' is not 8 lowercase hex digits")]
    public void A_missing_or_malformed_checksum_record_is_refused(string what, string? record, string message)
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        SaveTrainedAdam(path);
        var file = SavedFile.Read(path);
        string current = Checkpoint.ReadMetadata(path)[Checkpoint.ChecksumKey];
        string pair = $",\"dl.checksum\":\"{current}\"";
        file.Write(path, file.Edited(pair, record is null ? "" : $",\"dl.checksum\":\"{record}\""));

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, FakeModel.Mlp(), new Adam()));
        Assert.True(message == e.Message, $"{what}: {e.Message}");
    }

    [Fact]
    public void A_file_of_the_earlier_format_without_a_checksum_still_loads()
    {
        using var folder = new TempFolder();
        string path = folder.File("v1.safetensors");
        string json = "{\"__metadata__\":{\"dl.format\":\"dlcompiler-checkpoint-v1\",\"dl.step\":\"4\"}," +
                      RawSafetensors.Entry("w", "[2]", 0, 8) + "}";
        RawSafetensors.Write(path, json, RawSafetensors.Floats(1.5f, -2));

        var model = new FakeModel(("w", new[] { 2 }));
        Assert.Equal(4, Checkpoint.Load(path, model).Step);
        Assert.Equal(new[] { 1.5f, -2 }, model.ParameterArray);
    }

    /// <summary>Adam after three steps on a small MLP, saved with a note; returns the model and optimizer saved.</summary>
    internal static (FakeModel Model, Adam Adam) SaveTrainedAdam(string path)
    {
        var model = FakeModel.Mlp(seed: 4);
        var adam = new Adam(0.01f);
        var random = new SeededRandom(5);
        for (int s = 0; s < 3; s++)
        {
            for (int i = 0; i < model.GradientArray.Length; i++) model.GradientArray[i] = (float)random.NextNormal();
            adam.Step(model);
        }
        Checkpoint.Save(path, model, adam, new Dictionary<string, string> { ["note"] = "kept" });
        return (model, adam);
    }

    /// <summary>A tensor's data_offsets, read from the header text.</summary>
    private static (int Begin, int End) Range(string header, string tensor)
    {
        int at = header.IndexOf("\"" + tensor + "\":", StringComparison.Ordinal);
        int offsets = header.IndexOf("\"data_offsets\":[", at, StringComparison.Ordinal) + "\"data_offsets\":[".Length;
        var numbers = header.Substring(offsets, header.IndexOf(']', offsets) - offsets).Split(',').Select(int.Parse).ToArray();
        return (numbers[0], numbers[1]);
    }
}
