using System;
using System.IO;
using Dl.Data;

namespace Dl.Runtime.Tests;

/// <summary>CSV tables: what is read, and one clear error naming the file, line and column for each kind of bad cell.</summary>
public class CsvTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dl-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        string path = Path.Combine(_dir, "table.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_table_with_a_header_reads_features_labels_and_names()
    {
        string path = Write("a, \"b\",class\n1.5,2,0\n\n-3,4e1,2\n");
        var data = Csv.Read(path, hasHeader: true, labelColumn: -1);
        Assert.Equal(2, data.Rows);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(new[] { 1.5f, 2f, -3f, 40f }, data.Features);
        Assert.Equal(new[] { 0, 2 }, data.Labels);
        Assert.Equal(new[] { 0f, 2f }, data.Targets);
        Assert.Equal(new[] { "a", "b" }, data.FeatureNames);
        Assert.Equal("class", data.LabelName);
    }

    // A float has 24 bits of mantissa: 16777217 read as a float is 16777216, another class.
    [Theory]
    [InlineData("16777217", 16777217)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("123456789", 123456789)]
    [InlineData("7.0", 7)]
    [InlineData("+3", 3)]
    public void Integer_labels_are_read_exactly(string cell, int expected)
    {
        string path = Write($"0.5,{cell}\n");
        Assert.Equal(expected, Assert.Single(Csv.Read(path, hasHeader: false, labelColumn: 1).Labels));
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("16777216.5")]
    [InlineData("1e300")]
    public void Labels_that_are_not_classes_are_refused_naming_the_cell(string cell)
    {
        string path = Write($"0.5,{cell}\n");
        var e = Assert.Throws<InvalidDataException>(() => Csv.Read(path, hasHeader: false, labelColumn: 1));
        Assert.Equal($"{path}: line 1, column 2: '{cell}' is not a class label (an integer from 0 to 2147483647)", e.Message);
    }

    [Fact]
    public void Regression_targets_stay_floats()
    {
        string path = Write("1,16777217\n2,-0.25\n");
        var data = Csv.ReadTargets(path, hasHeader: false, targetColumn: 1);
        Assert.Equal(new[] { 16777216f, -0.25f }, data.Targets);
        Assert.Empty(data.Labels);
    }

    [Theory]
    [InlineData("1,2\n3\n", "line 2 has 1 columns, expected 2 (as on line 1)")]
    [InlineData("1,x\n", "line 1, column 2: 'x' is not a number")]
    [InlineData("NaN,1\n", "line 1, column 1: 'NaN' is not a finite number")]
    [InlineData("1e39,1\n", "line 1, column 1: '1e39' is not a finite number")]
    [InlineData(",1\n", "line 1, column 1: empty cell")]
    [InlineData("\"1,1\n", "line 1 has an unterminated quote")]
    [InlineData("\"1\"x,1\n", "line 1 has text after a closing quote at character 4")]
    [InlineData("\n\n", "no data rows")]
    [InlineData("1\n", "line 1 has 1 column; a label and at least one feature are needed")]
    public void Bad_tables_name_the_file_first(string text, string problem)
    {
        string path = Write(text);
        var e = Assert.Throws<InvalidDataException>(() => Csv.Read(path, hasHeader: false, labelColumn: -1));
        Assert.Equal($"{path}: {problem}", e.Message);
    }

    [Fact]
    public void A_relative_path_is_named_in_full_and_a_missing_file_is_not_found()
    {
        string name = Path.GetRelativePath(Directory.GetCurrentDirectory(), Write("1,x\n"));
        var e = Assert.Throws<InvalidDataException>(() => Csv.Read(name, hasHeader: false, labelColumn: 1));
        Assert.StartsWith(Path.GetFullPath(name) + ": ", e.Message);
        string missing = Path.Combine(_dir, "missing.csv");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => Csv.Read(missing, false, 0)).Message);
    }
}
