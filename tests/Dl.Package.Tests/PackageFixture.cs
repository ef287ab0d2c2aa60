using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Dl.Package.Tests;

/// <summary>The tests that start dotnet builds run one at a time (2 cores), sharing one pack of the package.</summary>
[CollectionDefinition(Name)]
public sealed class DotnetProcessesCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "dotnet processes";
}

/// <summary>
/// One temporary folder for the collection: the packed DlCompiler package in a local feed (packed once, on first use),
/// a consumer project made from it (also once), and a NuGet packages folder of its own so that nothing comes from a
/// package cache that an earlier pack filled. Set DL_KEEP_TEMP=1 to keep the folder for a look afterwards.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public const string PackageId = "DlCompiler";
    public const string PackageVersion = "0.1.0";

    private readonly Lazy<string> _package;
    private readonly Lazy<ConsumerProject> _consumer;
    private readonly StringBuilder _log = new();

    public PackageFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "dl-package-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
        Feed = Path.Combine(Root, "feed");
        Packages = Path.Combine(Root, "packages");
        _package = new Lazy<string>(PackToFeed);
        _consumer = new Lazy<ConsumerProject>(() => ConsumerProject.Create(this));
    }

    /// <summary>The temporary folder everything lives in.</summary>
    public string Root { get; }

    /// <summary>The local NuGet feed (a folder) the package is packed into.</summary>
    public string Feed { get; }

    /// <summary>The consumer's NuGet packages folder (NUGET_PACKAGES): empty before its restore.</summary>
    public string Packages { get; }

    /// <summary>The .nupkg, packed on first use.</summary>
    public string PackagePath => _package.Value;

    /// <summary>The consumer console project, created and built on first use.</summary>
    public ConsumerProject Consumer => _consumer.Value;

    /// <summary>Environment for every command of the consumer: its own packages folder.</summary>
    public IReadOnlyDictionary<string, string> ConsumerEnvironment => new Dictionary<string, string> { ["NUGET_PACKAGES"] = Packages };

    /// <summary>Writes a progress line to stderr (visible while the test runs) and to the log every test prints.</summary>
    public void Log(string line)
    {
        lock (_log) _log.AppendLine(line);
        Console.Error.WriteLine("Dl.Package.Tests: " + line);
    }

    public string LogText { get { lock (_log) return _log.ToString(); } }

    private string PackToFeed()
    {
        string project = Path.Combine(Dotnet.RepoRoot, "src", "Dl.Runtime", "Dl.Runtime.csproj");
        Dotnet.Run(Dotnet.RepoRoot, $"pack \"{project}\" -c {Dotnet.Configuration} -o \"{Feed}\" --disable-build-servers", TimeSpan.FromMinutes(6), Log)
            .ShouldSucceed();
        string path = Path.Combine(Feed, $"{PackageId}.{PackageVersion}.nupkg");
        if (!File.Exists(path))
            throw new FileNotFoundException($"pack did not write {path}; the feed holds: {string.Join(", ", Directory.GetFiles(Feed).Select(Path.GetFileName))}");
        return path;
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("DL_KEEP_TEMP") == "1") return;
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
