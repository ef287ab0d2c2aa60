using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Checkpoints;

// Importing a PyTorch state dict saved with safetensors.torch.save_file: explicit conversions, named by a PyTorchMap.
public static partial class Checkpoint
{
    /// <summary>
    /// Loads the tensors of a PyTorch state dict (a safetensors file written by <c>safetensors.torch.save_file(model.state_dict(), path)</c>)
    /// into <paramref name="model"/> as <paramref name="map"/> says, converting each layout the map names (Linear weights are
    /// transposed from [out,in] to [in,out]). Every tensor the map names must be in the file with the shape its target needs;
    /// anything else, on either side, is listed in the report (<see cref="LoadReport.Missing"/> keep their values). The file is
    /// validated as by <see cref="Load(string, ICompiledModel, bool)"/>; on any problem nothing changes.
    /// </summary>
    /// <exception cref="CheckpointException">The file is malformed, or does not hold what the map says; the message names the tensor.</exception>
    public static LoadReport ImportPyTorch(string path, ICompiledModel model, PyTorchMap map, bool allowNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(map);
        var layout = CheckedLayout(model);
        var stateful = model as IStatefulModel;
        var targets = new Dictionary<string, (ParameterInfo Info, bool IsState)>(StringComparer.Ordinal);
        foreach (var p in layout) targets.Add(p.Name, (p, false));
        foreach (var p in stateful?.StateLayout ?? Array.Empty<ParameterInfo>()) targets.TryAdd(p.Name, (p, true));

        using var file = SafetensorsFile.Open(path);
        var byName = file.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var filled = new Dictionary<string, string>(StringComparer.Ordinal);   // model name -> torch name
        var staged = model.Parameters.ToArray();
        var stagedState = stateful?.State.ToArray() ?? Array.Empty<float>();
        var loaded = new List<string>();

        foreach (var entry in map.Entries)
        {
            byName.TryGetValue(entry.Torch, out var tensor);
            if (entry.Kind == PyTorchMap.Conversion.Skip)
            {
                if (tensor != null) used.Add(tensor.Name);
                continue;
            }
            bool hasTarget = targets.TryGetValue(entry.Model, out var target);
            if (tensor == null && !hasTarget && entry.Optional) continue;
            if (tensor == null)
                throw new CheckpointException($"{entry.Torch}: not in the file, which the map loads into {entry.Model}");
            if (!hasTarget)
                throw new CheckpointException($"{entry.Torch}: the map loads it into {entry.Model}, which the model has no parameter or state for");
            if (filled.TryGetValue(entry.Model, out string? other))
                throw new CheckpointException($"{entry.Torch}: the map loads both it and {other} into {entry.Model}");
            if (!used.Add(tensor.Name))
                throw new CheckpointException($"{entry.Torch}: the map loads it twice");
            var destination = (target.IsState ? stagedState : staged).AsSpan(target.Info.Offset, target.Info.Length);
            ReadConverted(file, tensor, entry, target.Info, destination, allowNonFinite);
            filled.Add(entry.Model, tensor.Name);
            loaded.Add(entry.Model);
        }

        var missing = layout.Select(p => p.Name).Concat(stateful?.StateLayout.Select(p => p.Name) ?? Enumerable.Empty<string>())
            .Where(name => !filled.ContainsKey(name)).ToList();
        var unexpected = file.Tensors.Where(t => !used.Contains(t.Name)).Select(t => t.Name).ToList();
        staged.CopyTo(model.Parameters);
        if (stateful != null) stagedState.CopyTo(stateful.State);
        var metadata = new Dictionary<string, string>(file.Metadata, StringComparer.Ordinal);
        var state = new CheckpointState(0, metadata, new Dictionary<string, float[]>(), null, null);
        return new LoadReport(state, loaded, missing, unexpected);
    }

    /// <summary>Reads <paramref name="tensor"/> into <paramref name="destination"/> (the target's values) with the entry's conversion, after checking its shape.</summary>
    private static void ReadConverted(SafetensorsFile file, TensorEntry tensor, PyTorchMap.Entry entry, ParameterInfo target, Span<float> destination, bool allowNonFinite)
    {
        if (tensor.Dtype != "F32")
            throw new CheckpointException($"{tensor.Name}: dtype {tensor.Dtype}, only F32 tensors load into {entry.Model}");
        bool transpose = entry.Kind == PyTorchMap.Conversion.Transpose;
        if (transpose && target.Shape.Length != 2)
            throw new CheckpointException($"{tensor.Name}: the map transposes it as a Linear weight, but {entry.Model} has shape {TensorEntry.Format(target.Shape)}, not a matrix");
        int[] expected = transpose ? new[] { target.Shape[1], target.Shape[0] } : target.Shape;
        if (!tensor.IntShape().AsSpan().SequenceEqual(expected))
            throw new CheckpointException(transpose
                ? $"{tensor.Name}: shape {tensor.ShapeText} in the file; {entry.Model} is {TensorEntry.Format(target.Shape)} [in,out], so the torch.nn.Linear weight must be [out,in] = {TensorEntry.Format(expected)}"
                : $"{tensor.Name}: shape {tensor.ShapeText} in the file, {TensorEntry.Format(target.Shape)} for {entry.Model} in the model");
        if (!transpose)
        {
            file.ReadInto(tensor, destination, allowNonFinite);
            return;
        }
        var stored = new float[target.Length];   // [out,in] as torch stores it
        file.ReadInto(tensor, stored, allowNonFinite);
        int inputs = target.Shape[0], outputs = target.Shape[1];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++)
                destination[i * outputs + o] = stored[o * inputs + i];
    }
}
