using System;
using System.IO;

namespace Dl.Tests;

/// <summary>
/// The repository's root, found by walking up from the test binaries to the folder holding
/// DlCompiler.sln (not from [CallerFilePath]: CI's ContinuousIntegrationBuild maps source paths to
/// /_/). Linked into every test project that reads repository files.
/// </summary>
internal static class RepositoryRoot
{
    public static string Folder { get; } = Find();

    /// <summary>A path under the root.</summary>
    public static string Combine(params string[] parts)
    {
        var all = new string[parts.Length + 1];
        all[0] = Folder;
        parts.CopyTo(all, 1);
        return Path.Combine(all);
    }

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DlCompiler.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("DlCompiler.sln was not found above " + AppContext.BaseDirectory);
    }
}
