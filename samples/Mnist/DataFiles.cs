using System;
using System.IO;
using System.Linq;
using Dl.Data;

namespace Mnist;

/// <summary>Finds and loads the MNIST IDX files that ship in the repository's data/mnist.</summary>
internal static partial class DataFiles
{
    public sealed record Split(float[] Pixels, int[] Labels)
    {
        public int Count => Labels.Length;
    }

    /// <summary>data/mnist in the current folder or any parent, or beside the executable.</summary>
    public static string FindMnist()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "data", "mnist");
                if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz"))) return candidate;
            }
        throw new DirectoryNotFoundException("data/mnist with train-images-idx3-ubyte.gz was not found in this folder or its parents; pass --data DIR");
    }

    /// <summary>Applies (x - mean) / std, both taken from <paramref name="train"/>, to every given array.</summary>
    public static (float Mean, float Std) Standardize(float[] train, params float[][] others)
    {
        double sum = 0, squares = 0;
        foreach (var v in train) { sum += v; squares += (double)v * v; }
        double mean = sum / train.Length, std = Math.Sqrt(Math.Max(squares / train.Length - mean * mean, 1e-12));
        foreach (var data in new[] { train }.Concat(others))
            for (int i = 0; i < data.Length; i++) data[i] = (float)((data[i] - mean) / std);
        return ((float)mean, (float)std);
    }

    public static Split Load(string dir, string prefix)
    {
        var images = Idx.ReadImages(Path.Combine(dir, prefix + "-images-idx3-ubyte.gz"));
        var labels = Idx.ReadLabels(Path.Combine(dir, prefix + "-labels-idx1-ubyte.gz"));
        Idx.CheckPair(images, labels);
        if (images.Rows * images.Cols != 784)
            throw new InvalidDataException($"{prefix} images are {images.Rows}x{images.Cols}; this model needs 28x28");
        return new Split(images.Pixels, labels);
    }
}
