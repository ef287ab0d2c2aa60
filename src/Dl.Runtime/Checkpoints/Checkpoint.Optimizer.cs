using System;
using System.Collections.Generic;
using Dl.Training;

namespace Dl.Checkpoints;

// Overloads that save and restore an Optimizer together with its model, so training resumes exactly.
public static partial class Checkpoint
{
    /// <summary>Saves <paramref name="model"/> with <paramref name="optimizer"/>'s state and step count.</summary>
    public static void Save(string path, ICompiledModel model, Optimizer optimizer, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Save(path, model, optimizer.State, optimizer.StepCount, metadata);
    }

    /// <summary>
    /// Loads parameters into <paramref name="model"/> and state and step count into <paramref name="optimizer"/>.
    /// The file must hold exactly the optimizer's slots; nothing changes in either object unless the whole file fits.
    /// </summary>
    public static CheckpointState Load(string path, ICompiledModel model, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(model);
        // Fail on an optimizer bound to another model before the model is touched.
        int bound = optimizer.State.Count > 0 ? FirstLength(optimizer.State) : -1;
        if (bound >= 0 && bound != model.Parameters.Length)
            throw new ArgumentException($"the optimizer holds state for {bound} parameters, the model has {model.Parameters.Length}", nameof(optimizer));
        var state = LoadCore(path, model, optimizer.SlotNames);
        optimizer.LoadState(state.OptimizerState, state.Step);
        return state;
    }

    private static int FirstLength(IReadOnlyDictionary<string, float[]> state)
    {
        foreach (var kv in state) return kv.Value.Length;
        return -1;
    }
}
