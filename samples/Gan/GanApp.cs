using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Dl;
using Dl.Data;
using Dl.Training;
using Samples;

namespace Gan;

/// <summary>
/// The command line: trains a GAN on MNIST with alternating steps, as PyTorch's tutorial does. Per batch:
/// the discriminator takes one Adam step on real digits (target 0.9, one-sided label smoothing) and generated ones (target 0); then the
/// generator takes one on the discriminator's verdict on fresh fakes with target 1 (the non-saturating loss):
/// <c>discriminator.InputGradient</c> gives that loss's gradient with respect to the fakes and
/// <c>generator.Backward(noise, gradient)</c> carries it into the generator's parameters. Writes a PNG grid of
/// digits from a fixed noise batch after each epoch, the losses' curves, and a classifier's verdict.
/// </summary>
internal static class GanApp
{
    private const int Pixels = 28 * 28, GridDigits = 64;

    /// <summary>Runs the sample; returns the exit code. Every failure is one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        SampleHost.Run("gan", Options.Command(), args, output, error, parsed => Train(Options.Read(parsed), output));

    private static int Train(Options options, TextWriter output)
    {
        var total = Stopwatch.StartNew();
        string dir = Digits.Folder(options.DataDir, "train");
        var train = Digits.Load(dir, "train");
        var test = Digits.Load(dir, "t10k");
        if (options.Batch > train.Count)
            throw new SampleException($"--batch {options.Batch} is more than the {train.Count} training digits in {dir}", SampleHost.UsageError);
        Directory.CreateDirectory(options.OutDir);
        OutputFile.CheckWritable(Path.Combine(options.OutDir, "gan-losses.png"), "--out");
        output.WriteLine($"data: {train.Count} training and {test.Count} test digits from {dir}");
        // The players see pixels in [-1, 1] (the generator's tanh range); the judge and the pictures [0, 1].
        var real = ToSigned(train.Pixels);

        var (judge, judgeAccuracy) = Verdict.TrainJudge(train.Pixels, train.Labels, test.Pixels, test.Labels, options.JudgeEpochs, options.Seed);
        var reference = Verdict.Of(judge, test.Pixels, Math.Min(test.Count, 1000));
        output.WriteLine($"judge: test accuracy {100 * judgeAccuracy:F2}%, confident on {100 * reference.ConfidentShare:F1}% of real test digits");

        var generator = new Generator(options.Seed);
        var discriminator = new Discriminator(options.Seed + 1);
        var generatorSteps = new Adam(options.LearningRate, beta1: 0.5f);
        var discriminatorSteps = new Adam(options.LearningRate, beta1: 0.5f);
        int batch = options.Batch;
        var batches = new MiniBatches(real, Pixels, train.Labels, batch, options.Seed);
        var noise = new Noise(options.Seed);
        var z = new float[batch * Generator.Noise];
        var fixedNoise = new float[GridDigits * Generator.Noise];
        noise.Fill(fixedNoise);
        // Real and generated digits in one discriminator batch: the mean over 2B is the mean of PyTorch's two losses.
        var pair = new float[2 * batch * Pixels];
        var pairTargets = new float[2 * batch];
        var ones = new float[batch];
        Array.Fill(ones, 1f);
        var fakeGradient = new float[batch * Pixels];
        var labels = new int[batch];
        var discriminatorLosses = new List<double>();
        var generatorLosses = new List<double>();
        var trainClock = new Stopwatch();
        long steps = 0;

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            trainClock.Start();
            batches.Shuffle();
            double dSum = 0, gSum = 0;
            int count = 0;
            for (int b = 0; b < batches.BatchCount; b++)
            {
                int rows = batches.Gather(b, pair.AsSpan(0, batch * Pixels), labels);
                var zs = z.AsSpan(0, rows * Generator.Noise);

                // The discriminator: real digits are 1, the generator's are 0 (generated afresh, its weights untouched).
                noise.Fill(zs);
                generator.Predict(zs).CopyTo(pair.AsSpan(rows * Pixels, rows * Pixels));
                // One-sided label smoothing (0.9 for real): a discriminator never quite certain keeps a gradient for the generator.
                pairTargets.AsSpan(0, rows).Fill(0.9f);
                pairTargets.AsSpan(rows, rows).Fill(0f);
                dSum += discriminator.ComputeGradients(pair.AsSpan(0, 2 * rows * Pixels), pairTargets.AsSpan(0, 2 * rows)) * rows;
                discriminatorSteps.Step(discriminator);

                // The generator: fresh fakes the discriminator should call real; only the generator steps.
                noise.Fill(zs);
                var fakes = generator.Predict(zs);
                gSum += discriminator.InputGradient(fakes, ones.AsSpan(0, rows), fakeGradient.AsSpan(0, rows * Pixels)) * rows;
                generator.Backward(zs, fakeGradient.AsSpan(0, rows * Pixels));
                generatorSteps.Step(generator);
                count += rows;
                steps++;
            }
            trainClock.Stop();
            discriminatorLosses.Add(dSum / count);
            generatorLosses.Add(gSum / count);
            string grid = Path.Combine(options.OutDir, $"gan-epoch-{epoch:D2}.png");
            ImageGrid.Save(grid, ToUnit(generator.Predict(fixedNoise)), GridDigits, 28, 28, columns: 8);
            output.WriteLine($"epoch {epoch}/{options.Epochs}  discriminator loss {dSum / count:F4}  generator loss {gSum / count:F4}  {clock.Elapsed.TotalSeconds:F2} s  -> {grid}");
        }

        CurvePlot.Save(Path.Combine(options.OutDir, "gan-losses.png"),
            new CurvePanel("binary cross-entropy", new Curve("discriminator", discriminatorLosses), new Curve("generator", generatorLosses)));

        // The verdict on 1,000 fresh digits.
        var judged = new float[1000 * Generator.Noise];
        noise.Fill(judged);
        var verdict = Verdict.Of(judge, ToUnit(generator.Predict(judged)), 1000);
        output.WriteLine($"gan_confident_share {verdict.ConfidentShare:F3} ratio");
        output.WriteLine($"gan_confident_classes {verdict.Classes} classes");
        output.WriteLine($"gan_top_class_share {verdict.TopClassShare:F3} ratio");
        output.WriteLine($"gan_real_confident_share {reference.ConfidentShare:F3} ratio");
        output.WriteLine($"gan_judge_test_accuracy {100 * judgeAccuracy:F2} %");
        output.WriteLine($"gan_epochs {options.Epochs} epochs");
        output.WriteLine($"gan_step_b{batch} {trainClock.Elapsed.TotalMilliseconds / Math.Max(steps, 1):F3} ms");
        output.WriteLine($"gan_wall_time {total.Elapsed.TotalSeconds:F2} s");
        return 0;
    }

    private static float[] ToSigned(float[] unit) => Array.ConvertAll(unit, v => 2 * v - 1);

    private static float[] ToUnit(ReadOnlySpan<float> signed)
    {
        var unit = new float[signed.Length];
        for (int i = 0; i < unit.Length; i++) unit[i] = (signed[i] + 1) / 2;
        return unit;
    }
}
