using System;

namespace Dl.Training;

/// <summary>
/// Stops training when the validation loss has not improved for <see cref="Patience"/> epochs, keeping a
/// copy of the parameters from the best epoch so they can be put back.
/// </summary>
/// <remarks>The snapshot buffer is allocated once, in the constructor; each improvement is one copy into it.</remarks>
public sealed class EarlyStopping
{
    private readonly ICompiledModel _model;
    private readonly float[] _best;

    /// <summary>Watches <paramref name="model"/>; an epoch improves when its loss is below the best by more than <paramref name="minDelta"/>.</summary>
    public EarlyStopping(ICompiledModel model, int patience, double minDelta = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(minDelta);
        _model = model;
        _best = new float[model.Parameters.Length];
        Patience = patience;
        MinDelta = minDelta;
    }

    /// <summary>Epochs without improvement after which <see cref="ShouldStop"/> says stop.</summary>
    public int Patience { get; }

    /// <summary>How much lower than the best a loss must be to count as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>The lowest validation loss seen; +infinity before the first epoch.</summary>
    public double BestLoss { get; private set; } = double.PositiveInfinity;

    /// <summary>The epoch of <see cref="BestLoss"/>; -1 before any improvement.</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <summary>Epochs since the last improvement.</summary>
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>
    /// Records <paramref name="validationLoss"/> for <paramref name="epoch"/>: an improvement snapshots the
    /// parameters and resets the count. Returns true once <see cref="Patience"/> epochs in a row have not improved.
    /// A NaN loss never counts as an improvement.
    /// </summary>
    public bool ShouldStop(int epoch, double validationLoss)
    {
        if (validationLoss < BestLoss - MinDelta)
        {
            BestLoss = validationLoss;
            BestEpoch = epoch;
            EpochsWithoutImprovement = 0;
            _model.Parameters.CopyTo(_best);
        }
        else
        {
            EpochsWithoutImprovement++;
        }
        return EpochsWithoutImprovement >= Patience;
    }

    /// <summary>Copies the parameters of the best epoch back into <paramref name="model"/>.</summary>
    public void RestoreBest(ICompiledModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (BestEpoch < 0) throw new InvalidOperationException("no epoch has been recorded yet, so there is no best to restore");
        if (model.Parameters.Length != _best.Length)
            throw new ArgumentException($"the snapshot holds {_best.Length} parameters, the model has {model.Parameters.Length}", nameof(model));
        _best.CopyTo(model.Parameters);
    }
}
