using System;

namespace CharRnn;

/// <summary>
/// A token stream cut into <c>rows</c> parallel streams, each read window after window: call k holds window k of
/// every stream, so row n of one call continues row n of the call before. That is what a stateful LSTM needs to
/// carry its state from one window of text into the next (truncated backpropagation through time). Each window of
/// <see cref="CharLstm.Window"/> characters comes with its next characters (the same window shifted by one).
/// </summary>
internal sealed class Windows
{
    private const int W = CharLstm.Window;
    private readonly int[] _tokens;
    private readonly Random _random;
    private int _offset;

    /// <param name="tokens">The text.</param>
    /// <param name="rows">Parallel streams: the batch size of every call.</param>
    /// <param name="seed">Draws each epoch's offset.</param>
    public Windows(int[] tokens, int rows, int seed)
    {
        _tokens = tokens;
        Rows = rows;
        _random = new Random(seed);
        StreamLength = tokens.Length / rows;
    }

    public int Rows { get; }

    /// <summary>Tokens in each stream.</summary>
    public int StreamLength { get; }

    /// <summary>Windows per stream, which is calls per pass (each window needs W + 1 tokens: its last next character).</summary>
    public int Count => Fitting(StreamLength, _offset);

    /// <summary>Whole windows in <paramref name="length"/> tokens read from <paramref name="offset"/>.</summary>
    public static int Fitting(int length, int offset = 0) => Math.Max(0, (length - offset - 1) / W);

    /// <summary>
    /// A new start in every stream for the next epoch, so windows do not always begin at the same characters.
    /// Offsets up to (length - 1) mod W keep the count of windows the same as at offset 0.
    /// </summary>
    public void NewOffset() => _offset = _random.Next((StreamLength - 1) % W + 1);

    /// <summary>Copies window <paramref name="k"/> of every stream into <paramref name="chars"/> (row n: stream n) and its next characters into <paramref name="next"/>.</summary>
    public void Gather(int k, Span<int> chars, Span<int> next)
    {
        for (int n = 0; n < Rows; n++)
        {
            var source = _tokens.AsSpan(n * StreamLength + _offset + k * W, W + 1);
            source[..W].CopyTo(chars.Slice(n * W, W));
            source[1..].CopyTo(next.Slice(n * W, W));
        }
    }
}
