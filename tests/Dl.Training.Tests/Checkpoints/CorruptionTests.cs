using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Checkpoints;
using static Dl.Training.Tests.Checkpoints.RawSafetensors;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>Each way a file can be wrong gets its own message, and never changes the model it was loaded into.</summary>
public class CorruptionTests
{
    private const string W = "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}";
    private const string B = "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}";
    private static readonly byte[] Data = Floats(1, 2, 3, 4, 5, 6);
    private static readonly string Valid = "{" + W + "," + B + "}";

    private static readonly Dictionary<string, (byte[] File, string Message)> Cases = new()
    {
        ["shorter than the length field"] = (new byte[] { 1, 2, 3 }, "truncated: file has 3 bytes, fewer than the 8-byte header length"),
        ["header length beyond the file"] = (Bytes(Valid, Data, 4096), $"truncated: header says 4096 bytes, file has {8 + Valid.Length + 24}"),
        ["header length u64 max"] = (Bytes(Valid, Data, ulong.MaxValue), $"truncated: header says 18446744073709551615 bytes, file has {8 + Valid.Length + 24}"),
        ["header length too small for JSON"] = (Bytes(Valid, Data, 1), "header length 1 bytes cannot hold a JSON object"),
        ["header cut short by its length"] = (Bytes(Valid, Data, (ulong)Valid.Length - 3), "header JSON: expected ']', found the end of the header at character 109"),
        ["header not an object"] = (Bytes("[1,2]   ", Data), "header JSON: expected '{', found '[' at character 0"),
        ["header not UTF-8"] = (Bytes("{\"\u00ff\":1}", Data).Select((b, i) => i == 10 ? (byte)0xFF : b).ToArray(), "header is not valid UTF-8"),
        ["text after the header object"] = (Bytes(Valid + "x", Data), $"header JSON: unexpected text after the header object at character {Valid.Length}"),
        ["dtype F16"] = (Bytes("{" + Entry("w", "[2,2]", 0, 8, "F16") + "," + Entry("b", "[2]", 8, 16) + "}", Floats(1, 2, 3, 4)), "w: dtype F16, only F32 is supported"),
        ["shape differs from the model"] = (Bytes("{" + Entry("w", "[4]", 0, 16) + "," + B + "}", Data), "w: shape [4] in the file, [2,2] in the model"),
        ["offsets do not fit the shape"] = (Bytes("{" + Entry("w", "[2,2]", 0, 12) + "," + Entry("b", "[2]", 12, 20) + "}", Floats(1, 2, 3, 4, 5)), "w: shape [2,2] of F32 does not fit data_offsets [0,12] (12 bytes)"),
        ["offsets end before they begin"] = (Bytes("{" + Entry("w", "[2,2]", 16, 0) + "," + B + "}", Data), "w: data_offsets [16,0] end before they begin"),
        ["overlapping tensors"] = (Bytes("{" + W + "," + Entry("b", "[2]", 8, 16) + "}", Floats(1, 2, 3, 4)), "b: data_offsets [8,16] overlap w [0,16]"),
        ["gap between tensors"] = (Bytes("{" + W + "," + Entry("b", "[2]", 20, 28) + "}", Floats(1, 2, 3, 4, 0, 5, 6)), "b: data_offsets begin at 20, leaving a gap of 4 bytes after w"),
        ["data truncated"] = (Bytes(Valid, Data.AsSpan(0, 20).ToArray()), "b: data_offsets [16,24] run past the 20-byte data buffer"),
        ["stray bytes after the data"] = (Bytes(Valid, Concat(Data, Floats(7))), "data buffer has 28 bytes but the tensors cover 24: 4 stray bytes at the end"),
        ["parameter missing"] = (Bytes("{" + W + "}", Floats(1, 2, 3, 4)), "b: missing from the file (model parameter of shape [2])"),
        ["extra tensor"] = (Bytes("{" + W + "," + B + "," + Entry("extra", "[1]", 24, 28) + "}", Concat(Data, Floats(7))), "extra: the file has a tensor the model has no parameter for"),
        ["duplicate tensor"] = (Bytes("{" + W + "," + W + "}", Floats(1, 2, 3, 4)), "header: tensor 'w' appears twice"),
        ["bad step"] = (Bytes("{\"__metadata__\":{\"dl.step\":\"-3\"}," + W + "," + B + "}", Data), "__metadata__ dl.step is '-3', not a step count"),
        ["unknown format version"] = (Bytes("{\"__metadata__\":{\"dl.format\":\"dlcompiler-checkpoint-v9\"}," + W + "," + B + "}", Data), "__metadata__ dl.format is 'dlcompiler-checkpoint-v9', this reader knows 'dlcompiler-checkpoint-v1' and 'dlcompiler-checkpoint-v2'"),
        ["metadata value not a string"] = (Bytes("{\"__metadata__\":{\"k\":1}," + W + "," + B + "}", Data), "header JSON: __metadata__ value of 'k' must be a string at character 21"),
        ["optimizer slot incomplete"] = (Bytes("{" + W + "," + B + "," + Entry("optimizer/m/w", "[2,2]", 24, 40) + "}", Concat(Data, Floats(0, 0, 0, 0))), "optimizer/m/b: missing from the file; optimizer slot 'm' is incomplete"),
        ["optimizer state for no parameter"] = (Bytes("{" + W + "," + B + "," + Entry("optimizer/m/zz", "[1]", 24, 28) + "}", Concat(Data, Floats(0))), "optimizer/m/zz: optimizer state for 'zz', which the model does not have"),
        ["optimizer name without slot"] = (Bytes("{" + W + "," + B + "," + Entry("optimizer/w", "[2,2]", 24, 40) + "}", Concat(Data, Floats(0, 0, 0, 0))), "optimizer/w: optimizer tensors are named optimizer/<slot>/<parameter>"),
        ["three data offsets"] = (Bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16,24]}," + B + "}", Data), "w: data_offsets has more than 2 entries"),
        ["negative dimension"] = (Bytes("{" + Entry("w", "[-2,2]", 0, 16) + "," + B + "}", Data), "header JSON: w: shape must hold non-negative integers at character 29"),
        ["fractional offset"] = (Bytes("{" + Entry("w", "[2,2]", 0, 16).Replace("16]", "16.0]") + "," + B + "}", Data), "header JSON: w: data_offsets must hold integers at character 54"),
        ["dimension too large"] = (Bytes("{" + Entry("w", "[4294967296,2]", 0, 16) + "," + B + "}", Data), "w: shape dimension 4294967296 is too large"),
        ["offset beyond 64 bits"] = (Bytes("{" + Entry("w", "[2,2]", 0, 16).Replace("[0,", "[99999999999999999999,") + "," + B + "}", Data), "w: data_offsets entry does not fit 64 bits (offset 50)"),
        ["missing dtype"] = (Bytes("{\"w\":{\"shape\":[2,2],\"data_offsets\":[0,16]}," + B + "}", Data), "w: no dtype in the header"),
        ["unknown field"] = (Bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16],\"x\":1}," + B + "}", Data), "header JSON: w: unknown field 'x' at character 56"),
        ["unterminated string"] = (Bytes("{\"w", Data), "header JSON: unterminated string at character 3"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_corruption_is_reported_and_the_model_is_unchanged(string name)
    {
        var (file, message) = Cases[name];
        using var folder = new TempFolder();
        string path = folder.File("bad.safetensors");
        System.IO.File.WriteAllBytes(path, file);
        var model = new FakeModel(("w", new[] { 2, 2 }), ("b", new[] { 2 }));
        model.ParameterArray.AsSpan().Fill(-9);

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model));

        Assert.Equal(message, e.Message);
        Assert.All(model.ParameterArray, p => Assert.Equal(-9f, p));
    }

    [Fact]
    public void The_valid_baseline_of_the_corruption_cases_loads()
    {
        // Guards the cases above: each differs from this file only in the corruption named.
        using var folder = new TempFolder();
        string path = folder.File("good.safetensors");
        System.IO.File.WriteAllBytes(path, Bytes(Valid, Data));
        var model = new FakeModel(("w", new[] { 2, 2 }), ("b", new[] { 2 }));
        Checkpoint.Load(path, model);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, model.ParameterArray);
    }

    [Fact]
    public void Header_length_over_the_limit_is_reported_as_absurd()
    {
        // A sparse file just big enough that the length field is not merely "beyond the file".
        using var folder = new TempFolder();
        string path = folder.File("huge.safetensors");
        using (var stream = System.IO.File.Create(path))
        {
            stream.Write(BitConverter.GetBytes((ulong)SafetensorsLimit + 8));
            stream.SetLength(SafetensorsLimit + 64);
        }
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, FakeModel.Mlp()));
        Assert.Equal($"header length {SafetensorsLimit + 8} bytes is beyond the {SafetensorsLimit}-byte limit", e.Message);
    }

    private const long SafetensorsLimit = 100_000_000;

    [Fact]
    public void Optimizer_bound_to_another_model_is_refused_before_loading()
    {
        using var folder = new TempFolder();
        string path = folder.File("ckpt.safetensors");
        var model = FakeModel.Mlp(seed: 1);
        var adam = new Adam();
        adam.Step(model);
        Checkpoint.Save(path, model, adam);

        var small = new FakeModel(("w", new[] { 2, 2 }), ("b", new[] { 2 }));
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Load(path, small, adam));
        Assert.StartsWith("the optimizer holds state for 23 parameters, the model has 6", e.Message);
    }
}
