namespace Dl;

// Elementwise math added after the first activations: each is one op table row (Dl.Graph's OpTable).

public static partial class Nn
{
    /// <summary>√x elementwise: NaN for x &lt; 0; its gradient 0.5/√x is +∞ at 0.</summary>
    public static Tensor Sqrt(Tensor x) => throw Tensor.Symbolic();

    /// <summary>
    /// GELU, exact form (PyTorch's default <c>gelu</c>): x·Φ(x) = ½·x·(1 + erf(x/√2)), Φ the standard normal
    /// distribution function, computed by erfc so the negative tail keeps its precision. Its gradient is
    /// Φ(x) + x·φ(x). <c>GeluTanh</c> is the tanh approximation.
    /// </summary>
    public static Tensor Gelu(Tensor x) => throw Tensor.Symbolic();

    /// <summary>
    /// x^exponent elementwise for a constant exponent, with MathF.Pow's meaning: x^0 is 1; for x &lt; 0 an integer
    /// exponent gives |x|^exponent, negated when the exponent is odd, any other exponent NaN; 0 to a negative power
    /// is +∞. Exponent 2 is exactly x·x. Its gradient is exponent·x^(exponent-1).
    /// </summary>
    public static Tensor Pow(Tensor x, float exponent) => throw Tensor.Symbolic();

    /// <summary>
    /// clamp(x, min, max) elementwise for constants min ≤ max (else DL0001 at the call): min below, max above, x
    /// between, NaN stays NaN. The gradient passes where min ≤ x ≤ max, the bounds included (as PyTorch's clamp).
    /// </summary>
    public static Tensor Clamp(Tensor x, float min, float max) => throw Tensor.Symbolic();

    /// <summary>
    /// max(a, b) elementwise, shapes broadcast as for <c>a + b</c>: a where a &gt; b or a is NaN, else b (a NaN on
    /// either side propagates). The gradient goes to the side taken; at a tie to <paramref name="a"/>.
    /// </summary>
    public static Tensor Maximum(Tensor a, Tensor b) => throw Tensor.Symbolic();

    /// <summary>
    /// min(a, b) elementwise, shapes broadcast as for <c>a + b</c>: a where a &lt; b or a is NaN, else b (a NaN on
    /// either side propagates). The gradient goes to the side taken; at a tie to <paramref name="a"/>.
    /// </summary>
    public static Tensor Minimum(Tensor a, Tensor b) => throw Tensor.Symbolic();

    /// <summary>1 where a &gt; b, else 0, elementwise (shapes broadcast as for <c>a + b</c>; NaN gives 0): a mask for <see cref="Where"/>. No gradient flows through it.</summary>
    public static Tensor Greater(Tensor a, Tensor b) => throw Tensor.Symbolic();

    /// <summary>1 where a &lt; b, else 0, elementwise (shapes broadcast as for <c>a + b</c>; NaN gives 0). No gradient flows through it.</summary>
    public static Tensor Less(Tensor a, Tensor b) => throw Tensor.Symbolic();

    /// <summary>1 where a ≥ b, else 0, elementwise (shapes broadcast as for <c>a + b</c>; NaN gives 0). No gradient flows through it.</summary>
    public static Tensor GreaterEqual(Tensor a, Tensor b) => throw Tensor.Symbolic();

    /// <summary>1 where a ≤ b, else 0, elementwise (shapes broadcast as for <c>a + b</c>; NaN gives 0). No gradient flows through it.</summary>
    public static Tensor LessEqual(Tensor a, Tensor b) => throw Tensor.Symbolic();

    /// <summary>1 where a = b, else 0, elementwise (shapes broadcast as for <c>a + b</c>; NaN gives 0). No gradient flows through it.</summary>
    public static Tensor Equal(Tensor a, Tensor b) => throw Tensor.Symbolic();

    /// <summary>
    /// a where <paramref name="condition"/> ≠ 0, else b, elementwise, the three shapes broadcast together (as for
    /// <c>+</c>); the condition is usually a comparison's mask. Only the side taken is read, so
    /// <c>Nn.Where(Nn.Greater(x, zero), x.Log(), zero)</c> has no NaN where x ≤ 0. The gradient goes to a where the
    /// condition holds, to b elsewhere, none to the condition.
    /// </summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => throw Tensor.Symbolic();
}

public partial class Tensor
{
    /// <summary>√x elementwise: NaN for x &lt; 0; its gradient 0.5/√x is +∞ at 0.</summary>
    public Tensor Sqrt() => throw Symbolic();

    /// <summary>
    /// GELU, exact form (PyTorch's default <c>gelu</c>): x·Φ(x) = ½·x·(1 + erf(x/√2)), Φ the standard normal
    /// distribution function, computed by erfc so the negative tail keeps its precision. Its gradient is
    /// Φ(x) + x·φ(x). <c>GeluTanh</c> is the tanh approximation.
    /// </summary>
    public Tensor Gelu() => throw Symbolic();

    /// <summary>
    /// x^exponent elementwise (this tensor is x) for a constant exponent, with MathF.Pow's meaning: x^0 is 1; for x &lt; 0 an integer
    /// exponent gives |x|^exponent, negated when the exponent is odd, any other exponent NaN; 0 to a negative power
    /// is +∞. Exponent 2 is exactly x·x. Its gradient is exponent·x^(exponent-1).
    /// </summary>
    public Tensor Pow(float exponent) => throw Symbolic();

    /// <summary>
    /// clamp(x, min, max) elementwise for constants min ≤ max (else DL0001 at the call): min below, max above, x
    /// between, NaN stays NaN. The gradient passes where min ≤ x ≤ max, the bounds included (as PyTorch's clamp).
    /// </summary>
    public Tensor Clamp(float min, float max) => throw Symbolic();
}
