namespace Dl.Compiler;

/// <summary>Where a materialised value lives at run time.</summary>
public abstract record Location;

/// <summary>A user-supplied input span, by parameter name (inputs are never copied).</summary>
public sealed record InputLocation(string Name) : Location;

/// <summary>A slice of the model's parameter array.</summary>
public sealed record ParamLocation(long Offset) : Location;

/// <summary>A slice of the gradient array, laid out like the parameters so one update covers all.</summary>
public sealed record GradientLocation(long Offset) : Location;

/// <summary>A slice of the model's state array (running averages): read by inference, written after a training step.</summary>
public sealed record StateLocation(long Offset) : Location;

/// <summary>
/// The buffer of carried state number <see cref="Index"/> (a stateful recurrent layer's final hidden
/// or cell state, [N, L·D, H]): read as the layer's initial state, written after each call.
/// </summary>
public sealed record CarriedLocation(int Index) : Location;

/// <summary>
/// A slice of the arena, in the region of values whose size grows as N^<see cref="BatchPower"/>.
/// Batch-dependent values sit at <c>FixedSize + Offset·N</c> with length <c>k·N</c>: planning in
/// per-sample units keeps one layout valid for every batch size. Values over every pair of samples
/// ([N,N], power 2) follow in a region of their own, planned per N².
/// </summary>
public sealed record ArenaLocation(long Offset, int BatchPower) : Location
{
    public bool PerSample => BatchPower > 0;
}
