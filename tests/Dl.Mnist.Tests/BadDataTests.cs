using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;

namespace Dl.Mnist.Tests;

/// <summary>
/// A malformed data file stops the sample with one line that starts with the file's path and says what is wrong,
/// exit code 1, no stack trace, and nothing written.
/// </summary>
public class BadDataTests
{
    public static TheoryData<string> Damages => new()
    {
        "truncated gzip", "gzip with a broken CRC", "wrong magic number", "one label fewer than images",
        "a header claiming 10^9 images", "a label outside 0-9", "a labels file as the images",
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_malformed_data_file_is_one_line_naming_it(string damage)
    {
        using var data = new DataCopy();
        string broken = Damage(data, damage);
        using var dir = new TempFolder();
        string save = dir.File("run.safetensors"), plot = dir.File("curves.png");

        var run = SampleRun.Of("--data", data.Dir, "--epochs", "1", "--save", save, "--plot", plot);

        run.Refused(1, Path.GetFullPath(data.File(broken)) + ": ");
        Assert.False(File.Exists(save));
        Assert.False(File.Exists(plot));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    /// <summary>Applies <paramref name="damage"/> to one file of the copy; returns that file's name.</summary>
    private static string Damage(DataCopy data, string damage)
    {
        switch (damage)
        {
            case "truncated gzip":
                byte[] whole = data.Stored(DataCopy.TrainImages);
                data.Store(DataCopy.TrainImages, whole.AsSpan(0, whole.Length / 2).ToArray());
                return DataCopy.TrainImages;
            case "gzip with a broken CRC":
                byte[] gz = data.Stored(DataCopy.TrainLabels);
                gz[^8] ^= 0x5A;   // the trailer: CRC-32, then the size
                data.Store(DataCopy.TrainLabels, gz);
                return DataCopy.TrainLabels;
            case "wrong magic number":
                byte[] images = data.Idx(DataCopy.TrainImages);
                images[3] = 0x04;
                data.StoreGzipped(DataCopy.TrainImages, images);
                return DataCopy.TrainImages;
            case "one label fewer than images":
                byte[] labels = data.Idx(DataCopy.TrainLabels);
                BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), BinaryPrimitives.ReadInt32BigEndian(labels.AsSpan(4)) - 1);
                data.StoreGzipped(DataCopy.TrainLabels, labels[..^1]);
                return DataCopy.TrainLabels;
            case "a header claiming 10^9 images":
                byte[] claimed = data.Idx(DataCopy.TrainImages);
                BinaryPrimitives.WriteInt32BigEndian(claimed.AsSpan(4), 1_000_000_000);
                data.StoreGzipped(DataCopy.TrainImages, claimed);
                return DataCopy.TrainImages;
            case "a label outside 0-9":
                byte[] digits = data.Idx(DataCopy.TrainLabels);
                digits[8 + 4321] = 12;
                data.StoreGzipped(DataCopy.TrainLabels, digits);
                return DataCopy.TrainLabels;
            case "a labels file as the images":
                data.Store(DataCopy.TrainImages, data.Stored(DataCopy.TrainLabels));
                return DataCopy.TrainImages;
            default:
                throw new ArgumentException(damage);
        }
    }

    [Fact]
    public void A_label_outside_0_to_9_says_which()
    {
        using var data = new DataCopy();
        Damage(data, "a label outside 0-9");

        var run = SampleRun.Of("--data", data.Dir, "--epochs", "1", "--no-plot");

        run.Refused(1, "label 12 of image 4321 is not a digit 0-9");
    }
}
