using System;
using Dl.Training;

namespace Dl.Training.Tests.Loop;

public class ClassWeightsTests
{
    [Fact]
    public void Balanced_is_n_over_classes_times_count()
    {
        var w = ClassWeights.Balanced(new[] { 0, 0, 0, 1, 1, 2 }, 3);
        Assert.Equal(6f / 9, w[0], 1e-7f);
        Assert.Equal(1f, w[1], 1e-7f);
        Assert.Equal(2f, w[2], 1e-7f);
    }

    [Fact]
    public void An_absent_class_weighs_zero_and_bad_labels_are_refused()
    {
        var w = ClassWeights.Balanced(new[] { 0, 0, 0, 1 }, 3);
        Assert.Equal(new[] { 4f / 9, 4f / 3, 0f }, w);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClassWeights.Balanced(new[] { 0, 3 }, 3));
        Assert.StartsWith("label 3 at position 1 is outside 0..2", e.Message);
    }
}
