using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using Dl.Training;
using Samples;

namespace CharRnn;

/// <summary>
/// The command line: trains <see cref="CharLstm"/> on a text, prints training and validation bits per character per
/// epoch (a progress bar on a terminal), writes text sampled at a temperature, the learning curves as a PNG and the
/// <c>charrnn_*</c> figures. A class rather than top-level statements so the tests can run it in-process.
/// </summary>
internal static class CharRnnApp
{
    private const int W = CharLstm.Window;
    public const string DefaultText = "kjv-gospels-acts.txt";

    /// <summary>Runs the sample; returns the exit code. Every failure is one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        SampleHost.Run("charrnn", Options.Command(), args, output, error, parsed => Train(Options.Read(parsed), output, error));

    private static int Train(Options options, TextWriter output, TextWriter error)
    {
        var total = Stopwatch.StartNew();
        var (train, validation) = Load(options, output);
        var model = new CharLstm(options.Seed);
        output.WriteLine($"model: Embedding({Alphabet.Size}, 64), Lstm(64, {CharLstm.Hidden}), Dense({CharLstm.Hidden}, {Alphabet.Size}) per step; " +
            $"{model.Parameters.Length:N0} parameters; {options.Batch} streams of text read {W} characters a step, the state carried from window to window");

        var windows = new Windows(train, options.Batch, options.Seed);
        int perEpoch = windows.Count;
        long steps = (long)options.Epochs * perEpoch;
        var optimizer = new Adam(options.LearningRate) { MaxGradientNorm = options.Clip, Schedule = LearningRateSchedule.Cosine(options.LearningRate, steps) };
        var chars = new int[options.Batch * W];
        var next = new int[options.Batch * W];
        var trainBits = new List<double>();
        var validationBits = new List<double>();
        var trainClock = new Stopwatch();
        bool console = ReferenceEquals(output, Console.Out);
        var bar = new ProgressBar(console ? null : output, live: console ? null : false);

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            // Each epoch reads the streams from a new offset, from a fresh state.
            windows.NewOffset();
            model.ResetState();
            double lossSum = 0;
            if (bar.IsLive) bar.Start($"epoch {epoch}/{options.Epochs}", perEpoch);
            trainClock.Start();
            for (int b = 0; b < perEpoch; b++)
            {
                windows.Gather(b, chars, next);
                float loss = model.ComputeGradients(chars, next);
                DivergenceException.ThrowIfNotFinite(loss, epoch, optimizer.StepCount, "training loss");
                optimizer.Step(model);
                lossSum += loss;
                if (bar.IsLive) bar.Report(b + 1, (long)(b + 1) * options.Batch, Bits(lossSum / (b + 1)));
            }
            trainClock.Stop();
            if (bar.IsLive) bar.Finish();
            trainBits.Add(Bits(lossSum / perEpoch));
            validationBits.Add(Bits(ValidationLoss(model, validation)));
            output.WriteLine($"epoch {epoch}/{options.Epochs}  train {trainBits[^1]:F3} bits/char  validation {validationBits[^1]:F3} bits/char  {clock.Elapsed.TotalSeconds:F1} s");
        }

        if (options.SampleLength > 0)
        {
            output.WriteLine($"sample at temperature {options.Temperature}:");
            output.WriteLine(Sampler.Write(model, options.Prime, options.SampleLength, options.Temperature, options.Seed));
        }
        if (options.Plot is { } plot) WritePlot(plot, trainBits, validationBits, output, error);
        output.WriteLine($"charrnn_validation_bpc {validationBits[^1]:F3} bits/char");
        output.WriteLine($"charrnn_train_bpc {trainBits[^1]:F3} bits/char");
        output.WriteLine($"charrnn_characters {train.Length + validation.Length} chars");
        output.WriteLine($"charrnn_epochs {options.Epochs} epochs");
        output.WriteLine($"charrnn_train_time {Durations.Seconds(trainClock.Elapsed)} s");
        output.WriteLine($"charrnn_train_step_b{options.Batch} {trainClock.Elapsed.TotalMilliseconds / steps:F3} ms");
        output.WriteLine($"charrnn_wall_time {Durations.Seconds(total.Elapsed)} s");
        return 0;
    }

    /// <summary>The text's tokens, split: the first nine tenths to train on, the last tenth to validate.</summary>
    private static (int[] Train, int[] Validation) Load(Options options, TextWriter output)
    {
        string path = options.Text ?? Path.Combine(AppContext.BaseDirectory, "data", DefaultText);
        if (!File.Exists(path))
            throw new SampleException(options.Text is null ? $"{path} was not found beside the executable; pass --text FILE" : $"--text {path}: no such file");
        string text = File.ReadAllText(path, Encoding.UTF8);
        var (tokens, unknown) = Alphabet.Encode(text, Path.GetFullPath(path));
        if (options.Limit > 0 && tokens.Length > options.Limit) Array.Resize(ref tokens, options.Limit);
        int validationLength = tokens.Length / 10, trainLength = tokens.Length - validationLength;
        if (!Fits(tokens.Length, options.Batch))
        {
            int needed = tokens.Length;
            while (!Fits(needed, options.Batch)) needed++;
            throw new SampleException($"{Path.GetFullPath(path)}: {tokens.Length:N0} characters are too few; --batch {options.Batch} needs at least {needed:N0} " +
                $"({options.Batch} streams of at least {W + 1} characters to train on, and a tenth of the text to validate on)");
        }
        output.WriteLine($"text: {tokens.Length:N0} characters from {Path.GetFullPath(path)}: {trainLength:N0} to train on, the last {validationLength:N0} to validate" +
            (unknown > 0 ? $"; {unknown:N0} characters outside printable ASCII read as '?'" : ""));
        return (tokens[..trainLength], tokens[trainLength..]);
    }

    /// <summary>Whether <paramref name="length"/> characters give a window in each of <paramref name="batch"/> training streams and a validation window.</summary>
    private static bool Fits(int length, int batch) => Windows.Fitting(length / 10) > 0 && Windows.Fitting((length - length / 10) / batch) > 0;

    /// <summary>Validation streams: as many as fit a window each, at most 16.</summary>
    private static int ValidationRows(int length)
    {
        int rows = 16;
        while (rows > 1 && Windows.Fitting(length / rows) == 0) rows--;
        return rows;
    }

    /// <summary>
    /// The mean cross-entropy (nats per character) over the validation text read as parallel streams from a fresh
    /// state, the state carried as in training. Leaves the state reset.
    /// </summary>
    private static double ValidationLoss(CharLstm model, int[] tokens)
    {
        var windows = new Windows(tokens, ValidationRows(tokens.Length), 0);
        var chars = new int[windows.Rows * W];
        var next = new int[windows.Rows * W];
        double sum = 0;
        model.ResetState();
        for (int k = 0; k < windows.Count; k++)
        {
            windows.Gather(k, chars, next);
            sum += model.Evaluate(chars, next);
        }
        model.ResetState();
        return sum / windows.Count;
    }

    private static double Bits(double nats) => nats / Math.Log(2);

    private static void WritePlot(string path, List<double> train, List<double> validation, TextWriter output, TextWriter error)
    {
        try
        {
            CurvePlot.Save(path, new CurvePanel("character LSTM: bits per character",
                new Curve("training text", train), new Curve("validation text", validation)));
            output.WriteLine($"curves: {Path.GetFullPath(path)}");
        }
        // SkiaSharp's native library missing or unloadable on this machine: the training result still stands.
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            error.WriteLine($"charrnn: no plot written, SkiaSharp could not load: {e.GetBaseException().Message.ReplaceLineEndings(" ")}");
        }
    }
}
