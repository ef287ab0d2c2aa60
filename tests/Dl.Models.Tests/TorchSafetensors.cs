using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Dl.Models.Tests;

/// <summary>
/// Writes a file byte for byte as <c>safetensors.torch.save_file(state_dict, path, metadata)</c> does: the tensors sorted
/// by dtype (wider first: I64 before F32) then by name, their data in that order, a compact JSON header with
/// <c>__metadata__</c> first (only when given), padded with spaces to a multiple of 8 bytes, after the header's
/// 8-byte little-endian length. Independent of Dl.Checkpoints.
/// </summary>
internal static class TorchSafetensors
{
    public sealed record TorchTensor(string Name, int[] Shape, float[]? F32 = null, long[]? I64 = null)
    {
        public string Dtype => I64 is null ? "F32" : "I64";
        public byte[] Bytes()
        {
            if (I64 is { } longs)
            {
                var b = new byte[longs.Length * 8];
                for (int i = 0; i < longs.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(i * 8), longs[i]);
                return b;
            }
            var bytes = new byte[F32!.Length * 4];
            for (int i = 0; i < F32.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), F32[i]);
            return bytes;
        }
    }

    public static TorchTensor F32(string name, int[] shape, params float[] values) => new(name, shape, F32: values);
    public static TorchTensor I64(string name, long value) => new(name, new int[0], I64: new[] { value });

    public static void Save(string path, IReadOnlyDictionary<string, string>? metadata, params TorchTensor[] tensors)
    {
        var ordered = tensors.OrderBy(t => t.Dtype == "I64" ? 0 : 1).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        var json = new StringBuilder("{");
        if (metadata is not null)
            json.Append("\"__metadata__\":{").Append(string.Join(",", metadata.Select(kv => $"\"{kv.Key}\":\"{kv.Value}\""))).Append('}');
        long offset = 0;
        var data = new List<byte>();
        foreach (var t in ordered)
        {
            var bytes = t.Bytes();
            if (json.Length > 1) json.Append(',');
            json.Append(CultureInfo.InvariantCulture, $"\"{t.Name}\":{{\"dtype\":\"{t.Dtype}\",\"shape\":[{string.Join(",", t.Shape)}],\"data_offsets\":[{offset},{offset + bytes.Length}]}}");
            offset += bytes.Length;
            data.AddRange(bytes);
        }
        json.Append('}');
        while (Encoding.UTF8.GetByteCount(json.ToString()) % 8 != 0) json.Append(' ');
        var header = Encoding.UTF8.GetBytes(json.ToString());
        var file = new byte[8 + header.Length + data.Count];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        File.WriteAllBytes(path, file);
    }
}
