using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace Dl.Checkpoints;

// Writing: everything Load would check is checked here first, before the temporary file exists, so a refused
// save leaves the previous checkpoint exactly as it was.
public static partial class Checkpoint
{
    /// <summary>One tensor to write: its header entry and where its values live (the model's parameters or a slot array).</summary>
    private readonly record struct Outgoing(TensorEntry Entry, float[]? Slot, int Offset, int Length, bool IsState = false)
    {
        public ReadOnlySpan<float> Values(ICompiledModel model) =>
            IsState ? ((IStatefulModel)model).State.Slice(Offset, Length)
            : Slot is null ? model.Parameters.Slice(Offset, Length) : Slot.AsSpan(Offset, Length);
    }

    private static void SaveCore(string path, ICompiledModel model, IReadOnlyDictionary<string, float[]>? optimizerState, long step,
        IReadOnlyDictionary<string, string>? metadata, IReadOnlyDictionary<string, string>? reserved, bool allowNonFinite)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var layout = CheckedLayout(model);
        var stateLayout = CheckedStateLayout(model, layout);
        int total = model.Parameters.Length;

        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = FormatValue,
            [LayoutKey] = LayoutValue,
            [StepKey] = step.ToString(CultureInfo.InvariantCulture),
        };
        if (reserved != null)
            foreach (var kv in reserved) meta[kv.Key] = kv.Value;
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
        var outgoing = new List<Outgoing>();
        ulong offset = 0;
        void Add(string name, ParameterInfo p, float[]? slot, bool isState = false)
        {
            if (p.Shape.Length > CheckpointLimits.MaxRank)
                throw new CheckpointException($"{path}: not saved: {name} has {p.Shape.Length} dimensions, more than the {CheckpointLimits.MaxRank} Load accepts");
            ulong bytes = 4UL * (ulong)p.Length;
            var shape = Array.ConvertAll(p.Shape, d => (long)d);
            outgoing.Add(new Outgoing(new TensorEntry(name, "F32", shape, offset, offset + bytes), slot, p.Offset, p.Length, isState));
            offset += bytes;
        }
        foreach (var p in layout) Add(p.Name, p, null);
        // Batch norm's running averages travel with the parameters, under their own names, as in a PyTorch state dict.
        foreach (var p in stateLayout) Add(p.Name, p, null, isState: true);
        foreach (var (slot, values) in slots)
            foreach (var p in layout) Add(OptimizerPrefix + slot + "/" + p.Name, p, values);
        var entries = outgoing.ConvertAll(o => o.Entry);
        HeaderWriter.CheckStrings(path, entries, meta);

        // What Load checks in the data: no NaN or infinity unless asked, and one checksum per tensor.
        var checksums = new uint[outgoing.Count];
        for (int i = 0; i < outgoing.Count; i++)
        {
            var values = outgoing[i].Values(model);
            if (!allowNonFinite)
            {
                try { NonFinite.ThrowIfAny(outgoing[i].Entry.Name, values, "to save"); }
                catch (CheckpointException e) { throw new CheckpointException($"{path}: not saved: {e.Message}"); }
            }
            checksums[i] = ChecksumOf(values);
        }
        // Written in data order already, so the checksums line up with TensorEntry.InDataOrder.
        meta[ChecksumKey] = ChecksumRecord.Format(ChecksumRecord.HeaderDigest(meta, TensorEntry.InDataOrder(entries)), ReorderToDataOrder(entries, checksums));
        byte[] header = HeaderWriter.Build(path, entries, meta);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            foreach (var o in outgoing) WriteFloats(stream, o.Values(model));
        });
    }

    /// <summary>
    /// The checksums in <see cref="TensorEntry.InDataOrder"/>: the write order except among empty tensors sharing an
    /// offset, which that order sorts by name (their checksums are all that of no bytes, but keep the rule exact).
    /// </summary>
    private static uint[] ReorderToDataOrder(List<TensorEntry> entries, uint[] checksums)
    {
        var index = new Dictionary<TensorEntry, int>();
        for (int i = 0; i < entries.Count; i++) index.Add(entries[i], i);
        var ordered = TensorEntry.InDataOrder(entries);
        var result = new uint[ordered.Count];
        for (int i = 0; i < ordered.Count; i++) result[i] = checksums[index[ordered[i]]];
        return result;
    }

    /// <summary>CRC-32C of the values as the file stores them: little-endian bytes.</summary>
    private static uint ChecksumOf(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian) return Crc32C.Of(MemoryMarshal.AsBytes(values));
        var crc = Crc32C.Start();
        Span<byte> buffer = stackalloc byte[4];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
            crc.Append(buffer);
        }
        return crc.Value;
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
