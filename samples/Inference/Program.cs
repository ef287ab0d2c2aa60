using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Dl;
using Dl.Checkpoints;
using Dl.Data;
using Mnist;

// MNIST inference with the generated MnistMlp: no reflection, so the same code runs under the JIT and as a NativeAOT binary.
//   --train             train first (SGD, --epochs, on the training split) and save the weights to --weights
//   --weights PATH      the safetensors checkpoint to load or write (default mnist-mlp.safetensors)
//   --data DIR          the folder with the IDX files (default: data/mnist in this folder, a parent, or beside the binary)
//   --epochs N          training epochs (default 3)
//   --repeat N          timed passes over the test images after the first (default 20)
// Every figure is printed as a line `name value unit`. Cold start is measured from the launcher's clock when the
// environment variable DL_LAUNCH_UNIX_US holds it (`DL_LAUNCH_UNIX_US=$(date +%s%6N) ./Inference ...`), otherwise from
// the kernel's process start time (10 ms resolution).
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Options.Parse(args);
return options.Train ? Commands.Train(options) : Commands.Classify(options);

internal sealed record Options(bool Train, string Weights, string? DataDir, int Epochs, int Repeat)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(false, "mnist-mlp.safetensors", null, 3, 20);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--train" => o with { Train = true },
                "--weights" => o with { Weights = Value() },
                "--data" => o with { DataDir = Value() },
                "--epochs" => o with { Epochs = Count(Value(), "--epochs", 1) },
                "--repeat" => o with { Repeat = Count(Value(), "--repeat", 0) },
                _ => throw new ArgumentException($"unknown option {args[i]}; options: --train --weights PATH --data DIR --epochs N --repeat N"),
            };
        }
        return o;
    }

    private static int Count(string s, string name, int min) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min
            ? v : throw new ArgumentException($"{name} must be an integer >= {min}, got '{s}'");
}

internal static class Commands
{
    private const int Pixels = 784, Classes = 10;
    private const string MeanKey = "input.mean", StdKey = "input.std";

