using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Data;

namespace Dl.Runtime.Tests;

/// <summary>Seeded mini-batches: deterministic, reshuffled per epoch, every row once, short or dropped last batch.</summary>
public class MiniBatchesTests
{
    private static (float[] Features, int[] Labels) Data(int rows) =>
        (Enumerable.Range(0, rows * 2).Select(i => (float)i).ToArray(), Enumerable.Range(0, rows).ToArray());

    /// <summary>One epoch: the labels in the order served, checking each batch's size and that features travel with labels.</summary>
    private static int[] Epoch(MiniBatches m, int rows, int batch)
    {
        m.Shuffle();
        var x = new float[2 * batch];
        var y = new int[batch];
        var seen = new List<int>();
        for (int i = 0; i < m.BatchCount; i++)
        {
            int n = m.Gather(i, x, y);
            Assert.Equal(Math.Min(batch, rows - i * batch), n);
            for (int r = 0; r < n; r++) Assert.Equal(2 * y[r], x[2 * r]);
            seen.AddRange(y.Take(n));
        }
        return seen.ToArray();
    }

    [Fact]
    public void SameSeed_SameEpochs_EveryRowOnce_ShortLastBatch()
    {
        var (features, labels) = Data(10);
        var a = new MiniBatches(features, 2, labels, 4, seed: 7);
        var b = new MiniBatches(features, 2, labels, 4, seed: 7);
        Assert.Equal(3, a.BatchCount);
        var first = Epoch(a, 10, 4);
        Assert.Equal(first, Epoch(b, 10, 4));                         // same seed, same order
        Assert.Equal(Enumerable.Range(0, 10), first.OrderBy(v => v));  // each row exactly once
        var second = Epoch(a, 10, 4);
        Assert.NotEqual(first, second);                               // the next epoch is reshuffled
        Assert.Equal(second, Epoch(b, 10, 4));                        // ... the same way for the same seed
        Assert.Equal(Enumerable.Range(0, 10), second.OrderBy(v => v));
        var other = new MiniBatches(features, 2, labels, 4, seed: 8);
        Assert.NotEqual(first, Epoch(other, 10, 4));
    }

    [Fact]
    public void DropLast_LeavesOutTheShortBatch()
    {
        var (features, labels) = Data(10);
        var m = new MiniBatches(features, 2, labels, 4, seed: 1, dropLast: true);
        Assert.Equal(2, m.BatchCount);
        Assert.Equal(8, Epoch(m, 10, 4).Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Gather(2, new float[8], new int[4]));
    }

    [Fact]
    public void BadArguments_AreRejectedWithTheNumbers()
    {
        var e = Assert.Throws<ArgumentException>(() => new MiniBatches(new float[5], 2, new int[2], 1, 0));
        Assert.Contains("5", e.Message);
        Assert.Contains("2", e.Message);
        var rows = Assert.Throws<ArgumentException>(() => new MiniBatches(new float[4], 2, new int[3], 1, 0));
        Assert.Contains("2 feature rows", rows.Message);
        Assert.Contains("3 labels", rows.Message);
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => new MiniBatches(new float[4], 2, new int[2], 0, 0));
        Assert.Contains("batch size", size.Message);
        var (features, labels) = Data(10);
        var m = new MiniBatches(features, 2, labels, 4, seed: 1);
        Assert.Throws<ArgumentException>(() => m.Gather(0, new float[7], new int[4]));
        Assert.Throws<ArgumentException>(() => m.Gather(0, new float[8], new int[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Gather(-1, new float[8], new int[4]));
    }

    [Fact]
    public void Gather_AllocatesNothing()
    {
        var (features, labels) = Data(1000);
        var m = new MiniBatches(features, 2, labels, 64, seed: 3);
        var x = new float[128];
        var y = new int[64];
        Assert.Equal(0, Allocations.AfterWarmUp(() =>
        {
            m.Shuffle();
            for (int i = 0; i < m.BatchCount; i++) m.Gather(i, x, y);
        }));
    }
}
