using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Samples;

/// <summary>
/// Options whose values are checked while parsing, with messages that name the option, the range and what was given
/// ("--epochs must be an integer from 1 to 2147483647; got '0'"), the same in every sample. Parsers are written out,
/// not reflected: the options work in a NativeAOT binary.
/// </summary>
internal static class SampleOptions
{
    /// <summary>An integer option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> Integer(string name, int defaultValue, int min, int max, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = Token(result);
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
                return value;
            result.AddError($"{name} must be an integer from {min} to {max}; got '{text}'");
            return defaultValue;
        },
    };

    /// <summary>
    /// A finite float option in [<paramref name="min"/>, <paramref name="max"/>], or (<paramref name="min"/>,
    /// <paramref name="max"/>] / [<paramref name="min"/>, <paramref name="max"/>) when an end is exclusive.
    /// </summary>
    public static Option<float> Number(string name, float defaultValue, float min, float max, string description,
        bool minExclusive = false, bool maxExclusive = false) => new(name)
    {
        Description = description,
        HelpName = "X",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = Token(result);
            bool parsed = float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value);
            bool inRange = parsed && (minExclusive ? value > min : value >= min) && (maxExclusive ? value < max : value <= max);
            if (inRange) return value;
            string range = $"{(minExclusive ? "(" : "[")}{Format(min)}, {Format(max)}{(maxExclusive ? ")" : "]")}";
            result.AddError($"{name} must be a number in {range}; got '{text}'");
            return defaultValue;
        },
    };

    /// <summary>An option whose value is one of <paramref name="choices"/> (compared exactly, lower case by convention).</summary>
    public static Option<string> Choice(string name, string defaultValue, string[] choices, string description) => new(name)
    {
        Description = description + " (" + string.Join(", ", choices) + ")",
        HelpName = string.Join("|", choices),
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = Token(result);
            if (Array.IndexOf(choices, text) >= 0) return text;
            result.AddError($"{name} must be one of {string.Join(", ", choices)}; got '{text}'");
            return defaultValue;
        },
    };

    /// <summary>A file or folder option; an empty value is refused.</summary>
    public static Option<string> Path(string name, string helpName, string description, string? defaultValue = null)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result =>
            {
                string text = Token(result);
                if (text.Length == 0 || text.Contains('\0', StringComparison.Ordinal)) result.AddError($"{name} needs a {helpName}; got '{text}'");
                return text;
            },
        };
        if (defaultValue != null) option.DefaultValueFactory = _ => defaultValue;
        return option;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[0].Value : "";

    private static string Format(float value) => float.IsPositiveInfinity(value) ? "inf" : value.ToString("R", CultureInfo.InvariantCulture);
}
