using System;

namespace Dl.Training;

/// <summary>A learning rate as a function of the step count (the number of optimizer steps already taken, from 0).</summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate for the step taken after <paramref name="step"/> earlier steps.</summary>
    float At(long step);
}

/// <summary>Factories for the built-in schedules.</summary>
public static class LearningRateSchedule
{
    /// <summary>The same rate at every step.</summary>
    public static ILearningRateSchedule Constant(float rate) => new ConstantSchedule(rate);

    /// <summary><c>rate * gamma^floor(step / every)</c>: multiply by <paramref name="gamma"/> every <paramref name="every"/> steps.</summary>
    public static ILearningRateSchedule Step(float rate, long every, float gamma) => new StepDecaySchedule(rate, every, gamma);

    /// <summary><c>rate * gamma^(step / every)</c>, decaying smoothly by <paramref name="gamma"/> per <paramref name="every"/> steps.</summary>
    public static ILearningRateSchedule Exponential(float rate, float gamma, long every = 1) => new ExponentialSchedule(rate, gamma, every);

    /// <summary>Half a cosine from <paramref name="rate"/> down to <paramref name="minimum"/> over <paramref name="totalSteps"/>, then flat.</summary>
    public static ILearningRateSchedule Cosine(float rate, long totalSteps, float minimum = 0) => new CosineSchedule(rate, totalSteps, minimum);

    /// <summary>A linear ramp over <paramref name="warmupSteps"/> up to <paramref name="inner"/>'s first rate, then <paramref name="inner"/>.</summary>
    public static ILearningRateSchedule Warmup(ILearningRateSchedule inner, long warmupSteps) => new WarmupSchedule(inner, warmupSteps);
}

/// <summary>The same rate at every step.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    private readonly float _rate;

    /// <summary>Creates the schedule.</summary>
    public ConstantSchedule(float rate) => _rate = rate;

    /// <inheritdoc/>
    public float At(long step) => _rate;
}

/// <summary><c>rate * gamma^floor(step / every)</c>.</summary>
public sealed class StepDecaySchedule : ILearningRateSchedule
{
    private readonly float _rate, _gamma;
    private readonly long _every;

    /// <summary>Creates the schedule; <paramref name="every"/> must be positive.</summary>
    public StepDecaySchedule(float rate, long every, float gamma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
        (_rate, _every, _gamma) = (rate, every, gamma);
    }

    /// <inheritdoc/>
    public float At(long step) => (float)(_rate * Math.Pow(_gamma, Math.Max(0, step) / _every));
}

/// <summary><c>rate * gamma^(step / every)</c> with a real exponent.</summary>
public sealed class ExponentialSchedule : ILearningRateSchedule
{
    private readonly float _rate, _gamma;
    private readonly long _every;

    /// <summary>Creates the schedule; <paramref name="every"/> must be positive.</summary>
    public ExponentialSchedule(float rate, float gamma, long every = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
        (_rate, _gamma, _every) = (rate, gamma, every);
    }

    /// <inheritdoc/>
    public float At(long step) => (float)(_rate * Math.Pow(_gamma, (double)Math.Max(0, step) / _every));
}

/// <summary>
/// Cosine annealing: <c>min + (rate - min) * (1 + cos(pi * t / T)) / 2</c> with <c>t = min(step, T)</c>,
/// so the rate is <c>rate</c> at step 0, <c>min</c> from step T on.
/// </summary>
public sealed class CosineSchedule : ILearningRateSchedule
{
    private readonly float _rate, _minimum;
    private readonly long _total;

    /// <summary>Creates the schedule; <paramref name="totalSteps"/> must be positive.</summary>
    public CosineSchedule(float rate, long totalSteps, float minimum = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        (_rate, _total, _minimum) = (rate, totalSteps, minimum);
    }

    /// <inheritdoc/>
    public float At(long step)
    {
        double t = Math.Clamp(step, 0, _total);
        return (float)(_minimum + (_rate - _minimum) * (1 + Math.Cos(Math.PI * t / _total)) / 2);
    }
}

/// <summary>
/// Linear warm-up: for the first W steps the rate is <c>inner.At(0) * (step + 1) / W</c>, then
/// <c>inner.At(step - W)</c>, so the inner schedule's clock starts when warm-up ends.
/// </summary>
/// <remarks>The ramp starts at <c>1/W</c> of the rate, not 0, so the first step is not wasted.</remarks>
public sealed class WarmupSchedule : ILearningRateSchedule
{
    private readonly ILearningRateSchedule _inner;
    private readonly long _warmup;

    /// <summary>Creates the schedule; <paramref name="warmupSteps"/> may be 0 (no warm-up).</summary>
    public WarmupSchedule(ILearningRateSchedule inner, long warmupSteps)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        (_inner, _warmup) = (inner, warmupSteps);
    }

    /// <inheritdoc/>
    public float At(long step) =>
        step < _warmup ? (float)((double)_inner.At(0) * (Math.Max(0, step) + 1) / _warmup) : _inner.At(step - _warmup);
}
