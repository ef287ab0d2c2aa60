using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Samples;
using SkiaSharp;

namespace Dl.Samples.Tests;

/// <summary>
/// The samples' PNG grid: SkiaSharp (a decoder this project did not write) reads it back at the size the grid promises,
/// with every image pixel's gray where it belongs and the gaps gray; the chunks are what the PNG standard says.
/// </summary>
public class ImageGridTests
{
    [Fact]
    public void A_decoder_reads_back_every_pixel_where_the_grid_put_it()
    {
        const int count = 5, height = 3, width = 4, columns = 3, scale = 2, gap = 1;
        var values = Enumerable.Range(0, count * height * width).Select(i => (i * 37 % 101) / 100f).ToArray();

        byte[] png = ImageGrid.Encode(values, count, height, width, columns, scale, gap);

        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        var (w, h) = ImageGrid.Size(count, height, width, columns, scale, gap);
        Assert.Equal((1 + 3 * (4 * 2 + 1), 1 + 2 * (3 * 2 + 1)), (w, h));
        Assert.Equal((w, h), (bitmap.Width, bitmap.Height));
        var covered = new bool[w, h];
        for (int n = 0; n < count; n++)
            for (int y = 0; y < height * scale; y++)
                for (int x = 0; x < width * scale; x++)
                {
                    int px = gap + (n % columns) * (width * scale + gap) + x, py = gap + (n / columns) * (height * scale + gap) + y;
                    byte expected = (byte)Math.Round(values[n * height * width + (y / scale) * width + x / scale] * 255);
                    var colour = bitmap.GetPixel(px, py);
                    Assert.True(colour.Red == expected && colour.Green == expected && colour.Blue == expected,
                        $"image {n} pixel ({x / scale},{y / scale}) at ({px},{py}): {colour}, expected gray {expected}");
                    covered[px, py] = true;
                }
        // Everything else, the gaps and the empty sixth cell, is the gap gray.
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (!covered[x, y]) Assert.Equal(ImageGrid.GapGray, bitmap.GetPixel(x, y).Red);
    }

    [Fact]
    public void Chunks_carry_their_crc_and_the_header_says_8_bit_gray()
    {
        byte[] png = ImageGrid.Encode(new float[] { 0, 0.5f, 1, 2, -1, float.NaN }, 1, 2, 3, columns: 1, scale: 1, gap: 0);

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int at = 8;
        var types = new System.Collections.Generic.List<string>();
        byte[] idat = [];
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var body = png.AsSpan(at + 8, length);
            // zlib's crc32 is the same CRC PNG uses: computed here by a bitwise loop, not the grid's table.
            Assert.Equal(BitwiseCrc(png.AsSpan(at + 4, 4 + length)), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)));
            if (type == "IHDR")
            {
                Assert.Equal((3, 2), (BinaryPrimitives.ReadInt32BigEndian(body), BinaryPrimitives.ReadInt32BigEndian(body[4..])));
                Assert.Equal(new byte[] { 8, 0, 0, 0, 0 }, body[8..].ToArray());
            }
            if (type == "IDAT") idat = body.ToArray();
            types.Add(type);
            at += 12 + length;
        }
        Assert.Equal(new[] { "IHDR", "IDAT", "IEND" }, types);
        using var inflate = new ZLibStream(new MemoryStream(idat), CompressionMode.Decompress);
        var raw = new MemoryStream();
        inflate.CopyTo(raw);
        // Two rows, each a filter byte 0 and three grays: 0.5 rounds to 128, 2 clips to white, -1 and NaN to black.
        Assert.Equal(new byte[] { 0, 0, 128, 255, 0, 255, 0, 0 }, raw.ToArray());
    }

    [Fact]
    public void Too_few_values_or_a_bad_size_is_refused_with_the_numbers()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageGrid.Encode(new float[10], 2, 2, 3, 2));
        Assert.Contains("2 images of 2x3 need 12 values; got 10", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ImageGrid.Encode(new float[10], 0, 2, 3, 2));
        Assert.Throws<ArgumentException>(() => ImageGrid.Encode(new float[10], 1, 2, 3, 0));
    }

    [Fact]
    public void Save_writes_the_file_encode_returns()
    {
        using var dir = new TempFolder();
        string path = dir.File("grid.png");
        var values = new float[4 * 28 * 28];
        values.AsSpan(28 * 28).Fill(1);

        ImageGrid.Save(path, values, 4, 28, 28, 2);

        Assert.Equal(ImageGrid.Encode(values, 4, 28, 28, 2), File.ReadAllBytes(path));
    }

    private static uint BitwiseCrc(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
