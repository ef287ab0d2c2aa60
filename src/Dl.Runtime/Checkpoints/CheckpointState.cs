using System.Collections.Generic;

namespace Dl.Checkpoints;

/// <summary>What <see cref="Checkpoint.Load(string, ICompiledModel, bool)"/> found besides the parameters it restored.</summary>
public sealed class CheckpointState
{
    internal CheckpointState(long step, IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, float[]> optimizerState,
        string? optimizerName, float? learningRate)
    {
        Step = step;
        Metadata = metadata;
        OptimizerState = optimizerState;
        OptimizerName = optimizerName;
        LearningRate = learningRate;
    }

    /// <summary>The training step saved with the checkpoint (0 when the file does not say).</summary>
    public long Step { get; }

    /// <summary>The caller's metadata, without the keys the checkpoint format reserves for itself.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Optimizer slots ("m", "v", "velocity", ...), each laid out like the model's parameters; empty when none were saved.</summary>
    public IReadOnlyDictionary<string, float[]> OptimizerState { get; }

    /// <summary>The kind of optimizer saved with the model (<see cref="Checkpoint.OptimizerKey"/>), or null when the file does not say.</summary>
    public string? OptimizerName { get; }

    /// <summary>The optimizer's base learning rate (<see cref="Checkpoint.LearningRateKey"/>), or null when the file does not say.</summary>
    public float? LearningRate { get; }
}

/// <summary>One tensor read by <see cref="Checkpoint.ReadTensors"/>: its shape and its values in row-major order.</summary>
public sealed class TensorData
{
    /// <summary>Pairs a shape with its values.</summary>
    public TensorData(int[] shape, float[] values)
    {
        Shape = shape;
        Values = values;
    }

    /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
    public int[] Shape { get; }

    /// <summary>The elements, row-major.</summary>
    public float[] Values { get; }
}
