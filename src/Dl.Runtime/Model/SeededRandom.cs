using System;

namespace Dl;

/// <summary>
/// A small, fast, seeded generator (xoshiro128**, seeded through SplitMix64) whose sequence is
/// fixed by this code alone, so a seed gives the same model on every .NET version and machine.
/// </summary>
public sealed class SeededRandom
{
    private uint _s0, _s1, _s2, _s3;

    /// <summary>A generator whose whole sequence is fixed by <paramref name="seed"/>.</summary>
    /// <param name="seed">Any int; different seeds give unrelated sequences.</param>
    public SeededRandom(int seed)
    {
        ulong z = (ulong)(uint)seed + 0x9E3779B97F4A7C15UL;
        ulong Next() { z += 0x9E3779B97F4A7C15UL; ulong x = z; x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL; x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL; return x ^ (x >> 31); }
        ulong a = Next(), b = Next();
        _s0 = (uint)a; _s1 = (uint)(a >> 32); _s2 = (uint)b; _s3 = (uint)(b >> 32);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    /// <summary>The next 32 uniformly random bits.</summary>
    public uint NextUInt()
    {
        uint result = RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt() >> 8) * (1.0 / (1 << 24)) + (NextUInt() >> 8) * (1.0 / (1L << 48));

    /// <summary>Uniform integer in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        return (int)((ulong)NextUInt() * (ulong)maxExclusive >> 32);
    }

    /// <summary>Standard normal (Box-Muller).</summary>
    public double NextNormal()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static uint RotateLeft(uint x, int k) => (x << k) | (x >> (32 - k));
}
