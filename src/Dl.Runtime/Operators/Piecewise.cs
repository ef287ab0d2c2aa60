using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dl.Operators;

// Piecewise-linear operators: comparisons and selects only, so every width agrees trivially.

/// <summary>
/// max(x, 0) as x &lt; 0 ? 0 : x: NaN stays NaN (a poisoned input shows, as in PyTorch) and -0 stays -0.
/// One compare and one select at every width (an IEEE maximum would need fix-ups for NaN and the sign of zero).
/// </summary>
public readonly struct Relu : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x < 0f ? 0f : x;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), Vector128<float>.Zero, x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256<float>.Zero, x);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512<float>.Zero, x);
}

/// <summary>1 for x &gt; 0, else 0 (NaN gives 0): the Heaviside step, ReLU's derivative.</summary>
public readonly struct Step : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x > 0f ? 1f : 0f;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), Vector128<float>.One, Vector128<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), Vector512<float>.One, Vector512<float>.Zero);
}

/// <summary>1 for x &gt; 0, -1 for x &lt; 0, else 0 (±0 and NaN give 0): (x &gt; 0) - (x &lt; 0).</summary>
public readonly struct Sign : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => (x > 0f ? 1f : 0f) - (x < 0f ? 1f : 0f);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), Vector128<float>.One, Vector128<float>.Zero) - Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), Vector128<float>.One, Vector128<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero) - Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), Vector512<float>.One, Vector512<float>.Zero) - Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512<float>.One, Vector512<float>.Zero);
}

/// <summary>x for x &gt; 0, else <see cref="Slope"/> · x.</summary>
public readonly struct LeakyRelu(float slope) : IUnaryOperator
{
    /// <summary>The slope on the negative side.</summary>
    public readonly float Slope = slope;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x > 0f ? x : Slope * x;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), x, x * Vector128.Create(Slope));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * Vector256.Create(Slope));
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * Vector512.Create(Slope));
}

/// <summary>clamp(x/6 + 1/2, 0, 1) (PyTorch's hard sigmoid) as t &lt; 0 ? 0 : t &gt; 1 ? 1 : t: NaN stays NaN.</summary>
public readonly struct HardSigmoid : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x)
    {
        float t = x / 6f + 0.5f;
        return t < 0f ? 0f : t > 1f ? 1f : t;
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x)
    {
        var t = x / Vector128.Create(6f) + Vector128.Create(0.5f);
        return Vector128.ConditionalSelect(Vector128.LessThan(t, Vector128<float>.Zero), Vector128<float>.Zero,
            Vector128.ConditionalSelect(Vector128.GreaterThan(t, Vector128<float>.One), Vector128<float>.One, t));
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x)
    {
        var t = x / Vector256.Create(6f) + Vector256.Create(0.5f);
        return Vector256.ConditionalSelect(Vector256.LessThan(t, Vector256<float>.Zero), Vector256<float>.Zero,
            Vector256.ConditionalSelect(Vector256.GreaterThan(t, Vector256<float>.One), Vector256<float>.One, t));
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x)
    {
        var t = x / Vector512.Create(6f) + Vector512.Create(0.5f);
        return Vector512.ConditionalSelect(Vector512.LessThan(t, Vector512<float>.Zero), Vector512<float>.Zero,
            Vector512.ConditionalSelect(Vector512.GreaterThan(t, Vector512<float>.One), Vector512<float>.One, t));
    }
}

