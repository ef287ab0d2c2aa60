using System;
using System.IO;
using Dl.Data;

namespace Dl.Benchmarks;

/// <summary>
/// The peer's data: MNIST bytes/255 as [B,784], batches cut before timing and cycled, so every step
/// sees a different consecutive batch (the same work TorchSharp is timed on).
/// </summary>
public sealed class MnistBatches
{
    private readonly float[][] _x;
    private readonly int[][] _y;
    private int _next;

    public MnistBatches(int batch, int count = 32)
    {
        var dir = FindData();
        var images = Idx.ReadImages(Path.Combine(dir, "train-images-idx3-ubyte.gz"));
        var labels = Idx.ReadLabels(Path.Combine(dir, "train-labels-idx1-ubyte.gz"));
        count = Math.Min(count, images.Count / batch);
        _x = new float[count][];
        _y = new int[count][];
        for (int b = 0; b < count; b++)
        {
            _x[b] = images.Pixels.AsSpan(b * batch * 784, batch * 784).ToArray();
            _y[b] = labels.AsSpan(b * batch, batch).ToArray();
        }
    }

    public (float[] X, int[] Y) Next()
    {
        var i = _next;
        _next = (_next + 1) % _x.Length;
        return (_x[i], _y[i]);
    }

    public static string FindData()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "data", "mnist", "train-images-idx3-ubyte.gz")))
                    return Path.Combine(d.FullName, "data", "mnist");
        throw new DirectoryNotFoundException("data/mnist not found above the current folder or the benchmark binary");
    }
}
