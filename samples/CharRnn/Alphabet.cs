using System;
using System.IO;

namespace CharRnn;

/// <summary>
/// The characters the model reads and writes: newline and the 95 printable ASCII characters, token 0 for '\n' and
/// 1 + (c - ' ') for the others. Any other character in a text is read as '?' and counted, so a UTF-8 text with the
/// odd curly quote still trains; a file with NUL bytes is not a text and is refused.
/// </summary>
internal static class Alphabet
{
    public const int Size = 96;

    public static int Token(char c) => c == '\n' ? 0 : c >= ' ' && c <= '~' ? 1 + (c - ' ') : 1 + ('?' - ' ');

    public static char Character(int token) => token == 0 ? '\n' : (char)(' ' + token - 1);

    public static bool Known(char c) => c == '\n' || (c >= ' ' && c <= '~');

    /// <summary>The tokens of <paramref name="text"/> (carriage returns dropped) and how many characters were read as '?'.</summary>
    /// <exception cref="InvalidDataException"><paramref name="text"/> holds a NUL: a binary file, not a text.</exception>
    public static (int[] Tokens, int Unknown) Encode(string text, string path)
    {
        int nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0) throw new InvalidDataException($"{path}: a NUL character at offset {nul}; this is not a text file");
        var tokens = new int[text.Length];
        int count = 0, unknown = 0;
        foreach (char c in text)
        {
            if (c == '\r') continue;
            if (!Known(c)) unknown++;
            tokens[count++] = Token(c);
        }
        Array.Resize(ref tokens, count);
        return (tokens, unknown);
    }
}
