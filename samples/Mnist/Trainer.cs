using System;
using System.Collections.Generic;
using System.Diagnostics;
using Dl;
using Dl.Data;
using Dl.Distributed;
using Dl.Gpu;
using Dl.Training;

namespace Mnist;

/// <summary>One epoch of the learning curve; the validation values are NaN when no digits are held out.</summary>
internal sealed record EpochRecord(double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy, double Seconds);

/// <summary>Called after each batch with the epoch so far: batches and samples done, running loss and accuracy.</summary>
internal delegate void BatchProgress(EpochMeter epoch);

/// <summary>
/// The sample's training run: the MLP, its optimizer with a cosine schedule over the whole run, the shuffled
/// batches and the curve so far. Everything that decides the next epoch is here, so a checkpoint of this
/// object (<see cref="Save"/>, <see cref="Restore"/>) continues exactly where it stopped.
/// </summary>
internal sealed partial class Trainer : IDisposable
{
    private const int Features = 784, Classes = 10, EvaluationChunk = 500;
    private readonly DataFiles.Prepared _data;
    private readonly MiniBatches _batches;
    private readonly float[] _x;
    private readonly int[] _y;
    private readonly GpuDevice? _device;
    private readonly MnistMlp.Gpu? _gpu;
    // The optimizer's rule as one fused device kernel; its state lives on the device between steps.
    private readonly GpuOptimizer? _gpuOptimizer;
    private readonly List<EpochRecord> _history = new();

