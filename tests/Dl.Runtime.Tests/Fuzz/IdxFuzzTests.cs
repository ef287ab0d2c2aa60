using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Dl.Data;
using Xunit.Abstractions;

namespace Dl.Runtime.Tests.Fuzz;

/// <summary>
/// 2,000 seeded mutations each of a raw and a gzip IDX images file (and 500 of a labels file each): every case
/// either reads (and what it returns is self-consistent) or throws the documented <see cref="InvalidDataException"/>
/// whose message starts with the file's full path. Nothing else may escape, and no case may allocate more than
/// <see cref="AllocationBound"/> of the bytes really there. The seed and each broken case (its mutations) are in the message.
/// </summary>
public class IdxFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20_261_123, ImageCases = 2000, LabelCases = 500;

    private readonly string _dir = Directory.CreateTempSubdirectory("dl-idx-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// The bound on what one read may allocate on its thread: 6 bytes per data byte that really exists (at most 2
    /// for the chunks, 4 for the float or int result) plus 256 KiB (the file buffer, the first chunk, the message).
    /// "Really exists": the file's length when raw; what gzip yields before it ends or fails, when compressed.
    /// </summary>
    private static long AllocationBound(long existing) => 6 * existing + (256 << 10);

    /// <summary>20 images of 28x28 with a stroke each, so the compressed file has real deflate blocks.</summary>
    private static byte[] ImagesFile()
    {
        var body = new byte[20 * 784];
        for (int i = 0; i < body.Length; i++) body[i] = (byte)((i * 37 + i / 784) % 251 > 180 ? (i * 13) % 256 : 0);
        return IdxHeaderTests.Header(Idx.ImagesMagic, 20, 28, 28).Concat(body).ToArray();
    }

    private static byte[] LabelsFile() =>
        IdxHeaderTests.Header(Idx.LabelsMagic, 300).Concat(Enumerable.Range(0, 300).Select(i => (byte)(i * 7 % 10))).ToArray();

    [Fact]
    public void Mutated_raw_images_files_read_or_fail_as_documented() =>
        Run("raw images", ImageCases, mutator => mutator.Mutate(ImagesFile(), 16), images: true);

    [Fact]
    public void Mutated_gzip_images_files_read_or_fail_as_documented() =>
        Run("gzip images", ImageCases, mutator => MutateGzip(mutator, ImagesFile(), 16), images: true);

    [Fact]
    public void Mutated_labels_files_read_or_fail_as_documented()
    {
        Run("raw labels", LabelCases, mutator => mutator.Mutate(LabelsFile(), 8), images: false);
        Run("gzip labels", LabelCases, mutator => MutateGzip(mutator, LabelsFile(), 8), images: false);
    }

    /// <summary>Half the cases break the compressed bytes; half break the content and compress it, so the IDX checks behind gzip are reached too.</summary>
    private static byte[] MutateGzip(Mutator mutator, byte[] content, int headerBytes) => mutator.Next(2) == 0
        ? mutator.Mutate(IdxHeaderTests.Gzip(content), 10)
        : IdxHeaderTests.Gzip(mutator.Mutate(content, headerBytes));

    private void Run(string kind, int cases, Func<Mutator, byte[]> mutate, bool images)
    {
        string path = Path.Combine(_dir, kind.Replace(' ', '-'));
        // Warm: the first call's one-time costs (type loading, the gzip codec) are not the reader's allocations.
        File.WriteAllBytes(path, images ? IdxHeaderTests.Gzip(ImagesFile()) : LabelsFile());
        Read(path, images);

        var failures = new List<string>();
        long worst = 0, largest = 0;
        int read = 0;
        for (int c = 0; c < cases; c++)
        {
            var mutator = new Mutator(Seed, c);
            byte[] bytes = mutate(mutator);
            File.WriteAllBytes(path, bytes);
            long existing = ExistingBytes(bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            string? problem = null;
            try
            {
                problem = Check(Read(path, images));
                read++;
            }
            catch (InvalidDataException e) when (e.Message.StartsWith(path + ": ", StringComparison.Ordinal))
            {
            }
            catch (Exception e)
            {
                problem = $"{e.GetType().Name}: {e.Message}";
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            worst = Math.Max(worst, allocated - 6 * existing);
            largest = Math.Max(largest, allocated);
            if (allocated > AllocationBound(existing))
                problem = (problem is null ? "" : problem + "; ") + $"allocated {allocated} bytes for {existing} existing (bound {AllocationBound(existing)})";
            if (problem != null) failures.Add($"case {c} ({mutator.Log}): {problem}");
        }
        Assert.True(failures.Count == 0,
            $"{kind}, seed {Seed}: {failures.Count} of {cases} cases broke the contract:\n" + string.Join("\n", failures.Take(10)));
        output.WriteLine($"{kind}: {cases} cases, {read} read, {cases - read} refused; largest allocation {largest} bytes, largest above 6 per existing byte {worst} bytes");
    }

    private static object Read(string path, bool images) => images ? Idx.ReadImages(path) : Idx.ReadLabels(path);

    private static string? Check(object result)
    {
        if (result is IdxImages images)
        {
            if ((long)images.Count * images.Rows * images.Cols != images.Pixels.Length)
                return $"returned {images.Count} images of {images.Rows}x{images.Cols} with {images.Pixels.Length} pixels";
            if (images.Pixels.Any(p => !(p >= 0 && p <= 1))) return "returned a pixel outside [0, 1]";
            return null;
        }
        var labels = (int[])result;
        return labels.Any(l => l is < 0 or > 255) ? "returned a label outside 0..255" : null;
    }

    /// <summary>What the file really holds: its length, or for gzip what decompresses before it ends or fails (at most 64 MiB).</summary>
    private static long ExistingBytes(byte[] file)
    {
        if (file.Length < 2 || file[0] != 0x1F || file[1] != 0x8B) return file.Length;
        long total = 0;
        var buffer = new byte[1 << 16];
        try
        {
            using var gz = new GZipStream(new MemoryStream(file), CompressionMode.Decompress);
            int n;
            while ((n = gz.Read(buffer)) > 0 && total < 64 << 20) total += n;
        }
        catch (InvalidDataException)
        {
        }
        return total;
    }
}
