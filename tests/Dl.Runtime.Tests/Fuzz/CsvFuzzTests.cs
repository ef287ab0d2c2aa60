using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Dl.Data;
using Xunit.Abstractions;

namespace Dl.Runtime.Tests.Fuzz;

/// <summary>
/// 2,000 seeded mutations of a CSV table, read as a classification table and as a regression table with various
/// label columns: each either reads (and the result is self-consistent) or throws the documented
/// <see cref="InvalidDataException"/> starting with the file's full path, and allocates at most
/// <see cref="AllocationBound"/>. The seed and each broken case are in the message.
/// </summary>
public class CsvFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20_261_124, Cases = 2000;

    private readonly string _dir = Directory.CreateTempSubdirectory("dl-csv-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// At most 64 bytes per byte of the file plus 256 KiB: a line becomes a UTF-16 string (2 bytes a character),
    /// then fields (2 more), then lists of floats and ints that grow by doubling (up to 16 bytes per value read).
    /// </summary>
    private static long AllocationBound(long fileBytes) => 64 * fileBytes + (256 << 10);

    /// <summary>Text fragments that have broken parsers: separators, quotes, number edge cases, blank and odd characters.</summary>
    private static readonly string[] Fragments =
    {
        ",", "\"", "\"\"", "\n", "\r\n", " ", "\t", ";", "NaN", "-Infinity", "1e39", "-1", "1.5", "16777217", "2147483648",
        "99999999999999999999999999999999", "0x10", "1,000", "\u00e9", "\uFFFD", "", "-0", "+7", "7.0", "1e-50", "\"a,b\"",
    };

    private static string Table()
    {
        var text = new StringBuilder("width,height,\"depth, cm\",weight,label\n");
        var random = new SeededRandom(7);
        for (int r = 0; r < 30; r++)
        {
            text.Append($"{random.NextDouble() * 10:F3},{(int)(random.NextDouble() * 200) - 100},\"{random.NextDouble():F2}\",");
            text.Append($"{random.NextDouble() * 1e5:E2},{r % 4}\n");
        }
        return text.ToString();
    }

    [Fact]
    public void Mutated_csv_files_read_or_fail_as_documented()
    {
        string path = Path.Combine(_dir, "table.csv");
        byte[] seed = Encoding.UTF8.GetBytes(Table());
        File.WriteAllBytes(path, seed);
        Csv.Read(path, hasHeader: true, labelColumn: -1);   // warm

        var failures = new List<string>();
        long largest = 0;
        int read = 0;
        for (int c = 0; c < Cases; c++)
        {
            var mutator = new Mutator(Seed, c);
            byte[] bytes = Mutate(mutator, seed);
            File.WriteAllBytes(path, bytes);
            bool header = mutator.Next(4) > 0, classes = mutator.Next(3) > 0;
            int column = new[] { -1, -1, 0, 4, 2, 7, -6 }[mutator.Next(7)];
            long before = GC.GetAllocatedBytesForCurrentThread();
            string? problem = null;
            try
            {
                var data = classes ? Csv.Read(path, header, column) : Csv.ReadTargets(path, header, column);
                problem = Check(data, classes);
                read++;
            }
            catch (InvalidDataException e) when (e.Message.StartsWith(path + ": ", StringComparison.Ordinal))
            {
            }
            catch (Exception e)
            {
                problem = $"{e.GetType().Name}: {e.Message}";
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            largest = Math.Max(largest, allocated);
            if (allocated > AllocationBound(bytes.Length))
                problem = (problem is null ? "" : problem + "; ") + $"allocated {allocated} bytes for a {bytes.Length}-byte file (bound {AllocationBound(bytes.Length)})";
            if (problem != null)
                failures.Add($"case {c} ({mutator.Log}; header {header}, column {column}, {(classes ? "classes" : "targets")}): {problem}");
        }
        output.WriteLine($"csv: {Cases} cases, {read} read, {Cases - read} refused; largest allocation {largest} bytes for a {seed.Length}-byte seed file");
        Assert.True(failures.Count == 0, $"seed {Seed}: {failures.Count} of {Cases} cases broke the contract:\n" + string.Join("\n", failures.Take(10)));
    }

    /// <summary>Byte mutations (which also make invalid UTF-8), or text ones: a fragment inserted or replacing a cell, a line doubled, dropped or swapped.</summary>
    private static byte[] Mutate(Mutator mutator, byte[] seed)
    {
        if (mutator.Next(3) == 0) return mutator.Mutate(seed, 0);
        var lines = Encoding.UTF8.GetString(seed).Split('\n').ToList();
        int edits = 1 + mutator.Next(3);
        for (int e = 0; e < edits; e++)
        {
            int line = mutator.Next(lines.Count);
            string fragment = Fragments[mutator.Next(Fragments.Length)];
            switch (mutator.Next(5))
            {
                case 0:
                    lines[line] = lines[line].Insert(mutator.Next(lines[line].Length + 1), fragment);
                    break;
                case 1:
                {
                    var cells = lines[line].Split(',');
                    cells[mutator.Next(cells.Length)] = fragment;
                    lines[line] = string.Join(",", cells);
                    break;
                }
                case 2:
                    lines.Insert(line, lines[line]);
                    break;
                case 3:
                    if (lines.Count > 1) lines.RemoveAt(line);
                    break;
                default:
                {
                    int other = mutator.Next(lines.Count);
                    (lines[line], lines[other]) = (lines[other], lines[line]);
                    break;
                }
            }
        }
        return Encoding.UTF8.GetBytes(string.Join("\n", lines));
    }

    private static string? Check(CsvData data, bool classes)
    {
        if (data.Rows == 0) return "read no rows without an error";
        if (data.Features.Length != data.Rows * data.FeatureCount) return $"{data.Features.Length} features for {data.Rows} rows of {data.FeatureCount}";
        if (data.FeatureNames.Length != data.FeatureCount) return $"{data.FeatureNames.Length} names for {data.FeatureCount} features";
        if (data.Features.Any(v => !float.IsFinite(v)) || data.Targets.Any(v => !float.IsFinite(v))) return "returned a value that is not finite";
        if (classes && (data.Labels.Length != data.Rows || data.Labels.Any(l => l < 0))) return "labels do not match the rows or are negative";
        if (classes && data.Labels.Where((l, i) => (float)l != data.Targets[i]).Any()) return "a label and its target differ";
        return null;
    }
}
