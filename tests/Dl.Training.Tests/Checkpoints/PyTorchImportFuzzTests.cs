using Dl.Tests;
using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Dl.Checkpoints;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>
/// <see cref="Checkpoint.ImportPyTorch"/> reads files written by another program, without our checksums, so a
/// changed data byte is a different value, not detectable damage. Thousands of seeded random changes to a
/// PyTorch-style file (two Linear layers and an I64 counter): each import either throws
/// <see cref="CheckpointException"/> leaving the model as it was, or loads exactly what an independent decoder
/// (System.Text.Json over the header, the floats read by hand, the weights transposed) finds in the changed file,
/// all finite. Never another exception, never slowly.
/// </summary>
public class PyTorchImportFuzzTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _log;

    public PyTorchImportFuzzTests(Xunit.Abstractions.ITestOutputHelper log) => _log = log;

    private const int Cases = 2000, Inputs = 4, Hidden = 3, Outputs = 2;
    private static readonly PyTorchMap Map = new PyTorchMap().Linear("fc1", "hidden").Linear("fc2", "output");
    private static readonly (string Torch, string Model, bool Transpose)[] Targets =
    {
        ("fc1.weight", "hidden.weight", true), ("fc1.bias", "hidden.bias", false),
        ("fc2.weight", "output.weight", true), ("fc2.bias", "output.bias", false),
    };

    [Fact]
    public async Task Random_mutations_import_what_the_file_says_or_throw_CheckpointException_only()
    {
        using var folder = new TempFolder();
        string path = folder.File("torch.safetensors");
        byte[] valid = TorchFile();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        File.WriteAllBytes(path, valid);
        Assert.Equal(Decode(valid), Import(path, FakeModel.Mlp(Inputs, Hidden, Outputs)));   // the unchanged file imports

        int loaded = 0, rejected = 0;
        var kinds = new Dictionary<string, int>();
        var run = Task.Run(() =>
        {
            for (int c = 0; c < Cases; c++)
            {
                int seed = 5000 + c;
                var random = new Random(seed);
                // Half the checkpoint fuzzer's damage, half changes a state dict from another program could carry.
                var (bytes, kind) = c % 2 == 0 ? FuzzTests.Mutate(valid, headerEnd, random) : MutateTorch(valid, headerEnd, random);
                string where = $"case {c} (seed {seed}, {kind})";
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                File.WriteAllBytes(path, bytes);
                var model = FakeModel.Mlp(Inputs, Hidden, Outputs);
                model.ParameterArray.AsSpan().Fill(-9);
                var clock = ThreadCpuTime.Now();
                try
                {
                    string got = Import(path, model);
                    string? expected = Decode(bytes);
                    if (expected != got)
                        throw new Xunit.Sdk.XunitException($"{where}: imported without error, but {(expected is null ? "an independent decoder refuses the file" : "not what the file holds")}: got {got}, file says {expected ?? "(invalid)"}");
                    if (model.ParameterArray.Any(v => !float.IsFinite(v)))
                        throw new Xunit.Sdk.XunitException($"{where}: imported a non-finite value without allowNonFinite");
                    loaded++;
                }
                catch (CheckpointException)
                {
                    rejected++;
                    if (model.ParameterArray.Any(p => p != -9))
                        throw new Xunit.Sdk.XunitException($"{where}: the model changed although the import failed");
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    throw new Xunit.Sdk.XunitException($"{where}: {e.GetType().Name}: {e.Message}");
                }
                var worked = ThreadCpuTime.Now() - clock;
                if (worked > TimeSpan.FromSeconds(1))
                    throw new Xunit.Sdk.XunitException($"{where} worked {worked.TotalMilliseconds:F0} ms");
            }
        });
        await run.WaitAsync(TimeSpan.FromSeconds(600));

        _log.WriteLine($"{loaded} loaded, {rejected} rejected; " + string.Join(", ", kinds.Select(k => $"{k.Key}: {k.Value}")));
        // Both outcomes must occur, or the mutations are not exercising the importer.
        Assert.Equal(Cases, loaded + rejected);
        Assert.InRange(loaded, Cases / 20, Cases - Cases / 10);
    }

    private static readonly float[] Specials = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -0f, float.Epsilon, 1e30f };
    private static readonly string[] OtherDtypes = { "I64", "F16", "BF16", "F64", "I32", "f32" };

    /// <summary>
    /// Changes a foreign file may carry that are well formed safetensors: a special value in the data (finite ones
    /// must load as they are, non-finite ones must be refused), a tensor's dtype or name changed, or a weight's shape
    /// written the other way round ([in,out], the same byte count: it must be refused, not read transposed twice).
    /// </summary>
    private static (byte[] Bytes, string Kind) MutateTorch(byte[] valid, int headerEnd, Random random)
    {
        string header = Encoding.UTF8.GetString(valid, 8, headerEnd - 8);
        byte[] data = valid.AsSpan(headerEnd).ToArray();
        var (torch, _, _) = Targets[random.Next(Targets.Length)];
        switch (random.Next(4))
        {
            case 0:
                int at = random.Next(data.Length / 4 - 2);   // a float of the four mapped tensors, not the I64 counter at the end
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(4 * at), BitConverter.SingleToInt32Bits(Specials[random.Next(Specials.Length)]));
                return (RawSafetensors.Bytes(header, data), "special value");
            case 1:
                string dtype = OtherDtypes[random.Next(OtherDtypes.Length)];
                return (RawSafetensors.Bytes(ReplaceIn(header, torch, "\"dtype\":\"F32\"", $"\"dtype\":\"{dtype}\""), data), "dtype");
            case 2:
                return (RawSafetensors.Bytes(header.Replace($"\"{torch}\"", $"\"{torch}{(random.Next(2) == 0 ? "s" : "")}_\""), data), "renamed");
            default:
                string weight = random.Next(2) == 0 ? "fc1.weight" : "fc2.weight";
                string shape = weight == "fc1.weight" ? $"[{Hidden},{Inputs}]" : $"[{Outputs},{Hidden}]";
                string swapped = weight == "fc1.weight" ? $"[{Inputs},{Hidden}]" : $"[{Hidden},{Outputs}]";
                return (RawSafetensors.Bytes(ReplaceIn(header, weight, shape, swapped), data), "weight shape swapped");
        }
    }

    /// <summary><paramref name="header"/> with the first <paramref name="old"/> after the tensor <paramref name="name"/>'s key replaced.</summary>
    private static string ReplaceIn(string header, string name, string old, string replacement)
    {
        int key = header.IndexOf($"\"{name}\"", StringComparison.Ordinal);
        int at = header.IndexOf(old, key, StringComparison.Ordinal);
        return header[..at] + replacement + header[(at + old.Length)..];
    }

    /// <summary>The model's parameters after the import, as bits, with the report's lists: what the test compares.</summary>
    private static string Import(string path, FakeModel model)
    {
        var report = Checkpoint.ImportPyTorch(path, model, Map);
        return Bits(model.ParameterArray) + " loaded [" + string.Join(",", report.Loaded) + "] missing [" + string.Join(",", report.Missing)
            + "] unexpected [" + string.Join(",", report.Unexpected.OrderBy(n => n, StringComparer.Ordinal)) + "]";
    }

    /// <summary>
    /// What the file holds for the map, decoded independently of the library: the header with System.Text.Json, each
    /// mapped tensor's floats read at its offsets and transposed where the map says. Null for a file the safetensors
    /// rules refuse (a header that is not one JSON object, a tensor missing or twice, a wrong dtype or shape, offsets
    /// outside the data or not tiling it exactly, a non-finite value).
    /// </summary>
    private static string? Decode(byte[] file)
    {
        if (file.Length < 8) return null;
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength < 2 || headerLength > (ulong)(file.Length - 8)) return null;
        long dataStart = 8 + (long)headerLength, dataLength = file.Length - dataStart;
        JsonDocument document;
        try { document = JsonDocument.Parse(file.AsMemory(8, (int)headerLength)); }
        catch (JsonException) { return null; }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            var tensors = new Dictionary<string, (string Dtype, long[] Shape, long Begin, long End)>(StringComparer.Ordinal);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Name == "__metadata__")
                {
                    if (member.Value.ValueKind != JsonValueKind.Object || member.Value.EnumerateObject().Any(m => m.Value.ValueKind != JsonValueKind.String)) return null;
                    continue;
                }
                if (!TryTensor(member.Value, out var t) || !tensors.TryAdd(member.Name, t)) return null;
            }
            // The data offsets tile the buffer exactly, each range the size its dtype and shape say.
            long expected = 0;
            foreach (var t in tensors.Values.OrderBy(t => t.Begin).ThenBy(t => t.End))
            {
                long size = t.Dtype == "F32" ? 4 : t.Dtype == "I64" ? 8 : -1;
                if (size < 0 || t.Begin != expected || t.End < t.Begin || t.End > dataLength) return null;
                if (t.Shape.Aggregate(1.0, (a, d) => a * d) * size != t.End - t.Begin) return null;
                expected = t.End;
            }
            if (expected != dataLength) return null;

            var model = FakeModel.Mlp(Inputs, Hidden, Outputs);
            var parameters = model.ParameterArray;
            foreach (var (torch, target, transpose) in Targets)
            {
                if (!tensors.TryGetValue(torch, out var t) || t.Dtype != "F32") return null;
                var info = model.ParameterLayout.Single(p => p.Name == target);
                long[] shape = transpose ? new long[] { info.Shape[1], info.Shape[0] } : info.Shape.Select(d => (long)d).ToArray();
                if (!t.Shape.SequenceEqual(shape)) return null;
                for (int i = 0; i < info.Length; i++)
                {
                    // Element i of the target [in,out] is element (i % out, i / out) of the torch tensor [out,in].
                    int source = transpose ? (i % info.Shape[1]) * info.Shape[0] + i / info.Shape[1] : i;
                    float v = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan((int)(dataStart + t.Begin) + 4 * source)));
                    if (!float.IsFinite(v)) return null;
                    parameters[info.Offset + i] = v;
                }
            }
            var unexpected = tensors.Keys.Where(k => !Targets.Any(t => t.Torch == k)).OrderBy(n => n, StringComparer.Ordinal);
            return Bits(parameters) + " loaded [" + string.Join(",", Targets.Select(t => t.Model)) + "] missing [] unexpected [" + string.Join(",", unexpected) + "]";
        }
    }

    private static bool TryTensor(JsonElement e, out (string Dtype, long[] Shape, long Begin, long End) tensor)
    {
        tensor = default;
        if (e.ValueKind != JsonValueKind.Object) return false;
        string? dtype = null;
        long[]? shape = null, offsets = null;
        foreach (var m in e.EnumerateObject())
        {
            switch (m.Name)
            {
                case "dtype" when dtype is null && m.Value.ValueKind == JsonValueKind.String: dtype = m.Value.GetString(); break;
                case "shape" when shape is null && TryIntegers(m.Value, out shape): break;
                case "data_offsets" when offsets is null && TryIntegers(m.Value, out offsets) && offsets!.Length == 2: break;
                default: return false;
            }
        }
        if (dtype is null || shape is null || offsets is null) return false;
        tensor = (dtype, shape, offsets[0], offsets[1]);
        return true;
    }

    private static bool TryIntegers(JsonElement e, out long[]? values)
    {
        values = null;
        if (e.ValueKind != JsonValueKind.Array) return false;
        var list = new List<long>();
        foreach (var x in e.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out long v) || v < 0) return false;
            list.Add(v);
        }
        values = list.ToArray();
        return true;
    }

    private static string Bits(float[] values) => string.Join(" ", values.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8")));

    /// <summary>A state dict as safetensors.torch.save_file writes it: Linear weights [out,in], biases, an I64 counter, no checksums.</summary>
    private static byte[] TorchFile()
    {
        var random = new SeededRandom(11);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var parts = new (string Name, int[] Shape, byte[] Data)[]
        {
            ("fc1.weight", new[] { Hidden, Inputs }, RawSafetensors.Floats(Values(Hidden * Inputs))),
            ("fc1.bias", new[] { Hidden }, RawSafetensors.Floats(Values(Hidden))),
            ("fc2.weight", new[] { Outputs, Hidden }, RawSafetensors.Floats(Values(Outputs * Hidden))),
            ("fc2.bias", new[] { Outputs }, RawSafetensors.Floats(Values(Outputs))),
            ("bn.num_batches_tracked", Array.Empty<int>(), BitConverter.GetBytes(42L)),
        };
        var json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        foreach (var (name, shape, data) in parts)
        {
            string dtype = name.EndsWith("tracked", StringComparison.Ordinal) ? "I64" : "F32";
            json.Append($",\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + data.Length}]}}");
            offset += data.Length;
        }
        json.Append('}');
        return RawSafetensors.Bytes(json.ToString(), RawSafetensors.Concat(parts.Select(p => p.Data).ToArray()));
    }
}
