using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Dl.Data;
using Dl.Tests;

namespace Dl.Runtime.Tests;

/// <summary>IDX files: the real MNIST copy, round trips, and a clear error for every kind of bad file.</summary>
public class DataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dl-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A file of the repository, found by walking up from the test assembly to the folder holding DlCompiler.sln.</summary>
    internal static string RepoFile(params string[] parts)
    {
        string path = RepositoryRoot.Combine(parts);
        Assert.True(File.Exists(path), $"{path} is missing: the repository should carry its MNIST copy (data/mnist)");
        return path;
    }

    private string Write(string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(_dir, name);
        if (!gzip) { File.WriteAllBytes(path, bytes); return path; }
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(bytes);
        return path;
    }

    private static byte[] Header(int magic, params int[] dims) =>
        new[] { magic }.Concat(dims).SelectMany(v => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();

    [Fact]
    public void RealMnist_Loads()
    {
        var images = Idx.ReadImages(RepoFile("data", "mnist", "train-images-idx3-ubyte.gz"));
        var labels = Idx.ReadLabels(RepoFile("data", "mnist", "train-labels-idx1-ubyte.gz"));
        Assert.Equal((8000, 28, 28), (images.Count, images.Rows, images.Cols));
        Assert.Equal(8000 * 784, images.Pixels.Length);
        Assert.Equal(8000, labels.Length);
        Assert.All(labels, l => Assert.InRange(l, 0, 9));
        Assert.Equal(10, labels.Distinct().Count());
        Assert.Equal(1f, images.Pixels.Max());
        Assert.Equal(0f, images.Pixels.Min());
        Idx.CheckPair(images, labels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImagesAndLabels_RoundTrip_RawOrGzip(bool gzip)
    {
        var pixels = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 11)).ToArray();
        string images = Path.Combine(_dir, "img.idx"), labels = Path.Combine(_dir, "lab.idx");
        Idx.WriteImages(images, pixels, 2, 3, 4, gzip);
        Idx.WriteLabels(labels, new[] { 7, 255 }, gzip);
        Assert.Equal(gzip, File.ReadAllBytes(images)[0] == 0x1F);   // compressed or not, whatever the name says
        var read = Idx.ReadImages(images);
        Assert.Equal((2, 3, 4), (read.Count, read.Rows, read.Cols));
        Assert.Equal(pixels.Select(p => p / 255f), read.Pixels);
        Assert.Equal(new[] { 7, 255 }, Idx.ReadLabels(labels));     // not limited to ten classes
    }

    [Fact]
    public void Writers_RejectMismatchedArguments()
    {
        Assert.Throws<ArgumentException>(() => Idx.WriteImages(Path.Combine(_dir, "x"), new byte[5], 1, 2, 3, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Idx.WriteLabels(Path.Combine(_dir, "y"), new[] { 256 }, false));
    }

    [Fact]
    public void MissingFile_NamesTheFullPath()
    {
        string path = Path.Combine(_dir, "nope.gz");
        var e = Assert.Throws<FileNotFoundException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        var relative = Assert.Throws<FileNotFoundException>(() => Idx.ReadLabels("no-such-dir/labels.idx"));
        Assert.Contains(Path.GetFullPath("no-such-dir/labels.idx"), relative.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WrongMagic_NamesFileExpectedAndActual(bool gzip)
    {
        string path = Write("labels-as-images", Header(0x801, 1).Concat(new byte[] { 1 }).ToArray(), gzip);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("0x00000803", e.Message);
        Assert.Contains(path, e.Message);
        string images = Write("images-as-labels", Header(0x803, 0, 0, 0), gzip);
        var l = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(images));
        Assert.Contains("0x00000803", l.Message);
        Assert.Contains("0x00000801", l.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedData_NamesFileAndBytesExpectedAndFound(bool gzip)
    {
        string path = Write("short", Header(0x803, 2, 3, 4).Concat(new byte[10]).ToArray(), gzip);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("40 bytes expected", e.Message);   // 16 + 24 bytes promised
        Assert.Contains("26 found", e.Message);            // 16 + 10 found
        string labels = Write("short-labels", Header(0x801, 5).Concat(new byte[3]).ToArray(), gzip);
        var l = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(labels));
        Assert.Contains("13 bytes expected", l.Message);
        Assert.Contains("11 found", l.Message);
    }

    [Fact]
    public void TruncatedHeader_NamesFileAndBytes()
    {
        string cut = Write("cut", new byte[] { 0, 0, 8 }, gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(cut));
        Assert.Contains(cut, e.Message);
        Assert.Contains("3 found", e.Message);
        string images = Write("cut-images", Header(0x803, 2, 3), gzip: true);   // 12 of 16 header bytes
        var i = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(images));
        Assert.Contains("header", i.Message);
        Assert.Contains("16 bytes expected", i.Message);
        Assert.Contains("12 found", i.Message);
    }

    [Fact]
    public void CorruptGzip_NamesTheFile()
    {
        string bad = Write("bad.gz", new byte[] { 0x1F, 0x8B, 8, 0, 1, 2, 3, 4, 5, 6, 7, 9, 9, 9, 9, 9, 9, 9, 9, 9 }, gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(bad));
        Assert.Contains(bad, e.Message);
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void CountMismatch_IsReported()
    {
        var images = new IdxImages { Count = 3, Rows = 1, Cols = 1, Pixels = new float[3] };
        var e = Assert.Throws<InvalidDataException>(() => Idx.CheckPair(images, new int[2]));
        Assert.Contains("3 images", e.Message);
        Assert.Contains("2 labels", e.Message);
    }
}
