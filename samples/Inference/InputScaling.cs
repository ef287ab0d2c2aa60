using System;
using System.Collections.Generic;
using System.Globalization;
using Dl.Training;
using Samples;

namespace Inference;

/// <summary>
/// The standardisation (x - mean) / std a checkpoint's MLP was trained with, which classification must repeat. This
/// sample's checkpoints record it (<see cref="MeanKey"/>, <see cref="StdKey"/>). samples/Mnist's do not: they record
/// the run's settings (<c>mnist.seed</c>, <c>mnist.validation</c>), from which the scaling is recomputed exactly as
/// that sample computes it, over the training digits left after its seeded validation split. Every value read is
/// checked: a std of 0, a NaN, a fraction outside [0, 1) is refused with one line naming the checkpoint and the key.
/// </summary>
internal sealed record InputScaling(double Mean, double Std, string Source)
{
    public const string MeanKey = "input.mean", StdKey = "input.std";

    // samples/Mnist/TrainerCheckpoint.cs writes these keys; DataFiles.Prepare.cs splits and standardises this way.
    private const string MnistModelKey = "mnist.model", MnistSeedKey = "mnist.seed", MnistValidationKey = "mnist.validation";
    private const string MnistModel = "MnistMlp 784-128-10";

    /// <summary>The scaling for the checkpoint at <paramref name="path"/>, whose metadata is <paramref name="metadata"/>.</summary>
    /// <param name="trainingDigits">Loads the training digits, for a samples/Mnist checkpoint only.</param>
    public static InputScaling Of(IReadOnlyDictionary<string, string> metadata, string path, Func<Digits.Set> trainingDigits)
    {
        if (metadata.ContainsKey(MeanKey) || metadata.ContainsKey(StdKey))
        {
            double mean = Read(metadata, MeanKey, path, double.IsFinite, "a finite number");
            double std = Read(metadata, StdKey, path, v => double.IsFinite(v) && v > 0, "a positive finite number");
            return new InputScaling(mean, std, $"{MeanKey} and {StdKey} in the checkpoint");
        }
        if (!metadata.TryGetValue(MnistModelKey, out string? model))
            throw new SampleException($"{path}: its metadata has neither {MeanKey}/{StdKey} (written by --train) nor {MnistModelKey} (samples/Mnist), " +
                                      "so the input scaling its weights need is unknown");
        if (model != MnistModel)
            throw new SampleException($"{path} holds a '{model}' ({MnistModelKey}); this sample classifies with a '{MnistModel}'");
        string seedText = Text(metadata, MnistSeedKey, path);
        if (!int.TryParse(seedText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seed))
            throw new SampleException($"{path}: {MnistSeedKey} is '{seedText}' in its metadata; it must be an integer");
        double validation = Read(metadata, MnistValidationKey, path, v => v >= 0 && v < 1, "a fraction in [0, 1)");
        Digits.Set train;
        try
        {
            train = trainingDigits();
        }
        catch (Exception e) when (e is System.IO.IOException or System.IO.InvalidDataException or SampleException)
        {
            throw new SampleException($"{path} is a samples/Mnist checkpoint, whose input scaling is recomputed from the training digits it was trained on: {e.Message}", e);
        }
        var (m, s) = MnistScaling(train, validation, seed);
        return new InputScaling(m, s, $"recomputed as samples/Mnist does from its training digits ({MnistSeedKey} {seed}, {MnistValidationKey} {validation.ToString("R", CultureInfo.InvariantCulture)})");
    }

    /// <summary>
    /// samples/Mnist's scaling: with a validation fraction, the training digits are split by
    /// <c>DataSplit.Split(count, validation, 0, seed * 31 + 17)</c> and mean and std are taken over the kept digits,
    /// in their split order (the sums then match to the last bit); without one, over all the digits in file order.
    /// </summary>
    private static (double Mean, double Std) MnistScaling(Digits.Set train, double validation, int seed)
    {
        if (validation == 0) return Digits.MeanAndStd(train.Pixels);
        var split = DataSplit.Split(train.Count, validation, 0, unchecked(seed * 31 + 17));
        if (split.Train.Length == 0) throw new SampleException($"{MnistValidationKey} {validation} leaves no training digits to recompute the scaling from");
        return Digits.MeanAndStd(DataSplit.Gather(train.Pixels, Digits.Pixels, split.Train));
    }

    private static string Text(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out string? text) ? text : throw new SampleException($"{path}: its metadata lacks {key}");

    private static double Read(IReadOnlyDictionary<string, string> metadata, string key, string path, Func<double, bool> valid, string what)
    {
        string text = Text(metadata, key, path);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !valid(value))
            throw new SampleException($"{path}: {key} is '{text}' in its metadata; it must be {what}");
        return value;
    }
}
