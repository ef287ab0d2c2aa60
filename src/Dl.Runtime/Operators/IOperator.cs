using System.Runtime.Intrinsics;

namespace Dl.Operators;

/// <summary>
/// An elementwise function of one float, at every width the CPU offers and as plain float (scalar
/// tails, and the GPU: ILGPU compiles the float overload, which only uses arithmetic, comparisons,
/// <see cref="System.BitConverter"/> bit casts and <see cref="System.MathF"/>). All four overloads compute
/// the same formula with the same operations in the same order, so a value does not depend on the
/// width (or lane) that computed it: results agree bit for bit. Implementations are readonly
/// structs, so generic code over <c>TOperator : struct, IUnaryOperator</c> is specialised and inlined.
/// </summary>
public interface IUnaryOperator
{
    /// <summary>The function of one value.</summary>
    float Invoke(float x);
    /// <summary>The function of each lane.</summary>
    Vector128<float> Invoke(Vector128<float> x);
    /// <summary>The function of each lane.</summary>
    Vector256<float> Invoke(Vector256<float> x);
    /// <summary>The function of each lane.</summary>
    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>An elementwise function of two floats, at every width; see <see cref="IUnaryOperator"/>.</summary>
public interface IBinaryOperator
{
    /// <summary>The function of one pair of values.</summary>
    float Invoke(float x, float y);
    /// <summary>The function of each pair of lanes.</summary>
    Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);
    /// <summary>The function of each pair of lanes.</summary>
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    /// <summary>The function of each pair of lanes.</summary>
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}
