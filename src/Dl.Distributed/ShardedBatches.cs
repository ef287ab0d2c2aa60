using System;
using Dl.Data;

namespace Dl.Distributed;

/// <summary>This rank's rows of one global batch, and how many rows the global batch has over all ranks.</summary>
/// <param name="Rows">Rows gathered on this rank (0 when a short last batch has fewer rows than there are ranks).</param>
/// <param name="GlobalRows">Rows of the whole batch, summed over the ranks.</param>
public readonly record struct ShardedBatch(int Rows, int GlobalRows);

/// <summary>
/// The single-process batches, split by rank: each rank walks the same seeded <see cref="MiniBatches"/> (same seed,
/// same global batch size, so the same permutation each epoch) and takes its contiguous slice of each global batch:
/// rank r of N gets rows [r·B/N, (r+1)·B/N) of a batch of B (with B = 64 and N = 2: rows 0-31 and 32-63). Together
/// the ranks see exactly the rows one process would, batch by batch, which is what makes data-parallel training
/// give the single-process parameters.
/// </summary>
public sealed class ShardedBatches
{
    private readonly MiniBatches _batches;
    private readonly float[] _x;
    private readonly int[] _y;

    /// <summary>Rank <paramref name="rank"/>'s share of <paramref name="batches"/>, whose BatchSize is the global batch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rank is not in [0, worldSize), or worldSize is not positive.</exception>
    public ShardedBatches(MiniBatches batches, int rank, int worldSize)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(worldSize);
        if ((uint)rank >= (uint)worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"the rank must be in [0, {worldSize})");
        _batches = batches;
        Rank = rank;
        WorldSize = worldSize;
        _x = new float[batches.BatchSize * batches.FeatureSize];
        _y = new int[batches.BatchSize];
    }

    /// <summary>This process's rank.</summary>
    public int Rank { get; }

    /// <summary>The number of ranks the batches are split over.</summary>
    public int WorldSize { get; }

    /// <summary>Batches per epoch (the global batches').</summary>
    public int BatchCount => _batches.BatchCount;

    /// <summary>The most rows one rank gathers: ceil(global batch / ranks); size x and y for it.</summary>
    public int MaxRows => (_batches.BatchSize + WorldSize - 1) / WorldSize;

    /// <summary>Values per row.</summary>
    public int FeatureSize => _batches.FeatureSize;

    /// <summary>The next epoch's permutation (the same draw as in one process, since every rank has the same seed).</summary>
    public void Shuffle() => _batches.Shuffle();

    /// <summary>Rank <paramref name="rank"/>'s contiguous slice of a batch of <paramref name="rows"/> rows over <paramref name="worldSize"/> ranks.</summary>
    public static (int Start, int Count) Slice(int rows, int rank, int worldSize)
    {
        int start = (int)((long)rows * rank / worldSize), end = (int)((long)rows * (rank + 1) / worldSize);
        return (start, end - start);
    }

    /// <summary>Copies this rank's rows of global batch <paramref name="batchIndex"/> into <paramref name="x"/> and <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">batchIndex is outside [0, BatchCount).</exception>
    /// <exception cref="ArgumentException">x or y is shorter than <see cref="MaxRows"/> rows.</exception>
    public ShardedBatch Gather(int batchIndex, Span<float> x, Span<int> y)
    {
        int globalRows = _batches.Gather(batchIndex, _x, _y);
        var (start, rows) = Slice(globalRows, Rank, WorldSize);
        int f = _batches.FeatureSize;
        if (x.Length < rows * f) throw new ArgumentException($"x: {rows} rows of {f} need {rows * f} values, got {x.Length}", nameof(x));
        if (y.Length < rows) throw new ArgumentException($"y: {rows} rows need {rows} labels, got {y.Length}", nameof(y));
        _x.AsSpan(start * f, rows * f).CopyTo(x);
        _y.AsSpan(start, rows).CopyTo(y);
        return new ShardedBatch(rows, globalRows);
    }
}
