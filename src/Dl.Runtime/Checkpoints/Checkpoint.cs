using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace Dl.Checkpoints;

/// <summary>
/// Saves and loads a model's parameters (and optionally its optimizer's state) as a
/// <a href="https://github.com/huggingface/safetensors">safetensors</a> file: an 8-byte little-endian
/// header length, a JSON header naming each tensor's dtype, shape and byte range, then the raw
/// little-endian F32 data. Parameters are named by their path ("hidden.weight"), optimizer slots
/// "optimizer/&lt;slot&gt;/&lt;path&gt;", and the step count travels in <c>__metadata__</c>.
/// </summary>
public static partial class Checkpoint
{
    /// <summary>The <c>__metadata__</c> key and value that mark a file written by this class.</summary>
    public const string FormatKey = "dl.format", FormatValue = "dlcompiler-checkpoint-v1";

    /// <summary>The <c>__metadata__</c> key holding the training step, as a decimal integer.</summary>
    public const string StepKey = "dl.step";

    /// <summary>The prefix of optimizer-state tensor names: "optimizer/m/hidden.weight".</summary>
    public const string OptimizerPrefix = "optimizer/";

    /// <summary>
    /// Writes <paramref name="model"/>'s parameters to <paramref name="path"/>, atomically: the file is
    /// written beside <paramref name="path"/>, forced to disk, then renamed over it, so a crash at any
    /// point leaves the previous file whole.
    /// </summary>
    /// <param name="path">The checkpoint file to write or replace.</param>
    /// <param name="model">The model whose parameters are saved.</param>
    /// <param name="optimizerState">Slot name to values laid out like <see cref="ICompiledModel.Parameters"/> (see <c>Optimizer.State</c>).</param>
    /// <param name="step">The training step to record.</param>
    /// <param name="metadata">Extra string pairs to record; the <c>dl.</c> keys are reserved.</param>
    public static void Save(string path, ICompiledModel model, IReadOnlyDictionary<string, float[]>? optimizerState = null,
        long step = 0, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var layout = CheckedLayout(model);
        int total = model.Parameters.Length;

        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = FormatValue,
            [StepKey] = step.ToString(CultureInfo.InvariantCulture),
        };
        if (metadata != null)
            foreach (var kv in metadata)
            {
                if (kv.Key.StartsWith("dl.", StringComparison.Ordinal))
                    throw new ArgumentException($"metadata key '{kv.Key}' is reserved for the checkpoint format", nameof(metadata));
                meta[kv.Key] = kv.Value;
            }

        // Tensors in write order: parameters, then each optimizer slot (sorted, so output is deterministic).
        var slots = new List<(string Slot, float[] Values)>();
        if (optimizerState != null)
        {
            foreach (var kv in optimizerState)
            {
                if (kv.Key.Length == 0 || kv.Key.Contains('/'))
                    throw new ArgumentException($"optimizer slot name '{kv.Key}' must be non-empty and contain no '/'", nameof(optimizerState));
                if (kv.Value.Length != total)
                    throw new ArgumentException($"optimizer slot '{kv.Key}' holds {kv.Value.Length} values, the model has {total} parameters", nameof(optimizerState));
                slots.Add((kv.Key, kv.Value));
            }
            slots.Sort((a, b) => string.CompareOrdinal(a.Slot, b.Slot));
        }
        var entries = new List<(string Name, int[] Shape)>();
        foreach (var p in layout) entries.Add((p.Name, p.Shape));
        foreach (var (slot, _) in slots)
            foreach (var p in layout) entries.Add((OptimizerPrefix + slot + "/" + p.Name, p.Shape));
        byte[] header = HeaderWriter.Build(entries, meta);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            foreach (var p in layout) WriteFloats(stream, model.Parameters.Slice(p.Offset, p.Length));
            foreach (var (_, values) in slots)
                foreach (var p in layout) WriteFloats(stream, values.AsSpan(p.Offset, p.Length));
        });
    }

    /// <summary>
    /// Loads a checkpoint written by <see cref="Save(string, ICompiledModel, IReadOnlyDictionary{string, float[]}, long, IReadOnlyDictionary{string, string})"/> (or any safetensors file of F32 tensors named like the
    /// model's parameters) into <paramref name="model"/>. The whole file is checked first; on any problem a
    /// <see cref="CheckpointException"/> says what, and the model is left exactly as it was.
    /// </summary>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="CheckpointException">The file is malformed or does not match the model.</exception>
    public static CheckpointState Load(string path, ICompiledModel model) => LoadCore(path, model, requiredSlots: null);

    /// <summary>
    /// Reads every tensor of a safetensors file of F32 tensors, with the same validation as <see cref="Load(string, ICompiledModel)"/>
    /// short of matching a model. Meant for tools that inspect or convert checkpoints.
    /// </summary>
    public static IReadOnlyDictionary<string, TensorData> ReadTensors(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = SafetensorsFile.Open(path);
        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var t in file.Tensors)
        {
            var values = new float[(t.End - t.Begin) / 4];
            file.ReadInto(t, values);
            result.Add(t.Name, new TensorData(t.IntShape(), values));
        }
        return result;
    }

    /// <summary>The raw <c>__metadata__</c> of a safetensors file, reserved keys included, after validating the file.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = SafetensorsFile.Open(path);
        return file.Metadata;
    }

    private static CheckpointState LoadCore(string path, ICompiledModel model, IReadOnlyCollection<string>? requiredSlots)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        var layout = CheckedLayout(model);
        using var file = SafetensorsFile.Open(path);
        var plan = CheckpointMatcher.Match(file, layout, requiredSlots);

        // Everything is validated: stage the values, then change the model in one copy at the end so a
        // read failure halfway (the file shrinking under us) still leaves the model untouched.
        var staged = model.Parameters.ToArray();
        foreach (var (tensor, parameter) in plan.Parameters)
            file.ReadInto(tensor, staged.AsSpan(parameter.Offset, parameter.Length));
        var state = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (slot, tensors) in plan.Slots)
        {
            var values = new float[staged.Length];
            foreach (var (tensor, parameter) in tensors)
                file.ReadInto(tensor, values.AsSpan(parameter.Offset, parameter.Length));
            state.Add(slot, values);
        }
        staged.CopyTo(model.Parameters);
        return new CheckpointState(plan.Step, plan.Metadata, state);
    }

    /// <summary>The model's layout, after checking it can be named and sliced unambiguously.</summary>
    private static IReadOnlyList<ParameterInfo> CheckedLayout(ICompiledModel model)
    {
        var layout = model.ParameterLayout;
        int total = model.Parameters.Length;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in layout)
        {
            if (!names.Add(p.Name)) throw new ArgumentException($"the model names two parameters '{p.Name}'", nameof(model));
            if (p.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) || p.Name == "__metadata__")
                throw new ArgumentException($"parameter name '{p.Name}' clashes with the checkpoint format", nameof(model));
            if (p.Offset < 0 || p.Length < 0 || p.Offset > total - p.Length)
                throw new ArgumentException($"parameter {p} lies outside the model's {total} parameters", nameof(model));
        }
        return layout;
    }

    private static void WriteFloats(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian) { stream.Write(MemoryMarshal.AsBytes(values)); return; }
        // safetensors is little-endian whatever the host: swap through a small buffer on big-endian hosts.
        Span<byte> buffer = stackalloc byte[4];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
            stream.Write(buffer);
        }
    }
}
