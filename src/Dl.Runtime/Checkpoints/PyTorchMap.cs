using System;
using System.Collections.Generic;

namespace Dl.Checkpoints;

/// <summary>
/// Which tensors of a PyTorch state dict go to which parameters of a model, and how each is converted: the input of
/// <see cref="Checkpoint.ImportPyTorch"/>. Every layout change is named here (only <see cref="Linear"/> transposes), so
/// nothing is converted by guesswork. Prefixes are module paths as PyTorch names them ("0", "features.3", "fc") and as
/// the model names its layers ("hidden", "block1.conv1").
/// </summary>
public sealed class PyTorchMap
{
    internal enum Conversion { AsStored, Transpose, Skip }

    /// <summary>One torch tensor: its target (a parameter or a state tensor of the model) and conversion; an optional pair may be absent on both sides.</summary>
    internal readonly record struct Entry(string Torch, string Model, Conversion Kind, bool Optional);

    internal List<Entry> Entries { get; } = new();

    /// <summary>
    /// torch.nn.Linear → Dense: "&lt;torch&gt;.weight" [out,in] is transposed into "&lt;model&gt;.weight" [in,out];
    /// "&lt;torch&gt;.bias" [out] goes to "&lt;model&gt;.bias" (both absent for bias=False).
    /// </summary>
    public PyTorchMap Linear(string torchPrefix, string modelPrefix) =>
        Add(torchPrefix, modelPrefix, ("weight", "weight", Conversion.Transpose, false), ("bias", "bias", Conversion.AsStored, true));

    /// <summary>
    /// torch.nn.Conv2d → Conv2d: the weight [out,in/groups,kh,kw] is this library's layout too, copied as stored; so is the bias.
    /// </summary>
    public PyTorchMap Conv2d(string torchPrefix, string modelPrefix) =>
        Add(torchPrefix, modelPrefix, ("weight", "weight", Conversion.AsStored, false), ("bias", "bias", Conversion.AsStored, true));

    /// <summary>
    /// torch.nn.BatchNorm2d (or 1d) → BatchNorm2d: weight → gamma and bias → beta (parameters), running_mean and
    /// running_var → the model's state (<see cref="IStatefulModel.State"/>); num_batches_tracked, an I64 counter with no
    /// counterpart here (momentum is fixed), is skipped.
    /// </summary>
    public PyTorchMap BatchNorm2d(string torchPrefix, string modelPrefix) =>
        Add(torchPrefix, modelPrefix, ("weight", "gamma", Conversion.AsStored, false), ("bias", "beta", Conversion.AsStored, false),
            ("running_mean", "running_mean", Conversion.AsStored, false), ("running_var", "running_var", Conversion.AsStored, false),
            ("num_batches_tracked", "num_batches_tracked", Conversion.Skip, true));

    /// <summary>One tensor copied as stored (same shape, same element order), e.g. a recurrent weight, whose layout is PyTorch's.</summary>
    public PyTorchMap Tensor(string torchName, string modelName)
    {
        ArgumentException.ThrowIfNullOrEmpty(torchName);
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        Entries.Add(new Entry(torchName, modelName, Conversion.AsStored, false));
        return this;
    }

    private PyTorchMap Add(string torchPrefix, string modelPrefix, params (string Torch, string Model, Conversion Kind, bool Optional)[] parts)
    {
        ArgumentNullException.ThrowIfNull(torchPrefix);
        ArgumentException.ThrowIfNullOrEmpty(modelPrefix);
        // A torch module at the top of the state dict has no prefix ("weight"); nested ones do ("0.weight").
        string torch = torchPrefix.Length == 0 ? "" : torchPrefix + ".";
        foreach (var p in parts) Entries.Add(new Entry(torch + p.Torch, modelPrefix + "." + p.Model, p.Kind, p.Optional));
        return this;
    }
}
