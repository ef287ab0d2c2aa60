namespace Dl;

// Elementwise math added after the first activations: each is one op table row (Dl.Graph's OpTable).

public static partial class Nn
{
    /// <summary>√x elementwise: NaN for x &lt; 0; its gradient 0.5/√x is +∞ at 0.</summary>
    public static Tensor Sqrt(Tensor x) => throw Tensor.Symbolic();
}

public partial class Tensor
{
    /// <summary>√x elementwise: NaN for x &lt; 0; its gradient 0.5/√x is +∞ at 0.</summary>
    public Tensor Sqrt() => throw Symbolic();
}
