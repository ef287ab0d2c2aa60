using System;
using System.IO;
using Dl.Data;

namespace Samples;

/// <summary>
/// The MNIST digits the LeNet, Adversarial and Inference samples read: IDX files named as MNIST names them
/// (<c>train-images-idx3-ubyte.gz</c>, ...), 28x28 images, labels 0-9, one label per image. A file that is not
/// that is an <see cref="InvalidDataException"/> whose message starts with its path.
/// </summary>
internal static class Digits
{
    public const int Side = 28, Pixels = Side * Side, Classes = 10;

    /// <summary>Images, Count x 784 floats in [0, 1] (until standardised), and their labels.</summary>
    public sealed record Set(float[] Pixels, int[] Labels)
    {
        public int Count => Labels.Length;
    }

    public static string ImagesFile(string dir, string prefix) => Path.Combine(dir, prefix + "-images-idx3-ubyte.gz");

    public static string LabelsFile(string dir, string prefix) => Path.Combine(dir, prefix + "-labels-idx1-ubyte.gz");

    /// <summary>data/mnist in the current folder or a parent, or beside the executable: the first that holds <paramref name="prefix"/>'s images.</summary>
    public static string Find(string prefix)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "data", "mnist");
                if (File.Exists(ImagesFile(candidate, prefix))) return candidate;
            }
        throw new SampleException($"data/mnist with {Path.GetFileName(ImagesFile("", prefix))} was not found in this folder, its parents or beside the executable; pass --data DIR");
    }

    /// <summary>The folder given with --data, or <see cref="Find"/>'s.</summary>
    public static string Folder(string? given, string prefix)
    {
        if (given is null) return Find(prefix);
        if (!Directory.Exists(given)) throw new SampleException($"--data {given}: no such folder");
        return given;
    }

    /// <summary>Reads <paramref name="prefix"/>'s images and labels from <paramref name="dir"/> and checks they are MNIST digits.</summary>
    /// <exception cref="FileNotFoundException">A file is missing (the message names it).</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or the pair does not fit; the message starts with the file's path.</exception>
    public static Set Load(string dir, string prefix)
    {
        string imagesPath = Path.GetFullPath(ImagesFile(dir, prefix)), labelsPath = Path.GetFullPath(LabelsFile(dir, prefix));
        var images = Idx.ReadImages(imagesPath);
        if (images.Rows != Side || images.Cols != Side)
            throw new InvalidDataException($"{imagesPath}: images of {images.Rows}x{images.Cols} pixels; these samples need {Side}x{Side}");
        if (images.Count == 0) throw new InvalidDataException($"{imagesPath}: the file holds no images");
        var labels = Idx.ReadLabels(labelsPath, Classes);
        if (labels.Length != images.Count)
            throw new InvalidDataException($"{imagesPath}: {images.Count} images, but {labelsPath} holds {labels.Length} labels; the two files must hold the same count");
        return new Set(images.Pixels, labels);
    }

    /// <summary>
    /// What a training sample starts with: the training and test digits of <paramref name="dataDir"/> (or the
    /// default folder), both standardised by the training pixels' mean and std, and a check that
    /// <paramref name="batch"/> is no larger than the training set (a usage error otherwise).
    /// </summary>
    public static (Set Train, Set Test, string Dir, double Mean, double Std) LoadForTraining(string? dataDir, int batch)
    {
        string dir = Folder(dataDir, "train");
        var train = Load(dir, "train");
        var test = Load(dir, "t10k");
        if (batch > train.Count)
            throw new SampleException($"--batch {batch} is more than the {train.Count} training digits in {dir}", SampleHost.UsageError);
        var (mean, std) = MeanAndStd(train.Pixels);
        Standardize(train.Pixels, mean, std);
        Standardize(test.Pixels, mean, std);
        return (train, test, dir, mean, std);
    }

    /// <summary>The mean and standard deviation of every pixel of <paramref name="pixels"/>, summed in double.</summary>
    public static (double Mean, double Std) MeanAndStd(ReadOnlySpan<float> pixels)
    {
        double sum = 0, squares = 0;
        foreach (var v in pixels) { sum += v; squares += (double)v * v; }
        double mean = sum / pixels.Length;
        return (mean, Math.Sqrt(Math.Max(squares / pixels.Length - mean * mean, 1e-12)));
    }

    /// <summary>Replaces every value by (x - mean) / std, computed in double as samples/Mnist does.</summary>
    public static void Standardize(Span<float> values, double mean, double std)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)((values[i] - mean) / std);
    }
}
