using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Dl.Checkpoints;

/// <summary>
/// Reads a safetensors JSON header: one object whose members are tensors
/// (<c>{"dtype":..,"shape":[..],"data_offsets":[b,e]}</c>) or <c>"__metadata__"</c> (string to string).
/// </summary>
/// <remarks>
/// Hand-written rather than System.Text.Json so that the accepted grammar is exactly the one the
/// format needs and every failure becomes a <see cref="CheckpointException"/> with the byte position.
/// The nesting depth is fixed by the format (no generic recursion), so a hostile header cannot
/// overflow the stack, and each character is visited once, so parsing is linear in the header length.
/// </remarks>
internal sealed class HeaderReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _text;
    private int _pos;

    private HeaderReader(string text) => _text = text;

    /// <summary>The tensors in header order, and the metadata (empty when the header has none).</summary>
    public static (List<TensorEntry> Tensors, Dictionary<string, string> Metadata) Parse(ReadOnlySpan<byte> utf8)
    {
        string text;
        try { text = StrictUtf8.GetString(utf8); }
        catch (DecoderFallbackException) { throw new CheckpointException("header is not valid UTF-8"); }
        return new HeaderReader(text).ReadHeader();
    }

    private (List<TensorEntry>, Dictionary<string, string>) ReadHeader()
    {
        var tensors = new List<TensorEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        SkipWhitespace();
        Expect('{');
        SkipWhitespace();
        if (!TryConsume('}'))
        {
            do
            {
                SkipWhitespace();
                string key = ReadString();
                SkipWhitespace();
                Expect(':');
                SkipWhitespace();
                if (key == "__metadata__")
                {
                    if (metadata != null) throw Error("__metadata__ appears twice");
                    metadata = ReadMetadata();
                }
                else
                {
                    if (!names.Add(key)) throw new CheckpointException($"header: tensor '{key}' appears twice");
                    tensors.Add(ReadTensor(key));
                }
                SkipWhitespace();
            } while (TryConsume(','));
            Expect('}');
        }
        // The format pads the header with spaces; anything else after the object is corruption.
        SkipWhitespace();
        if (_pos != _text.Length) throw Error("unexpected text after the header object");
        return (tensors, metadata ?? new Dictionary<string, string>(StringComparer.Ordinal));
    }

    private Dictionary<string, string> ReadMetadata()
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        Expect('{');
        SkipWhitespace();
        if (TryConsume('}')) return metadata;
        do
        {
            SkipWhitespace();
            string key = ReadString();
            SkipWhitespace();
            Expect(':');
            SkipWhitespace();
            if (Peek() != '"') throw Error($"__metadata__ value of '{key}' must be a string");
            string value = ReadString();
            if (!metadata.TryAdd(key, value)) throw Error($"__metadata__ key '{key}' appears twice");
            SkipWhitespace();
        } while (TryConsume(','));
        Expect('}');
        return metadata;
    }

    private TensorEntry ReadTensor(string name)
    {
        string? dtype = null;
        long[]? shape = null;
        ulong[]? offsets = null;
        Expect('{');
        SkipWhitespace();
        if (!TryConsume('}'))
        {
            do
            {
                SkipWhitespace();
                int fieldStart = _pos;
                string field = ReadString();
                SkipWhitespace();
                Expect(':');
                SkipWhitespace();
                switch (field)
                {
                    case "dtype" when dtype == null:
                        if (Peek() != '"') throw Error($"{name}: dtype must be a string");
                        dtype = ReadString();
                        break;
                    case "shape" when shape == null:
                        var dims = ReadUIntArray(name, field, CheckpointLimits.MaxRank);
                        shape = new long[dims.Length];
                        for (int i = 0; i < dims.Length; i++)
                        {
                            if (dims[i] > int.MaxValue) throw new CheckpointException($"{name}: shape dimension {dims[i]} is too large");
                            shape[i] = (long)dims[i];
                        }
                        break;
                    case "data_offsets" when offsets == null:
                        offsets = ReadUIntArray(name, field, 2);
                        if (offsets.Length != 2) throw new CheckpointException($"{name}: data_offsets must hold 2 numbers, found {offsets.Length}");
                        break;
                    case "dtype" or "shape" or "data_offsets":
                        throw Error($"{name}: field '{field}' appears twice", fieldStart);
                    default:
                        throw Error($"{name}: unknown field '{field}'", fieldStart);
                }
                SkipWhitespace();
            } while (TryConsume(','));
            Expect('}');
        }
        if (dtype == null) throw new CheckpointException($"{name}: no dtype in the header");
        if (shape == null) throw new CheckpointException($"{name}: no shape in the header");
        if (offsets == null) throw new CheckpointException($"{name}: no data_offsets in the header");
        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /// <summary>An array of at most <paramref name="max"/> non-negative integers.</summary>
    private ulong[] ReadUIntArray(string name, string field, int max)
    {
        var values = new List<ulong>();
        Expect('[');
        SkipWhitespace();
        if (TryConsume(']')) return values.ToArray();
        do
        {
            SkipWhitespace();
            if (values.Count == max) throw new CheckpointException($"{name}: {field} has more than {max} entries");
            values.Add(ReadUInt(name, field));
            SkipWhitespace();
        } while (TryConsume(','));
        Expect(']');
        return values.ToArray();
    }

    private ulong ReadUInt(string name, string field)
    {
        int start = _pos;
        ulong value = 0;
        while (_pos < _text.Length && _text[_pos] is >= '0' and <= '9')
        {
            ulong digit = (ulong)(_text[_pos] - '0');
            if (value > (ulong.MaxValue - digit) / 10) throw new CheckpointException($"{name}: {field} entry does not fit 64 bits (offset {start})");
            value = value * 10 + digit;
            _pos++;
        }
        if (_pos == start) throw Error($"{name}: {field} must hold non-negative integers");
        if (_pos - start > 1 && _text[start] == '0') throw Error($"{name}: {field} entry has a leading zero");
        // Fractions and exponents are valid JSON but never a valid dimension or offset.
        if (_pos < _text.Length && _text[_pos] is '.' or 'e' or 'E') throw Error($"{name}: {field} must hold integers");
        return value;
    }

    private string ReadString()
    {
        Expect('"');
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw Error("unterminated string");
            char c = _text[_pos++];
            if (c == '"') return sb.ToString();
            if (c < 0x20) throw Error("control character inside a string");
            if (c != '\\') { sb.Append(c); continue; }
            if (_pos >= _text.Length) throw Error("unterminated escape");
            char e = _text[_pos++];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length || !ushort.TryParse(_text.AsSpan(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
                        throw Error("bad \\u escape");
                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default: throw Error($"bad escape '\\{e}'");
            }
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r') _pos++;
    }

    private bool TryConsume(char c)
    {
        if (_pos < _text.Length && _text[_pos] == c) { _pos++; return true; }
        return false;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
            throw Error(_pos < _text.Length ? $"expected '{c}', found '{_text[_pos]}'" : $"expected '{c}', found the end of the header");
    }

    private CheckpointException Error(string what) => Error(what, _pos);

    private static CheckpointException Error(string what, int position) =>
        new(string.Format(CultureInfo.InvariantCulture, "header JSON: {0} at character {1}", what, position));
}
