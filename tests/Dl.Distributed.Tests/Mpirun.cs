using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using Dl.Tests;

namespace Dl.Distributed.Tests;

/// <summary>The result of one launched program: exit code, both streams, how long it took.</summary>
public sealed record Run(int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    public string All => Output + Error;

    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// Starts the worker (tests/Dl.Distributed.Worker) alone or under the machine's mpirun: <c>DL_MPIRUN</c> when set
/// (e.g. mpirun.mpich or mpirun.openmpi where both are installed), else <c>mpirun</c> on the PATH. Open MPI's needs
/// --oversubscribe (2 ranks on fewer cores) and, as root, its two allow-root variables.
/// </summary>
public static class Mpirun
{
    public static string? Launcher { get; } = Find();

    public static bool IsOpenMpi { get; } = Launcher is { } l && Start(l, "--version", TimeSpan.FromSeconds(30), null).All.Contains("Open MPI");

    public static string WorkerDll { get; } = Path.Combine(AppContext.BaseDirectory, "Dl.Distributed.Worker.dll");

    public static string Data { get; } = RepositoryRoot.Combine("data", "mnist");

    /// <summary>The worker as one plain process (no launcher).</summary>
    public static Run Single(string arguments, TimeSpan limit, params (string, string)[] environment) =>
        Start("dotnet", $"\"{WorkerDll}\" {arguments}", limit, environment);

    /// <summary>The worker under mpirun with <paramref name="ranks"/> ranks.</summary>
    public static Run Ranks(int ranks, string arguments, TimeSpan limit, params (string, string)[] environment) =>
        Program(ranks, WorkerDll, arguments, limit, environment);

    /// <summary>A .NET program (its dll) under mpirun with <paramref name="ranks"/> ranks.</summary>
    public static Run Program(int ranks, string dll, string arguments, TimeSpan limit, params (string, string)[] environment)
    {
        string extra = IsOpenMpi ? "--oversubscribe " : "";
        var env = new (string, string)[environment.Length + 2];
        environment.CopyTo(env, 0);
        env[^2] = ("OMPI_ALLOW_RUN_AS_ROOT", "1");
        env[^1] = ("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        return Start(Launcher!, $"{extra}-np {ranks} dotnet \"{dll}\" {arguments}", limit, env);
    }

    /// <summary>Runs a program to its end, or kills it (and its children) past <paramref name="limit"/> and says so.</summary>
    public static Run Start(string file, string arguments, TimeSpan limit, (string, string)[]? environment)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Folder,
        };
        foreach (var (name, value) in environment ?? Array.Empty<(string, string)>()) info.Environment[name] = value;
        var output = new StringBuilder();
        var error = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is { } d) lock (output) output.AppendLine(d); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } d) lock (error) error.AppendLine(d); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new Run(-1, output.ToString(), error + $"\n(killed by the test after {limit.TotalSeconds} s)", clock.Elapsed);
        }
        process.WaitForExit(); // drains the streams
        return new Run(process.ExitCode, output.ToString(), error.ToString(), clock.Elapsed);
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("DL_MPIRUN") is { Length: > 0 } chosen) return chosen;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, "mpirun"))) return Path.Combine(dir, "mpirun");
        return null;
    }
}

/// <summary>A fact that needs an MPI launcher: skipped, saying so, where mpirun is not installed.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (Mpirun.Launcher is null)
            Skip = "no mpirun on the PATH (and DL_MPIRUN not set): install MPICH (apt-get install mpich) to run the multi-process tests; .ci/run does";
    }
}

/// <summary>The multi-process tests one at a time: each already runs two ranks on this machine's two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MpiCollection
{
    public const string Name = "mpirun";
}
