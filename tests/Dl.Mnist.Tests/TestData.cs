using System;
using Mnist;

namespace Dl.Mnist.Tests;

/// <summary>The repository's MNIST files, read once for the tests that drive <see cref="Trainer"/> directly.</summary>
internal static class TestData
{
    private static readonly Lazy<(DataFiles.Split Train, DataFiles.Split Test)> s_raw = new(() =>
    {
        string dir = DataFiles.FindMnist();
        return (DataFiles.Load(dir, "train"), DataFiles.Load(dir, "t10k"));
    });

    /// <summary>The sets a run with <paramref name="settings"/> trains on (fresh copies: Prepare leaves the loaded arrays alone).</summary>
    public static DataFiles.Prepared Prepared(TrainingSettings settings) =>
        DataFiles.Prepare(s_raw.Value.Train, s_raw.Value.Test, settings.Validation, settings.Seed);
}
