using System;
using System.Collections.Generic;

namespace Dl.Checkpoints;

/// <summary>
/// How <see cref="Checkpoint.Load(string, ICompiledModel, LoadOptions)"/> matches a file to a model: strictly (every
/// parameter, nothing else: what <see cref="Checkpoint.Load(string, ICompiledModel, bool)"/> does) or not (load what
/// matches, report the rest), and under which names.
/// </summary>
public sealed class LoadOptions
{
    /// <summary>
    /// True (the default): a parameter missing from the file or a file tensor that goes to no parameter refuses the load.
    /// False: those are listed in the <see cref="LoadReport"/> and the missing parameters keep their values; optimizer
    /// tensors are skipped (listed as unexpected). A shape mismatch refuses the load either way (as PyTorch's
    /// <c>load_state_dict(strict=False)</c> does): rename the tensor to null to skip it.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>
    /// The model parameter each file tensor loads into, from its name in the file; null skips the tensor (a non-strict load
    /// lists it as unexpected). Null (the default) keeps every name. A strict load renames optimizer tensors' parameter part too.
    /// </summary>
    public Func<string, string?>? Rename { get; init; }

    /// <summary>Accept NaN and infinite values from the file.</summary>
    public bool AllowNonFinite { get; init; }

    /// <summary>
    /// Trust that a file which does not record its layout (no <see cref="Checkpoint.LayoutKey"/> or
    /// <see cref="Checkpoint.FormatKey"/>) holds Dense weights as [in,out], this library's layout. Without it, a square
    /// matrix from such a file is refused, since it would load silently transposed if it came from torch.nn.Linear.
    /// </summary>
    public bool AssumeOwnLayout { get; init; }

    /// <summary>
    /// A <see cref="Rename"/> function from a dictionary of file name to model name; names it does not hold keep their
    /// own name, names mapped to null are skipped.
    /// </summary>
    public static Func<string, string?> RenameWith(IReadOnlyDictionary<string, string?> fileToModel)
    {
        ArgumentNullException.ThrowIfNull(fileToModel);
        return name => fileToModel.TryGetValue(name, out var renamed) ? renamed : name;
    }
}

/// <summary>What a load by <see cref="LoadOptions"/> (or an import) did: which parameters it filled, which it left, which tensors it skipped.</summary>
public sealed class LoadReport
{
    internal LoadReport(CheckpointState state, IReadOnlyList<string> loaded, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected)
    {
        State = state;
        Loaded = loaded;
        Missing = missing;
        Unexpected = unexpected;
    }

    /// <summary>Step, metadata and optimizer state found in the file (no optimizer state from a non-strict load).</summary>
    public CheckpointState State { get; }

    /// <summary>Model parameters (and, for an import, state tensors) loaded from the file, by their model name.</summary>
    public IReadOnlyList<string> Loaded { get; }

    /// <summary>Model parameters the file had nothing for: they kept their values.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>File tensors, by their name in the file, that were not loaded.</summary>
    public IReadOnlyList<string> Unexpected { get; }
}
