using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Dl.Tests;

namespace Dl.Package.Tests;

/// <summary>The result of one child process: its exit code and everything it printed, in order.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string Output, TimeSpan Elapsed)
{
    public string[] Lines => Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The last lines of the output, for failure messages.</summary>
    public string Tail(int lines = 60) => string.Join("\n", Lines.TakeLast(lines));

    public ProcessResult ShouldSucceed()
    {
        if (ExitCode != 0) throw new Xunit.Sdk.XunitException($"'{Command}' exited with {ExitCode} after {Elapsed.TotalSeconds:F0} s:\n{Tail()}");
        return this;
    }
}

/// <summary>
/// Runs dotnet (and published binaries) as child processes with a time limit, a clean environment and no
/// build servers left behind, logging each step with its duration so a slow or stuck step is visible.
/// </summary>
public static class Dotnet
{
    /// <summary>The dotnet that runs these tests (DOTNET_HOST_PATH under `dotnet test`), else the one on PATH.</summary>
    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";

    /// <summary>The configuration these tests were built in: the package and the sample are built the same way.</summary>
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    /// <summary>The repository root: the folder holding DlCompiler.sln above the test binaries.</summary>
    public static string RepoRoot => RepositoryRoot.Folder;

    /// <summary>Runs `dotnet args` in <paramref name="workingDirectory"/>; never throws on a non-zero exit code, only on a timeout.</summary>
    public static ProcessResult Run(string workingDirectory, string args, TimeSpan timeout, Action<string> log,
        IReadOnlyDictionary<string, string>? environment = null) =>
        Start(Host, args, workingDirectory, timeout, log, environment);

    /// <summary>Runs an executable (a published binary) the same way.</summary>
    public static ProcessResult Start(string fileName, string args, string workingDirectory, TimeSpan timeout, Action<string> log,
        IReadOnlyDictionary<string, string>? environment = null, Action<ProcessStartInfo>? beforeStart = null)
    {
        string command = $"{(fileName == Host ? "dotnet" : fileName)} {args}";
        log($"[{DateTime.Now:HH:mm:ss}] start: {command}  (in {workingDirectory})");
        var info = new ProcessStartInfo(fileName, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // The test host runs inside MSBuild's environment: do not let its MSBuild settings leak into a child build.
        foreach (var key in info.Environment.Keys.ToList())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                info.Environment.Remove(key);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // No MSBuild nodes or compiler servers that outlive the command (they would keep its output pipes open).
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["UseSharedCompilation"] = "false";
        if (environment != null)
            foreach (var (key, value) in environment) info.Environment[key] = value;
        beforeStart?.Invoke(info);

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        DataReceivedEventHandler collect = (_, e) => { if (e.Data != null) lock (output) output.Append(e.Data).Append('\n'); };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(10_000);
            string partial;
            lock (output) partial = output.ToString();
            log($"[{DateTime.Now:HH:mm:ss}] TIMEOUT after {timeout.TotalSeconds:F0} s: {command}");
            throw new TimeoutException($"'{command}' did not finish in {timeout.TotalSeconds:F0} s and was killed. Its output so far:\n" +
                string.Join("\n", partial.Split('\n').TakeLast(60)));
        }
        process.WaitForExit(); // drain the asynchronous readers
        string text;
        lock (output) text = output.ToString();
        var result = new ProcessResult(command, process.ExitCode, text, clock.Elapsed);
        log($"[{DateTime.Now:HH:mm:ss}] exit {result.ExitCode} after {result.Elapsed.TotalSeconds:F1} s: {command}");
        return result;
    }
}
