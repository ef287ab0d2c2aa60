using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Runtime.Tests.Fuzz;

/// <summary>
/// Seeded byte-level mutations of a valid file: bit flips, byte and big-endian word overwrites with values that
/// break size arithmetic, cuts, deletions, insertions, duplications, swaps. Each case draws from its own
/// generator (seed, case), so a failing case can be rerun alone; <see cref="Log"/> says what was done.
/// </summary>
internal sealed class Mutator
{
    /// <summary>Values that have broken readers: signs, int limits, powers of two, the IDX magics, a billion.</summary>
    public static readonly int[] InterestingInts =
    {
        0, 1, -1, 2, 255, 256, 28, 784, 0x7F, 0x80, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 16385, 46341, 65536,
        1_000_000_000, 0x0801, 0x0803, 0x0802, 0x0808, int.MaxValue, int.MinValue, int.MaxValue - 15, 0x4000_0000, 0x1000_0000,
    };

    private readonly SeededRandom _random;
    private readonly List<string> _log = new();

    public Mutator(int seed, int testCase) => _random = new SeededRandom(unchecked(seed * 1_000_003 + testCase));

    /// <summary>What the mutations did, in order.</summary>
    public string Log => string.Join("; ", _log);

    public int Next(int maxExclusive) => _random.NextInt(maxExclusive);

    /// <summary>One to three mutations of <paramref name="input"/>; <paramref name="headerBytes"/> bytes at the start get extra attention.</summary>
    public byte[] Mutate(byte[] input, int headerBytes)
    {
        var bytes = input.ToList();
        int count = 1 + Next(3);
        for (int i = 0; i < count; i++) MutateOnce(bytes, headerBytes);
        return bytes.ToArray();
    }

    private void MutateOnce(List<byte> b, int headerBytes)
    {
        int At(int extra = 0) => Next(b.Count + extra);
        switch (b.Count == 0 ? 7 : Next(11))
        {
            case 0:
            {
                int at = At(), bit = Next(8);
                b[at] ^= (byte)(1 << bit);
                _log.Add($"flip bit {bit} of byte {at}");
                break;
            }
            case 1:
            {
                int at = Next(4) == 0 ? At() : Next(Math.Min(b.Count, headerBytes + 4));
                byte value = (byte)(Next(2) == 0 ? Next(256) : new byte[] { 0, 0xFF, 0x7F, 0x80, 0x01 }[Next(5)]);
                b[at] = value;
                _log.Add($"byte {at} = 0x{value:X2}");
                break;
            }
            case 2:
            case 3:
            {
                // A big-endian word, mostly on a header field: the sizes a reader multiplies and allocates by.
                int at = Next(3) > 0 ? 4 * Next(Math.Max(1, headerBytes / 4)) : At();
                int value = Next(4) == 0 ? (int)_random.NextUInt() : InterestingInts[Next(InterestingInts.Length)];
                for (int k = 0; k < 4 && at + k < b.Count; k++) b[at + k] = (byte)(value >> (24 - 8 * k));
                _log.Add($"word at {at} = {value}");
                break;
            }
            case 4:
            {
                int length = Next(4) == 0 ? Next(Math.Min(b.Count, headerBytes + 8) + 1) : At(1);
                b.RemoveRange(length, b.Count - length);
                _log.Add($"cut to {length} bytes");
                break;
            }
            case 5:
            {
                int at = At(), length = Math.Min(b.Count - at, 1 + Next(64));
                b.RemoveRange(at, length);
                _log.Add($"delete {length} bytes at {at}");
                break;
            }
            case 6:
            {
                int at = At(1), length = 1 + Next(64);
                b.InsertRange(at, Enumerable.Range(0, length).Select(_ => (byte)Next(256)).ToArray());
                _log.Add($"insert {length} random bytes at {at}");
                break;
            }
            case 7:
            {
                int length = 1 + Next(256);
                b.AddRange(Enumerable.Range(0, length).Select(_ => (byte)Next(256)).ToArray());
                _log.Add($"append {length} random bytes");
                break;
            }
            case 8:
            {
                int at = At(), length = Math.Min(b.Count - at, 1 + Next(512));
                b.InsertRange(at, b.GetRange(at, length));
                _log.Add($"duplicate {length} bytes at {at}");
                break;
            }
            case 9:
            {
                // Several header fields at once: sizes that only overflow together (count x rows x cols).
                for (int at = 4; at + 4 <= Math.Min(b.Count, headerBytes); at += 4)
                {
                    if (Next(3) == 0) continue;
                    int value = InterestingInts[Next(InterestingInts.Length)];
                    for (int k = 0; k < 4; k++) b[at + k] = (byte)(value >> (24 - 8 * k));
                    _log.Add($"header word at {at} = {value}");
                }
                break;
            }
            default:
            {
                int i = At(), j = At();
                (b[i], b[j]) = (b[j], b[i]);
                _log.Add($"swap bytes {i} and {j}");
                break;
            }
        }
    }
}
