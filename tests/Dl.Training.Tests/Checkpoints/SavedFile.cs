using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>A checkpoint's bytes taken apart into its JSON header and data buffer, to edit one and put the file back together.</summary>
internal sealed class SavedFile
{
    private SavedFile(string header, byte[] data)
    {
        Header = header;
        Data = data;
    }

    /// <summary>The JSON header without its padding.</summary>
    public string Header { get; }

    /// <summary>The data buffer (everything after the header).</summary>
    public byte[] Data { get; }

    public static SavedFile Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return new SavedFile(Encoding.UTF8.GetString(bytes, 8, length).TrimEnd(' '), bytes.AsSpan(8 + length).ToArray());
    }

    /// <summary>Writes the file back with <paramref name="header"/> (the length field updated to match).</summary>
    public void Write(string path, string header, byte[]? data = null) => RawSafetensors.Write(path, header, data ?? Data);

    /// <summary>The header with <paramref name="from"/> replaced by <paramref name="to"/>, which must occur exactly once.</summary>
    public string Edited(string from, string to)
    {
        int at = Header.IndexOf(from, StringComparison.Ordinal);
        if (at < 0 || Header.IndexOf(from, at + 1, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"'{from}' is not in the header exactly once: {Header}");
        return Header.Remove(at, from.Length).Insert(at, to);
    }
}
