using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Dl.SourceGen.Spec;

/// <summary>
/// Names of the generated files. Roslyn requires hint names unique within the generator (compared
/// ignoring case) and made of a restricted set of characters, and throws otherwise, which would crash
/// the generator for every model. So the stem is the model's full name with plain identifiers (no '@')
/// and generic arities (<c>Outer`1.M</c> is not <c>Outer.M</c>), other characters replaced; then
/// <see cref="Unique"/> settles what is left (names that differ only in case, a nested class named like
/// another model's namespace-qualified name, duplicate declarations in broken code) over all files at once.
/// </summary>
internal static class HintNames
{
    /// <summary>"Demo.Outer`1.Mlp" for class Mlp nested in Outer&lt;T&gt; in namespace Demo (keywords unescaped, no '@').</summary>
    public static string Stem(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (var t = type; t is not null; t = t.ContainingType)
            parts.Insert(0, t.Name + (t.Arity > 0 ? "`" + t.Arity : ""));
        string name = string.Join(".", parts);
        if (!type.ContainingNamespace.IsGlobalNamespace)
        {
            var spaces = new List<string>();
            for (var n = type.ContainingNamespace; n is not null && !n.IsGlobalNamespace; n = n.ContainingNamespace)
                spaces.Insert(0, n.Name);
            name = string.Join(".", spaces) + "." + name;
        }
        return Clean(name);
    }

    /// <summary>Keeps letters, digits and <c>_ . `</c> (all valid in hint names); anything else becomes '_'.</summary>
    private static string Clean(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name)
            text.Append(char.IsLetterOrDigit(c) || c is '_' or '.' or '`' ? c : '_');
        return text.ToString();
    }

    /// <summary>
    /// Final names for <paramref name="wanted"/> hint names (in the pipeline's order), distinct ignoring
    /// case: a name already taken gets "_2", "_3", ... before its ".g.cs". Which one keeps the plain name
    /// depends only on the names, then on the order, so the same models always give the same files.
    /// </summary>
    public static IReadOnlyList<string> Unique(IReadOnlyList<string> wanted)
    {
        var result = new string[wanted.Count];
        var taken = new HashSet<string>(wanted, StringComparer.OrdinalIgnoreCase);
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var order = Enumerable.Range(0, wanted.Count).OrderBy(i => wanted[i], StringComparer.Ordinal).ToList();
        // First pass: a name nobody else wants (ignoring case) keeps it; among equals the first in order does.
        foreach (int i in order)
            if (used.Add(wanted[i])) result[i] = wanted[i];
        foreach (int i in order)
        {
            if (result[i] is not null) continue;
            string stem = wanted[i].EndsWith(".g.cs", StringComparison.Ordinal) ? wanted[i].Substring(0, wanted[i].Length - 5) : wanted[i];
            for (int k = 2; ; k++)
            {
                string candidate = stem + "_" + k + ".g.cs";
                if (!taken.Contains(candidate) && used.Add(candidate)) { result[i] = candidate; break; }
            }
        }
        return result;
    }
}