/// <summary>clamp(x, min, max) as x &lt; min ? min : x &gt; max ? max : x: NaN stays NaN (min ≤ max is the op's to check).</summary>
public readonly struct Clamp(float min, float max) : IUnaryOperator
{
    /// <summary>The lower bound.</summary>
    public readonly float Min = min;
    /// <summary>The upper bound.</summary>
    public readonly float Max = max;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x < Min ? Min : x > Max ? Max : x;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x)
    {
        Vector128<float> min = Vector128.Create(Min), max = Vector128.Create(Max);
        return Vector128.ConditionalSelect(Vector128.LessThan(x, min), min, Vector128.ConditionalSelect(Vector128.GreaterThan(x, max), max, x));
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> min = Vector256.Create(Min), max = Vector256.Create(Max);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, min), min, Vector256.ConditionalSelect(Vector256.GreaterThan(x, max), max, x));
    }
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x)
    {
        Vector512<float> min = Vector512.Create(Min), max = Vector512.Create(Max);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, min), min, Vector512.ConditionalSelect(Vector512.GreaterThan(x, max), max, x));
    }
}

/// <summary>1 where x &gt; y, else 0 (NaN on either side: 0).</summary>
public readonly struct Greater : IBinaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float y) => x > y ? 1f : 0f;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, y), Vector128<float>.One, Vector128<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, y), Vector256<float>.One, Vector256<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, y), Vector512<float>.One, Vector512<float>.Zero);
}

/// <summary>1 where x &lt; y, else 0 (NaN on either side: 0).</summary>
public readonly struct Less : IBinaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float y) => x < y ? 1f : 0f;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.ConditionalSelect(Vector128.LessThan(x, y), Vector128<float>.One, Vector128<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.ConditionalSelect(Vector256.LessThan(x, y), Vector256<float>.One, Vector256<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.ConditionalSelect(Vector512.LessThan(x, y), Vector512<float>.One, Vector512<float>.Zero);
}

/// <summary>1 where x ≥ y, else 0 (NaN on either side: 0).</summary>
public readonly struct GreaterEqual : IBinaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float y) => x >= y ? 1f : 0f;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(x, y), Vector128<float>.One, Vector128<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, y), Vector256<float>.One, Vector256<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, y), Vector512<float>.One, Vector512<float>.Zero);
}

/// <summary>1 where x ≤ y, else 0 (NaN on either side: 0).</summary>
public readonly struct LessEqual : IBinaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float y) => x <= y ? 1f : 0f;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.ConditionalSelect(Vector128.LessThanOrEqual(x, y), Vector128<float>.One, Vector128<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, y), Vector256<float>.One, Vector256<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.ConditionalSelect(Vector512.LessThanOrEqual(x, y), Vector512<float>.One, Vector512<float>.Zero);
}

/// <summary>1 where x = y (-0 = +0), else 0 (NaN on either side: 0).</summary>
public readonly struct Equal : IBinaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float y) => x == y ? 1f : 0f;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.ConditionalSelect(Vector128.Equals(x, y), Vector128<float>.One, Vector128<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.ConditionalSelect(Vector256.Equals(x, y), Vector256<float>.One, Vector256<float>.Zero);
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.ConditionalSelect(Vector512.Equals(x, y), Vector512<float>.One, Vector512<float>.Zero);
}

/// <summary>
/// condition ≠ 0 ? a : b per element (a NaN condition is true): a select, so only the side taken is read. Three
/// operands, so no IUnaryOperator or IBinaryOperator: generated loops call these overloads directly.
/// </summary>
public readonly struct Where
{
    /// <summary>a where <paramref name="condition"/> ≠ 0, else b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float condition, float a, float b) => condition != 0f ? a : b;
    /// <summary>Per lane: a where <paramref name="condition"/> ≠ 0, else b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> condition, Vector128<float> a, Vector128<float> b) =>
        Vector128.ConditionalSelect(Vector128.Equals(condition, Vector128<float>.Zero), b, a);
    /// <summary>Per lane: a where <paramref name="condition"/> ≠ 0, else b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> condition, Vector256<float> a, Vector256<float> b) =>
        Vector256.ConditionalSelect(Vector256.Equals(condition, Vector256<float>.Zero), b, a);
    /// <summary>Per lane: a where <paramref name="condition"/> ≠ 0, else b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> condition, Vector512<float> a, Vector512<float> b) =>
        Vector512.ConditionalSelect(Vector512.Equals(condition, Vector512<float>.Zero), b, a);
}
