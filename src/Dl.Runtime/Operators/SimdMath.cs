using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dl.Operators;

/// <summary>
/// e^x and ln x in float, written once as a sequence of steps and spelled out for float, Vector128,
/// Vector256 and Vector512 with the same operations in the same order (separate multiplies and adds,
/// never a fused multiply-add, so no width rounds differently). The BCL's MathF.Exp (the C runtime's)
/// and Vector512.Exp (computed in double) differ in the last bits, so one tensor's elements would
/// depend on whether a vector body or a scalar tail computed them; these do not.
/// Exp: x clamped to [-104, 89]; n = round(x·log2 e) (by the 1.5·2^23 trick); r = x - n·ln2 in two
/// parts (Cody-Waite); e^r by its Taylor polynomial to degree 7 (|r| ≤ ln2/2: error below 1e-8);
/// times 2^n as two powers of two, so results down to the subnormals and up to overflow are exact
/// scalings. Log: x = 2^k·m with m in [√½, √2); ln m = f - f²/2 + s·(f²/2 + R(s²)), f = m - 1,
/// s = f/(2 + f), R the series 2s²/3 + 2s⁴/5 + 2s⁶/7 + 2s⁸/9; plus k·ln2 in two parts.
/// Both are within a few units in the last place of the exact value (tests compare with double).
/// </summary>
public static class SimdMath
{
    private const float ExpMax = 89f, ExpMin = -104f;
    private const float Log2E = 1.44269504f;
    /// <summary>1.5·2^23: adding it rounds a float below 2^22 to an integer, held in the low mantissa bits.</summary>
    private const float RoundMagic = 12582912f;
    private const int RoundMagicBits = 0x4B400000;
    // ln2 = ExpLn2Hi + ExpLn2Lo, the high part short enough that n·ExpLn2Hi is exact.
    private const float ExpLn2Hi = 0.693359375f, ExpLn2Lo = -2.12194440e-4f;
    private const float E7 = 1f / 5040f, E6 = 1f / 720f, E5 = 1f / 120f, E4 = 1f / 24f, E3 = 1f / 6f;

    private const float MinNormal = 1.17549435e-38f, TwoTo23 = 8388608f;
    /// <summary>The bits of √½: subtracting them puts the mantissa of m in [√½, √2).</summary>
    private const int SqrtHalfBits = 0x3F3504F3, MantissaMask = 0x007FFFFF;
    private const float LogLn2Hi = 0.693145752f, LogLn2Lo = 1.42860677e-6f;
    private const float L1 = 2f / 3f, L2 = 2f / 5f, L3 = 2f / 7f, L4 = 2f / 9f;

