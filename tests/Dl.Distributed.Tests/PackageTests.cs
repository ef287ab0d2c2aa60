using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Dl.Tests;

namespace Dl.Distributed.Tests;

/// <summary>DlCompiler.Distributed is a package of its own that depends on DlCompiler, so users who do not train across processes carry none of it.</summary>
public sealed class PackageTests
{
    [Fact]
    public void Pack_GivesDlCompilerDistributed_WithItsDocsAndADependencyOnDlCompiler()
    {
        using var feed = new TempDir();
        var project = RepositoryRoot.Combine("src", "Dl.Distributed", "Dl.Distributed.csproj");
        var run = Mpirun.Start("dotnet", $"pack \"{project}\" -c Release -o \"{feed.Path}\" -nologo", TimeSpan.FromMinutes(5), null);
        Assert.True(run.ExitCode == 0, run.ToString());
        var package = Directory.GetFiles(feed.Path, "DlCompiler.Distributed.*.nupkg").Single();
        using var zip = ZipFile.OpenRead(package);
        var names = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("lib/net10.0/Dl.Distributed.dll", names);
        Assert.Contains("lib/net10.0/Dl.Distributed.xml", names);
        Assert.Contains("README.md", names);
        // No MPI inside: the machine's MPICH or Open MPI is loaded at run time.
        Assert.DoesNotContain(names, n => n.Contains("libmpi", StringComparison.OrdinalIgnoreCase));
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        string text = nuspec.ReadToEnd();
        Assert.Contains("<dependency id=\"DlCompiler\"", text);
        Assert.DoesNotContain("MPI.NET", text);
    }
}
