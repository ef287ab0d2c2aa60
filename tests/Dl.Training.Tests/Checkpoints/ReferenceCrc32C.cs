using System;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>CRC-32C one bit at a time, straight from its definition (reflected polynomial 0x82F63B78): the check on the fast one.</summary>
internal static class ReferenceCrc32C
{
    public static uint Of(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }
}
