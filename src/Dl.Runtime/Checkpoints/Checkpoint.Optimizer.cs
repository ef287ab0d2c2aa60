using System;
using System.Collections.Generic;
using System.Globalization;
using Dl.Training;

namespace Dl.Checkpoints;

// Overloads that save and restore an Optimizer together with its model, so training resumes exactly.
public static partial class Checkpoint
{
    /// <summary>
    /// Saves <paramref name="model"/> with <paramref name="optimizer"/>'s state, step count, kind
    /// (<see cref="OptimizerKey"/>) and base learning rate (<see cref="LearningRateKey"/>).
    /// </summary>
    public static void Save(string path, ICompiledModel model, Optimizer optimizer, IReadOnlyDictionary<string, string>? metadata = null,
        bool allowNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var reserved = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [OptimizerKey] = OptimizerName(optimizer),
            // "R": the exact float comes back.
            [LearningRateKey] = optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture),
        };
        SaveCore(path, model, optimizer.State, optimizer.StepCount, metadata, reserved, allowNonFinite);
    }

    /// <summary>
    /// Loads parameters into <paramref name="model"/>, and state, step count and base learning rate into
    /// <paramref name="optimizer"/> (its <see cref="Optimizer.Schedule"/>, when set, still decides each step's rate).
    /// The file must hold exactly the optimizer's slots, and when it names the optimizer's kind, the same kind;
    /// nothing changes in either object unless the whole file fits.
    /// </summary>
    public static CheckpointState Load(string path, ICompiledModel model, Optimizer optimizer, bool allowNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(model);
        // Fail on an optimizer bound to another model before the model is touched.
        int bound = optimizer.State.Count > 0 ? FirstLength(optimizer.State) : -1;
        if (bound >= 0 && bound != model.Parameters.Length)
            throw new ArgumentException($"the optimizer holds state for {bound} parameters, the model has {model.Parameters.Length}", nameof(optimizer));
        return LoadCore(path, model, optimizer, allowNonFinite);
    }

    /// <summary>The name a checkpoint records for an optimizer: its type's ("Adam", "AdamW", "Momentum").</summary>
    private static string OptimizerName(Optimizer optimizer) => optimizer.GetType().Name;

    private static int FirstLength(IReadOnlyDictionary<string, float[]> state)
    {
        foreach (var kv in state) return kv.Value.Length;
        return -1;
    }
}
