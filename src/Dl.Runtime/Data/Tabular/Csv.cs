using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Dl.Data;

/// <summary>
/// A numeric table read from CSV: one row per sample, one column set aside as the label (or regression
/// target), the rest as float features.
/// </summary>
public sealed class CsvData
{
    internal CsvData(float[] features, int featureCount, int[] labels, float[] targets, string[] featureNames, string labelName)
    {
        Features = features;
        FeatureCount = featureCount;
        Labels = labels;
        Targets = targets;
        FeatureNames = featureNames;
        LabelName = labelName;
    }

    /// <summary>Features, row-major [<see cref="Rows"/>, <see cref="FeatureCount"/>].</summary>
    public float[] Features { get; }

    /// <summary>Columns per row, the label column excluded.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of samples.</summary>
    public int Rows => Targets.Length;

    /// <summary>Integer class labels (from <see cref="Csv.Read"/>); empty when read with <see cref="Csv.ReadTargets"/>.</summary>
    public int[] Labels { get; }

    /// <summary>The label column as floats, one per row (regression targets, or the labels as numbers).</summary>
    public float[] Targets { get; }

    /// <summary>The header names of the feature columns, or "column N" (1-based) without a header.</summary>
    public string[] FeatureNames { get; }

    /// <summary>The header name of the label column, or "column N".</summary>
    public string LabelName { get; }
}

/// <summary>Reads numeric CSV files, with errors that name the file, line and column of the problem.</summary>
/// <remarks>
/// Supported: a separator of choice, an optional header row, blank lines (skipped), fields quoted with
/// <c>"</c> (a doubled <c>""</c> inside is a quote), spaces around fields. Numbers are read in the invariant
/// culture; NaN and infinities are refused, since a missing-value marker slipping into training as NaN
/// poisons every later step. Quoted fields may not span lines.
/// </remarks>
public static class Csv
{
    /// <summary>
    /// Reads a classification table: column <paramref name="labelColumn"/> (0-based; negative counts from the
    /// end, -1 is the last) must hold class labels, integers from 0 to <see cref="int.MaxValue"/> read exactly
    /// (<c>7</c> or <c>7.0</c>, never rounded through a float); every other column is a feature.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="hasHeader">The first non-blank line names the columns.</param>
    /// <param name="labelColumn">The label's column, 0-based; negative counts from the end.</param>
    /// <param name="separator">The field separator.</param>
    /// <exception cref="FileNotFoundException">The file does not exist; the message names its full path.</exception>
    /// <exception cref="InvalidDataException">
    /// A row is ragged, a cell is empty, not a number or not finite, a label is not a class, a quote is not closed,
    /// there are no data rows. The message starts with the file's full path, then the line and column. No other
    /// exception comes out of bad content.
    /// </exception>
    public static CsvData Read(string path, bool hasHeader, int labelColumn, char separator = ',') =>
        ReadCore(path, hasHeader, labelColumn, separator, integerLabels: true);

    /// <summary>Reads a regression table: like <see cref="Read"/> but the target column may hold any finite number (read as a float).</summary>
    /// <param name="path">The file.</param>
    /// <param name="hasHeader">The first non-blank line names the columns.</param>
    /// <param name="targetColumn">The target's column, 0-based; negative counts from the end.</param>
    /// <param name="separator">The field separator.</param>
    /// <exception cref="FileNotFoundException">The file does not exist; the message names its full path.</exception>
    /// <exception cref="InvalidDataException">As for <see cref="Read"/>; the message starts with the file's full path.</exception>
    public static CsvData ReadTargets(string path, bool hasHeader, int targetColumn, char separator = ',') =>
        ReadCore(path, hasHeader, targetColumn, separator, integerLabels: false);

