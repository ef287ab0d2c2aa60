using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dl.Checkpoints;
using Microsoft.ML.OnnxRuntime;
using Samples;

/// <summary>
/// Cold start to the first prediction, one side per process, doing what a deployed app does and nothing more:
/// ours constructs the generated model, loads its safetensors checkpoint (Checkpoint.Load), reads one input and
/// calls Predict once; ORT creates an InferenceSession from the exported .onnx (ORT_ENABLE_ALL, sequential, 1
/// intra-op thread), reads the same input and calls Run once. The figure runs from the launcher's clock
/// (<see cref="LaunchClock"/>) to the first prediction's logits; they are then checked against the warm run's
/// Predict output (1e-4), outside the timed part. Each side is its own method, so neither JIT-compiles (nor loads
/// the assemblies of) the other.
/// </summary>
static class ColdStart
{
    /// <summary>The files the warm run writes into its --out folder for the cold runs.</summary>
    public static string Onnx(string dir, string model) => Path.Combine(dir, model + ".onnx");
    public static string Weights(string dir, string model) => Path.Combine(dir, model + ".safetensors");
    public static string Expected(string dir, string model) => Path.Combine(dir, model + ".expected.bin");
    public static string Input(string dir) => Path.Combine(dir, "input.bin");

    /// <summary>--cold ours|ort --model mlp|lenet --files DIR: prints `&lt;side&gt;_cold_&lt;model&gt; ms` and a '#' breakdown.</summary>
    public static int Run(string[] args)
    {
        long main = Stopwatch.GetTimestamp();
        double launchToMain = LaunchClock.SinceLaunchMs(out string clock);
        string side = Option(args, "--cold"), model = Option(args, "--model"), dir = Option(args, "--files");
        if (side is not ("ours" or "ort") || model is not ("mlp" or "lenet"))
        {
            Console.Error.WriteLine("usage: OnnxVsOrt --cold ours|ort --model mlp|lenet --files DIR (the warm run's --out folder)");
            return 2;
        }
        var (logits, loaded, inputRead) = side == "ours" ? Ours(model, dir) : Ort(model, dir);
        long first = Stopwatch.GetTimestamp();
        double total = launchToMain + Stopwatch.GetElapsedTime(main, first).TotalMilliseconds;

        var expected = ReadFloats(Expected(dir, model));
        double diff = expected.Length == logits.Length ? expected.Zip(logits, (a, b) => Math.Abs(a - b)).Max() : double.NaN;
        Console.WriteLine($"# {side} {model} {(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}, clock: {clock}; " +
                          $"launch_to_main {launchToMain:F1} ms, load {Stopwatch.GetElapsedTime(main, loaded).TotalMilliseconds:F1} ms, " +
                          $"read_input {Stopwatch.GetElapsedTime(loaded, inputRead).TotalMilliseconds:F2} ms, " +
                          $"first_prediction {Stopwatch.GetElapsedTime(inputRead, first).TotalMilliseconds:F2} ms; max |diff| to warm Predict {diff:E2}");
        if (!(diff <= 1e-4)) { Console.Error.WriteLine($"onnx-vs-ort: cold {side} {model}: first prediction differs from the warm Predict by {diff:E2}"); return 1; }
        Console.WriteLine($"{side}_cold_{model} {total:F1} ms");
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (float[] Logits, long Loaded, long InputRead) Ours(string model, string dir)
    {
        // The constructors initialise seeded weights that the checkpoint then replaces: a deployed app pays that too.
        Dl.ICompiledModel net = model == "mlp" ? new Mnist.MnistMlp() : new LeNet.LeNet5();
        Checkpoint.Load(Weights(dir, model), net);
        long loaded = Stopwatch.GetTimestamp();
        var x = ReadFloats(Input(dir));
        long inputRead = Stopwatch.GetTimestamp();
        var y = net is Mnist.MnistMlp mlp ? mlp.Predict(x).ToArray() : ((LeNet.LeNet5)net).Predict(x).ToArray();
        return (y, loaded, inputRead);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (float[] Logits, long Loaded, long InputRead) Ort(string model, string dir)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
        };
        using var session = new InferenceSession(Onnx(dir, model), options);
        long loaded = Stopwatch.GetTimestamp();
        var x = ReadFloats(Input(dir));
        long inputRead = Stopwatch.GetTimestamp();
        long[] shape = model == "mlp" ? [1, 784] : [1, 1, 28, 28];
        using var input = OrtValue.CreateTensorValueFromMemory(x, shape);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [session.InputNames[0]], [input], [session.OutputNames[0]]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), loaded, inputRead);
    }

    /// <summary>Raw little-endian float32 values, as <see cref="WriteFloats"/> writes them.</summary>
    public static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    public static void WriteFloats(string path, ReadOnlySpan<float> values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>The value after <paramref name="name"/> in the arguments, or "" when it is not given.</summary>
    public static string Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : "";
    }
}
