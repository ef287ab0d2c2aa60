namespace Dl;

public static partial class Nn
{
    /// <summary>
    /// Joins tensors along <paramref name="axis"/> (negative: from the end); the other axes must agree.
    /// Any axis but the batch axis 0: <c>Nn.Concat(-1, a, b)</c> joins features.
    /// </summary>
    public static Tensor Concat(int axis, params Tensor[] parts) => throw Tensor.Symbolic();

    /// <summary>
    /// Joins equal-shaped tensors along a new axis, at <paramref name="axis"/> of the result (negative:
    /// from the end; not 0, the batch): T tensors [N,H] stacked on axis 1 give [N,T,H].
    /// </summary>
    public static Tensor Stack(int axis, params Tensor[] parts) => throw Tensor.Symbolic();

    /// <summary>
    /// Pads a batch of sequences of different lengths out of the computation: <paramref name="x"/>
    /// [N, T, ...] with every step t at or past its sample's length (t &gt;= <c>lengths[n]</c>) set to
    /// zero. Training passes no gradient back through a masked step, so padding after a sample's end
    /// (and whatever a recurrence computed over it) changes nothing: <c>Nn.SequenceMask(lstm.Forward(x), lengths)</c>.
    /// A length outside 0..T throws <see cref="System.IndexOutOfRangeException"/> naming it and its sample.
    /// </summary>
    /// <param name="x">A batch of sequences, [N, T, ...].</param>
    /// <param name="lengths">Steps each sample keeps, 0..T, e.g. <c>[Input] Labels lengths</c>: [N].</param>
    /// <returns>The same shape as <paramref name="x"/>.</returns>
    public static Tensor SequenceMask(Tensor x, Labels lengths) => throw Tensor.Symbolic();
}

public partial class Tensor
{
    /// <summary>
    /// Entries [start, start + length) of <paramref name="axis"/> (negative: from the end; not the batch
    /// axis): <c>x.Slice(1, 2, 3)</c> of [N,8,4] is [N,3,4]. Out of range is a build error (DL0001).
    /// </summary>
    public Tensor Slice(int axis, int start, int length) => throw Symbolic();

    /// <summary>
    /// Entry <paramref name="index"/> of <paramref name="axis"/> with that axis removed (PyTorch's
    /// <c>select</c>; negative axis and index count from the end): <c>x.Select(1, t)</c> of [N,T,H] is step t, [N,H].
    /// </summary>
    public Tensor Select(int axis, int index) => throw Symbolic();

    /// <summary>
    /// <paramref name="count"/> equal parts of <paramref name="axis"/> (negative: from the end; not the batch
    /// axis), in order: <c>gates.Chunk(1, 4)</c> of [N,4H] is four [N,H] tensors, an LSTM's gates from one
    /// fused product. Each part is a Slice; a size <paramref name="count"/> does not divide is a build error (DL0001).
    /// </summary>
    public Tensor[] Chunk(int axis, int count) => throw Symbolic();

    /// <summary>
    /// <paramref name="axis"/> (negative: from the end; not the batch axis) in reverse order:
    /// <c>x.Reverse(1)</c> of a sequence [N,T,H] reads it from its last step (a backward recurrence's input).
    /// </summary>
    public Tensor Reverse(int axis) => throw Symbolic();
}
