using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Samples;

/// <summary>
/// Grayscale images (digits, reconstructions, samples) laid out in a grid and written as an 8-bit grayscale PNG: what a
/// person looks at to judge an autoencoder or a generator. The encoder is the few lines PNG needs (signature, IHDR, one
/// zlib IDAT, IEND, CRC-32 per chunk), so a sample that draws pictures ships no imaging library and renders on any machine.
/// </summary>
internal static class ImageGrid
{
    /// <summary>The gray of the gaps between cells: neither MNIST's black background nor its white strokes.</summary>
    public const byte GapGray = 128;

    /// <summary>
    /// Writes <paramref name="count"/> images of <paramref name="height"/>x<paramref name="width"/> values, one after the
    /// other in <paramref name="images"/> (row-major, 0 black, 1 white; values outside [0, 1] are clipped, NaN is black),
    /// as a PNG at <paramref name="path"/>: <paramref name="columns"/> cells a row, filled row by row, each pixel drawn as a
    /// <paramref name="scale"/>x<paramref name="scale"/> square, cells <paramref name="gap"/> pixels apart and from the edge.
    /// </summary>
    /// <exception cref="ArgumentException">A size is out of range, or <paramref name="images"/> holds fewer values than that.</exception>
    public static void Save(string path, ReadOnlySpan<float> images, int count, int height, int width, int columns, int scale = 2, int gap = 2)
    {
        byte[] png = Encode(images, count, height, width, columns, scale, gap);
        File.WriteAllBytes(path, png);
    }

    /// <summary>The width and height in pixels of the PNG <see cref="Save"/> writes for these sizes.</summary>
    public static (int Width, int Height) Size(int count, int height, int width, int columns, int scale = 2, int gap = 2)
    {
        int cols = Math.Min(columns, count), rows = (count + columns - 1) / columns;
        return (gap + cols * (width * scale + gap), gap + rows * (height * scale + gap));
    }

    /// <summary>The PNG file's bytes for <see cref="Save"/>'s arguments.</summary>
    public static byte[] Encode(ReadOnlySpan<float> images, int count, int height, int width, int columns, int scale = 2, int gap = 2)
    {
        if (count < 1 || height < 1 || width < 1 || columns < 1 || scale < 1 || scale > 64 || gap < 0 || gap > 64)
            throw new ArgumentException($"a grid needs at least one image, positive sizes, a scale of 1-64 and a gap of 0-64; got count {count}, {height}x{width}, {columns} columns, scale {scale}, gap {gap}");
        long needed = (long)count * height * width;
        if (images.Length < needed)
            throw new ArgumentException($"{count} images of {height}x{width} need {needed} values; got {images.Length}", nameof(images));
        var (pngWidth, pngHeight) = Size(count, height, width, columns, scale, gap);
        if ((long)pngWidth * pngHeight > 100_000_000) throw new ArgumentException($"a {pngWidth}x{pngHeight} picture is too large");

        // Each PNG row is a filter byte (0: none) and the row's gray values.
        int stride = pngWidth + 1;
        var raw = new byte[(long)stride * pngHeight];
        for (int y = 0; y < pngHeight; y++)
            raw.AsSpan(y * stride + 1, pngWidth).Fill(GapGray);
        for (int n = 0; n < count; n++)
        {
            int left = gap + (n % columns) * (width * scale + gap), top = gap + (n / columns) * (height * scale + gap);
            var image = images.Slice(n * height * width, height * width);
            for (int y = 0; y < height * scale; y++)
            {
                var row = raw.AsSpan((top + y) * stride + 1 + left, width * scale);
                for (int x = 0; x < width * scale; x++) row[x] = Gray(image[(y / scale) * width + x / scale]);
            }
        }

        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, pngWidth);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), pngHeight);
        header[8] = 8;   // bits per sample; colour type 0 (gray), compression 0, filter 0, no interlace follow as zeros
        WriteChunk(file, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
            WriteChunk(file, "IDAT", compressed.ToArray());
        }
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    /// <summary>A value in [0, 1] as a byte, rounded; clipped outside, NaN black.</summary>
    public static byte Gray(float value) => float.IsNaN(value) ? (byte)0 : (byte)MathF.Round(Math.Clamp(value, 0f, 1f) * 255f);

    private static void WriteChunk(Stream file, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        file.Write(word);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        file.Write(typeBytes);
        file.Write(data);
        // The CRC covers the type and the data, not the length.
        uint crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        file.Write(word);
    }

    /// <summary>CRC-32 (ISO 3309, polynomial 0xEDB88320), as PNG chunks carry it: table-driven, no package.</summary>
    internal static class Crc32
    {
        private static readonly uint[] s_table = Table();

        /// <summary>Runs <paramref name="bytes"/> through the register <paramref name="crc"/> (start at 0xFFFFFFFF, invert at the end).</summary>
        public static uint Update(uint crc, ReadOnlySpan<byte> bytes)
        {
            foreach (byte b in bytes) crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }

        private static uint[] Table()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            return table;
        }
    }
}
