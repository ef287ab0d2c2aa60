using System;
using System.Globalization;

namespace Mnist;

/// <summary>
/// Command-line options. The training settings are nullable so a resumed run can tell a value the user typed
/// (which must agree with the checkpoint) from one left to its default.
/// </summary>
internal sealed record Options
{
    public const string Usage =
        "usage: Mnist [--optimizer sgd|momentum|nesterov|rmsprop|adagrad|adam|adamw] [--lr X] [--epochs N] [--batch N]\n" +
        "             [--seed N] [--validation FRACTION] [--data DIR] [--device cpu|cuda|opencl|cpu-accelerator]\n" +
        "             [--save FILE] [--resume FILE] [--stop-after N] [--plot FILE | --no-plot]\n" +
        "  --optimizer      update rule (sgd); momentum and nesterov use mu 0.9, adamw weight decay 0.01\n" +
        "  --lr             peak learning rate of the cosine schedule (sgd 0.2, momentum/nesterov 0.02, adagrad 0.02,\n" +
        "                   rmsprop/adam/adamw 0.001)\n" +
        "  --epochs         epochs of the whole run (5); --batch digits per step (32); --seed data order and init (1)\n" +
        "  --validation     fraction of the training digits held out to validate each epoch (0.1; 0 for none)\n" +
        "  --device         cpu runs the generated SIMD code; the others run MnistMlp.Gpu, the whole step on the\n" +
        "                   device: gradients, then the optimizer's fused update kernel (GpuOptimizer)\n" +
        "  --save           safetensors checkpoint (parameters, optimizer state, step, curve), rewritten atomically\n" +
        "                   after every epoch\n" +
        "  --resume         continue a run from its checkpoint, exactly as if never interrupted; the training settings\n" +
        "                   come from the checkpoint (giving a different one is an error)\n" +
        "  --stop-after     end this run after N epochs (pair with --save; a later --resume finishes the plan)\n" +
        "  --plot           PNG of the loss and accuracy curves (mnist-curves.png); --no-plot writes none";

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
    public string? Plot { get; init; } = "mnist-curves.png";
    public bool Help { get; init; }

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

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new MnistException($"{name} needs a value", 2);
            o = name switch
            {
                "--optimizer" => o with { Optimizer = ParseOptimizer(Value()) },
                "--lr" => o with { LearningRate = PositiveFloat(Value(), name) },
                "--epochs" => o with { Epochs = PositiveInt(Value(), name) },
                "--batch" => o with { Batch = PositiveInt(Value(), name) },
                "--seed" => o with { Seed = Int(Value(), name) },
                "--validation" => o with { Validation = Fraction(Value(), name) },
                "--data" => o with { DataDir = Value() },
                "--device" => o with { Device = ParseDevice(Value()) },
                "--save" => o with { Save = Value() },
                "--resume" => o with { Resume = Value() },
                "--stop-after" => o with { StopAfter = PositiveInt(Value(), name) },
                "--plot" => o with { Plot = Value() },
                "--no-plot" => o with { Plot = null },
                "--help" or "-h" => o with { Help = true },
                _ => throw new MnistException($"unknown option '{name}' (--help lists the options)", 2),
            };
        }
        if (o.StopAfter is not null && o.Save is null)
            throw new MnistException("--stop-after without --save would throw the trained epochs away; add --save FILE", 2);
        return o;
    }

    private static MnistException Conflict(string name, string given, string saved, string path) =>
        new($"{name} {given} differs from the {saved} that {path} was trained with; a resumed run keeps its checkpoint's settings so it continues exactly", 2);

    private static string Format<T>(T value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    private static string ParseOptimizer(string s)
    {
        string name = s.ToLowerInvariant();
        return OptimizerChoice.IsKnown(name) ? name
            : throw new MnistException($"--optimizer must be one of {string.Join(", ", OptimizerChoice.Names)}; got '{s}'", 2);
    }

    private static Dl.Gpu.DeviceKind ParseDevice(string s) => s.ToLowerInvariant() switch
    {
        "cpu" => Dl.Gpu.DeviceKind.Cpu,
        "cuda" => Dl.Gpu.DeviceKind.Cuda,
        "opencl" => Dl.Gpu.DeviceKind.OpenCL,
        "cpu-accelerator" => Dl.Gpu.DeviceKind.CpuAccelerator,
        _ => throw new MnistException($"--device must be cpu, cuda, opencl or cpu-accelerator; got '{s}'", 2),
    };

    private static int Int(string s, string name) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new MnistException($"{name} must be an integer; got '{s}'", 2);

    private static int PositiveInt(string s, string name) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : throw new MnistException($"{name} must be a positive integer; got '{s}'", 2);

    private static float PositiveFloat(string s, string name) =>
        float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && v > 0 && float.IsFinite(v)
            ? v : throw new MnistException($"{name} must be a positive number; got '{s}'", 2);

    // Below 1: a run needs training digits left after the validation set is taken out.
    private static double Fraction(string s, string name) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && v < 1
            ? v : throw new MnistException($"{name} must be a fraction in [0, 1); got '{s}'", 2);
}
