using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Dl.Checkpoints;

/// <summary>
/// The <c>dl.checksum</c> metadata value: <c>"crc32c H T1 T2 ..."</c>, eight lowercase hex digits each. H covers
/// the header's meaning (every metadata pair but this one, and each tensor's name, dtype, shape and byte range),
/// T1... the bytes of each tensor in data order. Whitespace, key order and JSON escapes are not covered: they do
/// not change what loads.
/// </summary>
internal static class ChecksumRecord
{
    private const string Algorithm = "crc32c";

    public static string Format(uint header, IReadOnlyList<uint> tensors)
    {
        var sb = new StringBuilder(Algorithm.Length + 9 * (tensors.Count + 1));
        sb.Append(Algorithm).Append(' ').Append(Hex(header));
        foreach (uint t in tensors) sb.Append(' ').Append(Hex(t));
        return sb.ToString();
    }

    /// <summary>The header digest and one checksum per tensor (data order); throws unless the value has exactly that form.</summary>
    public static (uint Header, uint[] Tensors) Parse(string value, int tensorCount)
    {
        string[] parts = value.Split(' ');
        if (parts.Length < 2 || parts[0] != Algorithm)
            throw Malformed(value, $"expected '{Algorithm}' and hex checksums");
        if (parts.Length - 2 != tensorCount)
            throw new CheckpointException($"__metadata__ {Checkpoint.ChecksumKey} lists {parts.Length - 2} tensor checksums, the file has {tensorCount} tensors");
        var numbers = new uint[parts.Length - 1];
        for (int i = 1; i < parts.Length; i++)
        {
            string p = parts[i];
            if (p.Length != 8 || p.Any(c => c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
                || !uint.TryParse(p, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out numbers[i - 1]))
                throw Malformed(value, $"'{p}' is not 8 lowercase hex digits");
        }
        return (numbers[0], numbers[1..]);
    }

    /// <summary>The digest of the header's meaning: metadata sorted by key (without the checksum itself), then each tensor in data order.</summary>
    public static uint HeaderDigest(IReadOnlyDictionary<string, string> metadata, IEnumerable<TensorEntry> tensorsInDataOrder)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var key in metadata.Keys.Where(k => k != Checkpoint.ChecksumKey).OrderBy(k => k, StringComparer.Ordinal))
        {
            AppendString(buffer, key);
            AppendString(buffer, metadata[key]);
        }
        AppendUInt64(buffer, ulong.MaxValue);   // ends the metadata: no string length can take this value
        foreach (var t in tensorsInDataOrder)
        {
            AppendString(buffer, t.Name);
            AppendString(buffer, t.Dtype);
            AppendUInt64(buffer, (ulong)t.Shape.Length);
            foreach (long d in t.Shape) AppendUInt64(buffer, (ulong)d);
            AppendUInt64(buffer, t.Begin);
            AppendUInt64(buffer, t.End);
        }
        return Crc32C.Of(buffer.WrittenSpan);
    }

    public static string Hex(uint value) => value.ToString("x8", CultureInfo.InvariantCulture);

    private static CheckpointException Malformed(string value, string why) =>
        new($"__metadata__ {Checkpoint.ChecksumKey} is '{Shorten(value)}': {why}");

    private static string Shorten(string s) => s.Length <= 80 ? s : s.Substring(0, 80) + "...";

    // Length-prefixed, so ("ab","c") and ("a","bc") digest differently.
    private static void AppendString(ArrayBufferWriter<byte> buffer, string s)
    {
        int count = Encoding.UTF8.GetByteCount(s);
        AppendUInt64(buffer, (ulong)count);
        Encoding.UTF8.GetBytes(s, buffer.GetSpan(count));
        buffer.Advance(count);
    }

    private static void AppendUInt64(ArrayBufferWriter<byte> buffer, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }
}
