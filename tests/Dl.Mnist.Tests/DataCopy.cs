using System;
using System.IO;
using System.IO.Compression;
using Mnist;

namespace Dl.Mnist.Tests;

/// <summary>A copy of the repository's MNIST files in a fresh folder, one of which a test then damages.</summary>
internal sealed class DataCopy : IDisposable
{
    public const string TrainImages = "train-images-idx3-ubyte.gz", TrainLabels = "train-labels-idx1-ubyte.gz";
    private readonly TempFolder _folder = new();

    public DataCopy()
    {
        foreach (string file in Directory.GetFiles(DataFiles.FindMnist(), "*.gz"))
            System.IO.File.Copy(file, Path.Combine(Dir, Path.GetFileName(file)));
    }

    public string Dir => _folder.Path;

    public string File(string name) => _folder.File(name);

    /// <summary>The file as stored (gzip).</summary>
    public byte[] Stored(string name) => System.IO.File.ReadAllBytes(File(name));

    /// <summary>The IDX bytes inside the gzip file.</summary>
    public byte[] Idx(string name)
    {
        using var gz = new GZipStream(new MemoryStream(Stored(name)), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        gz.CopyTo(raw);
        return raw.ToArray();
    }

    public void Store(string name, byte[] bytes) => System.IO.File.WriteAllBytes(File(name), bytes);

    public void StoreGzipped(string name, byte[] idx)
    {
        using var file = System.IO.File.Create(File(name));
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(idx);
    }

    public void Dispose() => _folder.Dispose();
}
