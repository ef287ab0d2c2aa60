using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dl.Checkpoints;

namespace Mnist;

// Saving and resuming a run. The safetensors file holds the parameters and the optimizer's state and step
// count (Checkpoint's optimizer overloads); its metadata holds the settings and the curve so far, so a resumed
// run rebuilds the same schedule and data order, replays the finished epochs' shuffles, and plots the whole curve.
internal sealed partial class Trainer
{
    private const string ModelKey = "mnist.model", OptimizerKey = "mnist.optimizer", RateKey = "mnist.lr", EpochsKey = "mnist.epochs",
        BatchKey = "mnist.batch", SeedKey = "mnist.seed", ValidationKey = "mnist.validation", ScheduleKey = "mnist.schedule",
        DoneKey = "mnist.epochs_done", CurveKey = "mnist.curve",
        // How the inputs were standardised, under the names samples/Inference reads, so it can classify with these weights.
        MeanKey = "input.mean", StdKey = "input.std";

    /// <summary>Names the architecture, so a checkpoint of another model is refused by name before any tensor is read.</summary>
    private const string ModelName = "MnistMlp 784-128-10";

    /// <summary>Writes the run so far to <paramref name="path"/>, atomically (a crash leaves the previous file whole).</summary>
    public void Save(string path)
    {
        var ci = CultureInfo.InvariantCulture;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ModelKey] = ModelName,
            [OptimizerKey] = Settings.Optimizer,
            // "R": the exact float and double come back, so the rebuilt schedule and split are the same.
            [RateKey] = Settings.LearningRate.ToString("R", ci),
            [EpochsKey] = Settings.Epochs.ToString(ci),
            [BatchKey] = Settings.Batch.ToString(ci),
            [SeedKey] = Settings.Seed.ToString(ci),
            [ValidationKey] = Settings.Validation.ToString("R", ci),
            [ScheduleKey] = "cosine",
            [DoneKey] = EpochsDone.ToString(ci),
            [CurveKey] = FormatCurve(_history),
            [MeanKey] = _data.Mean.ToString("R", ci),
            [StdKey] = _data.Std.ToString("R", ci),
        };
        _gpuOptimizer?.CopyStateToHost();   // the device holds the live optimizer state
        Checkpoint.Save(path, Model, Optimizer, metadata);
    }

    /// <summary>
    /// The settings a checkpoint was trained with, after checking it is one of this sample's. Throws
    /// <see cref="MnistException"/> (or an <see cref="System.IO.IOException"/> for an unreadable file) otherwise.
    /// </summary>
    public static TrainingSettings ReadSettings(string path)
    {
        IReadOnlyDictionary<string, string> meta;
        try { meta = Checkpoint.ReadMetadata(path); }
        catch (CheckpointException e) { throw new MnistException($"{path}: {e.Message}", e); }
        if (!meta.TryGetValue(ModelKey, out string? model))
            throw new MnistException($"{path} is not a checkpoint of this sample: its metadata has no {ModelKey}");
        if (model != ModelName)
            throw new MnistException($"{path} holds a '{model}', this sample trains a '{ModelName}'");
        string optimizer = Get(meta, OptimizerKey, path);
        if (!OptimizerChoice.IsKnown(optimizer))
            throw new MnistException($"{path}: unknown optimizer '{optimizer}' in its metadata");
        if (Get(meta, ScheduleKey, path) != "cosine")
            throw new MnistException($"{path}: schedule '{meta[ScheduleKey]}' in its metadata; this sample resumes cosine runs");
        var settings = new TrainingSettings(optimizer, Number<float>(meta, RateKey, path), Number<int>(meta, EpochsKey, path),
            Number<int>(meta, BatchKey, path), Number<int>(meta, SeedKey, path), Number<double>(meta, ValidationKey, path));
        // What the command line refuses, a checkpoint may not bring in: an edited file must not crash or mislead the run.
        if (!(settings.LearningRate > 0) || !float.IsFinite(settings.LearningRate)) throw OutOfRange(path, RateKey, meta, "a positive number");
        if (settings.Epochs <= 0) throw OutOfRange(path, EpochsKey, meta, "a positive integer");
        if (settings.Batch <= 0) throw OutOfRange(path, BatchKey, meta, "a positive integer");
        if (!(settings.Validation >= 0 && settings.Validation < 1)) throw OutOfRange(path, ValidationKey, meta, "a fraction in [0, 1)");
        return settings;
    }

    private static MnistException OutOfRange(string path, string key, IReadOnlyDictionary<string, string> meta, string what) =>
        new($"{path}: its {key} is '{meta[key]}', not {what}; the file was edited or is not one of this sample's checkpoints");

    /// <summary>
    /// Continues the run saved in <paramref name="path"/>: parameters, optimizer state and step count, the curve,
    /// and the data order (the finished epochs' shuffles replayed). Everything is checked first; on any mismatch
    /// this trainer is left untouched.
    /// </summary>
    public void Restore(string path)
    {
        if (EpochsDone != 0 || Steps != 0) throw new InvalidOperationException("restore into a fresh trainer only");
        var saved = ReadSettings(path);
        if (saved != Settings)
            throw new MnistException($"{path} was trained with {Describe(saved)}; this run has {Describe(Settings)}");
        var meta = Checkpoint.ReadMetadata(path);
        int done = Number<int>(meta, DoneKey, path);
        var curve = ParseCurve(Get(meta, CurveKey, path), path);
        if (done != curve.Count || done > Settings.Epochs)
            throw new MnistException($"{path}: {done} epochs done, a curve of {curve.Count} and a plan of {Settings.Epochs} do not fit together");
        long steps = Number<long>(meta, Checkpoint.StepKey, path);
        if (steps != (long)done * BatchesPerEpoch)
            throw new MnistException($"{path}: step {steps} is not the end of epoch {done} ({BatchesPerEpoch} steps an epoch)");

        try { Checkpoint.Load(path, Model, Optimizer); }
        catch (CheckpointException e) { throw new MnistException($"{path}: {e.Message}", e); }
        _history.AddRange(curve);
        // The shuffler draws each epoch's order from the previous one: replaying the draws puts it where it was.
        for (int e = 0; e < done; e++) _batches.Shuffle();
        _gpu?.UploadParameters();
    }

    /// <summary>The curve recorded in a checkpoint.</summary>
    public static IReadOnlyList<EpochRecord> ReadCurve(string path) =>
        ParseCurve(Get(Checkpoint.ReadMetadata(path), CurveKey, path), path);

    private static string Describe(TrainingSettings s) => string.Format(CultureInfo.InvariantCulture,
        "--optimizer {0} --lr {1} --epochs {2} --batch {3} --seed {4} --validation {5}", s.Optimizer, s.LearningRate, s.Epochs, s.Batch, s.Seed, s.Validation);

    // One epoch per ';'-separated entry, its five numbers ','-separated in round-trip form, so a resumed
    // curve matches the uninterrupted one bit for bit.
    private static string FormatCurve(IEnumerable<EpochRecord> curve) => string.Join(";", curve.Select(r => string.Join(",",
        new[] { r.TrainLoss, r.TrainAccuracy, r.ValidationLoss, r.ValidationAccuracy, r.Seconds }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));

    private static List<EpochRecord> ParseCurve(string text, string path)
    {
        var curve = new List<EpochRecord>();
        if (text.Length == 0) return curve;
        foreach (string entry in text.Split(';'))
        {
            var values = entry.Split(',').Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : (double?)null).ToArray();
            if (values.Length != 5 || values.Any(v => v is null))
                throw new MnistException($"{path}: malformed {CurveKey} entry '{entry}'");
            curve.Add(new EpochRecord(values[0]!.Value, values[1]!.Value, values[2]!.Value, values[3]!.Value, values[4]!.Value));
        }
        return curve;
    }

    private static string Get(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        meta.TryGetValue(key, out string? value) ? value : throw new MnistException($"{path}: its metadata lacks {key}");

    private static T Number<T>(IReadOnlyDictionary<string, string> meta, string key, string path) where T : struct, IParsable<T> =>
        T.TryParse(Get(meta, key, path), CultureInfo.InvariantCulture, out T value) ? value
            : throw new MnistException($"{path}: {key} '{meta[key]}' in its metadata is not a number");
}