    /// <summary>Trains the MLP with the generated TrainStep and saves its parameters and input scaling as a checkpoint.</summary>
    public static int Train(Options o)
    {
        var clock = Stopwatch.StartNew();
        string dir = o.DataDir ?? FindMnist();
        var (pixels, labels) = Load(dir, "train");
        var (mean, std) = MeanAndStd(pixels);
        Scale(pixels, mean, std);

        var model = new MnistMlp(seed: 1);
        var batches = new MiniBatches(pixels, Pixels, labels, batchSize: 32, seed: 1);
        var x = new float[32 * Pixels];
        var y = new int[32];
        long steps = 0;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            batches.Shuffle();
            double lossSum = 0;
            for (int b = 0; b < batches.BatchCount; b++, steps++)
            {
                int rows = batches.Gather(b, x, y);
                // Cosine decay from 0.2 to zero over the run.
                model.LearningRate = (float)(0.1 * (1 + Math.Cos(Math.PI * steps / (o.Epochs * batches.BatchCount))));
                lossSum += model.TrainStep(x.AsSpan(0, rows * Pixels), y.AsSpan(0, rows)) * rows;
            }
            Console.WriteLine($"epoch {epoch}/{o.Epochs}  loss {lossSum / labels.Length:F4}");
        }
        var metadata = new Dictionary<string, string>
        {
            [MeanKey] = mean.ToString("R", CultureInfo.InvariantCulture),
            [StdKey] = std.ToString("R", CultureInfo.InvariantCulture),
        };
        Checkpoint.Save(o.Weights, model, step: steps, metadata: metadata);
        Console.WriteLine($"saved {o.Weights} ({model.Parameters.Length} parameters, {steps} steps)");
        Console.WriteLine($"train_time {clock.Elapsed.TotalSeconds:F2} s");
        return 0;
    }

    /// <summary>Loads the checkpoint, classifies every test image one at a time and prints accuracy, cold start and latency.</summary>
    public static int Classify(Options o)
    {
        long start = Stopwatch.GetTimestamp();
        double launchToMainMs = SinceLaunchMs(out string clockSource);

        var model = new MnistMlp();
        if (!File.Exists(o.Weights))
        {
            Console.Error.WriteLine($"{o.Weights} does not exist: train first with --train --weights {o.Weights}");
            return 2;
        }
        var state = Checkpoint.Load(o.Weights, model);
        float mean = float.Parse(state.Metadata[MeanKey], CultureInfo.InvariantCulture);
        float std = float.Parse(state.Metadata[StdKey], CultureInfo.InvariantCulture);
        long weightsLoaded = Stopwatch.GetTimestamp();

        string dir = o.DataDir ?? FindMnist();
        var (pixels, labels) = Load(dir, "t10k");
        Scale(pixels, mean, std);
        long dataLoaded = Stopwatch.GetTimestamp();

        // The first prediction: the cold-start figure ends here.
        int firstGuess = ArgMax(model.Predict(pixels.AsSpan(0, Pixels)));
        long firstPrediction = Stopwatch.GetTimestamp();
        double coldStartMs = launchToMainMs + Stopwatch.GetElapsedTime(start, firstPrediction).TotalMilliseconds;

        // First pass: every image alone (batch 1), timed one by one; this is also the accuracy.
        int count = labels.Length, correct = firstGuess == labels[0] ? 1 : 0;
        var firstPass = new double[count - 1];
        for (int i = 1; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            int guess = ArgMax(model.Predict(pixels.AsSpan(i * Pixels, Pixels)));
            firstPass[i - 1] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            if (guess == labels[i]) correct++;
        }

        // Steady state: further passes over the same images.
        var steady = new double[o.Repeat * count];
        for (int r = 0, k = 0; r < o.Repeat; r++)
            for (int i = 0; i < count; i++, k++)
            {
                long t0 = Stopwatch.GetTimestamp();
                ArgMax(model.Predict(pixels.AsSpan(i * Pixels, Pixels)));
                steady[k] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }

        Console.WriteLine($"weights: {o.Weights} ({model.Parameters.Length} parameters, trained {state.Step} steps)");
        Console.WriteLine($"data: {count} test digits from {dir}");
        Console.WriteLine($"runtime: {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}, cold start clock: {clockSource}");
        Console.WriteLine($"mnist_inference_accuracy {100.0 * correct / count:F2} %");
        Console.WriteLine($"mnist_inference_images {count} images");
        Console.WriteLine($"cold_start_to_first_prediction {coldStartMs:F1} ms");
        Console.WriteLine($"launch_to_main {launchToMainMs:F1} ms");
        Console.WriteLine($"load_weights {Stopwatch.GetElapsedTime(start, weightsLoaded).TotalMilliseconds:F1} ms");
        Console.WriteLine($"load_test_images {Stopwatch.GetElapsedTime(weightsLoaded, dataLoaded).TotalMilliseconds:F1} ms");
        Console.WriteLine($"first_pass_latency_mean {Mean(firstPass):F2} us");
        if (steady.Length > 0)
        {
            Array.Sort(steady);
            Console.WriteLine($"latency_per_image_mean {Mean(steady):F2} us");
            Console.WriteLine($"latency_per_image_p50 {steady[steady.Length / 2]:F2} us");
            Console.WriteLine($"latency_per_image_p99 {steady[(int)(steady.Length * 0.99)]:F2} us");
        }
        return 0;
    }

    /// <summary>Milliseconds from the launch of this process to now: the launcher's clock if it gave one, else the process start time.</summary>
    private static double SinceLaunchMs(out string source)
    {
        string? launcher = Environment.GetEnvironmentVariable("DL_LAUNCH_UNIX_US");
        if (long.TryParse(launcher, NumberStyles.Integer, CultureInfo.InvariantCulture, out long us))
        {
            source = "launcher (DL_LAUNCH_UNIX_US)";
            return (DateTime.UtcNow - DateTime.UnixEpoch.AddTicks(us * 10)).TotalMilliseconds;
        }
        source = "process start time (10 ms resolution)";
        using var self = Process.GetCurrentProcess();
        return (DateTime.Now - self.StartTime).TotalMilliseconds;
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int c = 1; c < Classes; c++) if (logits[c] > logits[best]) best = c;
        return best;
    }

    private static double Mean(double[] values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        return values.Length == 0 ? 0 : sum / values.Length;
    }

    private static (float Mean, float Std) MeanAndStd(float[] values)
    {
        double sum = 0, squares = 0;
        foreach (var v in values) { sum += v; squares += (double)v * v; }
        double mean = sum / values.Length;
        return ((float)mean, (float)Math.Sqrt(Math.Max(squares / values.Length - mean * mean, 1e-12)));
    }

    private static void Scale(float[] values, float mean, float std)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (values[i] - mean) / std;
    }

    private static (float[] Pixels, int[] Labels) Load(string dir, string prefix)
    {
        var images = Idx.ReadImages(Path.Combine(dir, prefix + "-images-idx3-ubyte.gz"));
        var labels = Idx.ReadLabels(Path.Combine(dir, prefix + "-labels-idx1-ubyte.gz"));
        Idx.CheckPair(images, labels);
        if (images.Rows * images.Cols != Pixels)
            throw new InvalidDataException($"{prefix} images are {images.Rows}x{images.Cols}; this model needs 28x28");
        return (images.Pixels, labels);
    }

    /// <summary>data/mnist in the current folder or a parent, or beside the executable.</summary>
    private static string FindMnist()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "data", "mnist");
                if (File.Exists(Path.Combine(candidate, "t10k-images-idx3-ubyte.gz"))) return candidate;
            }
        throw new DirectoryNotFoundException("data/mnist was not found in this folder, its parents or beside the executable; pass --data DIR");
    }
}
