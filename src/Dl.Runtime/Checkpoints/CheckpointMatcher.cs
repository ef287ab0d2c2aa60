using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dl.Checkpoints;

/// <summary>Which file tensor goes to which parameter (and optimizer slot): the result of matching a file to a model.</summary>
internal sealed class LoadPlan
{
    public List<(TensorEntry Tensor, ParameterInfo Parameter)> Parameters { get; } = new();
    /// <summary>Tensors that go to the model's state (batch norm's running averages), by their place in <see cref="IStatefulModel.State"/>.</summary>
    public List<(TensorEntry Tensor, ParameterInfo Parameter)> States { get; } = new();
    public SortedDictionary<string, List<(TensorEntry Tensor, ParameterInfo Parameter)>> Slots { get; } = new(StringComparer.Ordinal);
    public long Step { get; set; }
    public string? OptimizerName { get; set; }
    public float? LearningRate { get; set; }
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
    /// <summary>Model parameters the file has no tensor for (a non-strict load leaves them as they are).</summary>
    public List<string> Missing { get; } = new();
    /// <summary>File tensors that go to no parameter (a non-strict load skips them).</summary>
    public List<string> Unexpected { get; } = new();
}

/// <summary>
/// Matches a validated safetensors file against a model's parameter layout: every parameter present with
/// its exact shape, nothing unexpected, every optimizer slot complete, and readable format metadata.
/// </summary>
internal static class CheckpointMatcher
{
    public static LoadPlan Match(SafetensorsFile file, IReadOnlyList<ParameterInfo> layout, IReadOnlyCollection<string>? requiredSlots) =>
        Match(file, layout, requiredSlots, new LoadOptions(), Array.Empty<ParameterInfo>());

    /// <summary>
    /// The plan for <paramref name="options"/>: names renamed first; a strict load refuses anything missing or
    /// unexpected, a non-strict one lists them (and skips optimizer tensors); both refuse a shape mismatch and a
    /// square matrix from a file that does not record our layout (see <see cref="CheckOwnLayout"/>). State tensors
    /// (<paramref name="stateLayout"/>) load like parameters, but one missing from the file is never an error: files
    /// written before checkpoints carried the state have none, and the model keeps its own.
    /// </summary>
    public static LoadPlan Match(SafetensorsFile file, IReadOnlyList<ParameterInfo> layout, IReadOnlyCollection<string>? requiredSlots, LoadOptions options,
        IReadOnlyList<ParameterInfo> stateLayout)
    {
        var plan = new LoadPlan();
        var byName = new Dictionary<string, ParameterInfo>(StringComparer.Ordinal);
        foreach (var p in layout) byName.Add(p.Name, p);
        var stateByName = new Dictionary<string, ParameterInfo>(StringComparer.Ordinal);
        foreach (var p in stateLayout) stateByName.Add(p.Name, p);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);   // parameter -> the file tensor loaded into it
        string? Renamed(string name) => options.Rename is null ? name : options.Rename(name);
        bool foreign = !RecordsOurLayout(file.Metadata);

