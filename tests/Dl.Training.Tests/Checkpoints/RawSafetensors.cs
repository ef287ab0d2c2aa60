using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>
/// A minimal safetensors writer independent of Dl.Checkpoints: the caller supplies the JSON header text
/// and the data bytes; this only adds the length field. Used to build foreign and corrupt files.
/// </summary>
internal static class RawSafetensors
{
    public static byte[] Bytes(string json, byte[] data, ulong? headerLengthOverride = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var file = new byte[8 + header.Length + data.Length];
        ulong length = headerLengthOverride ?? (ulong)header.Length;
        for (int i = 0; i < 8; i++) file[i] = (byte)(length >> (8 * i));
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    public static void Write(string path, string json, byte[] data, ulong? headerLengthOverride = null) =>
        File.WriteAllBytes(path, Bytes(json, data, headerLengthOverride));

    /// <summary>Little-endian bytes of <paramref name="values"/>, converted one by one (not through a span cast).</summary>
    public static byte[] Floats(params float[] values)
    {
        var bytes = new List<byte>();
        foreach (float v in values)
        {
            int bits = BitConverter.SingleToInt32Bits(v);
            for (int i = 0; i < 4; i++) bytes.Add((byte)(bits >> (8 * i)));
        }
        return bytes.ToArray();
    }

    public static byte[] Concat(params byte[][] parts)
    {
        var all = new List<byte>();
        foreach (var p in parts) all.AddRange(p);
        return all.ToArray();
    }

    /// <summary>The JSON of one F32 tensor entry, with fields in the spec's usual order.</summary>
    public static string Entry(string name, string shape, long begin, long end, string dtype = "F32") =>
        "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
}
