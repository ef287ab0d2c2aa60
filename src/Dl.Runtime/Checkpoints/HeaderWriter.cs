using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Dl.Checkpoints;

/// <summary>Writes the safetensors JSON header: <c>__metadata__</c> first, then the tensors in the order given.</summary>
internal static class HeaderWriter
{
    /// <summary>
    /// The UTF-8 header for tensors laid out back to back in the order given, padded with spaces to a
    /// multiple of 8 bytes so the data buffer (after the 8-byte length field) starts 8-byte aligned.
    /// </summary>
    public static byte[] Build(IReadOnlyList<(string Name, int[] Shape)> tensors, IReadOnlyDictionary<string, string> metadata)
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
        long offset = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var (name, shape) = tensors[i];
            long bytes = 4;
            foreach (int d in shape) bytes *= d;
            if (sb.Length > 1) sb.Append(',');
            AppendString(sb, name);
            sb.Append(":{\"dtype\":\"F32\",\"shape\":[");
            for (int d = 0; d < shape.Length; d++)
            {
                if (d > 0) sb.Append(',');
                sb.Append(shape[d].ToString(CultureInfo.InvariantCulture));
            }
            sb.Append("],\"data_offsets\":[").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',');
            offset += bytes;
            sb.Append(offset.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }
        sb.Append('}');

        int length = Encoding.UTF8.GetByteCount(sb.ToString());
        int padded = (length + 7) & ~7;
        var header = new byte[padded];
        Encoding.UTF8.GetBytes(sb.ToString(), header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

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