    /// <summary>e^x: +∞ above ~88.72, 0 below ~-103.3, NaN for NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        x = x > ExpMax ? ExpMax : x;
        x = x < ExpMin ? ExpMin : x;
        float t = x * Log2E + RoundMagic;
        float n = t - RoundMagic;
        int ni = BitConverter.SingleToInt32Bits(t) - RoundMagicBits;
        float r = x - n * ExpLn2Hi;
        r = r - n * ExpLn2Lo;
        float p = E7;
        p = p * r + E6;
        p = p * r + E5;
        p = p * r + E4;
        p = p * r + E3;
        p = p * r + 0.5f;
        p = p * r + 1f;
        p = p * r + 1f;
        int e1 = ni >> 1;
        int e2 = ni - e1;
        float s1 = BitConverter.Int32BitsToSingle((e1 + 127) << 23);
        float s2 = BitConverter.Int32BitsToSingle((e2 + 127) << 23);
        return p * s1 * s2;
    }

    /// <summary>ln x: -∞ at ±0, NaN below 0 and for NaN, +∞ at +∞; subnormal x are exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log(float x)
    {
        bool subnormal = x < MinNormal;
        float xs = subnormal ? x * TwoTo23 : x;
        int k0 = subnormal ? -23 : 0;
        int ix = BitConverter.SingleToInt32Bits(xs) - SqrtHalfBits;
        int k = (ix >> 23) + k0;
        float m = BitConverter.Int32BitsToSingle((ix & MantissaMask) + SqrtHalfBits);
        float f = m - 1f;
        float s = f / (2f + f);
        float z = s * s;
        float q = L4;
        q = q * z + L3;
        q = q * z + L2;
        q = q * z + L1;
        float big = q * z;
        float hfsq = 0.5f * f * f;
        float kf = k;
        float y = s * (hfsq + big) + kf * LogLn2Lo - hfsq + f + kf * LogLn2Hi;
        y = x == float.PositiveInfinity ? x : y;
        y = x == 0f ? float.NegativeInfinity : y;
        y = x < 0f ? float.NaN : y;
        return float.IsNaN(x) ? x : y;
    }

    /// <summary>e^x in each lane: the same steps as <see cref="Exp(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(ExpMax)), Vector512.Create(ExpMax), x);
        x = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(ExpMin)), Vector512.Create(ExpMin), x);
        var t = x * Vector512.Create(Log2E) + Vector512.Create(RoundMagic);
        var n = t - Vector512.Create(RoundMagic);
        var ni = t.AsInt32() - Vector512.Create(RoundMagicBits);
        var r = x - n * Vector512.Create(ExpLn2Hi);
        r = r - n * Vector512.Create(ExpLn2Lo);
        var p = Vector512.Create(E7);
        p = p * r + Vector512.Create(E6);
        p = p * r + Vector512.Create(E5);
        p = p * r + Vector512.Create(E4);
        p = p * r + Vector512.Create(E3);
        p = p * r + Vector512.Create(0.5f);
        p = p * r + Vector512<float>.One;
        p = p * r + Vector512<float>.One;
        var e1 = Vector512.ShiftRightArithmetic(ni, 1);
        var e2 = ni - e1;
        var s1 = Vector512.ShiftLeft(e1 + Vector512.Create(127), 23).AsSingle();
        var s2 = Vector512.ShiftLeft(e2 + Vector512.Create(127), 23).AsSingle();
        return p * s1 * s2;
    }

    /// <summary>The natural logarithm in each lane: the same steps as <see cref="Log(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log(Vector512<float> x)
    {
        var subnormal = Vector512.LessThan(x, Vector512.Create(MinNormal));
        var xs = Vector512.ConditionalSelect(subnormal, x * Vector512.Create(TwoTo23), x);
        var k0 = Vector512.ConditionalSelect(subnormal.AsInt32(), Vector512.Create(-23), Vector512<int>.Zero);
        var ix = xs.AsInt32() - Vector512.Create(SqrtHalfBits);
        var k = Vector512.ShiftRightArithmetic(ix, 23) + k0;
        var m = ((ix & Vector512.Create(MantissaMask)) + Vector512.Create(SqrtHalfBits)).AsSingle();
        var f = m - Vector512<float>.One;
        var s = f / (Vector512.Create(2f) + f);
        var z = s * s;
        var q = Vector512.Create(L4);
        q = q * z + Vector512.Create(L3);
        q = q * z + Vector512.Create(L2);
        q = q * z + Vector512.Create(L1);
        var big = q * z;
        var hfsq = Vector512.Create(0.5f) * f * f;
        var kf = Vector512.ConvertToSingle(k);
        var y = s * (hfsq + big) + kf * Vector512.Create(LogLn2Lo) - hfsq + f + kf * Vector512.Create(LogLn2Hi);
        y = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512.Create(float.PositiveInfinity)), x, y);
        y = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512<float>.Zero), Vector512.Create(float.NegativeInfinity), y);
        y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512.Create(float.NaN), y);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
    }

    /// <summary>e^x in each lane: the same steps as <see cref="Exp(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(ExpMax)), Vector256.Create(ExpMax), x);
        x = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(ExpMin)), Vector256.Create(ExpMin), x);
        var t = x * Vector256.Create(Log2E) + Vector256.Create(RoundMagic);
        var n = t - Vector256.Create(RoundMagic);
        var ni = t.AsInt32() - Vector256.Create(RoundMagicBits);
        var r = x - n * Vector256.Create(ExpLn2Hi);
        r = r - n * Vector256.Create(ExpLn2Lo);
        var p = Vector256.Create(E7);
        p = p * r + Vector256.Create(E6);
        p = p * r + Vector256.Create(E5);
        p = p * r + Vector256.Create(E4);
        p = p * r + Vector256.Create(E3);
        p = p * r + Vector256.Create(0.5f);
        p = p * r + Vector256<float>.One;
        p = p * r + Vector256<float>.One;
        var e1 = Vector256.ShiftRightArithmetic(ni, 1);
        var e2 = ni - e1;
        var s1 = Vector256.ShiftLeft(e1 + Vector256.Create(127), 23).AsSingle();
        var s2 = Vector256.ShiftLeft(e2 + Vector256.Create(127), 23).AsSingle();
        return p * s1 * s2;
    }

    /// <summary>The natural logarithm in each lane: the same steps as <see cref="Log(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x)
    {
        var subnormal = Vector256.LessThan(x, Vector256.Create(MinNormal));
        var xs = Vector256.ConditionalSelect(subnormal, x * Vector256.Create(TwoTo23), x);
        var k0 = Vector256.ConditionalSelect(subnormal.AsInt32(), Vector256.Create(-23), Vector256<int>.Zero);
        var ix = xs.AsInt32() - Vector256.Create(SqrtHalfBits);
        var k = Vector256.ShiftRightArithmetic(ix, 23) + k0;
        var m = ((ix & Vector256.Create(MantissaMask)) + Vector256.Create(SqrtHalfBits)).AsSingle();
        var f = m - Vector256<float>.One;
        var s = f / (Vector256.Create(2f) + f);
        var z = s * s;
        var q = Vector256.Create(L4);
        q = q * z + Vector256.Create(L3);
        q = q * z + Vector256.Create(L2);
        q = q * z + Vector256.Create(L1);
        var big = q * z;
        var hfsq = Vector256.Create(0.5f) * f * f;
        var kf = Vector256.ConvertToSingle(k);
        var y = s * (hfsq + big) + kf * Vector256.Create(LogLn2Lo) - hfsq + f + kf * Vector256.Create(LogLn2Hi);
        y = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(float.PositiveInfinity)), x, y);
        y = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256<float>.Zero), Vector256.Create(float.NegativeInfinity), y);
        y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256.Create(float.NaN), y);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }

    /// <summary>e^x in each lane: the same steps as <see cref="Exp(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        x = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(ExpMax)), Vector128.Create(ExpMax), x);
        x = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(ExpMin)), Vector128.Create(ExpMin), x);
        var t = x * Vector128.Create(Log2E) + Vector128.Create(RoundMagic);
        var n = t - Vector128.Create(RoundMagic);
        var ni = t.AsInt32() - Vector128.Create(RoundMagicBits);
        var r = x - n * Vector128.Create(ExpLn2Hi);
        r = r - n * Vector128.Create(ExpLn2Lo);
        var p = Vector128.Create(E7);
        p = p * r + Vector128.Create(E6);
        p = p * r + Vector128.Create(E5);
        p = p * r + Vector128.Create(E4);
        p = p * r + Vector128.Create(E3);
        p = p * r + Vector128.Create(0.5f);
        p = p * r + Vector128<float>.One;
        p = p * r + Vector128<float>.One;
        var e1 = Vector128.ShiftRightArithmetic(ni, 1);
        var e2 = ni - e1;
        var s1 = Vector128.ShiftLeft(e1 + Vector128.Create(127), 23).AsSingle();
        var s2 = Vector128.ShiftLeft(e2 + Vector128.Create(127), 23).AsSingle();
        return p * s1 * s2;
    }

    /// <summary>The natural logarithm in each lane: the same steps as <see cref="Log(float)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Log(Vector128<float> x)
    {
        var subnormal = Vector128.LessThan(x, Vector128.Create(MinNormal));
        var xs = Vector128.ConditionalSelect(subnormal, x * Vector128.Create(TwoTo23), x);
        var k0 = Vector128.ConditionalSelect(subnormal.AsInt32(), Vector128.Create(-23), Vector128<int>.Zero);
        var ix = xs.AsInt32() - Vector128.Create(SqrtHalfBits);
        var k = Vector128.ShiftRightArithmetic(ix, 23) + k0;
        var m = ((ix & Vector128.Create(MantissaMask)) + Vector128.Create(SqrtHalfBits)).AsSingle();
        var f = m - Vector128<float>.One;
        var s = f / (Vector128.Create(2f) + f);
        var z = s * s;
        var q = Vector128.Create(L4);
        q = q * z + Vector128.Create(L3);
        q = q * z + Vector128.Create(L2);
        q = q * z + Vector128.Create(L1);
        var big = q * z;
        var hfsq = Vector128.Create(0.5f) * f * f;
        var kf = Vector128.ConvertToSingle(k);
        var y = s * (hfsq + big) + kf * Vector128.Create(LogLn2Lo) - hfsq + f + kf * Vector128.Create(LogLn2Hi);
        y = Vector128.ConditionalSelect(Vector128.Equals(x, Vector128.Create(float.PositiveInfinity)), x, y);
        y = Vector128.ConditionalSelect(Vector128.Equals(x, Vector128<float>.Zero), Vector128.Create(float.NegativeInfinity), y);
        y = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), Vector128.Create(float.NaN), y);
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), y, x);
    }
}
