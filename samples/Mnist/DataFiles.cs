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

    /// <summary>The four files a run reads from <paramref name="dir"/>: images and labels of the training and test sets.</summary>
    public static string[] Paths(string dir) =>
        new[] { "train", "t10k" }.SelectMany(prefix => new[] { ImagesPath(dir, prefix), LabelsPath(dir, prefix) }).ToArray();

    /// <summary>
    /// Reads one set (<paramref name="prefix"/> "train" or "t10k"). A file that does not hold 28x28 digits labelled 0-9,
    /// one label per image, throws <see cref="InvalidDataException"/> whose message starts with that file's path.
    /// </summary>
    public static Split Load(string dir, string prefix)
    {
        string imagesPath = ImagesPath(dir, prefix), labelsPath = LabelsPath(dir, prefix);
        var images = Idx.ReadImages(imagesPath);
        var labels = Idx.ReadLabels(labelsPath);
        if (images.Rows * (long)images.Cols != 784)
            throw new InvalidDataException($"{Path.GetFullPath(imagesPath)}: images of {images.Rows}x{images.Cols} pixels; these models read 28x28 digits");
        if (images.Count != labels.Length)
            throw new InvalidDataException($"{Path.GetFullPath(labelsPath)}: {labels.Length} labels for the {images.Count} images of {Path.GetFullPath(imagesPath)}; each image needs one");
        // IDX labels are bytes (0..255); a digit is 0..9, and the loss indexes ten logits with it.
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] > 9)
                throw new InvalidDataException($"{Path.GetFullPath(labelsPath)}: label {labels[i]} of image {i} is not a digit 0-9");
        return new Split(images.Pixels, labels);
    }

    private static string ImagesPath(string dir, string prefix) => Path.Combine(dir, prefix + "-images-idx3-ubyte.gz");

    private static string LabelsPath(string dir, string prefix) => Path.Combine(dir, prefix + "-labels-idx1-ubyte.gz");
}
