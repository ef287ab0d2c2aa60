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
/// The command line: trains a GAN on MNIST with alternating steps, as PyTorch's tutorial does. Per batch the
/// discriminator takes one Adam step of its objective (real digits against generated ones), then the generator one
/// of its own (the discriminator's verdict on fresh fakes); each objective trains only its own part of
/// <see cref="MnistGan"/>. Writes a PNG grid of digits from a fixed noise batch after each epoch, the losses'
/// curves, and a classifier's verdict.
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

        var gan = new MnistGan(options.Seed);
        var generatorSteps = new Adam(options.LearningRate, beta1: 0.5f);
        var discriminatorSteps = new Adam(options.LearningRate, beta1: 0.5f);
        int batch = options.Batch;
        var batches = new MiniBatches(real, Pixels, train.Labels, batch, options.Seed);
        var noise = new Noise(options.Seed);
        var z = new float[batch * Generator.Noise];
        var fixedNoise = new float[GridDigits * Generator.Noise];
        noise.Fill(fixedNoise);
        var x = new float[batch * Pixels];
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
                int rows = batches.Gather(b, x, labels);
                var zs = z.AsSpan(0, rows * Generator.Noise);
                // As in PyTorch: the discriminator's step on real digits and fresh fakes, then the generator's on fresh fakes.
                noise.Fill(zs);
                dSum += gan.TrainDiscriminatorLoss(zs, x.AsSpan(0, rows * Pixels), discriminatorSteps) * rows;
                noise.Fill(zs);
                gSum += gan.TrainGeneratorLoss(zs, generatorSteps) * rows;
                count += rows;
                steps++;
            }
            trainClock.Stop();
            discriminatorLosses.Add(dSum / count);
            generatorLosses.Add(gSum / count);
            string grid = Path.Combine(options.OutDir, $"gan-epoch-{epoch:D2}.png");
            ImageGrid.Save(grid, ToUnit(gan.Predict(fixedNoise)), GridDigits, 28, 28, columns: 8);
            output.WriteLine($"epoch {epoch}/{options.Epochs}  discriminator loss {dSum / count:F4}  generator loss {gSum / count:F4}  {clock.Elapsed.TotalSeconds:F2} s  -> {grid}");
        }

        CurvePlot.Save(Path.Combine(options.OutDir, "gan-losses.png"),
            new CurvePanel("binary cross-entropy", new Curve("discriminator", discriminatorLosses), new Curve("generator", generatorLosses)));

        // The verdict on 1,000 fresh digits.
        var judged = new float[1000 * Generator.Noise];
        noise.Fill(judged);
        var verdict = Verdict.Of(judge, ToUnit(gan.Predict(judged)), 1000);
        output.WriteLine($"gan_confident_share {verdict.ConfidentShare:F3} ratio");
        output.WriteLine($"gan_confident_classes {verdict.Classes} classes");
        output.WriteLine($"gan_top_class_share {verdict.TopClassShare:F3} ratio");
        output.WriteLine($"gan_real_confident_share {reference.ConfidentShare:F3} ratio");
        output.WriteLine($"gan_judge_test_accuracy {100 * judgeAccuracy:F2} %");
        output.WriteLine($"gan_epochs {options.Epochs} epochs");
        output.WriteLine($"gan_step_b{batch} {trainClock.Elapsed.TotalMilliseconds / Math.Max(steps, 1):F3} ms");
        output.WriteLine($"gan_wall_time {Durations.Seconds(total.Elapsed)} s");
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
