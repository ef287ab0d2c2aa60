using System;
using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Dl.Benchmarks;

// Two ways to run:
//   dotnet run -c Release --project benchmarks/Dl.Benchmarks -- --quick [mlp lenet lstm gemm]   figures as `name value unit` lines (~60 s for all:
//       each figure at all threads, then again at one thread, named with `_t1`)
//   dotnet run -c Release --project benchmarks/Dl.Benchmarks -- --quick --processes N   the batch-64 MLP step in N processes one after another, and their spread
//   dotnet run -c Release --project benchmarks/Dl.Benchmarks -- --quick --hog SECONDS   the batch-64 MLP step at all threads and at one, with a spinning process beside it
//   dotnet run -c Release --project benchmarks/Dl.Benchmarks -- [BenchmarkDotNet args, e.g. --filter *Mlp* or *LeNet*]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "--quick")
{
    if (ThreadFigures.TryRun(args[1..])) return;
    QuickFigures.Run(args[1..]);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(MlpBench).Assembly).Run(args);

/// <summary>
/// Median-of-repeats timings with the same work as the TorchSharp peer, printed one figure a line,
/// so runs can be compared and ratios taken against ../shared/peers/torchsharp/run.sh in one session.
/// </summary>
internal static class QuickFigures
{
    /// <summary>The named groups (mlp, lenet, lstm, gemm), or all of them.</summary>
    public static void Run(string[] groups)
    {
        var known = new (string Name, Action Run)[] { ("mlp", Mlp), ("lenet", LeNet), ("lstm", Lstm), ("gemm", Sgemm) };
        foreach (var group in groups)
            if (Array.FindIndex(known, k => k.Name == group) < 0)
            {
                Console.Error.WriteLine($"Dl.Benchmarks: no group '{group}'; the groups are {string.Join(", ", Array.ConvertAll(known, k => k.Name))}");
                Environment.Exit(2);
            }
        int threads = Dl.Cpu.WorkerPool.Threads;
        Report("pool_threads", threads, "threads");
        foreach (var (name, run) in known)
            if (groups.Length == 0 || Array.IndexOf(groups, name) >= 0) run();
        ReportStolenParts("");
        if (threads == 1) return;
        // The same figures on the calling thread alone, for the scaling.
        Dl.Cpu.WorkerPool.Threads = 1;
        s_suffix = "_t1";
        foreach (var (name, run) in known)
            if (groups.Length == 0 || Array.IndexOf(groups, name) >= 0) run();
        s_suffix = "";
        Dl.Cpu.WorkerPool.Threads = threads;
    }

    /// <summary>Appended to every figure's name (`_t1` while the one-thread figures run).</summary>
    private static string s_suffix = "";

    private static long s_handed, s_stolen, s_taken;

    /// <summary>Chunks and product blocks of a late worker's part that another thread ran.</summary>
    private static long TakenPieces => Dl.Cpu.WorkerPool.StolenChunks + Dl.Cpu.WorkerPool.HelpedBlocks;

    /// <summary>Starts the count <see cref="ReportStolenParts"/> reports from.</summary>
    internal static void MarkStolenParts() => (s_handed, s_stolen, s_taken) = (Dl.Cpu.WorkerPool.WorkerParts, Dl.Cpu.WorkerPool.StolenParts, TakenPieces);

    /// <summary>
    /// How often a worker was late to its part of a split since the last mark (its core busy elsewhere):
    /// when this is large, the figures above are not what the code does on a free machine.
    /// `helper_late_parts` is the same share under the name it had with one helper thread;
    /// `pool_taken_pieces` counts, per part handed to a worker, the chunks and product row blocks of parts
    /// a worker had begun but was late with that the caller ran.
    /// </summary>
    internal static void ReportStolenParts(string suffix)
    {
        long handed = Dl.Cpu.WorkerPool.WorkerParts - s_handed, stolen = Dl.Cpu.WorkerPool.StolenParts - s_stolen, taken = TakenPieces - s_taken;
        (s_handed, s_stolen, s_taken) = (Dl.Cpu.WorkerPool.WorkerParts, Dl.Cpu.WorkerPool.StolenParts, TakenPieces);
        double share = handed == 0 ? 0 : 100.0 * stolen / handed;
        Report("pool_stolen_parts" + suffix, share, "%");
        Report("helper_late_parts" + suffix, share, "%");
        Report("pool_taken_pieces" + suffix, handed == 0 ? 0 : 100.0 * taken / handed, "%");
    }

