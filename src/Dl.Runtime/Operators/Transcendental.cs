using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dl.Operators;

// Operators over e^x and ln x, which come from SimdMath at every width so tails and bodies agree.

/// <summary>e^x, by <see cref="SimdMath.Exp(float)"/> at every width.</summary>
public readonly struct Exp : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => SimdMath.Exp(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => SimdMath.Exp(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => SimdMath.Exp(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => SimdMath.Exp(x);
}

/// <summary>ln x, by <see cref="SimdMath.Log(float)"/> at every width.</summary>
public readonly struct Log : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => SimdMath.Log(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => SimdMath.Log(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => SimdMath.Log(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => SimdMath.Log(x);
}

/// <summary>1 / (1 + e^-x), e^x by <see cref="SimdMath.Exp(float)"/>: 0 or 1 where e^-x overflows or vanishes.</summary>
public readonly struct Sigmoid : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => 1f / (1f + SimdMath.Exp(-x));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128<float>.One / (Vector128<float>.One + SimdMath.Exp(-x));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + SimdMath.Exp(-x));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + SimdMath.Exp(-x));
}

/// <summary>1 - 2 / (e^(2x) + 1), e^x by <see cref="SimdMath.Exp(float)"/>: saturates to ±1 where e^(2x) overflows or vanishes (absolute error about 1e-7 near 0).</summary>
public readonly struct Tanh : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => 1f - 2f / (SimdMath.Exp(x + x) + 1f);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128<float>.One - Vector128.Create(2f) / (SimdMath.Exp(x + x) + Vector128<float>.One);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One - Vector256.Create(2f) / (SimdMath.Exp(x + x) + Vector256<float>.One);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One - Vector512.Create(2f) / (SimdMath.Exp(x + x) + Vector512<float>.One);
}

/// <summary>x for x &gt; 0, else <see cref="Alpha"/> · (e^x - 1), e^x by <see cref="SimdMath.Exp(float)"/>.</summary>
public readonly struct Elu(float alpha) : IUnaryOperator
{
    /// <summary>The scale of the negative side.</summary>
    public readonly float Alpha = alpha;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x > 0f ? x : Alpha * (SimdMath.Exp(x) - 1f);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), x, Vector128.Create(Alpha) * (SimdMath.Exp(x) - Vector128<float>.One));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, Vector256.Create(Alpha) * (SimdMath.Exp(x) - Vector256<float>.One));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, Vector512.Create(Alpha) * (SimdMath.Exp(x) - Vector512<float>.One));
}

/// <summary>ln(1 + e^x) as max(x, 0) + ln(1 + e^-|x|) (never overflows; max as x &gt; 0 ? x : 0), by <see cref="SimdMath"/>.</summary>
public readonly struct Softplus : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => (x > 0f ? x : 0f) + SimdMath.Log(1f + SimdMath.Exp(-MathF.Abs(x)));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), x, Vector128<float>.Zero) + SimdMath.Log(Vector128<float>.One + SimdMath.Exp(-Vector128.Abs(x)));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, Vector256<float>.Zero) + SimdMath.Log(Vector256<float>.One + SimdMath.Exp(-Vector256.Abs(x)));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, Vector512<float>.Zero) + SimdMath.Log(Vector512<float>.One + SimdMath.Exp(-Vector512.Abs(x)));
}