    private static CsvData ReadCore(string file, bool hasHeader, int labelColumn, char separator, bool integerLabels)
    {
        ArgumentNullException.ThrowIfNull(file);
        // Messages name the full path, as the IDX reader's do: a relative name says little in a log.
        string path = Path.GetFullPath(file);
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);
        var features = new List<float>();
        var labels = new List<int>();
        var targets = new List<float>();
        var fields = new List<string>();
        string[]? names = null;
        int columns = -1, firstLine = 0, label = -1, lineNumber = 0;

        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            Split(line, separator, fields, path, lineNumber);
            if (columns < 0)
            {
                columns = fields.Count;
                firstLine = lineNumber;
                label = labelColumn < 0 ? columns + labelColumn : labelColumn;
                if (label < 0 || label >= columns)
                    throw new InvalidDataException($"{path}: label column {labelColumn} is outside the {columns} columns of line {lineNumber}");
                if (columns < 2)
                    throw new InvalidDataException($"{path}: line {lineNumber} has 1 column; a label and at least one feature are needed");
                if (hasHeader) { names = fields.ToArray(); continue; }
            }
            else if (fields.Count != columns)
            {
                throw new InvalidDataException($"{path}: line {lineNumber} has {fields.Count} columns, expected {columns} (as on line {firstLine})");
            }

            for (int c = 0; c < columns; c++)
            {
                string cell = fields[c];
                if (c != label) { features.Add(Number(cell, path, lineNumber, c, names)); continue; }
                if (!integerLabels) { targets.Add(Number(cell, path, lineNumber, c, names)); continue; }
                int classLabel = ClassLabel(cell, path, lineNumber, c, names);
                labels.Add(classLabel);
                targets.Add(classLabel);
            }
        }
        if (targets.Count == 0) throw new InvalidDataException($"{path}: no data rows");

        var featureNames = new string[columns - 1];
        for (int c = 0, f = 0; c < columns; c++)
            if (c != label) featureNames[f++] = ColumnName(c, names);
        return new CsvData(features.ToArray(), columns - 1, labels.ToArray(), targets.ToArray(), featureNames, ColumnName(label, names));
    }

    private static float Number(string cell, string path, int line, int column, string[]? names)
    {
        if (cell.Length == 0) throw new InvalidDataException($"{Where(path, line, column, names)}: empty cell");
        if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
            throw new InvalidDataException($"{Where(path, line, column, names)}: '{cell}' is not a number");
        if (!float.IsFinite(value))
            throw new InvalidDataException($"{Where(path, line, column, names)}: '{cell}' is not a finite number");
        return value;
    }

    /// <summary>
    /// A class label, parsed as a decimal so every int is exact: a float has 24 bits of mantissa and would turn
    /// 16777217 into 16777216, another class.
    /// </summary>
    private static int ClassLabel(string cell, string path, int line, int column, string[]? names)
    {
        if (cell.Length == 0) throw new InvalidDataException($"{Where(path, line, column, names)}: empty cell");
        bool integral = decimal.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal value)
            && value == decimal.Truncate(value) && value >= 0 && value <= int.MaxValue;
        if (integral) return (int)value;
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            throw new InvalidDataException($"{Where(path, line, column, names)}: '{cell}' is not a number");
        throw new InvalidDataException($"{Where(path, line, column, names)}: '{cell}' is not a class label (an integer from 0 to {int.MaxValue})");
    }

    private static string Where(string path, int line, int column, string[]? names) =>
        $"{path}: line {line}, column {column + 1}" + (names != null ? $" ('{names[column]}')" : "");

    private static string ColumnName(int column, string[]? names) =>
        names != null ? names[column] : "column " + (column + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Splits one line into trimmed fields, honouring double quotes.</summary>
    private static void Split(string line, char separator, List<string> fields, string path, int lineNumber)
    {
        fields.Clear();
        int i = 0;
        while (true)
        {
            while (i < line.Length && line[i] == ' ') i++;
            string field;
            if (i < line.Length && line[i] == '"')
            {
                var quoted = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= line.Length) throw new InvalidDataException($"{path}: line {lineNumber} has an unterminated quote");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { quoted.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    quoted.Append(line[i++]);
                }
                while (i < line.Length && line[i] == ' ') i++;
                if (i < line.Length && line[i] != separator)
                    throw new InvalidDataException($"{path}: line {lineNumber} has text after a closing quote at character {i + 1}");
                field = quoted.ToString();
            }
            else
            {
                int end = line.IndexOf(separator, i);
                if (end < 0) end = line.Length;
                field = line.Substring(i, end - i).Trim();
                i = end;
            }
            fields.Add(field);
            if (i >= line.Length) return;
            i++; // past the separator
        }
    }
}
