using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using Dl.Cpu;

namespace Dl.Benchmarks;

/// <summary>
/// The quick benchmark's thread-robustness modes, for the batch-64 MLP step:
/// <c>--processes N</c> runs it in N processes one after another and prints each figure, the
/// fastest, the slowest and their ratio (<c>mlp_train_step_b64_spread</c>); <c>--hog SECONDS</c>
/// starts a process that spins one core for at most that long and times the step beside it at all
/// threads and at one, alternating the two every 20 ms in this one process, so both see the same hog.
/// </summary>
internal static class ThreadFigures
{
    private const string Figure = "mlp_train_step_b64";

    /// <summary>Runs the mode <paramref name="args"/> names and returns true, or false when it names none.</summary>
    public static bool TryRun(string[] args)
    {
        if (args.Length == 2 && args[0] == "--processes" && int.TryParse(args[1], out int processes) && processes >= 1)
            Processes(processes);
        else if (args.Length == 2 && args[0] == "--hog" && double.TryParse(args[1], CultureInfo.InvariantCulture, out double seconds) && seconds > 0)
            Hog(seconds);
        else if (args.Length == 2 && args[0] == "--spin" && double.TryParse(args[1], CultureInfo.InvariantCulture, out double spin))
            Spin(spin);
        else if (args.Length == 1 && args[0] == "--mlp-b64")
            QuickFigures.Report(Figure, QuickFigures.Time(MlpStep()), "us");   // one process of --processes
        else if (Array.Exists(args, a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            Console.Error.WriteLine("Dl.Benchmarks: --quick takes group names, or one of --processes N, --hog SECONDS");
            Environment.Exit(2);
        }
        else return false;
        return true;
    }

    /// <summary>The batch-64 MLP training step the quick benchmark times, on a model of its own.</summary>
    private static Action MlpStep()
    {
        var model = new Mnist.MnistMlp(seed: 1) { LearningRate = 0.1f };
        var data = new MnistBatches(64);
        return () => { var (x, y) = data.Next(); model.TrainStep(x, y); };
    }

    private static void Processes(int count)
    {
        var figures = new double[count];
        for (int i = 0; i < count; i++)
        {
            string output = RunSelf("--quick --mlp-b64");
            string? line = Array.Find(output.Split('\n'), l => l.StartsWith(Figure + " ", StringComparison.Ordinal));
            if (line is null) throw new InvalidOperationException($"process {i + 1} printed no {Figure}:\n{output}");
            figures[i] = double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
            QuickFigures.Report($"{Figure}_process{i + 1}", figures[i], "us");
        }
        double min = figures[0], max = figures[0];
        foreach (double f in figures) (min, max) = (Math.Min(min, f), Math.Max(max, f));
        QuickFigures.Report($"{Figure}_min", min, "us");
        QuickFigures.Report($"{Figure}_max", max, "us");
        QuickFigures.Report($"{Figure}_spread", max / min, "x");
    }

    private static void Hog(double seconds)
    {
        var step = MlpStep();
        int threads = WorkerPool.Threads;
        QuickFigures.Time(step);   // warm-up and JIT before the hog starts
        using var hog = StartSelf($"--quick --spin {seconds.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            Thread.Sleep(100);   // the hog spinning
            QuickFigures.MarkStolenParts();
            var (all, one) = Alternate(step, threads, Math.Max(0.5, seconds - 0.5));
            QuickFigures.Report("hog_threads", threads, "threads");
            QuickFigures.Report($"{Figure}_hog", all, "us");
            QuickFigures.Report($"{Figure}_hog_t1", one, "us");
            QuickFigures.ReportStolenParts("_hog");
        }
        finally
        {
            if (!hog.HasExited) hog.Kill();
            WorkerPool.Threads = threads;
        }
    }

    /// <summary>Mean microseconds per step at <paramref name="threads"/> and at one thread, alternating every 20 ms for <paramref name="seconds"/>.</summary>
    private static (double All, double One) Alternate(Action step, int threads, double seconds)
    {
        double[] elapsed = new double[2];
        long[] calls = new long[2];
        var total = Stopwatch.StartNew();
        for (int round = 0; total.Elapsed.TotalSeconds < seconds; round++)
        {
            int which = round & 1;
            WorkerPool.Threads = which == 0 ? threads : 1;
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < 20) { step(); calls[which]++; }
            elapsed[which] += sw.Elapsed.TotalMilliseconds * 1000;
        }
        return (elapsed[0] / calls[0], elapsed[1] / calls[1]);
    }

    /// <summary>A CPU-bound loop on this thread for at most <paramref name="seconds"/> (the hog).</summary>
    private static void Spin(double seconds)
    {
        var sw = Stopwatch.StartNew();
        long spins = 0;
        while (sw.Elapsed.TotalSeconds < seconds) spins++;
        GC.KeepAlive(spins);
    }

    private static string RunSelf(string arguments)
    {
        using var process = StartSelf(arguments);
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"Dl.Benchmarks {arguments} exited with {process.ExitCode}:\n{output}");
        return output;
    }

    /// <summary>This benchmark again, in a process of its own (through the dotnet host when that is how this one runs).</summary>
    private static Process StartSelf(string arguments)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("no process path to start the benchmark again");
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(ThreadFigures).Assembly.Location);
        foreach (string a in arguments.Split(' ')) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the benchmark again");
    }
}
