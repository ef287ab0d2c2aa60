using System;
using System.Diagnostics;
using System.Numerics.Tensors;
using Dl.Training;

namespace Dl.Distributed;

/// <summary>The global batch's results of one data-parallel step, the same on every rank.</summary>
/// <param name="Loss">The mean loss over the whole global batch (each rank's mean weighted by its rows).</param>
/// <param name="Correct">The sum over the ranks of the count each passed to the step (e.g. correct predictions).</param>
public readonly record struct GlobalStep(float Loss, long Correct);

/// <summary>
/// Synchronous data-parallel training of one model: every rank holds the whole model and the same optimizer, computes
/// the gradients of its slice of the global batch (<see cref="ShardedBatches"/>), and the ranks average them with one
/// allreduce of the model's gradient buffer, so each applies the same update to the same parameters. The mean is
/// weighted by rows (each rank sends its gradients times rows / global rows), which makes it the gradient of the global
/// batch's mean loss also when a short last batch splits unevenly. The loss and a count ride in the same allreduce,
/// two floats after the gradients, so a step costs one collective.
/// </summary>
public sealed class DataParallel
{
    private readonly MpiSession _session;
    private readonly IClassifier _model;
    private readonly Optimizer _optimizer;
    private readonly int _parameters;
    // Gradients x weight, then weighted loss, then count; and their sums over the ranks.
    private readonly float[] _send, _sum;
    private readonly AllreduceRequest[] _buckets;
    private readonly (int Start, int Count)[] _bucketRanges;
    private long _allreduceTicks, _stepTicks;

    /// <summary>Trains <paramref name="model"/> with <paramref name="optimizer"/> across the ranks of <paramref name="session"/>.</summary>
    /// <param name="session">The job.</param>
    /// <param name="model">This rank's copy of the model.</param>
    /// <param name="optimizer">This rank's copy of the optimizer, configured as on every other rank.</param>
    /// <param name="buckets">
    /// 1: one blocking allreduce of the whole buffer. More: that many non-blocking allreduces of contiguous slices,
    /// the last layers' first (the order a backward pass finishes them), started together and then waited for. The
    /// result is the same either way (each element is summed over the ranks alone); see docs/distributed.md for
    /// which is faster.
    /// </param>
    public DataParallel(MpiSession session, IClassifier model, Optimizer optimizer, int buckets = 1)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        _session = session;
        _model = model;
        _optimizer = optimizer;
        _parameters = model.Parameters.Length;
        _send = GC.AllocateArray<float>(_parameters + 2, pinned: true);
        _sum = GC.AllocateArray<float>(_parameters + 2, pinned: true);
        _bucketRanges = ReverseBuckets(_send.Length, Math.Min(buckets, _send.Length));
        _buckets = new AllreduceRequest[_bucketRanges.Length];
        for (int i = 0; i < _buckets.Length; i++) _buckets[i] = session.CreateAllreduce();
    }

    /// <summary>The job this trains in.</summary>
    public MpiSession Session => _session;

    /// <summary>The averaged gradients of the last step (what the optimizer applied).</summary>
    public ReadOnlySpan<float> AveragedGradients => _sum.AsSpan(0, _parameters);

    /// <summary>Time spent in the allreduce (including waiting for slower ranks) over all steps so far.</summary>
    public TimeSpan AllreduceTime => Stopwatch.GetElapsedTime(0, _allreduceTicks);

    /// <summary>Time spent in <see cref="Step"/> over all steps so far.</summary>
    public TimeSpan StepTime => Stopwatch.GetElapsedTime(0, _stepTicks);

    /// <summary>
    /// Copies rank 0's parameters to every rank: call it once before training, so every rank starts from the same
    /// point whatever it initialized or loaded.
    /// </summary>
    /// <exception cref="MpiException">A rank failed or did not come in time.</exception>
    public void BroadcastParameters() => _session.Broadcast(_model.Parameters, root: 0);

    /// <summary>
    /// One synchronous step: this rank's gradients of <paramref name="x"/> and <paramref name="labels"/> (its slice of
    /// a global batch of <paramref name="globalRows"/> rows; it may be empty), their row-weighted mean over the ranks,
    /// and one optimizer step with it. Every rank must call it with the same <paramref name="globalRows"/>.
    /// </summary>
    /// <param name="x">This rank's rows.</param>
    /// <param name="labels">Their labels (the row count).</param>
    /// <param name="globalRows">Rows of the global batch over all ranks.</param>
    /// <param name="count">A count to sum over the ranks with the step (exact up to 2^24 per step), e.g. correct predictions.</param>
    /// <returns>The global batch's mean loss and the summed count.</returns>
    /// <exception cref="MpiException">A rank failed or did not come in time.</exception>
    public GlobalStep Step(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, int globalRows, long count = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(globalRows);
        if (labels.Length > globalRows) throw new ArgumentOutOfRangeException(nameof(globalRows), globalRows, $"this rank's {labels.Length} rows are more than the global batch's {globalRows}");
        long start = Stopwatch.GetTimestamp();
        if (labels.Length > 0)
        {
            float loss = _model.ComputeGradients(x, labels);
            float weight = (float)labels.Length / globalRows;
            TensorPrimitives.Multiply(_model.Gradients, weight, _send.AsSpan(0, _parameters));
            _send[_parameters] = loss * weight;
        }
        else _send.AsSpan(0, _parameters + 1).Clear();
        _send[_parameters + 1] = count;

        long reduceStart = Stopwatch.GetTimestamp();
        if (_buckets.Length == 1) _session.AllreduceSum(_send, _sum);
        else
        {
            for (int i = 0; i < _buckets.Length; i++)
            {
                var (s, n) = _bucketRanges[i];
                _buckets[i].Start(_send.AsMemory(s, n), _sum.AsMemory(s, n));
            }
            foreach (var bucket in _buckets) bucket.Wait();
        }
        _allreduceTicks += Stopwatch.GetTimestamp() - reduceStart;

        _optimizer.Step(_model.Parameters, _sum.AsSpan(0, _parameters));
        _stepTicks += Stopwatch.GetTimestamp() - start;
        return new GlobalStep(_sum[_parameters], (long)_sum[_parameters + 1]);
    }

    /// <summary>
    /// <paramref name="count"/> contiguous ranges covering [0, <paramref name="length"/>), listed from the end of the
    /// buffer to its start: the parameter layout follows the layers, so the last layer's gradients come first.
    /// </summary>
    internal static (int Start, int Count)[] ReverseBuckets(int length, int count)
    {
        var ranges = new (int, int)[count];
        for (int i = 0; i < count; i++)
        {
            int end = (int)((long)length * (count - i) / count), begin = (int)((long)length * (count - i - 1) / count);
            ranges[i] = (begin, end - begin);
        }
        return ranges;
    }
}
