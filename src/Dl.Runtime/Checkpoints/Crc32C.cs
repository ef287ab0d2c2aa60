using System;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Dl.Checkpoints;

/// <summary>
/// CRC-32C (Castagnoli; iSCSI, ext4, the check value of "123456789" is 0xE3069283), the checksum a checkpoint
/// stores for its header and each tensor. <see cref="BitOperations.Crc32C(uint, ulong)"/> runs on the CPU's CRC
/// instruction where there is one: with the NaN check, it made a 100 MB checkpoint 30-50 ms slower to save
/// (about 110 to 145 ms) and to load (about 150 to 190 ms) on the 2-core development VM, file in the page cache.
/// </summary>
internal struct Crc32C
{
    private uint _state;

    public static Crc32C Start() => new() { _state = uint.MaxValue };

    public void Append(ReadOnlySpan<byte> bytes)
    {
        uint crc = _state;
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        // The CRC of a byte stream is defined on little-endian words; swap on the rare big-endian host.
        foreach (ulong w in words) crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? w : BinaryPrimitives.ReverseEndianness(w));
        foreach (byte b in bytes.Slice(words.Length * 8)) crc = BitOperations.Crc32C(crc, b);
        _state = crc;
    }

    public readonly uint Value => ~_state;

    public static uint Of(ReadOnlySpan<byte> bytes)
    {
        var crc = Start();
        crc.Append(bytes);
        return crc.Value;
    }
}
