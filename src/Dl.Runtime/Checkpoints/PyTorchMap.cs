using System;
using System.Collections.Generic;

namespace Dl.Checkpoints;

/// <summary>
/// Which tensors of a PyTorch state dict go to which parameters of a model, and how each is converted: the input of
/// <see cref="Checkpoint.ImportPyTorch"/>. Every layout change is named here (only <see cref="Linear"/> transposes; recurrent layers copy as stored), so
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

    /// <summary>
    /// torch.nn.LSTM → <see cref="Dl.Lstm"/>: every tensor of the module (<see cref="Recurrent"/> lists them), copied as stored,
    /// with no transposition: our LSTM keeps PyTorch's layout, weight_ih_l{k} [4H, I_k], weight_hh_l{k} [4H, H] and the
    /// biases [4H], gate rows in the order i, f, g, o. Give the torch module's layers, bidirectional and bias as constructed.
    /// </summary>
    /// <param name="torchPrefix">The module's path in the state dict ("lstm", "encoder.rnn"); empty for a state dict of the module alone.</param>
    /// <param name="modelPrefix">The model's <see cref="Dl.Lstm"/> field ("lstm").</param>
    /// <param name="layers">The module's num_layers.</param>
    /// <param name="bidirectional">The module's bidirectional.</param>
    /// <param name="bias">The module's bias: false maps no bias tensors.</param>
    public PyTorchMap Lstm(string torchPrefix, string modelPrefix, int layers = 1, bool bidirectional = false, bool bias = true) =>
        Recurrent(torchPrefix, modelPrefix, layers, bidirectional, bias);

    /// <summary>
    /// torch.nn.GRU → <see cref="Dl.Gru"/>: every tensor of the module (<see cref="Recurrent"/> lists them), copied as stored,
    /// with no transposition: our GRU keeps PyTorch's layout, weight_ih_l{k} [3H, I_k], weight_hh_l{k} [3H, H] and the
    /// biases [3H], gate rows in the order r, z, n.
    /// </summary>
    /// <param name="torchPrefix">The module's path in the state dict; empty for a state dict of the module alone.</param>
    /// <param name="modelPrefix">The model's <see cref="Dl.Gru"/> field.</param>
    /// <param name="layers">The module's num_layers.</param>
    /// <param name="bidirectional">The module's bidirectional.</param>
    /// <param name="bias">The module's bias: false maps no bias tensors.</param>
    public PyTorchMap Gru(string torchPrefix, string modelPrefix, int layers = 1, bool bidirectional = false, bool bias = true) =>
        Recurrent(torchPrefix, modelPrefix, layers, bidirectional, bias);

    /// <summary>
    /// torch.nn.RNN → <see cref="Dl.Rnn"/>: every tensor of the module (<see cref="Recurrent"/> lists them), copied as stored,
    /// with no transposition: weight_ih_l{k} [H, I_k], weight_hh_l{k} [H, H], biases [H]. The nonlinearity is not in the
    /// state dict: declare the <see cref="Dl.Rnn"/> with the module's.
    /// </summary>
    /// <param name="torchPrefix">The module's path in the state dict; empty for a state dict of the module alone.</param>
    /// <param name="modelPrefix">The model's <see cref="Dl.Rnn"/> field.</param>
    /// <param name="layers">The module's num_layers.</param>
    /// <param name="bidirectional">The module's bidirectional.</param>
    /// <param name="bias">The module's bias: false maps no bias tensors.</param>
    public PyTorchMap Rnn(string torchPrefix, string modelPrefix, int layers = 1, bool bidirectional = false, bool bias = true) =>
        Recurrent(torchPrefix, modelPrefix, layers, bidirectional, bias);

    /// <summary>
    /// Any of torch.nn.RNN, LSTM, GRU → our <see cref="Dl.Rnn"/>, <see cref="Dl.Lstm"/>, <see cref="Dl.Gru"/>, whose parameters
    /// have PyTorch's names and layout: for each layer k in 0..layers-1 and each direction (suffix "" and, when bidirectional,
    /// "_reverse"), "&lt;torch&gt;.weight_ih_l{k}{suffix}" and "weight_hh_l{k}{suffix}", then (when bias)
    /// "bias_ih_l{k}{suffix}" and "bias_hh_l{k}{suffix}", each to the same name under "&lt;model&gt;.", copied as stored (no
    /// transposition, no reordering of gates). All are required: one absent from the file is an error naming it, and the
    /// import checks each shape against the model's (so a GRU's [3H, I] weight will not load into an LSTM's [4H, I]).
    /// The state dict's layout does not depend on batch_first. LSTM projections (proj_size &gt; 0, weight_hr_l{k}) have no
    /// counterpart here and are not mapped.
    /// </summary>
    /// <param name="torchPrefix">The module's path in the state dict; empty for a state dict of the module alone.</param>
    /// <param name="modelPrefix">The model's recurrent field.</param>
    /// <param name="layers">The module's num_layers (at least 1).</param>
    /// <param name="bidirectional">The module's bidirectional.</param>
    /// <param name="bias">The module's bias: false maps no bias tensors.</param>
    public PyTorchMap Recurrent(string torchPrefix, string modelPrefix, int layers = 1, bool bidirectional = false, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        var parts = new List<(string, string, Conversion, bool)>();
        for (int k = 0; k < layers; k++)
            foreach (string suffix in bidirectional ? new[] { "", "_reverse" } : new[] { "" })
            {
                // state_dict order: per layer, per direction, weights then biases.
                var names = bias
                    ? new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" }
                    : new[] { "weight_ih", "weight_hh" };
                foreach (string n in names)
                {
                    string name = $"{n}_l{k}{suffix}";
                    parts.Add((name, name, Conversion.AsStored, false));
                }
            }
        return Add(torchPrefix, modelPrefix, parts.ToArray());
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