    /// <param name="settings">The run's settings; with a session, Batch is the global batch, split over its ranks.</param>
    /// <param name="data">The prepared digits.</param>
    /// <param name="device">Where the steps run.</param>
    /// <param name="session">An MPI job to train data-parallel in (CPU only), or null for one process.</param>
    public Trainer(TrainingSettings settings, DataFiles.Prepared data, DeviceKind device = DeviceKind.Cpu, MpiSession? session = null)
    {
        // Batch * 784 floats must fit an array: a batch is at most the training set (MnistApp says so in the user's words).
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.Batch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.Batch, Math.Max(1, data.Train.Count), nameof(settings));
        Settings = settings;
        _data = data;
        Model = new MnistMlp(settings.Seed);
        _batches = new MiniBatches(data.Train.Pixels, Features, data.Train.Labels, settings.Batch, settings.Seed);
        _x = new float[settings.Batch * Features];
        _y = new int[settings.Batch];
        Optimizer = OptimizerChoice.Create(settings.Optimizer, settings.LearningRate);
        // Cosine decay from the peak rate to zero over the planned run: big steps early, fine ones at the end.
        Optimizer.Schedule = LearningRateSchedule.Cosine(settings.LearningRate, (long)settings.Epochs * _batches.BatchCount);
        if (session is not null)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(device, DeviceKind.Cpu); // CommandLine says so in the user's words
            _parallel = new DataParallel(session, Model, Optimizer);
            _shards = new ShardedBatches(_batches, session.Rank, session.WorldSize);
        }
        if (device != DeviceKind.Cpu)
        {
            try { _device = GpuDevice.Create(device); }
            catch (InvalidOperationException e) { throw new MnistException($"cannot train on the {device} device: {e.Message}", e); }
            _gpu = new MnistMlp.Gpu(Model, _device);
            _gpuOptimizer = new GpuOptimizer(Optimizer);
        }
    }

    public TrainingSettings Settings { get; }

    public MnistMlp Model { get; }

    public Optimizer Optimizer { get; }

    /// <summary>The device in words, for the log.</summary>
    public string DeviceName => _device?.ToString() ?? "cpu (generated SIMD code)";

    public IReadOnlyList<EpochRecord> History => _history;

    public int EpochsDone => _history.Count;

    public int BatchesPerEpoch => _batches.BatchCount;

    /// <summary>Optimizer steps taken so far (the device's steps count through the same optimizer).</summary>
    public long Steps => Optimizer.StepCount;

    /// <summary>
    /// Trains one epoch, validates, and appends the result to <see cref="History"/>. A batch loss that is NaN or
    /// infinite stops it with <see cref="DivergenceException"/> (naming epoch and step), and nothing is appended.
    /// </summary>
    public EpochRecord RunEpoch(BatchProgress? progress = null)
    {
        if (EpochsDone >= Settings.Epochs)
            throw new InvalidOperationException($"the run's {Settings.Epochs} epochs are done");
        var clock = Stopwatch.StartNew();
        _batches.Shuffle();
        var meter = new EpochMeter(EpochsDone + 1, Steps);
        for (int b = 0; b < _batches.BatchCount; b++)
        {
            var (loss, rows, correct) = _parallel is null ? LocalStep(b) : ParallelStep(b);
            meter.Add(loss, rows, correct);
            progress?.Invoke(meter);
        }
        _gpu?.CopyParametersToHost();
        var (validationLoss, validationAccuracy) = Evaluate(_data.Validation);
        var record = new EpochRecord(meter.Loss, meter.Accuracy, validationLoss, validationAccuracy, clock.Elapsed.TotalSeconds);
        _history.Add(record);
        return record;
    }

    /// <summary>The test set's confusion matrix under the current parameters.</summary>
    public ConfusionMatrix Test()
    {
        var matrix = new ConfusionMatrix(Classes);
        var test = _data.Test;
        for (int start = 0; start < test.Count; start += EvaluationChunk)
        {
            int rows = Math.Min(EvaluationChunk, test.Count - start);
            matrix.AddLogits(Model.Predict(test.Pixels.AsSpan(start * Features, rows * Features)), test.Labels.AsSpan(start, rows));
        }
        return matrix;
    }

    public void Dispose()
    {
        _gpuOptimizer?.Dispose();
        _gpu?.Dispose();
        _device?.Dispose();
    }

    /// <summary>One update from batch <paramref name="b"/> in this process: its loss, rows and correct predictions before the update.</summary>
    private (float Loss, int Rows, long Correct) LocalStep(int b)
    {
        int rows = _batches.Gather(b, _x, _y);
        var xs = _x.AsSpan(0, rows * Features);
        var ys = _y.AsSpan(0, rows);
        // Predicted before the step: an honest train accuracy, measured on digits the step has not yet seen.
        long correct = Metrics.CountCorrect(_gpu is null ? Model.Predict(xs) : _gpu.Predict(xs), ys, Classes);
        return (Step(xs, ys), rows, correct);
    }

    /// <summary>One update from batch <paramref name="b"/> on one rank.</summary>
    private float Step(ReadOnlySpan<float> xs, ReadOnlySpan<int> ys)
    {
        if (_gpu is null)
        {
            float loss = Model.ComputeGradients(xs, ys);
            Optimizer.Step(Model);
            return loss;
        }
        // The whole step on the device: gradients, then the rule's fused update; parameters, gradients
        // and optimizer state stay there. Reading the loss is the step's only wait.
        _gpu.TrainStep(xs, ys, _gpuOptimizer!);
        return _gpu.ReadLoss();
    }

    /// <summary>Mean loss and accuracy over a set, or NaNs for an empty one.</summary>
    private (double Loss, double Accuracy) Evaluate(DataFiles.Split set)
    {
        if (set.Count == 0) return (double.NaN, double.NaN);
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < set.Count; start += EvaluationChunk)
        {
            int rows = Math.Min(EvaluationChunk, set.Count - start);
            var xs = set.Pixels.AsSpan(start * Features, rows * Features);
            var ys = set.Labels.AsSpan(start, rows);
            lossSum += (double)Model.Evaluate(xs, ys) * rows;
            correct += Metrics.CountCorrect(Model.Predict(xs), ys, Classes);
        }
        return (lossSum / set.Count, (double)correct / set.Count);
    }
}
