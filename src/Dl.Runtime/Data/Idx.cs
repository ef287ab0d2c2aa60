using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Numerics.Tensors;

namespace Dl.Data;

/// <summary>Images read from an IDX file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Cols"/> pixels.</summary>
public sealed class IdxImages
{
    public int Count { get; init; }
    public int Rows { get; init; }
    public int Cols { get; init; }
    /// <summary>Count x Rows x Cols values, image by image, row by row: each stored byte divided by 255f, so in [0, 1].</summary>
    public float[] Pixels { get; init; } = Array.Empty<float>();
}

/// <summary>
/// Reads and writes the IDX format of MNIST: a big-endian header (magic 0x00000803 then count, rows,
/// cols for images; magic 0x00000801 then count for labels) followed by one unsigned byte per pixel
/// or label. A file is gzip-compressed or raw, told apart by its first two bytes (1F 8B), never by
/// its name. Every bad file is an exception naming the file (full path) and what is wrong with it.
/// Labels are returned as stored (0..255); nothing here assumes ten classes.
/// </summary>
public static class Idx
{
    public const int ImagesMagic = 0x00000803, LabelsMagic = 0x00000801;

    /// <summary>Reads an images file (magic 0x00000803); pixels are byte / 255f.</summary>
    /// <exception cref="FileNotFoundException">No such file; the message names its full path.</exception>
    /// <exception cref="InvalidDataException">Wrong magic, a header or data shorter than promised, or corrupt gzip; the message names the file and the numbers.</exception>
    public static IdxImages ReadImages(string path)
    {
        var (b, length, full) = ReadAll(path);
        CheckMagic(b, length, full, ImagesMagic, "images");
        CheckLength(length, 16, full, "header");
        int count = BigEndian(b, 4), rows = BigEndian(b, 8), cols = BigEndian(b, 12);
        long pixels = (long)count * rows * cols;
        if (count < 0 || rows < 0 || cols < 0 || pixels > Array.MaxLength)
            throw new InvalidDataException($"{full}: the header promises {count} images of {rows}x{cols}, which is not a size an array can hold");
        CheckLength(length, 16 + pixels, full, $"{count} images of {rows}x{cols}");
        var values = new float[pixels];
        // Exactly byte / 255f (a division, not a multiply by 1/255f, which rounds differently).
        TensorPrimitives.ConvertTruncating<byte, float>(b.AsSpan(16, (int)pixels), values);
        TensorPrimitives.Divide(values, 255f, values);
        return new IdxImages { Count = count, Rows = rows, Cols = cols, Pixels = values };
    }

    /// <summary>Reads a labels file (magic 0x00000801); each label is its stored byte, 0..255.</summary>
    /// <exception cref="FileNotFoundException">No such file; the message names its full path.</exception>
    /// <exception cref="InvalidDataException">Wrong magic, a header or data shorter than promised, or corrupt gzip; the message names the file and the numbers.</exception>
    public static int[] ReadLabels(string path)
    {
        var (b, length, full) = ReadAll(path);
        CheckMagic(b, length, full, LabelsMagic, "labels");
        CheckLength(length, 8, full, "header");
        int count = BigEndian(b, 4);
        if (count < 0) throw new InvalidDataException($"{full}: the header promises {count} labels");
        CheckLength(length, 8L + count, full, $"{count} labels");
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = b[8 + i];
        return labels;
    }

    /// <summary>Throws unless there is exactly one label per image.</summary>
    /// <exception cref="InvalidDataException">The counts differ; the message names both.</exception>
    public static void CheckPair(IdxImages images, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Count != labels.Length)
            throw new InvalidDataException($"{images.Count} images but {labels.Length} labels: an images file and its labels file must hold the same count");
    }

    /// <summary>Writes count images of rows x cols bytes (pixels, image by image) as an IDX images file, gzip-compressed when asked.</summary>
    public static void WriteImages(string path, byte[] pixels, int count, int rows, int cols, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (count < 0 || rows < 0 || cols < 0 || pixels.Length != (long)count * rows * cols)
            throw new ArgumentException($"{count} images of {rows}x{cols} need {(long)count * rows * cols} pixels, got {pixels.Length}", nameof(pixels));
        Write(path, pixels, gzip, ImagesMagic, count, rows, cols);
    }

    /// <summary>Writes labels (each 0..255) as an IDX labels file, gzip-compressed when asked.</summary>
    public static void WriteLabels(string path, int[] labels, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var bytes = new byte[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] > 255) throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"label {i} is {labels[i]}; an IDX label is one byte, 0..255");
            bytes[i] = (byte)labels[i];
        }
        Write(path, bytes, gzip, LabelsMagic, labels.Length);
    }

    private static void Write(string path, byte[] body, bool gzip, params int[] header)
    {
        using var file = File.Create(path);
        using Stream s = gzip ? new GZipStream(file, CompressionLevel.Optimal) : file;
        Span<byte> word = stackalloc byte[4];
        foreach (int v in header)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, v);
            s.Write(word);
        }
        s.Write(body);
    }

    /// <summary>The file's bytes, decompressed when it starts with the gzip magic; the valid length may be shorter than the array.</summary>
    private static (byte[] Bytes, long Length, string FullPath) ReadAll(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"IDX file not found: {full}", full);
        var raw = File.ReadAllBytes(full);
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B) return (raw, raw.Length, full);
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            // The gzip trailer's last 4 bytes are the uncompressed size (mod 2^32): size the buffer once.
            long hint = raw.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 4)) : 0;
            using var ms = new MemoryStream((int)Math.Min(Math.Max(hint, raw.Length), 1L << 30));
            gz.CopyTo(ms);
            return (ms.GetBuffer(), ms.Length, full);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new InvalidDataException($"{full}: corrupt gzip data ({e.Message})", e);
        }
    }

    /// <summary>The magic number first: a labels file passed as images should say so, not "truncated".</summary>
    private static void CheckMagic(byte[] b, long length, string path, int expected, string kind)
    {
        CheckLength(length, 4, path, "magic number");
        int magic = BigEndian(b, 0);
        if (magic != expected)
            throw new InvalidDataException($"{path}: wrong magic number 0x{magic:X8}, expected 0x{expected:X8} (IDX {kind})");
    }

    private static void CheckLength(long length, long need, string path, string what)
    {
        if (length < need)
            throw new InvalidDataException($"{path}: truncated IDX file: {what}: {need} bytes expected, {length} found");
    }

    private static int BigEndian(byte[] b, int o) => BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(o, 4));
}
