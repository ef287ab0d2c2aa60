using System;
using System.Linq;
using Dl.Training;

namespace Dl.Training.Tests.Loop;

public class DataSplitTests
{
    [Fact]
    public void Sizes_are_rounded_fractions_and_the_parts_partition_the_indices()
    {
        var split = DataSplit.Split(10, validationFraction: 0.2, testFraction: 0.15, seed: 1);
        Assert.Equal(2, split.Validation.Length);
        Assert.Equal(2, split.Test.Length);   // 1.5 rounds away from zero
        Assert.Equal(6, split.Train.Length);
        Assert.Equal(Enumerable.Range(0, 10), split.Train.Concat(split.Validation).Concat(split.Test).OrderBy(i => i));
    }

    [Fact]
    public void The_seed_fixes_the_split_and_different_seeds_shuffle_differently()
    {
        var a = DataSplit.Split(1000, 0.1, 0.1, seed: 42);
        var b = DataSplit.Split(1000, 0.1, 0.1, seed: 42);
        var c = DataSplit.Split(1000, 0.1, 0.1, seed: 43);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Validation, c.Validation);
        // Shuffled: the training part is not just the tail of 0..999 in order.
        Assert.NotEqual(Enumerable.Range(200, 800), a.Train);
    }

    [Fact]
    public void Zero_fractions_keep_everything_for_training_and_bad_fractions_are_refused()
    {
        var split = DataSplit.Split(5, 0, 0, seed: 3);
        Assert.Equal(5, split.Train.Length);
        Assert.Empty(split.Validation);
        Assert.Empty(split.Test);
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Split(5, 0.7, 0.4, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Split(5, -0.1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Split(5, double.NaN, 0, 1));
    }

    [Fact]
    public void Gather_picks_rows_and_labels_in_index_order()
    {
        float[] rows = { 0, 1, 10, 11, 20, 21 };
        Assert.Equal(new float[] { 20, 21, 0, 1 }, DataSplit.Gather(rows, 2, new[] { 2, 0 }));
        Assert.Equal(new[] { 7, 5 }, DataSplit.Gather<int>(new[] { 5, 6, 7 }, new[] { 2, 0 }));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Gather(rows, 2, new[] { 3 }));
        Assert.StartsWith("index 3 at position 0 is outside the 3 rows", e.Message);
    }
}
