using System;
using System.Globalization;

namespace Dl.Training;

/// <summary>
/// A training run's loss became NaN or infinite: the run diverged (a learning rate too high, a bad input), and
/// every step after this one would only spread the damage through the parameters. The message names the epoch
/// and the step, so the run can be resumed from an earlier checkpoint with other settings.
/// </summary>
/// <remarks>
/// <see cref="EpochMeter.Add"/> throws it for every loop that accumulates its losses there; a loop of its own
/// calls <see cref="ThrowIfNotFinite"/> with each step's loss. Either costs one comparison per step.
/// </remarks>
public sealed class DivergenceException : ArithmeticException
{
    /// <summary>Creates the exception; <see cref="ThrowIfNotFinite"/> writes the usual message.</summary>
    public DivergenceException(string message, int epoch, long step, double loss) : base(message)
    {
        Epoch = epoch;
        Step = step;
        Loss = loss;
    }

    /// <summary>The epoch (from 1) in which the loss stopped being finite.</summary>
    public int Epoch { get; }

    /// <summary>The run's step count (from 1) at which it happened.</summary>
    public long Step { get; }

    /// <summary>The offending value: NaN, or positive or negative infinity.</summary>
    public double Loss { get; }

    /// <summary>
    /// Throws a <see cref="DivergenceException"/> unless <paramref name="loss"/> is finite. <paramref name="what"/>
    /// names the value in the message ("loss", "validation loss").
    /// </summary>
    public static void ThrowIfNotFinite(double loss, int epoch, long step, string what = "loss")
    {
        if (double.IsFinite(loss)) return;
        throw new DivergenceException(string.Create(CultureInfo.InvariantCulture,
            $"training diverged: the {what} is {loss} at epoch {epoch}, step {step}; try a lower learning rate, or check the inputs"), epoch, step, loss);
    }
}
