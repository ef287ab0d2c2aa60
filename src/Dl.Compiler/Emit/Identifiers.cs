using System.Collections.Generic;
using System.Linq;

namespace Dl.Compiler;

/// <summary>
/// Names in generated code. Everything the generator invents that a user could also name (private
/// members, locals of the entry points, the kernel holder, using aliases) starts with
/// <see cref="Reserved"/>: the C# specification reserves identifiers with two consecutive
/// underscores for the implementation, so no user name clashes with them. Names that come from the
/// user's code (inputs, the class, its namespace) are written <c>@</c>-escaped when they are keywords.
/// </summary>
public static class Identifiers
{
    public const string Reserved = "__";

    /// <summary>A user's identifier as C# source: <c>class</c> (or <c>@class</c>) becomes <c>@class</c>.</summary>
    public static string Escape(string name)
    {
        var bare = name.StartsWith("@") ? name.Substring(1) : name;
        return Keywords.Contains(bare) ? "@" + bare : bare;
    }

    /// <summary>A dotted namespace with each part escaped.</summary>
    public static string EscapeDotted(string dotted) => string.Join(".", dotted.Split('.').Select(Escape));

    /// <summary>The user's identifier without a leading <c>@</c>: how it reads in messages and derived names.</summary>
    public static string Bare(string name) => name.StartsWith("@") ? name.Substring(1) : name;

    /// <summary><paramref name="name"/>, with underscores added while <paramref name="taken"/> holds it: a generated parameter beside the user's.</summary>
    public static string Unused(string name, ICollection<string> taken)
    {
        while (taken.Contains(name)) name += "_";
        return name;
    }

    /// <summary>A regular C# string literal for any text (quotes, backslashes and control characters escaped).</summary>
    public static string StringLiteral(string s)
    {
        var b = new System.Text.StringBuilder("\"");
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                default:
                    if (c < ' ' || c == '\u2028' || c == '\u2029' || c == '\u0085') b.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    else b.Append(c);
                    break;
            }
        }
        return b.Append('"').ToString();
    }

    /// <summary>
    /// C# keywords, reserved and contextual. A contextual one (<c>var</c>, <c>nameof</c>, <c>value</c>)
    /// is a legal name, but escaping it is always legal too and never changes what it means.
    /// </summary>
    private static readonly HashSet<string> Keywords = new()
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
        "add", "allows", "alias", "and", "args", "ascending", "async", "await", "by", "descending", "dynamic", "equals",
        "extension", "field", "file", "from", "get", "global", "group", "init", "into", "join", "let", "managed", "nameof",
        "nint", "not", "notnull", "nuint", "on", "or", "orderby", "partial", "record", "remove", "required", "scoped",
        "select", "set", "unmanaged", "value", "var", "when", "where", "with", "yield",
    };
}
