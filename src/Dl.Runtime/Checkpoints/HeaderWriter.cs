using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Dl.Checkpoints;

/// <summary>Writes the safetensors JSON header: <c>__metadata__</c> first, then the tensors in the order given.</summary>
internal static class HeaderWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Throws <see cref="CheckpointException"/> (prefixed with <paramref name="path"/>) when a name or metadata string
    /// is not valid Unicode, which UTF-8 cannot carry, or when the strings alone already exceed the header limit;
    /// cheap, so a hopeless header is refused before it is built.
    /// </summary>
    public static void CheckStrings(string path, IEnumerable<TensorEntry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        long bytes = 0;
        foreach (var t in tensors) bytes += Utf8Length(path, t.Name, "tensor name");
        foreach (var kv in metadata)
        {
            bytes += Utf8Length(path, kv.Key, "metadata key");
            bytes += Utf8Length(path, kv.Value, $"metadata value of '{kv.Key}'");
        }
        if (bytes > CheckpointLimits.MaxHeaderBytes)
            throw TooLarge(path, bytes, "at least ");
    }

    /// <summary>
    /// The UTF-8 header for <paramref name="tensors"/> (their offsets as given), padded with spaces to a multiple of
    /// 8 bytes so the data buffer (after the 8-byte length field) starts 8-byte aligned. Throws
    /// <see cref="CheckpointException"/> when it is longer than <see cref="CheckpointLimits.MaxHeaderBytes"/>.
    /// </summary>
    public static byte[] Build(string path, IReadOnlyList<TensorEntry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var sb = new StringBuilder("{");
        if (metadata.Count > 0)
        {
            sb.Append("\"__metadata__\":{");
            bool first = true;
            foreach (var kv in metadata)
            {
                if (!first) sb.Append(',');
                first = false;
                AppendString(sb, kv.Key);
                sb.Append(':');
                AppendString(sb, kv.Value);
            }
            sb.Append('}');
        }
        foreach (var t in tensors)
        {
            if (sb.Length > 1) sb.Append(',');
            AppendString(sb, t.Name);
            sb.Append(":{\"dtype\":\"").Append(t.Dtype).Append("\",\"shape\":[");
            for (int d = 0; d < t.Shape.Length; d++)
            {
                if (d > 0) sb.Append(',');
                sb.Append(t.Shape[d].ToString(CultureInfo.InvariantCulture));
            }
            sb.Append("],\"data_offsets\":[").Append(t.Begin.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(t.End.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }
        sb.Append('}');

        string text = sb.ToString();
        long length = StrictUtf8.GetByteCount(text);
        long padded = (length + 7) & ~7L;
        if (padded > CheckpointLimits.MaxHeaderBytes) throw TooLarge(path, padded, "");
        var header = new byte[padded];
        StrictUtf8.GetBytes(text, header);
        header.AsSpan((int)length).Fill((byte)' ');
        return header;
    }

    private static long Utf8Length(string path, string s, string what)
    {
        try { return StrictUtf8.GetByteCount(s); }
        catch (EncoderFallbackException)
        {
            throw new CheckpointException($"{path}: not saved: the {what} {Quote(s)} holds a lone UTF-16 surrogate, which a UTF-8 header cannot carry");
        }
    }

    private static CheckpointException TooLarge(string path, long bytes, string atLeast) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{path}: not saved: its header would be {atLeast}{bytes} bytes, beyond the {CheckpointLimits.MaxHeaderBytes}-byte limit of safetensors readers (this one included); keep large data out of the metadata"));

    private static string Quote(string s) => "'" + (s.Length <= 40 ? s : s.Substring(0, 40) + "...") + "'";

    private static void AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
