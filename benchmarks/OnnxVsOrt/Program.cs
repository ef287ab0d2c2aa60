// Our Predict against ONNX Runtime on the same model, weights and inputs: each sample model (MLP 784-128-10,
// LeNet-5) is exported with its generated ExportOnnx, checked (ORT's output within 1e-4 of Predict's, else exit 1),
// then both are timed. ORT runs as a deployment would: IOBinding bound once over pinned input and output arrays,
// ORT_ENABLE_ALL, sequential execution, 1 and 2 intra-op threads; its figure is the better of the two.
// Prints `name value unit` lines ('#' lines are context):
//   ours_<model>_infer_b<N>      median time of one Predict call
//   ort_<model>_infer_b<N>_t<T>  median time of one RunWithBinding with T intra-op threads
//   ort_<model>_infer_b<N>       the better of the ORT figures
//   ratio_<model>_infer_b<N>     ORT time / our time (above 1: Predict is faster)
// It also writes, into --out DIR (default benchmarks/OnnxVsOrt/out, git-ignored), what the cold runs read:
// <model>.onnx, <model>.safetensors (the same seeded weights), input.bin (the first test digit, raw float32) and
// <model>.expected.bin (Predict's batch-1 logits for it).
// Options: --quick (5 repeats of ~0.08 s after 0.3 s warm-up; default 9 of ~0.25 s after 1 s), --data DIR (MNIST IDX
// folder), --out DIR.
// Cold mode, one launch per figure (ColdStart.cs; onnx-vs-ort.sh launches it under the JIT and NativeAOT):
//   --cold ours|ort --model mlp|lenet --files DIR   prints <ours|ort>_cold_<model> ms: process launch (the
//   launcher's DL_LAUNCH_UNIX_US, else the process start time) to the first prediction's logits.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Globalization;
using Dl.Checkpoints;
using Dl.Data;
using Microsoft.ML.OnnxRuntime;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// Before anything else: a cold run must not JIT or load what only the warm run uses (its own method below).
if (args.Contains("--cold")) return ColdStart.Run(args);
return Warm(args);

static int Warm(string[] args)
{
    bool quick = args.Contains("--quick");
    string data = ColdStart.Option(args, "--data") is { Length: > 0 } d ? d : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "data", "mnist");
    var images = Path.Combine(data, "t10k-images-idx3-ubyte.gz");
    var pixels = Idx.ReadImages(images).Pixels;   // scaled to [0, 1]
    string outDir = ColdStart.Option(args, "--out") is { Length: > 0 } o ? o : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "out");
    Directory.CreateDirectory(outDir);
    ColdStart.WriteFloats(ColdStart.Input(outDir), pixels.AsSpan(0, 784));
    var bench = new Bench(quick ? 5 : 9, quick ? 0.08 : 0.25, quick ? 0.3 : 1.0);

    var mlp = new Mnist.MnistMlp(seed: 1);
    var lenet = new LeNet.LeNet5(seed: 2);
    Console.WriteLine($"# date {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z onnxruntime {OrtEnv.Instance().GetVersionString()} .NET {Environment.Version} " +
                      $"cpus {Environment.ProcessorCount} repeats {bench.Repeats}{(quick ? " (quick)" : "")}; inputs: the first MNIST test digits of {images}");
    int failures = 0;
    foreach (var (name, export, dims, batch) in new (string, Action<Stream>, int[], int)[]
    {
        ("mlp", mlp.ExportOnnx, new[] { 784 }, 1),
        ("mlp", mlp.ExportOnnx, new[] { 784 }, 1024),
        ("lenet", lenet.ExportOnnx, new[] { 1, 28, 28 }, 1),
        ("lenet", lenet.ExportOnnx, new[] { 1, 28, 28 }, 64),
    })
    {
        var x = pixels.AsSpan(0, batch * 784).ToArray();
        // Predict returns a span over the model's arena: the timed call reads nothing back, the check copies it once.
        Action predict = name == "mlp" ? () => mlp.Predict(x) : () => lenet.Predict(x);
        var expected = (name == "mlp" ? mlp.Predict(x) : lenet.Predict(x)).ToArray();
        using var file = new MemoryStream();
        export(file);
        if (batch == 1)
        {
            // The cold runs' files: this model, its weights and its answer for the first digit.
            File.WriteAllBytes(ColdStart.Onnx(outDir, name), file.ToArray());
            Checkpoint.Save(ColdStart.Weights(outDir, name), name == "mlp" ? (Dl.ICompiledModel)mlp : lenet);
            ColdStart.WriteFloats(ColdStart.Expected(outDir, name), expected);
        }
        string figure = $"{name}_infer_b{batch}";
        double ours = bench.Median(predict);
        Console.WriteLine($"ours_{figure} {ours * 1e6:G4} us");
        double best = double.MaxValue;
        foreach (int threads in new[] { 1, 2 })
        {
            using var ort = new OrtRunner(file.ToArray(), x, dims, batch, expected.Length / batch, threads);
            ort.Run();
            double diff = expected.Zip(ort.Output, (a, b) => Math.Abs(a - b)).Max();
            Console.WriteLine($"# {figure} t{threads}: max |ORT - Predict| {diff:E2}");
            if (!(diff <= 1e-4)) { Console.Error.WriteLine($"onnx-vs-ort: {figure} t{threads}: ORT differs from Predict by {diff:E2}"); failures++; }
            double t = bench.Median(ort.Run);
            Console.WriteLine($"ort_{figure}_t{threads} {t * 1e6:G4} us");
            best = Math.Min(best, t);
        }
        Console.WriteLine($"ort_{figure} {best * 1e6:G4} us");
        Console.WriteLine($"ratio_{figure} {best / ours:F2} x");
    }
    return failures == 0 ? 0 : 1;
}

