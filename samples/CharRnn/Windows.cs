using System;

namespace CharRnn;

/// <summary>
/// Cuts a token stream into windows of <see cref="CharLstm.Window"/> characters and their next characters (the
/// same window shifted by one). Each epoch starts the cuts at a new random offset and visits the windows in a new
/// order, so the model does not learn where windows begin.
/// </summary>
internal sealed class Windows(int[] tokens, int seed)
{
    private const int W = CharLstm.Window;
    private readonly Random _random = new(seed);
    private int[] _starts = [];

    /// <summary>Whole windows this epoch.</summary>
    public int Count => _starts.Length;

    /// <summary>Whole windows of <paramref name="length"/> tokens (each needs W + 1: the window and its last next character).</summary>
    public static int Fitting(int length, int offset = 0) => Math.Max(0, (length - offset - 1) / W);

    /// <summary>A new offset (below W) and a new order of the windows.</summary>
    public void Shuffle()
    {
        // Offsets up to (length - 1) mod W keep every epoch's window count the same as at offset 0.
        int offset = _random.Next((tokens.Length - 1) % W + 1);
        _starts = new int[Fitting(tokens.Length, offset)];
        for (int i = 0; i < _starts.Length; i++) _starts[i] = offset + i * W;
        _random.Shuffle(_starts);
    }

    /// <summary>The windows in order from the start, for validation: no offset, no shuffle.</summary>
    public void InOrder()
    {
        _starts = new int[Fitting(tokens.Length)];
        for (int i = 0; i < _starts.Length; i++) _starts[i] = i * W;
    }

    /// <summary>Copies windows [first, first + count) into <paramref name="chars"/> and their next characters into <paramref name="next"/>.</summary>
    public void Gather(int first, int count, Span<int> chars, Span<int> next)
    {
        for (int i = 0; i < count; i++)
        {
            var source = tokens.AsSpan(_starts[first + i], W + 1);
            source[..W].CopyTo(chars.Slice(i * W, W));
            source[1..].CopyTo(next.Slice(i * W, W));
        }
    }
}
