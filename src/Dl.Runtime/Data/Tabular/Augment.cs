using System;

namespace Dl.Data;

/// <summary>
/// Image augmentations applied in place to one image [C, H, W] (C = 1 for [H, W]). They allocate nothing:
/// <see cref="Shift"/> takes its scratch space from the caller. <see cref="Augmenter"/> applies them to
/// whole batches with random parameters.
/// </summary>
public static class Augment
{
    /// <summary>
    /// Moves the image <paramref name="dx"/> pixels right and <paramref name="dy"/> down (negative: left, up);
    /// pixels shifted in from outside take <paramref name="fill"/>. <paramref name="scratch"/> holds at least H * W floats.
    /// </summary>
    public static void Shift(Span<float> image, int channels, int height, int width, int dx, int dy, Span<float> scratch, float fill = 0)
    {
        int plane = CheckImage(image, channels, height, width);
        if (scratch.Length < plane) throw new ArgumentException($"scratch holds {scratch.Length} floats, a plane needs {plane}", nameof(scratch));
        if (dx == 0 && dy == 0) return;
        // The part of each destination row that has a source pixel: x in [x0, x1).
        int x0 = Math.Clamp(dx, 0, width), x1 = Math.Clamp(width + dx, 0, width);
        for (int c = 0; c < channels; c++)
        {
            var target = image.Slice(c * plane, plane);
            var source = scratch.Slice(0, plane);
            target.CopyTo(source);
            for (int y = 0; y < height; y++)
            {
                var row = target.Slice(y * width, width);
                int sy = y - dy;
                if (sy < 0 || sy >= height || x0 >= x1) { row.Fill(fill); continue; }
                row.Slice(0, x0).Fill(fill);
                source.Slice(sy * width + x0 - dx, x1 - x0).CopyTo(row.Slice(x0));
                row.Slice(x1).Fill(fill);
            }
        }
    }

    /// <summary>Mirrors the image left to right.</summary>
    public static void FlipHorizontal(Span<float> image, int channels, int height, int width)
    {
        CheckImage(image, channels, height, width);
        for (int r = 0; r < channels * height; r++) image.Slice(r * width, width).Reverse();
    }

    /// <summary>Adds Gaussian noise of standard deviation <paramref name="stddev"/> to every value, drawn from <paramref name="random"/>.</summary>
    public static void Noise(Span<float> values, float stddev, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(stddev);
        for (int i = 0; i < values.Length; i++) values[i] += (float)(random.NextNormal() * stddev);
    }

    private static int CheckImage(Span<float> image, int channels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (image.Length != channels * height * width)
            throw new ArgumentException($"image holds {image.Length} floats, [{channels},{height},{width}] needs {channels * height * width}", nameof(image));
        return height * width;
    }
}

/// <summary>
/// Random augmentation of batches [B, C, H, W] (or [B, H, W] with one channel), in place, reproducible from a
/// seed. The scratch plane is allocated once here, so augmenting a batch allocates nothing.
/// </summary>
public sealed class Augmenter
{
    private readonly float[] _scratch;
    private readonly SeededRandom _random;

    /// <summary>An augmenter for images of <paramref name="channels"/> x <paramref name="height"/> x <paramref name="width"/>.</summary>
    public Augmenter(int channels, int height, int width, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Channels = channels;
        Height = height;
        Width = width;
        _scratch = new float[height * width];
        _random = new SeededRandom(seed);
    }

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Shifts each image by its own dx, dy drawn uniformly from [-maxShift, maxShift].</summary>
    public void Shift(Span<float> batch, int maxShift, float fill = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        int size = ImageSize(batch);
        for (int b = 0; b < batch.Length / size; b++)
        {
            int dx = _random.NextInt(2 * maxShift + 1) - maxShift;
            int dy = _random.NextInt(2 * maxShift + 1) - maxShift;
            Augment.Shift(batch.Slice(b * size, size), Channels, Height, Width, dx, dy, _scratch, fill);
        }
    }

    /// <summary>Mirrors each image with probability <paramref name="probability"/>.</summary>
    public void FlipHorizontal(Span<float> batch, double probability = 0.5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probability, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1);
        int size = ImageSize(batch);
        for (int b = 0; b < batch.Length / size; b++)
            if (_random.NextDouble() < probability)
                Augment.FlipHorizontal(batch.Slice(b * size, size), Channels, Height, Width);
    }

    /// <summary>Adds Gaussian noise of standard deviation <paramref name="stddev"/> to every pixel of the batch.</summary>
    public void Noise(Span<float> batch, float stddev)
    {
        ImageSize(batch);
        Augment.Noise(batch, stddev, _random);
    }

    private int ImageSize(Span<float> batch)
    {
        int size = Channels * Height * Width;
        if (batch.Length % size != 0)
            throw new ArgumentException($"batch holds {batch.Length} floats, not a whole number of [{Channels},{Height},{Width}] images", nameof(batch));
        return size;
    }
}
