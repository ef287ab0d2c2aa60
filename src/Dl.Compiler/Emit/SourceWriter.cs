using System.Text;

namespace Dl.Compiler;

/// <summary>Indented text output for generated C#; "\n" line endings so output is byte-identical everywhere.</summary>
public sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
        return this;
    }

    public SourceWriter Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    /// <summary>A new writer at this one's indentation, for text written now and placed here later (<see cref="Append"/>).</summary>
    public SourceWriter Nested() => new() { _indent = _indent };

    /// <summary>Adds what <paramref name="other"/> wrote.</summary>
    public SourceWriter Append(SourceWriter other)
    {
        _sb.Append(other._sb);
        return this;
    }

    public override string ToString() => _sb.ToString();
}
