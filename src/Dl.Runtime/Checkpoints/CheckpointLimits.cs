using System;

namespace Dl.Checkpoints;

/// <summary>
/// The limits a checkpoint file must stay within. <see cref="Checkpoint.Load(string, ICompiledModel, bool)"/> refuses a
/// file beyond them, and <see cref="Checkpoint.Save(string, ICompiledModel, System.Collections.Generic.IReadOnlyDictionary{string, float[]}, long, System.Collections.Generic.IReadOnlyDictionary{string, string}, bool)"/>
/// refuses to write one, so a save can never replace a good file with one that cannot be read back.
/// </summary>
public static class CheckpointLimits
{
    /// <summary>The safetensors reference implementation's bound on the JSON header (metadata included), in bytes.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>More dimensions than any real tensor has; bounds the reader's work on a hostile header.</summary>
    public const int MaxRank = 64;

    /// <summary>Elements of one tensor: what a .NET array can hold (a model's parameters are one such array).</summary>
    public static long MaxTensorElements => Array.MaxLength;
}
