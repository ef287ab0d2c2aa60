namespace Dl;

// Elementwise math added after the first activations: each is one op table row (Dl.Graph's OpTable).

public static partial class Nn
{
    /// <summary>√x elementwise: NaN for x &lt; 0; its gradient 0.5/√x is +∞ at 0.</summary>
    public static Tensor Sqrt(Tensor x) => throw Tensor.Symbolic();

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
}

public partial class Tensor
{
    /// <summary>√x elementwise: NaN for x &lt; 0; its gradient 0.5/√x is +∞ at 0.</summary>
    public Tensor Sqrt() => throw Symbolic();
}
