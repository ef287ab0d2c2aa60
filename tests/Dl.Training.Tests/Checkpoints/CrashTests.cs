using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Dl.Checkpoints;
using Xunit.Abstractions;

namespace Dl.Training.Tests.Checkpoints;

/// <summary>
/// A writer process killed in the middle of a save never leaves a torn checkpoint at the path, and the temporary
/// file it was writing is removed by the next save.
/// </summary>
public class CrashTests
{
    private const int Floats = 2 << 20; // 8 MiB of data: a save lasts long enough to be caught mid-write
    private const int Rounds = 5;
    private readonly ITestOutputHelper _log;

    public CrashTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void Killing_the_writer_mid_save_leaves_the_old_or_the_new_checkpoint_and_the_next_save_cleans_up()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        Checkpoint.Save(path, CrashWriter.Model(Floats), step: 0);
        long fullLength = new FileInfo(path).Length;
        var random = new Random(12345);
        int midWriteKills = 0;

        for (int round = 0; round < Rounds; round++)
        {
            // Kill while the k-th save's temporary file is being written (k = 1..3, so some rounds
            // replace the file first); timing comes from watching the folder, not from guessing.
            int killAtSave = random.Next(1, 4);
            using (var child = StartWriter(path))
            {
                try { WaitForTemporaryFile(folder.Path, child, killAtSave); }
                finally
                {
                    // SIGKILL at once: the writer has no children, and collecting a process tree
                    // first costs enough time for the save to finish.
                    child.Kill();
                    child.WaitForExit();
                }
            }

            var leftovers = Directory.GetFiles(folder.Path, "model.safetensors.tmp-*");
            bool torn = leftovers.Any(f => new FileInfo(f).Length < fullLength);
            if (torn) midWriteKills++;

            // The file at the path must be one whole save: every value equal to its recorded step.
            var model = CrashWriter.Model(Floats);
            model.ParameterArray.AsSpan().Fill(-1);
            long step = Checkpoint.Load(path, model).Step;
            _log.WriteLine($"round {round}: killed during save {killAtSave}, {leftovers.Length} temporary files left (torn: {torn}), file holds step {step}");
            Assert.All(model.ParameterArray, v => Assert.Equal(step, v));

            // The next save, by another process, removes what the killed writer left and writes a whole file.
            long next = 10_000 + round;
            model.ParameterArray.AsSpan().Fill(next);
            Checkpoint.Save(path, model, step: next);
            Assert.Empty(Directory.GetFiles(folder.Path, "model.safetensors.tmp-*"));
            Assert.Equal(next, Checkpoint.Load(path, model).Step);
        }
        // Otherwise the test proved nothing: every kill fell between writes.
        Assert.True(midWriteKills >= 1, "no kill landed in the middle of a write");
    }

    /// <summary>Polls until the writer has begun its <paramref name="k"/>-th temporary file (each save uses a fresh name).</summary>
    private static void WaitForTemporaryFile(string folder, Process child, int k)
    {
        var seen = new HashSet<string>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            foreach (var f in Directory.GetFiles(folder, "model.safetensors.tmp-*"))
                if (seen.Add(f) && seen.Count == k) return;
            if (child.HasExited) throw new InvalidOperationException($"the writer exited with code {child.ExitCode}");
        }
        throw new TimeoutException($"the writer did not start save {k} within 60 s");
    }

    private static Process StartWriter(string path)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CrashWriter).Assembly.Location);
        start.ArgumentList.Add(CrashWriter.Flag);
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(Floats.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the writer process");
        // Drain both pipes so the writer never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The dotnet host running this test, found from the runtime's own folder (…/shared/Microsoft.NETCore.App/&lt;v&gt;/).</summary>
    private static string DotnetHost()
    {
        string exe = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        if (Path.GetFileName(Environment.ProcessPath) == exe) return Environment.ProcessPath!;
        string? fromEnvironment = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (fromEnvironment != null && File.Exists(fromEnvironment)) return fromEnvironment;
        string root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        string candidate = Path.Combine(root, exe);
        return File.Exists(candidate) ? candidate : exe;
    }
}
