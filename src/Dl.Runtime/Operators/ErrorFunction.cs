using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dl.Operators;

// The complementary error function and the two operators built on it: Φ and the exact GELU.

/// <summary>
/// erfc z = 1 - erf z in float, the same steps at every width: the Chebyshev fit of Numerical Recipes (erfcc,
/// Press et al., 2nd ed., §6.2; fractional error below 1.2e-7 for every z ≥ 0),
/// erfc |z| = t·e^(-z² + P(t)), t = 1/(1 + |z|/2), P of degree 9, and erfc z = 2 - erfc |z| for z &lt; 0. e^(-z²) is
/// taken as e^(-r²)·e^((r - |z|)(r + |z|)), r = |z| with its 12 low mantissa bits cleared, so r² is exact and the
/// exponent's rounding does not grow with z² (fdlibm's erfc does the same): relative error below 5e-7 wherever
/// the result is a normal float (|z| up to about 9.1; tested against Dl.Graph's double erfc). e^x by
/// <see cref="SimdMath.Exp(float)"/>. NaN gives NaN; |z| is clamped to 10.5, where erfc is 0 in float, so erfc(+∞) = 0 and erfc(-∞) = 2. (erf z is 1 - erfc z.)
/// </summary>
public readonly struct Erfc : IUnaryOperator
{
    private const float P9 = 0.17087277f, P8 = -0.82215223f, P7 = 1.48851587f, P6 = -1.13520398f, P5 = 0.27886807f,
        P4 = -0.18628806f, P3 = 0.09678418f, P2 = 0.37409196f, P1 = 1.00002368f, P0 = -1.26551223f;
    private const int HighBits = unchecked((int)0xFFFFF000);
    /// <summary>erfc is 0 in float from here on (below half the smallest subnormal); clamping keeps ∞ - ∞ out of the exponent.</summary>
    private const float Saturated = 10.5f;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float z)
    {
        float a = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(z) & int.MaxValue);
        a = a > Saturated ? Saturated : a;
        float t = 1f / (1f + 0.5f * a);
        float p = P9;
        p = p * t + P8;
        p = p * t + P7;
        p = p * t + P6;
        p = p * t + P5;
        p = p * t + P4;
        p = p * t + P3;
        p = p * t + P2;
        p = p * t + P1;
        p = p * t + P0;
        float r = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) & HighBits);
        float e = t * SimdMath.Exp(-(r * r)) * SimdMath.Exp((r - a) * (r + a) + p);
        return z < 0f ? 2f - e : e;
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> z)
    {
        var a = (z.AsInt32() & Vector128.Create(int.MaxValue)).AsSingle();
        a = Vector128.ConditionalSelect(Vector128.GreaterThan(a, Vector128.Create(Saturated)), Vector128.Create(Saturated), a);
        var t = Vector128<float>.One / (Vector128<float>.One + Vector128.Create(0.5f) * a);
        var p = Vector128.Create(P9);
        p = p * t + Vector128.Create(P8);
        p = p * t + Vector128.Create(P7);
        p = p * t + Vector128.Create(P6);
        p = p * t + Vector128.Create(P5);
        p = p * t + Vector128.Create(P4);
        p = p * t + Vector128.Create(P3);
        p = p * t + Vector128.Create(P2);
        p = p * t + Vector128.Create(P1);
        p = p * t + Vector128.Create(P0);
        var r = (a.AsInt32() & Vector128.Create(HighBits)).AsSingle();
        var e = t * SimdMath.Exp(-(r * r)) * SimdMath.Exp((r - a) * (r + a) + p);
        return Vector128.ConditionalSelect(Vector128.LessThan(z, Vector128<float>.Zero), Vector128.Create(2f) - e, e);
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> z)
    {
        var a = (z.AsInt32() & Vector256.Create(int.MaxValue)).AsSingle();
        a = Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256.Create(Saturated)), Vector256.Create(Saturated), a);
        var t = Vector256<float>.One / (Vector256<float>.One + Vector256.Create(0.5f) * a);
        var p = Vector256.Create(P9);
        p = p * t + Vector256.Create(P8);
        p = p * t + Vector256.Create(P7);
        p = p * t + Vector256.Create(P6);
        p = p * t + Vector256.Create(P5);
        p = p * t + Vector256.Create(P4);
        p = p * t + Vector256.Create(P3);
        p = p * t + Vector256.Create(P2);
        p = p * t + Vector256.Create(P1);
        p = p * t + Vector256.Create(P0);
        var r = (a.AsInt32() & Vector256.Create(HighBits)).AsSingle();
        var e = t * SimdMath.Exp(-(r * r)) * SimdMath.Exp((r - a) * (r + a) + p);
        return Vector256.ConditionalSelect(Vector256.LessThan(z, Vector256<float>.Zero), Vector256.Create(2f) - e, e);
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> z)
    {
        var a = (z.AsInt32() & Vector512.Create(int.MaxValue)).AsSingle();
        a = Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512.Create(Saturated)), Vector512.Create(Saturated), a);
        var t = Vector512<float>.One / (Vector512<float>.One + Vector512.Create(0.5f) * a);
        var p = Vector512.Create(P9);
        p = p * t + Vector512.Create(P8);
        p = p * t + Vector512.Create(P7);
        p = p * t + Vector512.Create(P6);
        p = p * t + Vector512.Create(P5);
        p = p * t + Vector512.Create(P4);
        p = p * t + Vector512.Create(P3);
        p = p * t + Vector512.Create(P2);
        p = p * t + Vector512.Create(P1);
        p = p * t + Vector512.Create(P0);
        var r = (a.AsInt32() & Vector512.Create(HighBits)).AsSingle();
        var e = t * SimdMath.Exp(-(r * r)) * SimdMath.Exp((r - a) * (r + a) + p);
        return Vector512.ConditionalSelect(Vector512.LessThan(z, Vector512<float>.Zero), Vector512.Create(2f) - e, e);
    }
}

/// <summary>Φ(x) = ½·erfc(-x/√2), the standard normal distribution function, by <see cref="Erfc"/> at every width.</summary>
public readonly struct NormalCdf : IUnaryOperator
{
    private const float MinusInvSqrt2 = -0.707106781f;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => 0.5f * default(Erfc).Invoke(x * MinusInvSqrt2);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.Create(0.5f) * default(Erfc).Invoke(x * Vector128.Create(MinusInvSqrt2));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Create(0.5f) * default(Erfc).Invoke(x * Vector256.Create(MinusInvSqrt2));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Create(0.5f) * default(Erfc).Invoke(x * Vector512.Create(MinusInvSqrt2));
}

/// <summary>GELU, exact form: x·Φ(x) = ½·x·erfc(-x/√2), Φ by <see cref="NormalCdf"/> at every width (-0 for x ≪ 0, x for x ≫ 0).</summary>
public readonly struct Gelu : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x * default(NormalCdf).Invoke(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => x * default(NormalCdf).Invoke(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => x * default(NormalCdf).Invoke(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => x * default(NormalCdf).Invoke(x);
}
