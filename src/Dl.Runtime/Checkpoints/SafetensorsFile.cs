using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Dl.Checkpoints;

/// <summary>
/// An open safetensors file whose header has been parsed and whose layout has been checked against the
/// file's length: every tensor is F32 (or I64, which is never read into floats), its byte range matches its shape, and the ranges tile the data
/// buffer exactly (no overlap, no gap, nothing after the last one), and, when the header carries a checksum,
/// that the header is the one it was written as. Nothing is read into floats until <see cref="ReadInto"/>
/// (which checks each tensor's own checksum), so a caller can finish validating before touching anything.
/// </summary>
internal sealed class SafetensorsFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;
    // The checksum each tensor's bytes must have; empty for a file without one (another writer's).
    private readonly Dictionary<TensorEntry, uint> _checksums;

    private SafetensorsFile(SafeFileHandle handle, string path, long dataStart, List<TensorEntry> tensors, Dictionary<string, string> metadata,
        Dictionary<TensorEntry, uint> checksums)
    {
        _handle = handle;
        Path = path;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
        _checksums = checksums;
    }

    public string Path { get; }
    /// <summary>Tensors in header order.</summary>
    public List<TensorEntry> Tensors { get; }
    public Dictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates <paramref name="path"/>; throws <see cref="CheckpointException"/> on any inconsistency.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {System.IO.Path.GetFullPath(path)}", path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var (tensors, metadata, dataStart) = ReadLayout(handle);
            var checksums = CheckHeaderIntegrity(tensors, metadata);
            return new SafetensorsFile(handle, path, dataStart, tensors, metadata, checksums);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static (List<TensorEntry>, Dictionary<string, string>, long) ReadLayout(SafeFileHandle handle)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
            throw new CheckpointException($"truncated: file has {fileLength} bytes, fewer than the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(handle, prefix, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8))
            throw new CheckpointException($"truncated: header says {headerLength} bytes, file has {fileLength}");
        if (headerLength > CheckpointLimits.MaxHeaderBytes)
            throw new CheckpointException($"header length {headerLength} bytes is beyond the {CheckpointLimits.MaxHeaderBytes}-byte limit");
        if (headerLength < 2)
            throw new CheckpointException($"header length {headerLength} bytes cannot hold a JSON object");

        var header = new byte[(int)headerLength];
        ReadExactly(handle, header, 8);
        var (tensors, metadata) = HeaderReader.Parse(header);

        long dataStart = 8 + (long)headerLength;
        CheckLayout(tensors, (ulong)(fileLength - dataStart));
        return (tensors, metadata, dataStart);
    }

    /// <summary>The safetensors rules for the data buffer: F32 (and I64) only, sizes match shapes, ranges tile the buffer.</summary>
    private static void CheckLayout(List<TensorEntry> tensors, ulong dataLength)
    {
        foreach (var t in tensors)
        {
            // I64 is read past, not into floats: PyTorch's BatchNorm counters (num_batches_tracked) are I64 scalars.
            ulong size = t.Dtype == "F32" ? 4UL : t.Dtype == "I64" ? 8UL
                : throw new CheckpointException($"{t.Name}: dtype {t.Dtype}, only F32 is supported");
            if (t.Begin > t.End)
                throw new CheckpointException($"{t.Name}: data_offsets [{t.Begin},{t.End}] end before they begin");
            if (t.End > dataLength)
                throw new CheckpointException($"{t.Name}: data_offsets [{t.Begin},{t.End}] run past the {dataLength}-byte data buffer");
            // The byte count is bounded by the buffer, so the element count must be too; stop early
            // instead of multiplying dimensions into an overflow.
            ulong elements = 1, limit = Math.Min(dataLength / size, (ulong)CheckpointLimits.MaxTensorElements);
            foreach (long d in t.Shape)
            {
                if (d == 0) { elements = 0; break; }
                elements *= (ulong)d;
                if (elements > limit) break;
            }
            if (elements > (ulong)CheckpointLimits.MaxTensorElements)
                throw new CheckpointException($"{t.Name}: shape {t.ShapeText} has more than the {CheckpointLimits.MaxTensorElements} elements a tensor may hold");
            if (elements > limit || elements * size != t.End - t.Begin)
                throw new CheckpointException($"{t.Name}: shape {t.ShapeText} of {t.Dtype} does not fit data_offsets [{t.Begin},{t.End}] ({t.End - t.Begin} bytes)");
        }

        var sorted = new List<TensorEntry>(tensors);
        sorted.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        ulong expected = 0;
        TensorEntry? previous = null;
        foreach (var t in sorted)
        {
            if (t.Begin < expected)
                throw new CheckpointException($"{t.Name}: data_offsets [{t.Begin},{t.End}] overlap {previous!.Name} [{previous.Begin},{previous.End}]");
            if (t.Begin > expected)
                throw new CheckpointException($"{t.Name}: data_offsets begin at {t.Begin}, leaving a gap of {t.Begin - expected} bytes after {(previous == null ? "the header" : previous.Name)}");
            expected = t.End;
            previous = t;
        }
        if (expected != dataLength)
            throw new CheckpointException($"data buffer has {dataLength} bytes but the tensors cover {expected}: {dataLength - expected} stray bytes at the end");
    }

    /// <summary>
    /// Reads tensor <paramref name="t"/> (validated by <see cref="Open"/>) into <paramref name="destination"/>,
    /// checking its checksum when the file has one, and refusing NaN and infinite values unless
    /// <paramref name="allowNonFinite"/>. On a refusal <paramref name="destination"/> may hold part of the tensor.
    /// </summary>
    public void ReadInto(TensorEntry t, Span<float> destination, bool allowNonFinite)
    {
        if (t.Dtype != "F32")
            throw new ArgumentException($"{t.Name}: dtype {t.Dtype}, only F32 tensors are read into floats");
        if ((ulong)destination.Length * 4 != t.End - t.Begin)
            throw new ArgumentException($"{t.Name}: destination holds {destination.Length} floats, the tensor {(t.End - t.Begin) / 4}");
        var bytes = MemoryMarshal.AsBytes(destination);
        ReadExactly(_handle, bytes, _dataStart + (long)t.Begin);
        if (_checksums.TryGetValue(t, out uint expected))
        {
            uint actual = Crc32C.Of(bytes);
            if (actual != expected)
                throw new CheckpointException(
                    $"{t.Name}: its bytes have checksum {ChecksumRecord.Hex(actual)}, the file records {ChecksumRecord.Hex(expected)}: the tensor's data is corrupt");
        }
        // safetensors data is little-endian; swap in place on the rare big-endian host.
        if (!BitConverter.IsLittleEndian)
        {
            var raw = MemoryMarshal.Cast<float, int>(destination);
            for (int i = 0; i < raw.Length; i++) raw[i] = BinaryPrimitives.ReverseEndianness(raw[i]);
        }
        if (!allowNonFinite) NonFinite.ThrowIfAny(t.Name, destination, "in the file");
    }

    /// <summary>
    /// Checks the format version and, when the header records a checksum, that the header's meaning is the one
    /// written; returns each tensor's expected checksum (none for a file of another writer, which has no checksum).
    /// </summary>
    private static Dictionary<TensorEntry, uint> CheckHeaderIntegrity(List<TensorEntry> tensors, Dictionary<string, string> metadata)
    {
        var checksums = new Dictionary<TensorEntry, uint>();
        bool requiresChecksum = false;
        if (metadata.TryGetValue(Checkpoint.FormatKey, out string? format))
        {
            if (format == Checkpoint.FormatValue) requiresChecksum = true;
            else if (format != Checkpoint.FormatValueWithoutChecksum)
                throw new CheckpointException(
                    $"__metadata__ {Checkpoint.FormatKey} is '{format}', this reader knows '{Checkpoint.FormatValueWithoutChecksum}' and '{Checkpoint.FormatValue}'");
        }
        if (!metadata.TryGetValue(Checkpoint.ChecksumKey, out string? record))
        {
            if (requiresChecksum)
                throw new CheckpointException($"__metadata__ has no {Checkpoint.ChecksumKey}, which every {Checkpoint.FormatValue} file carries: the header is corrupt");
            return checksums;
        }
        var inDataOrder = TensorEntry.InDataOrder(tensors);
        var (header, perTensor) = ChecksumRecord.Parse(record, inDataOrder.Count);
        uint actual = ChecksumRecord.HeaderDigest(metadata, inDataOrder);
        if (actual != header)
            throw new CheckpointException(
                $"the header has checksum {ChecksumRecord.Hex(actual)}, {Checkpoint.ChecksumKey} records {ChecksumRecord.Hex(header)}: a tensor's name, shape or offsets, or the metadata, were changed");
        for (int i = 0; i < inDataOrder.Count; i++) checksums.Add(inDataOrder[i], perTensor[i]);
        return checksums;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            // The length was checked up front, so a short read means the file shrank under us.
            if (n <= 0) throw new CheckpointException($"truncated: the file ended at byte {offset} while reading");
            buffer = buffer.Slice(n);
            offset += n;
        }
    }

    public void Dispose() => _handle.Dispose();
}
