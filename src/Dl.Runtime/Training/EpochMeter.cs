using System;

namespace Dl.Training;

/// <summary>
/// The running mean loss and accuracy of one epoch's training batches, and the run's guard against divergence:
/// <see cref="Add"/> throws <see cref="DivergenceException"/> as soon as a batch's loss is NaN or infinite,
/// naming the epoch and the step, instead of letting the mean turn NaN and the epoch end as if nothing happened.
/// </summary>
public sealed class EpochMeter
{
    private readonly long _stepsBefore;
    private double _lossSum;
    private long _correct;

    /// <summary>Starts epoch <paramref name="epoch"/> (from 1) of a run that has taken <paramref name="stepsBefore"/> steps so far.</summary>
    public EpochMeter(int epoch, long stepsBefore)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(stepsBefore);
        Epoch = epoch;
        _stepsBefore = stepsBefore;
    }

    /// <summary>The epoch being measured, from 1.</summary>
    public int Epoch { get; }

    /// <summary>Batches added so far.</summary>
    public int Batches { get; private set; }

    /// <summary>Samples in the batches added so far.</summary>
    public long Samples { get; private set; }

    /// <summary>The run's step count after the last batch added (one step per batch).</summary>
    public long Step => _stepsBefore + Batches;

    /// <summary>The mean loss per sample so far; NaN before the first batch.</summary>
    public double Loss => Samples == 0 ? double.NaN : _lossSum / Samples;

    /// <summary>The share of samples classified correctly so far; NaN before the first batch.</summary>
    public double Accuracy => Samples == 0 ? double.NaN : (double)_correct / Samples;

    /// <summary>
    /// Adds one batch of <paramref name="samples"/> samples whose mean loss was <paramref name="loss"/>, with
    /// <paramref name="correct"/> of them classified correctly (0 when the model is not a classifier).
    /// </summary>
    /// <exception cref="DivergenceException"><paramref name="loss"/> is NaN or infinite; nothing is added.</exception>
    public void Add(float loss, int samples, long correct = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        if (correct < 0 || correct > samples) throw new ArgumentOutOfRangeException(nameof(correct), correct, $"between 0 and the batch's {samples} samples");
        DivergenceException.ThrowIfNotFinite(loss, Epoch, Step + 1);
        _lossSum += (double)loss * samples;
        _correct += correct;
        Samples += samples;
        Batches++;
    }
}