/// <summary>1 / √x (an IEEE square root and division, exact to half an ulp each).</summary>
public readonly struct Rsqrt : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => 1f / MathF.Sqrt(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128<float>.One / Vector128.Sqrt(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / Vector256.Sqrt(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / Vector512.Sqrt(x);
}

/// <summary>x · sigmoid(x) as x / (1 + e^-x), e^x by <see cref="SimdMath.Exp(float)"/>: -0 where e^-x overflows, x where it vanishes.</summary>
public readonly struct Silu : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x / (1f + SimdMath.Exp(-x));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => x / (Vector128<float>.One + SimdMath.Exp(-x));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => x / (Vector256<float>.One + SimdMath.Exp(-x));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => x / (Vector512<float>.One + SimdMath.Exp(-x));
}

/// <summary>
/// GELU, tanh form, as x / (1 + e^(-2u)), 2u = 2√(2/π)·(x + 0.044715·x·x·x) (the same as 0.5·x·(1 + tanh u)),
/// e^x by <see cref="SimdMath.Exp(float)"/>: -0 far on the negative side, x far on the positive side.
/// </summary>
public readonly struct GeluTanh : IUnaryOperator
{
    private const float TwoC = 1.5957692f, Cubic = 0.044715f;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x / (1f + SimdMath.Exp(-TwoC * (x + Cubic * (x * x * x))));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => x / (Vector128<float>.One + SimdMath.Exp(Vector128.Create(-TwoC) * (x + Vector128.Create(Cubic) * (x * x * x))));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => x / (Vector256<float>.One + SimdMath.Exp(Vector256.Create(-TwoC) * (x + Vector256.Create(Cubic) * (x * x * x))));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => x / (Vector512<float>.One + SimdMath.Exp(Vector512.Create(-TwoC) * (x + Vector512.Create(Cubic) * (x * x * x))));
}

/// <summary>√x, IEEE's correctly rounded square root at every width (so the widths agree): NaN for x &lt; 0, -0 for -0.</summary>
public readonly struct Sqrt : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => MathF.Sqrt(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.Sqrt(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Sqrt(x);
}

/// <summary>
/// x^p for a constant p, IEEE pow's meaning (see Dl.Graph's PowOp): e^(p·ln|x|) by <see cref="SimdMath.Exp(float)"/> and
/// <see cref="SimdMath.Log(float)"/>, the sign of x put back for an odd integer p, NaN for finite x &lt; 0 and a
/// non-integer p; p = 0 gives 1 and p = 2 gives x·x exactly (a branch on the constant, taken alike at every width).
/// Relative error about (4 + 2·|p·ln x|) units in the last place: ln x is rounded before it is scaled by p.
/// </summary>
public readonly struct Pow : IUnaryOperator
{
    /// <summary>p.</summary>
    public readonly float Exponent;
    /// <summary>The sign bit when p is an odd integer (x's sign carries over), else 0.</summary>
    private readonly int _signOfX;
    /// <summary>1 when p is not an integer: x &lt; 0 has no real power.</summary>
    private readonly int _fractional;

    /// <summary>The power x^<paramref name="exponent"/>.</summary>
    public Pow(float exponent)
    {
        Exponent = exponent;
        float magnitude = exponent < 0f ? -exponent : exponent;
        // Every float from 2^23 on is an integer, and from 2^24 on an even one; below, (int) is exact.
        bool integer = magnitude >= 8388608f || (float)(int)exponent == exponent;
        _fractional = integer ? 0 : 1;
        _signOfX = integer && magnitude < 16777216f && ((int)exponent & 1) != 0 ? int.MinValue : 0;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x)
    {
        if (Exponent == 0f) return 1f;
        if (Exponent == 2f) return x * x;
        int bits = BitConverter.SingleToInt32Bits(x);
        float y = SimdMath.Exp(Exponent * SimdMath.Log(BitConverter.Int32BitsToSingle(bits & int.MaxValue)));
        y = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(y) ^ (bits & _signOfX));
        return _fractional != 0 && x < 0f && x > float.NegativeInfinity ? float.NaN : y;
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x)
    {
        if (Exponent == 0f) return Vector128<float>.One;
        if (Exponent == 2f) return x * x;
        var bits = x.AsInt32();
        var y = SimdMath.Exp(Vector128.Create(Exponent) * SimdMath.Log((bits & Vector128.Create(int.MaxValue)).AsSingle()));
        y = (y.AsInt32() ^ (bits & Vector128.Create(_signOfX))).AsSingle();
        if (_fractional == 0) return y;
        var noPower = Vector128.LessThan(x, Vector128<float>.Zero) & Vector128.GreaterThan(x, Vector128.Create(float.NegativeInfinity));
        return Vector128.ConditionalSelect(noPower, Vector128.Create(float.NaN), y);
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x)
    {
        if (Exponent == 0f) return Vector256<float>.One;
        if (Exponent == 2f) return x * x;
        var bits = x.AsInt32();
        var y = SimdMath.Exp(Vector256.Create(Exponent) * SimdMath.Log((bits & Vector256.Create(int.MaxValue)).AsSingle()));
        y = (y.AsInt32() ^ (bits & Vector256.Create(_signOfX))).AsSingle();
        if (_fractional == 0) return y;
        var noPower = Vector256.LessThan(x, Vector256<float>.Zero) & Vector256.GreaterThan(x, Vector256.Create(float.NegativeInfinity));
        return Vector256.ConditionalSelect(noPower, Vector256.Create(float.NaN), y);
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x)
    {
        if (Exponent == 0f) return Vector512<float>.One;
        if (Exponent == 2f) return x * x;
        var bits = x.AsInt32();
        var y = SimdMath.Exp(Vector512.Create(Exponent) * SimdMath.Log((bits & Vector512.Create(int.MaxValue)).AsSingle()));
        y = (y.AsInt32() ^ (bits & Vector512.Create(_signOfX))).AsSingle();
        if (_fractional == 0) return y;
        var noPower = Vector512.LessThan(x, Vector512<float>.Zero) & Vector512.GreaterThan(x, Vector512.Create(float.NegativeInfinity));
        return Vector512.ConditionalSelect(noPower, Vector512.Create(float.NaN), y);
    }
}
