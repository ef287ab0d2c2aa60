using System;
using Dl.Training;

namespace Mnist;

// The Mnist sample's own part of DataFiles: LeNet and Adversarial compile DataFiles.cs too, without the split.
internal static partial class DataFiles
{
    /// <summary>The three sets one run trains, validates and tests on, standardised with the training set's statistics.</summary>
    public sealed record Prepared(Split Train, Split Validation, Split Test, float Mean, float Std);

    /// <summary>
    /// Holds out <paramref name="validation"/> of <paramref name="train"/> (a seeded <see cref="DataSplit"/>) and
    /// standardises copies of all three sets; the arrays passed in are left as they are, so one load serves
    /// several runs (the tests).
    /// </summary>
    public static Prepared Prepare(Split train, Split test, double validation, int seed)
    {
        Split fit, held;
        if (validation == 0)
        {
            // No split: keep the file's order, so --validation 0 trains exactly as the sample did before it had one.
            fit = new Split((float[])train.Pixels.Clone(), (int[])train.Labels.Clone());
            held = new Split(Array.Empty<float>(), Array.Empty<int>());
        }
        else
        {
            // Its own seed: a generator seeded like the batch shuffler would draw the same numbers.
            var split = DataSplit.Split(train.Count, validation, 0, unchecked(seed * 31 + 17));
            fit = new Split(DataSplit.Gather(train.Pixels, 784, split.Train), DataSplit.Gather<int>(train.Labels, split.Train));
            held = new Split(DataSplit.Gather(train.Pixels, 784, split.Validation), DataSplit.Gather<int>(train.Labels, split.Validation));
        }
        if (fit.Count == 0) throw new MnistException($"--validation {validation} leaves no training digits", 2);
        var testCopy = new Split((float[])test.Pixels.Clone(), (int[])test.Labels.Clone());
        var (mean, std) = Standardize(fit.Pixels, held.Pixels, testCopy.Pixels);
        return new Prepared(fit, held, testCopy, mean, std);
    }
}
