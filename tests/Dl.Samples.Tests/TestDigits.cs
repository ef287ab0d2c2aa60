using System;
using System.IO;
using System.Linq;
using Dl.Data;
using Dl.Tests;

namespace Dl.Samples.Tests;

/// <summary>
/// Small MNIST folders for the samples: the first digits of the repository's real files (so a run trains in a
/// moment), written as MNIST names them, and the same folder with one file damaged in one way.
/// </summary>
internal static class TestDigits
{
    public const int TrainCount = 96, TestCount = 48;

    private static readonly Lazy<(byte[] Pixels, int[] Labels)> s_train = new(() => Read("train", TrainCount));
    private static readonly Lazy<(byte[] Pixels, int[] Labels)> s_test = new(() => Read("t10k", TestCount));

    /// <summary>The ways a data file can be bad, each with what the one line on stderr must say (from the file's full path on).</summary>
    public static readonly string[] Damages =
    {
        "missing labels file", "truncated gzip", "crc-broken gzip", "wrong magic", "count mismatch", "a billion images",
        "label outside 0-9", "images of 14x14", "no images", "text file",
    };

    public static string ImagesPath(string dir, string prefix) => Path.GetFullPath(Path.Combine(dir, prefix + "-images-idx3-ubyte.gz"));

    public static string LabelsPath(string dir, string prefix) => Path.GetFullPath(Path.Combine(dir, prefix + "-labels-idx1-ubyte.gz"));

    /// <summary>Writes the four files of a good folder into <paramref name="dir"/>; returns it.</summary>
    public static string WriteGood(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var (prefix, set) in new[] { ("train", s_train.Value), ("t10k", s_test.Value) })
        {
            Idx.WriteImages(ImagesPath(dir, prefix), set.Pixels, set.Labels.Length, 28, 28, gzip: true);
            Idx.WriteLabels(LabelsPath(dir, prefix), set.Labels, gzip: true);
        }
        return dir;
    }

    /// <summary>
    /// A good folder in <paramref name="dir"/> with <paramref name="prefix"/>'s files damaged as <paramref name="damage"/>
    /// says; returns the parts the sample's message must contain.
    /// </summary>
    public static string[] WriteDamaged(string dir, string prefix, string damage)
    {
        WriteGood(dir);
        string images = ImagesPath(dir, prefix), labels = LabelsPath(dir, prefix);
        var (pixels, labelValues) = prefix == "train" ? s_train.Value : s_test.Value;
        int count = labelValues.Length;
        switch (damage)
        {
            case "missing labels file":
                File.Delete(labels);
                return new[] { labels, "not found" };
            case "truncated gzip":
            {
                byte[] gz = File.ReadAllBytes(images);
                File.WriteAllBytes(images, gz[..(gz.Length * 3 / 5)]);
                return new[] { images + ": ", "truncated" };
            }
            case "crc-broken gzip":
            {
                byte[] gz = File.ReadAllBytes(images);
                gz[^6] ^= 0x5A;   // inside the CRC-32 of the trailer
                File.WriteAllBytes(images, gz);
                return new[] { images + ": corrupt gzip data" };
            }
            case "wrong magic":
                File.Copy(labels, images, overwrite: true);
                return new[] { images + ": wrong magic number 0x00000801, expected 0x00000803" };
            case "count mismatch":
                Idx.WriteLabels(labels, labelValues[..^1], gzip: true);
                return new[] { images + $": {count} images, but {labels} holds {count - 1} labels" };
            case "a billion images":
                WriteRaw(images, Header(Idx.ImagesMagic, 1_000_000_000, 28, 28).Concat(pixels.Take(784)).ToArray());
                return new[] { images + ": ", "1000000000 images of 28x28" };
            case "label outside 0-9":
            {
                var bad = (int[])labelValues.Clone();
                bad[5] = 10;
                Idx.WriteLabels(labels, bad, gzip: true);
                return new[] { labels + ": label 5 is 10, outside the classes 0..9" };
            }
            case "images of 14x14":
                Idx.WriteImages(images, pixels[..(count * 196)], count, 14, 14, gzip: true);
                return new[] { images + ": images of 14x14 pixels; these samples need 28x28" };
            case "no images":
                Idx.WriteImages(images, Array.Empty<byte>(), 0, 28, 28, gzip: true);
                Idx.WriteLabels(labels, Array.Empty<int>(), gzip: true);
                return new[] { images + ": the file holds no images" };
            case "text file":
                File.WriteAllText(images, "these are not the digits you are looking for\n");
                return new[] { images + ": wrong magic number" };
            default:
                throw new ArgumentException("no damage " + damage, nameof(damage));
        }
    }

    private static void WriteRaw(string path, byte[] content)
    {
        using var file = File.Create(path);
        using var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
        gz.Write(content);
    }

    private static byte[] Header(int magic, params int[] dims) =>
        new[] { magic }.Concat(dims).SelectMany(v => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();

    private static (byte[] Pixels, int[] Labels) Read(string prefix, int count)
    {
        string dir = RepositoryRoot.Combine("data", "mnist");
        var images = Idx.ReadImages(Path.Combine(dir, prefix + "-images-idx3-ubyte.gz"));
        var labels = Idx.ReadLabels(Path.Combine(dir, prefix + "-labels-idx1-ubyte.gz"));
        // Pixels were byte / 255f: multiplying back and rounding gives the stored bytes.
        var pixels = images.Pixels.Take(count * 784).Select(p => (byte)MathF.Round(p * 255f)).ToArray();
        return (pixels, labels[..count]);
    }
}
