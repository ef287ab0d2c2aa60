using System;
using System.Diagnostics;
using System.IO;
using Dl;
using Dl.Data;
using Dl.Training;
using Samples;

namespace Autoencoder;

/// <summary>A model's forward and backward pass for one batch of inputs and targets (the generated ComputeGradients).</summary>
internal delegate float GradientStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);

/// <summary>
/// The training loop both autoencoders share: Adam over shuffled batches of the training digits, the input made from
/// each clean batch by <c>corrupt</c> (noise for the denoiser, nothing for the VAE), the clean batch as the target, and
/// a progress line after each epoch with the test figure <c>evaluate</c> returns.
/// </summary>
internal static class Epochs
{
    public delegate void Corrupt(ReadOnlySpan<float> clean, Span<float> input);

    /// <summary>Trains for <paramref name="epochs"/>; returns the time spent in steps and the step count.</summary>
    public static (TimeSpan TrainTime, long Steps) Run(string name, ICompiledModel model, GradientStep step, Digits.Set train, int epochs, int batch,
        float rate, int seed, Corrupt? corrupt, Func<string> evaluate, TextWriter output)
    {
        int size = Math.Min(batch, train.Count);
        var batches = new MiniBatches(train.Pixels, Digits.Pixels, train.Labels, size, seed);
        var optimizer = new Adam(rate);
        var clean = new float[size * Digits.Pixels];
        var input = corrupt is null ? clean : new float[clean.Length];
        var labels = new int[size];
        var trainClock = new Stopwatch();
        long steps = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            batches.Shuffle();
            double lossSum = 0;
            int seen = 0;
            trainClock.Start();
            for (int b = 0; b < batches.BatchCount; b++)
            {
                int rows = batches.Gather(b, clean, labels);
                int length = rows * Digits.Pixels;
                corrupt?.Invoke(clean.AsSpan(0, length), input.AsSpan(0, length));
                float loss = step(input.AsSpan(0, length), clean.AsSpan(0, length));
                DivergenceException.ThrowIfNotFinite(loss, epoch, b + 1);
                optimizer.Step(model);
                lossSum += loss * rows;
                seen += rows;
                steps++;
            }
            trainClock.Stop();
            output.WriteLine($"{name} epoch {epoch}/{epochs}  loss {lossSum / seen:F4}  {evaluate()}  {clock.Elapsed.TotalSeconds:F2} s");
        }
        return (trainClock.Elapsed, steps);
    }
}
