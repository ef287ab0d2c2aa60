using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>
/// Rewrites of a safetensors header that another JSON writer could produce and that leave its meaning as it was:
/// the fuzz test's mutations that must load exactly what was saved.
/// </summary>
internal static class MeaningPreserving
{
    private const string Whitespace = " \t\n\r";

    /// <summary>Whitespace (space, tab, newline, return) inserted beside a few structural characters outside strings.</summary>
    public static string AddWhitespace(string json, Random random)
    {
        var safe = new List<int>();
        Walk(json, (i, inString) => { if (!inString && "{}[]:,".Contains(json[i])) { safe.Add(i); safe.Add(i + 1); } });
        var sb = new StringBuilder(json);
        foreach (int at in safe.OrderBy(_ => random.Next()).Take(random.Next(1, 6)).OrderByDescending(p => p))
            sb.Insert(at, new string(Enumerable.Range(0, random.Next(1, 4)).Select(_ => Whitespace[random.Next(4)]).ToArray()));
        return sb.ToString();
    }

    /// <summary>A few characters inside strings written as <c>\uXXXX</c> escapes (upper or lower case hex).</summary>
    public static string Escape(string json, Random random)
    {
        var plain = new List<int>();
        Walk(json, (i, inString) => { if (inString && json[i] is not ('"' or '\\')) plain.Add(i); });
        var sb = new StringBuilder(json);
        foreach (int at in plain.OrderBy(_ => random.Next()).Take(random.Next(1, 6)).OrderByDescending(p => p))
        {
            string hex = ((int)json[at]).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture);
            sb.Remove(at, 1).Insert(at, "\\u" + hex);
        }
        return sb.ToString();
    }

    /// <summary>Every object's members shuffled and the header re-serialised by System.Text.Json, indented or not.</summary>
    public static string Reorder(string json, Random random)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        return Shuffled(root, random).ToJsonString(new JsonSerializerOptions { WriteIndented = random.Next(2) == 0 });
    }

    private static JsonObject Shuffled(JsonObject source, Random random)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source.ToList().OrderBy(_ => random.Next()))
            result[key] = value is JsonObject inner ? Shuffled(inner, random) : value?.DeepClone();
        return result;
    }

    /// <summary>Calls <paramref name="visit"/> for each character's index with whether it lies inside a string (quotes excluded).</summary>
    private static void Walk(string json, Action<int, bool> visit)
    {
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString && c == '\\') { i++; continue; }   // an escape and its character stay as they are
            if (c == '"') { inString = !inString; continue; }
            visit(i, inString);
        }
    }
}
