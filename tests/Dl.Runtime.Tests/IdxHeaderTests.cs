using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Dl.Data;

namespace Dl.Runtime.Tests;

/// <summary>
/// What an IDX header may make the reader do: its sizes are checked before anything is allocated, they are the
/// only sizes trusted (never the gzip trailer's), and the data may not run past them (a decompression bomb).
/// </summary>
public class IdxHeaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dl-idx-header-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    internal static byte[] Header(int magic, params int[] dims) =>
        new[] { magic }.Concat(dims).SelectMany(v => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();

    internal static byte[] Gzip(byte[] content)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(content);
        return output.ToArray();
    }

    private static (T Result, long Allocated) Measure<T>(Func<T> read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = read();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (InvalidDataException Error, long Allocated) Refused(Action read) =>
        Measure(() => Assert.Throws<InvalidDataException>(read));

    // (2^31-1) x (2^31-1) x 4 wraps a long to a negative size: it used to reach `new float[negative]`.
    [Theory]
    [InlineData(int.MaxValue, int.MaxValue, 4, false)]
    [InlineData(int.MaxValue, int.MaxValue, 4, true)]
    [InlineData(int.MaxValue, int.MaxValue, int.MaxValue, false)]
    [InlineData(65536, 65536, 65536, true)]
    public void Header_sizes_whose_product_overflows_are_refused_with_the_sizes(int count, int rows, int cols, bool gzip)
    {
        byte[] content = Header(Idx.ImagesMagic, count, rows, cols).Concat(new byte[64]).ToArray();
        string path = File("overflow", gzip ? Gzip(content) : content);

        var (e, allocated) = Refused(() => Idx.ReadImages(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains($"{count} images of {rows}x{cols}", e.Message);
        Assert.True(allocated < 1 << 20, $"refusing the header allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_header_past_the_default_limit_is_refused_before_reading_and_the_limit_can_be_raised(bool gzip)
    {
        // 16,385 x 16,385 = 268,468,225 pixels: one image just over the default 2^28.
        byte[] content = Header(Idx.ImagesMagic, 1, 16385, 16385).Concat(new byte[100]).ToArray();
        string big = File("big", gzip ? Gzip(content) : content);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(big));
        Assert.StartsWith(big + ": ", e.Message);
        Assert.Contains("268468225 pixels", e.Message);
        Assert.Contains("268435456", e.Message);   // the limit it is over

        // Raised, the same header is held to its data: 100 bytes are not 268 million.
        var truncated = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(big, maxPixels: 1L << 29));
        Assert.Contains("truncated", truncated.Message);

        // Lowered, a real file is refused by it.
        byte[] small = Header(Idx.ImagesMagic, 3, 2, 2).Concat(new byte[12]).ToArray();
        string smallPath = File("small", gzip ? Gzip(small) : small);
        Assert.Equal(12, Idx.ReadImages(smallPath, maxPixels: 12).Pixels.Length);
        Assert.Contains("more than the 11 allowed", Assert.Throws<InvalidDataException>(() => Idx.ReadImages(smallPath, maxPixels: 11)).Message);
        Assert.Equal(4, Idx.ReadLabels(File("labels", Header(Idx.LabelsMagic, 4).Concat(new byte[4]).ToArray()), maxLabels: 4).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => Idx.ReadImages(smallPath, maxPixels: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Idx.ReadImages(smallPath, maxPixels: (long)Array.MaxLength + 1));
    }

    [Fact]
    public void A_header_claiming_a_billion_images_costs_nothing()
    {
        foreach (bool gzip in new[] { false, true })
        {
            byte[] content = Header(Idx.ImagesMagic, 1_000_000_000, 28, 28).Concat(new byte[784]).ToArray();
            string path = File("billion" + gzip, gzip ? Gzip(content) : content);
            var (e, allocated) = Refused(() => Idx.ReadImages(path));
            Assert.StartsWith(path + ": ", e.Message);
            Assert.Contains("1000000000 images of 28x28", e.Message);
            Assert.True(allocated < 1 << 20, $"gzip {gzip}: refusing allocated {allocated} bytes");
        }
    }

    // The gzip trailer's last four bytes claim the uncompressed size; the old reader sized its buffer by them.
    [Fact]
    public void The_gzip_trailer_does_not_size_anything()
    {
        byte[] gz = Gzip(Header(Idx.LabelsMagic, 1000).Concat(Enumerable.Range(0, 1000).Select(i => (byte)(i % 10))).ToArray());
        BitConverter.TryWriteBytes(gz.AsSpan(gz.Length - 4), 0x7FFF_FFF0u);   // "2 GB"
        string path = File("liar.gz", gz);

        var (e, allocated) = Refused(() => Idx.ReadLabels(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("gzip", e.Message);
        Assert.True(allocated < 1 << 20, $"an {gz.Length}-byte file allocated {allocated} bytes");
    }

    // One 28x28 image promised, 200 MB of zeros delivered (about 200 KB compressed).
    [Fact]
    public void A_decompression_bomb_stops_at_what_the_header_promises()
    {
        string path = Path.Combine(_dir, "bomb.gz");
        using (var file = System.IO.File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Optimal))
        {
            gz.Write(Header(Idx.ImagesMagic, 1, 28, 28));
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 200; i++) gz.Write(zeros);
        }

        var (e, allocated) = Refused(() => Idx.ReadImages(path));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("more data than its header promises", e.Message);
        Assert.True(allocated < 1 << 20, $"the bomb made the reader allocate {allocated} bytes");
    }

    [Fact]
    public void Data_past_what_the_header_promises_is_refused_raw_too()
    {
        string path = File("long", Header(Idx.LabelsMagic, 3).Concat(new byte[] { 1, 2, 3, 4, 5 }).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Equal($"{path}: 2 bytes more data than its header promises (3 labels, 11 bytes in all)", e.Message);
    }

    [Fact]
    public void A_gzip_file_cut_in_its_trailer_or_with_a_broken_crc_is_corrupt()
    {
        byte[] gz = Gzip(Header(Idx.LabelsMagic, 3).Concat(new byte[] { 1, 2, 3 }).ToArray());
        string cut = File("cut.gz", gz[..^3]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(cut));
        Assert.StartsWith(cut + ": ", e.Message);
        Assert.Contains("gzip", e.Message);

        byte[] flipped = (byte[])gz.Clone();
        flipped[^6] ^= 0x10;   // inside the CRC-32
        string crc = File("crc.gz", flipped);
        var c = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(crc));
        Assert.StartsWith(crc + ": corrupt gzip data", c.Message);
    }

    [Fact]
    public void Labels_can_be_checked_against_a_class_count_with_the_file_named()
    {
        string path = File("labels", Header(Idx.LabelsMagic, 4).Concat(new byte[] { 0, 9, 10, 3 }).ToArray());
        Assert.Equal(new[] { 0, 9, 10, 3 }, Idx.ReadLabels(path, classes: 11));
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path, classes: 10));
        Assert.Equal($"{path}: label 2 is 10, outside the classes 0..9", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Idx.ReadLabels(path, classes: 0));
    }
}
