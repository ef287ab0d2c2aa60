using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Dl.Checkpoints;
using Mnist;
using Samples;

namespace Inference;

/// <summary>Loads a checkpoint, classifies every test image one at a time and prints accuracy, cold start and latency.</summary>
internal static class Classification
{
    public static int Run(Options o, TextWriter output)
    {
        long start = Stopwatch.GetTimestamp();
        double launchToMainMs = LaunchClock.SinceLaunchMs(out string clockSource);

        var model = new MnistMlp();
        var (step, scaling) = Load(o, model);
        long weightsLoaded = Stopwatch.GetTimestamp();

        string dir = Digits.Folder(o.DataDir, "t10k");
        var test = Digits.Load(dir, "t10k");
        Digits.Standardize(test.Pixels, scaling.Mean, scaling.Std);
        var pixels = test.Pixels;
        var labels = test.Labels;
        long dataLoaded = Stopwatch.GetTimestamp();

        // The first prediction: the cold-start figure ends here.
        int firstGuess = ArgMax(model.Predict(pixels.AsSpan(0, Digits.Pixels)));
        long firstPrediction = Stopwatch.GetTimestamp();
        double coldStartMs = launchToMainMs + Stopwatch.GetElapsedTime(start, firstPrediction).TotalMilliseconds;

        // First pass: every image alone (batch 1), timed one by one; this is also the accuracy.
        int count = labels.Length, correct = firstGuess == labels[0] ? 1 : 0;
        var firstPass = new double[count - 1];
        for (int i = 1; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            int guess = ArgMax(model.Predict(pixels.AsSpan(i * Digits.Pixels, Digits.Pixels)));
            firstPass[i - 1] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            if (guess == labels[i]) correct++;
        }

        // Steady state: further passes over the same images.
        var steady = new double[(long)o.Repeat * count];
        long k = 0;
        for (int r = 0; r < o.Repeat; r++)
            for (int i = 0; i < count; i++, k++)
            {
                long t0 = Stopwatch.GetTimestamp();
                ArgMax(model.Predict(pixels.AsSpan(i * Digits.Pixels, Digits.Pixels)));
                steady[k] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }

        output.WriteLine($"weights: {o.Weights} ({model.Parameters.Length} parameters, trained {step} steps)");
        output.WriteLine($"scaling: mean {scaling.Mean:F4}, std {scaling.Std:F4}, {scaling.Source}");
        output.WriteLine($"data: {count} test digits from {dir}");
        output.WriteLine($"runtime: {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}, cold start clock: {clockSource}");
        output.WriteLine($"mnist_inference_accuracy {100.0 * correct / count:F2} %");
        output.WriteLine($"mnist_inference_images {count} images");
        output.WriteLine($"cold_start_to_first_prediction {coldStartMs:F1} ms");
        output.WriteLine($"launch_to_main {launchToMainMs:F1} ms");
        output.WriteLine($"load_weights {Stopwatch.GetElapsedTime(start, weightsLoaded).TotalMilliseconds:F1} ms");
        output.WriteLine($"load_test_images {Stopwatch.GetElapsedTime(weightsLoaded, dataLoaded).TotalMilliseconds:F1} ms");
        output.WriteLine($"first_pass_latency_mean {Mean(firstPass):F2} us");
        if (steady.Length > 0)
        {
            Array.Sort(steady);
            output.WriteLine($"latency_per_image_mean {Mean(steady):F2} us");
            output.WriteLine($"latency_per_image_p50 {steady[steady.Length / 2]:F2} us");
            output.WriteLine($"latency_per_image_p99 {steady[(int)(steady.Length * 0.99)]:F2} us");
        }
        return 0;
    }

    /// <summary>
    /// The checkpoint's parameters into <paramref name="model"/>, and the scaling they were trained with. The metadata
    /// is read and checked before any tensor; weights that are not finite are refused (they would classify at random).
    /// </summary>
    private static (long Step, InputScaling Scaling) Load(Options o, MnistMlp model)
    {
        string path = o.Weights;
        if (Directory.Exists(path)) throw new SampleException($"--weights {path}: that is a folder, not a checkpoint", SampleHost.UsageError);
        if (!File.Exists(path)) throw new SampleException($"--weights {path}: no such file; train one first with --train --weights {path}");
        try
        {
            var metadata = Checkpoint.ReadMetadata(path);
            var scaling = InputScaling.Of(metadata, path, () => Digits.Load(Digits.Folder(o.DataDir, "train"), "train"));
            var state = Checkpoint.Load(path, model);
            foreach (var p in model.ParameterLayout)
                for (int i = 0; i < p.Length; i++)
                {
                    float value = model.Parameters[p.Offset + i];
                    if (!float.IsFinite(value))
                        throw new SampleException($"{path}: {p.Name}[{i}] is {value.ToString(CultureInfo.InvariantCulture)}; the weights must be finite");
                }
            return (state.Step, scaling);
        }
        // The checkpoint's own messages name the tensor or the problem; this names the file too.
        catch (CheckpointException e)
        {
            throw new SampleException(e.Message.Contains(path, StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}", e);
        }
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int c = 1; c < Digits.Classes; c++) if (logits[c] > logits[best]) best = c;
        return best;
    }

    private static double Mean(double[] values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        return values.Length == 0 ? 0 : sum / values.Length;
    }
}