        foreach (var t in file.Tensors)
        {
            bool optimizerTensor = t.Name.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal);
            string? target = optimizerTensor ? null : Renamed(t.Name);
            bool isState = false;
            if (target != null && (byName.TryGetValue(target, out var p) || (isState = stateByName.TryGetValue(target, out p))))
            {
                string name = target == t.Name ? t.Name : $"{t.Name} (loaded as {target})";
                if (found.TryGetValue(target, out string? other))
                    throw new CheckpointException($"{t.Name}: both it and {other} would load into {(isState ? "state" : "parameter")} {target}; rename one of them away");
                CheckShape(t, name, p!, options.Strict, foreign);
                (isState ? plan.States : plan.Parameters).Add((t, p!));
                found.Add(target, t.Name);
                continue;
            }
            if (!options.Strict)
            {
                plan.Unexpected.Add(t.Name);
                continue;
            }
            if (!optimizerTensor)
                throw new CheckpointException(target == t.Name ? $"{t.Name}: the file has a tensor the model has no parameter for"
                    : target == null ? $"{t.Name}: Rename skips it, which only a non-strict load allows (LoadOptions {{ Strict = false }})"
                    : $"{t.Name}: renamed to '{target}', which the model has no parameter for");
            string rest = t.Name.Substring(Checkpoint.OptimizerPrefix.Length);
            int slash = rest.IndexOf('/');
            if (slash <= 0)
                throw new CheckpointException($"{t.Name}: optimizer tensors are named optimizer/<slot>/<parameter>");
            string slot = rest.Substring(0, slash), parameterName = Renamed(rest.Substring(slash + 1)) ?? rest.Substring(slash + 1);
            if (!byName.TryGetValue(parameterName, out var slotTarget))
                throw new CheckpointException($"{t.Name}: optimizer state for '{parameterName}', which the model does not have");
            CheckShape(t, t.Name, slotTarget, strict: true, foreign);
            if (!plan.Slots.TryGetValue(slot, out var list)) plan.Slots.Add(slot, list = new());
            list.Add((t, slotTarget));
        }

        foreach (var p in layout)
            if (!found.ContainsKey(p.Name))
            {
                if (options.Strict)
                    throw new CheckpointException($"{p.Name}: missing from the file (model parameter of shape {TensorEntry.Format(p.Shape)})");
                plan.Missing.Add(p.Name);
            }
        foreach (var p in stateLayout)
            if (!found.ContainsKey(p.Name)) plan.Missing.Add(p.Name);
        foreach (var (slot, list) in plan.Slots)
            if (list.Count != layout.Count)
            {
                var have = new HashSet<string>(list.Select(x => x.Parameter.Name), StringComparer.Ordinal);
                string missing = layout.First(p => !have.Contains(p.Name)).Name;
                throw new CheckpointException($"{Checkpoint.OptimizerPrefix}{slot}/{missing}: missing from the file; optimizer slot '{slot}' is incomplete");
            }
        if (requiredSlots != null) CheckSlots(plan, requiredSlots);
        ReadMetadata(file.Metadata, plan);
        if (!options.AssumeOwnLayout) CheckOwnLayout(file.Metadata, plan.Parameters);
        return plan;
    }

    /// <summary>
    /// A square matrix is the one shape that loads into a Dense weight ("&lt;layer&gt;.weight") in either layout: ours is [in,out],
    /// torch.nn.Linear's [out,in]. Our files say which (<see cref="Checkpoint.FormatKey"/> or <see cref="Checkpoint.LayoutKey"/>);
    /// from any other file such a tensor would load transposed without a word, so it is refused with the way out.
    /// </summary>
    private static void CheckOwnLayout(Dictionary<string, string> metadata, List<(TensorEntry Tensor, ParameterInfo Parameter)> parameters)
    {
        if (RecordsOurLayout(metadata)) return;
        foreach (var (t, p) in parameters)
            // Dense weights are named "<layer>.weight" (as Linear's are); other matrices (recurrent weights, which keep
            // PyTorch's layout, or a user's own) have no second layout to confuse them with.
            if (p.Shape.Length == 2 && p.Shape[0] == p.Shape[1] && p.Shape[0] > 1 && p.Name.EndsWith(".weight", StringComparison.Ordinal))
                throw new CheckpointException(
                    $"{t.Name}: a square {TensorEntry.Format(p.Shape)} matrix from a file that does not record its layout (no {Checkpoint.FormatKey} or {Checkpoint.LayoutKey} in __metadata__), " +
                    "so it would load the same whether it is [in,out] (this library's Dense) or [out,in] (torch.nn.Linear). " +
                    "Load PyTorch weights with Checkpoint.ImportPyTorch, which transposes Linear weights; if the file holds [in,out] weights, load it with LoadOptions { AssumeOwnLayout = true }");
    }

    private static bool RecordsOurLayout(Dictionary<string, string> metadata) =>
        metadata.ContainsKey(Checkpoint.FormatKey) || metadata.ContainsKey(Checkpoint.LayoutKey);

    private static void CheckShape(TensorEntry t, string name, ParameterInfo p, bool strict, bool foreign)
    {
        if (t.Dtype != "F32")
            throw new CheckpointException($"{name}: dtype {t.Dtype}, only F32 tensors load into parameters");
        bool same = t.Shape.Length == p.Shape.Length;
        for (int i = 0; same && i < p.Shape.Length; i++) same = t.Shape[i] == p.Shape[i];
        if (!same)
        {
            // [out,in] where the model wants [in,out]: most likely a torch.nn.Linear weight, which has its own way in.
            bool transposed = foreign && t.Shape.Length == 2 && p.Shape.Length == 2 && t.Shape[0] == p.Shape[1] && t.Shape[1] == p.Shape[0];
            throw new CheckpointException($"{name}: shape {t.ShapeText} in the file, {TensorEntry.Format(p.Shape)} in the model" +
                (transposed ? "; the transpose of the model's: a torch.nn.Linear weight ([out,in]) is loaded with Checkpoint.ImportPyTorch, which transposes it" : "") +
                (strict ? "" : "; nothing was loaded (a non-strict load refuses a mismatch too: rename the tensor to null to skip it)"));
        }
    }

    private static void CheckSlots(LoadPlan plan, IReadOnlyCollection<string> requiredSlots)
    {
        var required = new SortedSet<string>(requiredSlots, StringComparer.Ordinal);
        if (!required.SetEquals(plan.Slots.Keys))
            throw new CheckpointException(
                $"optimizer state: the file has slots [{string.Join(",", plan.Slots.Keys)}], the optimizer needs [{string.Join(",", required)}]");
    }

    private static void ReadMetadata(Dictionary<string, string> metadata, LoadPlan plan)
    {
        foreach (var kv in metadata)
        {
            switch (kv.Key)
            {
                case Checkpoint.LayoutKey:
                    if (kv.Value != Checkpoint.LayoutValue)
                        throw new CheckpointException($"__metadata__ {Checkpoint.LayoutKey} is '{kv.Value}', this reader knows '{Checkpoint.LayoutValue}'");
                    break;
                case Checkpoint.FormatKey:
                case Checkpoint.ChecksumKey:
                    break;   // checked with the file's integrity (SafetensorsFile)
                case Checkpoint.OptimizerKey:
                    plan.OptimizerName = kv.Value;
                    break;
                case Checkpoint.LearningRateKey:
                    // A rate that would wreck the first step (NaN, infinite, negative) is corruption, not a setting.
                    if (!float.TryParse(kv.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out float rate) || !(rate >= 0) || float.IsInfinity(rate))
                        throw new CheckpointException($"__metadata__ {Checkpoint.LearningRateKey} is '{kv.Value}', not a learning rate (a finite number >= 0)");
                    plan.LearningRate = rate;
                    break;
                case Checkpoint.StepKey:
                    if (!long.TryParse(kv.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
                        throw new CheckpointException($"__metadata__ {Checkpoint.StepKey} is '{kv.Value}', not a step count");
                    plan.Step = step;
                    break;
                default:
                    plan.Metadata.Add(kv.Key, kv.Value);
                    break;
            }
        }
    }
}