    /// <summary>C = A·B, square, row-major, as the peer's `gemm` group times it (2n³ FLOP per call).</summary>
    private static void Sgemm()
    {
        foreach (int n in new[] { 256, 1024 })
        {
            var random = new Random(n);
            var a = new float[n * n];
            var b = new float[n * n];
            var c = new float[n * n];
            for (int i = 0; i < a.Length; i++) { a[i] = (float)random.NextDouble(); b[i] = (float)random.NextDouble(); }
            double us = Time(() => Dl.Cpu.Gemm.Multiply(n, n, n, a, n, false, b, n, false, c, n));
            Report($"sgemm_{n}", 2.0 * n * n * n / us / 1e3, "GFLOP/s");
        }
    }

    internal static void Mlp()
    {
        foreach (int batch in new[] { 64, 256 })
        {
            var model = new Mnist.MnistMlp(seed: 1) { LearningRate = 0.1f };
            var data = new MnistBatches(batch);
            Report($"mlp_train_step_b{batch}", Time(() => { var (x, y) = data.Next(); model.TrainStep(x, y); }), "us");
        }
        foreach (int batch in new[] { 1, 1024 })
        {
            var model = new Mnist.MnistMlp(seed: 1);
            var data = new MnistBatches(batch);
            Report($"mlp_infer_b{batch}", Time(() => { var (x, _) = data.Next(); model.Predict(x); }), "us");
        }
    }

    /// <summary>The peer's `cnn` group times the step only; batch-1 inference has no peer figure yet.</summary>
    private static void LeNet()
    {
        // The peer's step cycles over every batch of the training file, so this one does too.
        var trained = new LeNet.LeNet5(seed: 1) { LearningRate = 0.1f };
        var train = new MnistBatches(LeNetBench.TrainBatch, int.MaxValue);
        Report($"lenet_train_step_b{LeNetBench.TrainBatch}", Time(() => { var (x, y) = train.Next(); trained.TrainStep(x, y); }), "us");

        var model = new LeNet.LeNet5(seed: 1);
        var infer = new MnistBatches(1);
        Report("lenet_infer_b1", Time(() => { var (x, _) = infer.Next(); model.Predict(x); }), "us");
    }

    /// <summary>
    /// The peer's `lstm` group: the SGD step of LSTM(28, 128) + Linear(128, 10) over 28 steps at batch 64, cycling
    /// over the training file; inference at batch 1 and 64; and the bytes a step allocates (none, by design).
    /// </summary>
    private static void Lstm()
    {
        var trained = new SequentialMnist.Lstm1(seed: 1) { LearningRate = 0.1f };
        var train = new MnistBatches(LstmBench.TrainBatch, int.MaxValue);
        Report($"lstm_train_step_b{LstmBench.TrainBatch}", Time(() => { var (x, y) = train.Next(); trained.TrainStep(x, y); }), "us");
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) { var (x, y) = train.Next(); trained.TrainStep(x, y); }
        Report($"lstm_train_step_b{LstmBench.TrainBatch}_allocated", (GC.GetAllocatedBytesForCurrentThread() - before) / 200.0, "bytes");

        var model = new SequentialMnist.Lstm1(seed: 1);
        foreach (int batch in new[] { 1, 64 })
        {
            var data = new MnistBatches(batch);
            Report($"lstm_infer_b{batch}", Time(() => { var (x, _) = data.Next(); model.Predict(x); }), "us");
        }
    }

    internal static void Report(string name, double value, string unit) =>
        Console.WriteLine($"{name}{s_suffix} {value:F2} {unit}");

    /// <summary>Median over 9 repeats of the mean time per call, after a second of warm-up.</summary>
    internal static double Time(Action step)
    {
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 1000) step();
        var samples = new double[9];
        for (int r = 0; r < samples.Length; r++)
        {
            int calls = 0;
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < 250) { step(); calls++; }
            samples[r] = sw.Elapsed.TotalMilliseconds * 1000 / calls;
        }
        Array.Sort(samples);
        return samples[samples.Length / 2];
    }
}
