using System;
using System.Globalization;

namespace Mnist;

/// <summary>
/// What the command line asked for (parsed by <see cref="CommandLine"/>). The training settings are nullable so a
/// resumed run can tell a value the user typed (which must agree with the checkpoint) from one left to its default.
/// </summary>
internal sealed record Options
{
    public string? Optimizer { get; init; }
    public float? LearningRate { get; init; }
    public int? Epochs { get; init; }
    public int? Batch { get; init; }
    public int? Seed { get; init; }
    public double? Validation { get; init; }
    public string? DataDir { get; init; }
    public Dl.Gpu.DeviceKind Device { get; init; } = Dl.Gpu.DeviceKind.Cpu;
    public string? Save { get; init; }
    public string? Resume { get; init; }
    public int? StopAfter { get; init; }
    public string? Plot { get; init; } = DefaultPlot;
    /// <summary>Train data-parallel on the ranks of an MPI job (under mpirun); --batch is then the global batch.</summary>
    public bool Distributed { get; init; }

    /// <summary>The generated help text when <c>--help</c> was given (nothing else then runs).</summary>
    public string? Help { get; init; }

    public const string DefaultPlot = "mnist-curves.png";

    /// <summary>Parses <paramref name="args"/>; a mistake throws <see cref="MnistException"/> with exit code 2.</summary>
    public static Options Parse(string[] args) => CommandLine.Parse(args);

    /// <summary>The settings of a fresh run: what was given, defaults for the rest.</summary>
    public TrainingSettings Settings()
    {
        string optimizer = Optimizer ?? "sgd";
        return new TrainingSettings(optimizer, LearningRate ?? OptimizerChoice.DefaultLearningRate(optimizer),
            Epochs ?? TrainingSettings.DefaultEpochs, Batch ?? TrainingSettings.DefaultBatch,
            Seed ?? TrainingSettings.DefaultSeed, Validation ?? TrainingSettings.DefaultValidation);
    }

    /// <summary>Throws when a setting given on the command line differs from the checkpoint's.</summary>
    public void CheckAgrees(TrainingSettings saved, string path)
    {
        void Check<T>(string name, T? given, T value) where T : struct
        {
            if (given is { } g && !g.Equals(value))
                throw Conflict(name, Format(g), Format(value), path);
        }
        if (Optimizer is { } o && o != saved.Optimizer) throw Conflict("--optimizer", o, saved.Optimizer, path);
        Check("--lr", LearningRate, saved.LearningRate);
        Check("--epochs", Epochs, saved.Epochs);
        Check("--batch", Batch, saved.Batch);
        Check("--seed", Seed, saved.Seed);
        Check("--validation", Validation, saved.Validation);
    }

    private static MnistException Conflict(string name, string given, string saved, string path) =>
        new($"{name} {given} differs from the {saved} that {path} was trained with; a resumed run keeps its checkpoint's settings so it continues exactly", 2);

    private static string Format<T>(T value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
