using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dl.Checkpoints;

/// <summary>Which file tensor goes to which parameter (and optimizer slot): the result of matching a file to a model.</summary>
internal sealed class LoadPlan
{
    public List<(TensorEntry Tensor, ParameterInfo Parameter)> Parameters { get; } = new();
    public SortedDictionary<string, List<(TensorEntry Tensor, ParameterInfo Parameter)>> Slots { get; } = new(StringComparer.Ordinal);
    public long Step { get; set; }
    public string? OptimizerName { get; set; }
    public float? LearningRate { get; set; }
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Matches a validated safetensors file against a model's parameter layout: every parameter present with
/// its exact shape, nothing unexpected, every optimizer slot complete, and readable format metadata.
/// </summary>
internal static class CheckpointMatcher
{
    public static LoadPlan Match(SafetensorsFile file, IReadOnlyList<ParameterInfo> layout, IReadOnlyCollection<string>? requiredSlots)
    {
        var plan = new LoadPlan();
        var byName = new Dictionary<string, ParameterInfo>(StringComparer.Ordinal);
        foreach (var p in layout) byName.Add(p.Name, p);
        var found = new HashSet<string>(StringComparer.Ordinal);

        foreach (var t in file.Tensors)
        {
            if (byName.TryGetValue(t.Name, out var p))
            {
                CheckShape(t, t.Name, p);
                plan.Parameters.Add((t, p));
                found.Add(t.Name);
                continue;
            }
            if (!t.Name.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal))
                throw new CheckpointException($"{t.Name}: the file has a tensor the model has no parameter for");
            string rest = t.Name.Substring(Checkpoint.OptimizerPrefix.Length);
            int slash = rest.IndexOf('/');
            if (slash <= 0)
                throw new CheckpointException($"{t.Name}: optimizer tensors are named optimizer/<slot>/<parameter>");
            string slot = rest.Substring(0, slash), parameterName = rest.Substring(slash + 1);
            if (!byName.TryGetValue(parameterName, out var target))
                throw new CheckpointException($"{t.Name}: optimizer state for '{parameterName}', which the model does not have");
            CheckShape(t, t.Name, target);
            if (!plan.Slots.TryGetValue(slot, out var list)) plan.Slots.Add(slot, list = new());
            list.Add((t, target));
        }

        foreach (var p in layout)
            if (!found.Contains(p.Name))
                throw new CheckpointException($"{p.Name}: missing from the file (model parameter of shape {TensorEntry.Format(p.Shape)})");
        foreach (var (slot, list) in plan.Slots)
            if (list.Count != layout.Count)
            {
                var have = new HashSet<string>(list.Select(x => x.Parameter.Name), StringComparer.Ordinal);
                string missing = layout.First(p => !have.Contains(p.Name)).Name;
                throw new CheckpointException($"{Checkpoint.OptimizerPrefix}{slot}/{missing}: missing from the file; optimizer slot '{slot}' is incomplete");
            }
        if (requiredSlots != null) CheckSlots(plan, requiredSlots);
        ReadMetadata(file.Metadata, plan);
        return plan;
    }

    private static void CheckShape(TensorEntry t, string name, ParameterInfo p)
    {
        bool same = t.Shape.Length == p.Shape.Length;
        for (int i = 0; same && i < p.Shape.Length; i++) same = t.Shape[i] == p.Shape[i];
        if (!same)
            throw new CheckpointException($"{name}: shape {t.ShapeText} in the file, {TensorEntry.Format(p.Shape)} in the model");
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
