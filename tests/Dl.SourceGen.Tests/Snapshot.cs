using System;
using System.IO;
using Dl.Tests;

namespace Dl.SourceGen.Tests;

/// <summary>
/// Approved-file snapshots: <c>Snapshots/&lt;name&gt;.approved</c> beside this file holds the expected
/// text. On a mismatch the actual text goes to <c>&lt;name&gt;.received</c> and the test fails with a
/// diff hint; a missing approved file is written and the test fails until it is committed.
/// The folder is found from the test binaries (<see cref="RepositoryRoot"/>).
/// </summary>
internal static class Snapshot
{
    public static void Verify(string name, string actual)
    {
        var directory = RepositoryRoot.Combine("tests", "Dl.SourceGen.Tests", "Snapshots");
        Directory.CreateDirectory(directory);
        var approved = Path.Combine(directory, name + ".approved");
        var received = Path.Combine(directory, name + ".received");
        actual = Normalize(actual);
        if (!File.Exists(approved))
        {
            File.WriteAllText(approved, actual);
            Assert.Fail($"No approved snapshot for '{name}': wrote {approved}; review it and approve by committing it.");
        }
        var expected = Normalize(File.ReadAllText(approved));
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail($"Snapshot '{name}' differs at line {FirstDifference(expected, actual)}. " +
            $"Compare with: diff {approved} {received}  (if the new output is right, move the .received file over the .approved one).");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    private static int FirstDifference(string a, string b)
    {
        var x = a.Split('\n');
        var y = b.Split('\n');
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
            if (x[i] != y[i]) return i + 1;
        return Math.Min(x.Length, y.Length) + 1;
    }
}
