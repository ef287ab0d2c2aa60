using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Numerics.Tensors;

namespace Dl.Data;

/// <summary>Images read from an IDX file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Cols"/> pixels.</summary>
public sealed class IdxImages
{
    /// <summary>Number of images.</summary>
    public int Count { get; init; }

    /// <summary>Pixel rows per image.</summary>
    public int Rows { get; init; }

    /// <summary>Pixel columns per image.</summary>
    public int Cols { get; init; }

    /// <summary>Count x Rows x Cols values, image by image, row by row: each stored byte divided by 255f, so in [0, 1].</summary>
    public float[] Pixels { get; init; } = Array.Empty<float>();
}

/// <summary>
/// Reads and writes the IDX format of MNIST: a big-endian header (magic 0x00000803 then count, rows,
/// cols for images; magic 0x00000801 then count for labels) followed by one unsigned byte per pixel
/// or label. A file is gzip-compressed or raw, told apart by its first two bytes (1F 8B), never by
/// its name. Labels are returned as stored (0..255) unless a class count is given.
/// </summary>
/// <remarks>
/// <para>
/// A file is untrusted input. Every malformed file is an <see cref="InvalidDataException"/> whose message
/// starts with the file's full path, then says what is wrong, with the numbers (wrong magic, a header or data
/// shorter or longer than the header promises, sizes that overflow or pass the limit, corrupt gzip data, a
/// label outside the classes); a missing file is a <see cref="FileNotFoundException"/>. No other exception
/// comes out of bad content: no <see cref="OverflowException"/>, <see cref="OutOfMemoryException"/> or
/// <see cref="IndexOutOfRangeException"/>.
/// </para>
/// <para>
/// Sizes come from the IDX header only, never from the gzip trailer. Before anything is allocated the header's
/// product count x rows x cols is computed without overflow and held to a limit, <see cref="DefaultMaxValues"/>
/// (2^28 values: 256 MiB of bytes in the file, 1 GiB of floats; the 60,000 MNIST training images are 47 million)
/// unless the caller passes another. The data is then read in chunks no larger than what has already arrived, and
/// reading stops one byte past the promised size, so neither a header that lies about its count nor a gzip bomb
/// makes the reader allocate much more than the data really there: about 2 bytes of chunks and the 4 bytes of the
/// result per value read, plus 64 KiB. The whole file must be used: data past what the header promises is an
/// error, and so is a gzip trailer that is missing, damaged or disagrees with the decompressed size (one gzip
/// member per file, as gzip writes it).
/// </para>
/// </remarks>
public static class Idx
{
    /// <summary>The magic number of an images file (unsigned bytes, three dimensions).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The magic number of a labels file (unsigned bytes, one dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>
    /// The most values (pixels of all images together, or labels) a header may promise unless the caller allows
    /// more: 2^28 = 268,435,456, i.e. 256 MiB of file data and 1 GiB as floats.
    /// </summary>
    public const long DefaultMaxValues = 1L << 28;

    /// <summary>Reads an images file (magic 0x00000803); pixels are byte / 255f.</summary>
    /// <param name="path">The file, raw or gzip-compressed.</param>
    /// <param name="maxPixels">
    /// The most pixels (count x rows x cols) the header may promise, from 1 to <see cref="Array.MaxLength"/>;
    /// <see cref="DefaultMaxValues"/> unless given. Raise it for data sets of more than 256 MiB of pixels.
    /// </param>
    /// <exception cref="FileNotFoundException">No such file; the message names its full path.</exception>
    /// <exception cref="InvalidDataException">
    /// A malformed file: wrong magic, negative or overflowing sizes, more than <paramref name="maxPixels"/> pixels
    /// promised, data shorter or longer than promised, or corrupt gzip data. The message starts with the file's full
    /// path and gives the numbers.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is outside 1..<see cref="Array.MaxLength"/>.</exception>
    public static IdxImages ReadImages(string path, long maxPixels = DefaultMaxValues)
    {
        CheckLimit(maxPixels, nameof(maxPixels));
        using var reader = IdxReader.Open(path);
        Span<int> dims = stackalloc int[3];
        reader.ReadHeader(ImagesMagic, "images", dims);
        int count = dims[0], rows = dims[1], cols = dims[2];
        string what = $"{count} images of {rows}x{cols}";
        if (count < 0 || rows < 0 || cols < 0)
            throw reader.Invalid($"the header promises {what}: a size cannot be negative");
        // Up to 2^93: exact in 128 bits, where a long wraps.
        Int128 pixels = (Int128)count * rows * cols;
        if (pixels > maxPixels)
            throw reader.Invalid($"the header promises {what} = {pixels} pixels, more than the {maxPixels} allowed " +
                                 "(a damaged header, or pass a larger maxPixels)");
        var chunks = reader.ReadBody((long)pixels, what);
        var values = new float[(long)pixels];
        int at = 0;
        foreach (var chunk in chunks)
        {
            // Exactly byte / 255f (a division, not a multiply by 1/255f, which rounds differently).
            var target = values.AsSpan(at, chunk.Length);
            TensorPrimitives.ConvertTruncating<byte, float>(chunk, target);
            TensorPrimitives.Divide(target, 255f, target);
            at += chunk.Length;
        }
        return new IdxImages { Count = count, Rows = rows, Cols = cols, Pixels = values };
    }

    /// <summary>Reads a labels file (magic 0x00000801); each label is its stored byte, 0..255.</summary>
    /// <param name="path">The file, raw or gzip-compressed.</param>
    /// <param name="classes">When given, every label must be below it (0..classes-1), else the file is malformed.</param>
    /// <param name="maxLabels">The most labels the header may promise, from 1 to <see cref="Array.MaxLength"/>; <see cref="DefaultMaxValues"/> unless given.</param>
    /// <exception cref="FileNotFoundException">No such file; the message names its full path.</exception>
    /// <exception cref="InvalidDataException">
    /// A malformed file: wrong magic, a negative count or one over <paramref name="maxLabels"/>, data shorter or
    /// longer than promised, corrupt gzip data, or a label outside 0..<paramref name="classes"/>-1. The message
    /// starts with the file's full path.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive, or <paramref name="maxLabels"/> is out of range.</exception>
    public static int[] ReadLabels(string path, int? classes = null, long maxLabels = DefaultMaxValues)
    {
        if (classes is { } c) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(c, nameof(classes));
        CheckLimit(maxLabels, nameof(maxLabels));
        using var reader = IdxReader.Open(path);
        Span<int> dims = stackalloc int[1];
        reader.ReadHeader(LabelsMagic, "labels", dims);
        int count = dims[0];
        if (count < 0) throw reader.Invalid($"the header promises {count} labels: a count cannot be negative");
        if (count > maxLabels)
            throw reader.Invalid($"the header promises {count} labels, more than the {maxLabels} allowed (a damaged header, or pass a larger maxLabels)");
        var chunks = reader.ReadBody(count, $"{count} labels");
        var labels = new int[count];
        int at = 0;
        foreach (var chunk in chunks)
            foreach (byte label in chunk)
            {
                if (label >= classes)
                    throw reader.Invalid($"label {at} is {label}, outside the classes 0..{classes - 1}");
                labels[at++] = label;
            }
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

    private static void CheckLimit(long limit, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, Array.MaxLength, name);
    }
}
