namespace Dl;

/// <summary>
/// A lookup table of <see cref="Vocabulary"/> vectors of <see cref="Dimension"/> floats (PyTorch's
/// <c>nn.Embedding</c>): integer tokens [N, T] give [N, T, dimension]. Its parameter is
/// <c>&lt;field&gt;.weight</c> [vocabulary, dimension], Glorot-initialised; training adds each
/// position's gradient into its token's row. A token outside 0..vocabulary-1 throws
/// <see cref="System.IndexOutOfRangeException"/> naming it and its position; nothing outside the table is read.
/// </summary>
public sealed class Embedding
{
    /// <summary>Declares the layer as a field: <c>readonly Embedding embed = new(10000, 64);</c></summary>
    /// <param name="vocabulary">Rows of the table: tokens are 0..vocabulary-1.</param>
    /// <param name="dimension">Floats per token.</param>
    public Embedding(int vocabulary, int dimension)
    {
        Vocabulary = vocabulary; Dimension = dimension;
    }

    /// <summary>Rows of the table.</summary>
    public int Vocabulary { get; }

    /// <summary>Floats per token.</summary>
    public int Dimension { get; }

    /// <summary>Looks the tokens up; read by the generator at build time (it throws if called at run time).</summary>
    /// <param name="tokens">Integer tokens, e.g. <c>[Input(T)] Labels tokens</c>: [N, T].</param>
    /// <returns>[N, T, <see cref="Dimension"/>].</returns>
    public Tensor Forward(Labels tokens) => throw Tensor.Symbolic();
}
