using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Dl.Checkpoints;
using Dl.Distributed;
using Dl.Training;
using Samples;

namespace Mnist;

/// <summary>
/// The command line: trains (or resumes) the README's MLP on MNIST, reports each epoch, then the test set's
/// per-class metrics, <c>mnist_test_accuracy</c> and <c>mnist_wall_time</c>. A class rather than top-level
/// statements so the tests can run it in-process with their own writers.
/// </summary>
internal static class MnistApp
{
    /// <summary>
    /// Runs the sample; returns the exit code: 0, 2 for a mistake on the command line, 1 for any other failure.
    /// Every failure prints one line on <paramref name="error"/>, never a stack trace.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return Train(Options.Parse(args), output, error);
        }
        catch (MnistException e)
        {
            return Fail(error, e.Message, e.ExitCode);
        }
        // Missing, unreadable or malformed data and checkpoint files (CheckpointException is an IOException; the
        // loaders' InvalidDataException is not), and a target that cannot be written.
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail(error, e.Message, 1);
        }
        catch (DivergenceException e)
        {
            return Fail(error, e.Message, 1);
        }
        // --distributed without a loadable MPI library, or a collective that failed (the session has aborted the job then).
        catch (MpiException e)
        {
            return Fail(error, "--distributed: " + e.Message, 1);
        }
        // A bug, not a mistake of the user's: still one line, with the type that names it.
        catch (Exception e)
        {
            return Fail(error, $"internal error, please report it: {e.GetType().Name}: {e.Message}", 1);
        }
    }

    private static int Train(Options o, TextWriter output, TextWriter error)
    {
        if (o.Help is { } help)
        {
            output.WriteLine(help);
            return 0;
        }
        if (!o.Distributed) return Train(o, output, error, session: null);
        using var session = MpiSession.Start();
        try
        {
            // Every rank trains; rank 0 alone reports and writes the checkpoint and the plot.
            return session.IsRoot ? Train(o, output, error, session) : Train(o with { Save = null, Plot = null }, TextWriter.Null, error, session);
        }
        // A failure on one rank that the others cannot know of: they would wait for it at the next step. End the job.
        catch (Exception e) when (session.WorldSize > 1 && e is not MpiException)
        {
            session.Abort("mnist: " + e.Message, e is MnistException m ? m.ExitCode : 1);
            throw;
        }
    }

    private static int Train(Options o, TextWriter output, TextWriter error, MpiSession? session)
    {
        var total = Stopwatch.StartNew();
        // Checked before the data is read and an epoch is spent: a typo should cost nothing, and overwrite nothing.
        string dir = o.DataDir ?? DataFiles.FindMnist();
        OutputFiles.Check(o, dir);
        TrainingSettings settings;
        if (o.Resume is { } resume)
        {
            if (!File.Exists(resume)) throw new MnistException($"--resume {resume}: no such file");
            settings = Trainer.ReadSettings(resume);
            o.CheckAgrees(settings, resume);
        }
        else settings = o.Settings();

        var train = DataFiles.Load(dir, "train");
        var test = DataFiles.Load(dir, "t10k");
        output.WriteLine($"data: {train.Count} training and {test.Count} test digits from {dir}");
        var data = DataFiles.Prepare(train, test, settings.Validation, settings.Seed);
        // Centred and scaled with the training digits' mean and spread: SGD converges faster on inputs near N(0,1).
        output.WriteLine($"split: {data.Train.Count} to train on, {data.Validation.Count} to validate (--validation {settings.Validation}); " +
                         $"pixels standardised with mean {data.Mean:F4}, std {data.Std:F4}");
        settings.CheckBatchFits(data.Train.Count, o.Resume);

        using var trainer = new Trainer(settings, data, o.Device, session);
        output.WriteLine($"device: {trainer.DeviceName}");
        if (session is not null)
            output.WriteLine($"distributed: {session.WorldSize} MPI rank{(session.WorldSize == 1 ? "" : "s")} ({session.Family}, {session.Library}), each takes its 1/{session.WorldSize} " +
                             $"of every batch of {settings.Batch}; one allreduce of the gradients a step");
        output.WriteLine($"optimizer: {settings.Optimizer}, peak learning rate {settings.LearningRate}, cosine schedule over " +
                         $"{settings.Epochs} epochs of {trainer.BatchesPerEpoch} batches of {settings.Batch}");
        bool validated = data.Validation.Count > 0;
        if (o.Resume is { } from)
        {
            trainer.Restore(from);
            output.WriteLine($"resumed from {from}: {trainer.EpochsDone} of {settings.Epochs} epochs done, step {trainer.Steps}");
            for (int e = 0; e < trainer.EpochsDone; e++)
                output.WriteLine(EpochLine(e + 1, settings.Epochs, trainer.History[e], validated) + "  (from the checkpoint)");
        }

        int stop = o.StopAfter is { } n ? (int)Math.Min(settings.Epochs, (long)trainer.EpochsDone + n) : settings.Epochs;
        bool console = ReferenceEquals(output, Console.Out);
        // Redrawn in place on a terminal; quiet in logs and tests, which get the one epoch line below.
        var bar = new ProgressBar(console ? null : output, live: console ? null : false);
        while (trainer.EpochsDone < stop)
        {
            int epoch = trainer.EpochsDone + 1;
            BatchProgress? progress = null;
            if (bar.IsLive)
            {
                bar.Start($"epoch {epoch}/{settings.Epochs}", trainer.BatchesPerEpoch);
                progress = meter => bar.Report(meter.Batches, meter.Samples, meter.Loss, meter.Accuracy);
            }
            EpochRecord record;
            try { record = trainer.RunEpoch(progress); }
            finally { if (bar.IsLive) bar.Finish(); }
            output.WriteLine(EpochLine(epoch, settings.Epochs, record, validated));
            // Parameters that give a NaN validation loss are as diverged as a NaN training loss: stop before saving them.
            if (validated) DivergenceException.ThrowIfNotFinite(record.ValidationLoss, epoch, trainer.Steps, "validation loss");
            // Every epoch, so an interrupted run loses at most the one in progress.
            if (o.Save is { } save) trainer.Save(save);
        }
        if (o.Save is { } saved)
            output.WriteLine($"checkpoint: {saved} (epoch {trainer.EpochsDone}, step {trainer.Steps}, optimizer state and curve included)");
        if (trainer.EpochsDone < settings.Epochs)
            output.WriteLine($"stopped after epoch {trainer.EpochsDone} of {settings.Epochs}; continue with --resume {o.Save}");

        var matrix = trainer.Test();
        // The test split's classes are uneven (63 fives, 327 ones): per-class precision and recall show what the mean hides.
        output.WriteLine("test set confusion matrix (rows: actual digit, columns: predicted):");
        output.WriteLine(matrix.ToString());
        if (o.Plot is { } plot && trainer.EpochsDone > 0)
        {
            try
            {
                CurvePlot.Save(plot, trainer.History, $"MNIST MLP, {settings.Optimizer}");
                output.WriteLine($"curves: {Path.GetFullPath(plot)}");
            }
            // SkiaSharp's native library missing or unloadable on this machine: the training result still stands.
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
            {
                error.WriteLine($"mnist: no plot written, SkiaSharp could not load: {e.GetBaseException().Message.ReplaceLineEndings(" ")}");
            }
        }
        output.WriteLine($"mnist_test_accuracy {100 * matrix.Accuracy:F2} %");
        output.WriteLine($"mnist_wall_time {Durations.Seconds(total.Elapsed)} s");
        return 0;
    }

    /// <summary>
    /// One epoch's line. <paramref name="validated"/> says whether the run holds digits out: without them the validation
    /// columns read "-", with them a NaN reads NaN (never "-", which would hide a diverged run).
    /// </summary>
    internal static string EpochLine(int epoch, int epochs, EpochRecord r, bool validated)
    {
        string validation = validated
            ? string.Create(CultureInfo.InvariantCulture, $"val loss {r.ValidationLoss:F4} acc {100 * r.ValidationAccuracy:F2}%")
            : "val -";
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {epoch}/{epochs}  train loss {r.TrainLoss:F4} acc {100 * r.TrainAccuracy:F2}%  {validation}  {r.Seconds:F2} s");
    }

    private static int Fail(TextWriter error, string message, int code)
    {
        // One line, whatever the message: logs and scripts read the first line.
        error.WriteLine("mnist: " + message.ReplaceLineEndings(" "));
        return code;
    }
}