/// <summary>One exported model in one session: input and output arrays pinned once, IOBinding bound once.</summary>
sealed class OrtRunner : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly OrtValue _x, _y;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _run = new();
    public readonly float[] Output;

    public OrtRunner(byte[] model, float[] x, int[] sample, int batch, int outputs, int threads)
    {
        _options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(model, _options);
        Output = new float[batch * outputs];
        _x = OrtValue.CreateTensorValueFromMemory(x, new long[] { batch }.Concat(sample.Select(d => (long)d)).ToArray());
        _y = OrtValue.CreateTensorValueFromMemory(Output, new long[] { batch, outputs });
        _binding = _session.CreateIoBinding();
        _binding.BindInput(_session.InputMetadata.Keys.Single(), _x);
        _binding.BindOutput(_session.OutputMetadata.Keys.Single(), _y);
    }

    public void Run() => _session.RunWithBinding(_run, _binding);

    public void Dispose()
    {
        _binding.Dispose(); _x.Dispose(); _y.Dispose(); _run.Dispose(); _session.Dispose(); _options.Dispose();
    }
}

/// <summary>Warm up, size one repeat to a fixed time, take the median per-call time of the repeats.</summary>
sealed class Bench(int repeats, double repeatSeconds, double warmSeconds)
{
    public int Repeats => repeats;

    public double Median(Action step)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 20 || sw.Elapsed.TotalSeconds < warmSeconds; i++) step();
        sw.Restart();
        int n = 0;
        while (sw.Elapsed.TotalSeconds < 0.05 || n < 3) { step(); n++; }
        int iterations = Math.Max(1, (int)(repeatSeconds / (sw.Elapsed.TotalSeconds / n)));
        GC.Collect(); GC.WaitForPendingFinalizers();
        var sorted = new double[repeats];
        for (int k = 0; k < repeats; k++)
        {
            sw.Restart();
            for (int i = 0; i < iterations; i++) step();
            sorted[k] = sw.Elapsed.TotalSeconds / iterations;
        }
        Array.Sort(sorted);
        return sorted[repeats / 2];
    }
}
