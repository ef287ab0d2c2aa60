using System;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using Dl.Gpu;

namespace Mnist;

/// <summary>
/// The sample's options as a System.CommandLine root command: the help text is generated from the descriptions
/// below, and every mistake becomes one line (<see cref="MnistException"/>, exit code 2) in the sample's own words.
/// </summary>
internal static class CommandLine
{
    private const int HelpWidth = 110;

    private sealed class Symbols
    {
        public readonly Option<string?> Optimizer = new("--optimizer")
        {
            Description = "update rule: " + string.Join("|", OptimizerChoice.Names) + " (sgd); momentum and nesterov use mu 0.9, adamw weight decay 0.01",
            HelpName = "RULE",
            CustomParser = r => ParseOptimizer(r),
        };
        public readonly Option<float?> LearningRate = new("--lr")
        {
            Description = "peak learning rate of the cosine schedule (sgd 0.2; momentum, nesterov, adagrad 0.02; rmsprop, adam, adamw 0.001)",
            HelpName = "X",
            CustomParser = r => Checked(r, float.TryParse(Text(r), NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && v > 0 && float.IsFinite(v), v,
                $"--lr must be a positive number; got '{Text(r)}'"),
        };
        public readonly Option<int?> Epochs = PositiveInt("--epochs", "epochs of the whole run (5)");
        public readonly Option<int?> Batch = PositiveInt("--batch", "digits per step (32), at most the training digits");
        public readonly Option<int?> Seed = new("--seed")
        {
            Description = "fixes initialisation, split and data order (1)",
            HelpName = "N",
            CustomParser = r => Checked(r, int.TryParse(Text(r), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v), v,
                $"--seed must be an integer; got '{Text(r)}'"),
        };
        // Below 1: a run needs training digits left after the validation set is taken out.
        public readonly Option<double?> Validation = new("--validation")
        {
            Description = "fraction of the training digits held out to validate each epoch (0.1; 0 for none)",
            HelpName = "FRACTION",
            CustomParser = r => Checked(r, double.TryParse(Text(r), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && v < 1, v,
                $"--validation must be a fraction in [0, 1); got '{Text(r)}'"),
        };
        public readonly Option<string?> Data = new("--data")
        {
            Description = "folder of the MNIST IDX files (data/mnist here or above)",
            HelpName = "DIR",
        };
        public readonly Option<DeviceKind> Device = new("--device")
        {
            Description = "cpu runs the generated SIMD code; cuda, opencl and cpu-accelerator run MnistMlp.Gpu, the whole step on the device (cpu)",
            HelpName = "cpu|cuda|opencl|cpu-accelerator",
            // Cpu is the enum's default, what an absent option reads as.
            CustomParser = r => ParseDevice(r),
        };
        public readonly Option<string?> Save = File("--save",
            "safetensors checkpoint (parameters, optimizer state, step, settings, curve), rewritten atomically after every epoch");
        public readonly Option<string?> Resume = File("--resume",
            "continue a run from its checkpoint, exactly as if never interrupted; its settings come from the checkpoint");
        public readonly Option<int?> StopAfter = PositiveInt("--stop-after", "end this run after N epochs (with --save; a later --resume finishes it)");
        public readonly Option<string?> Plot = File("--plot", $"PNG of the loss and accuracy curves ({Options.DefaultPlot})");
        public readonly Option<bool> NoPlot = new("--no-plot") { Description = "write no plot" };
        public readonly Option<bool> Distributed = new("--distributed")
        {
            Description = "train data-parallel on the ranks of an MPI job (mpirun -np N dotnet ... --distributed): each rank takes " +
                          "1/N of every batch of --batch digits; rank 0 alone reports and writes files",
        };

        public RootCommand Root()
        {
            var root = new RootCommand("Trains the README's MLP (784-128-10) on the MNIST digits in data/mnist and reports test accuracy.")
            {
                Optimizer, LearningRate, Epochs, Batch, Seed, Validation, Data, Device, Save, Resume, StopAfter, Plot, NoPlot, Distributed,
            };
            // The sample has no version of its own to print.
            foreach (var version in root.Options.OfType<VersionOption>().ToList()) root.Options.Remove(version);
            foreach (var help in root.Options.OfType<HelpOption>())
                if (help.Action is HelpAction action) action.MaxWidth = HelpWidth;
            return root;
        }
    }

    /// <summary>The options in <paramref name="args"/>, or <see cref="Options.Help"/> set when help was asked for.</summary>
    /// <exception cref="MnistException">A mistake on the command line (exit code 2), in one line.</exception>
    public static Options Parse(string[] args)
    {
        var s = new Symbols();
        // No response files: "--save @run.safetensors" names a file to write, not one to read options from.
        var result = s.Root().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Action is HelpAction)
        {
            var text = new StringWriter();
            result.Invoke(new InvocationConfiguration { Output = text, Error = text });
            return new Options { Help = text.ToString().TrimEnd() };
        }
        if (result.Errors.Count > 0) throw new MnistException(Describe(result), 2);

        var o = new Options
        {
            Optimizer = result.GetValue(s.Optimizer),
            LearningRate = result.GetValue(s.LearningRate),
            Epochs = result.GetValue(s.Epochs),
            Batch = result.GetValue(s.Batch),
            Seed = result.GetValue(s.Seed),
            Validation = result.GetValue(s.Validation),
            DataDir = result.GetValue(s.Data),
            Device = result.GetValue(s.Device),
            Save = result.GetValue(s.Save),
            Resume = result.GetValue(s.Resume),
            StopAfter = result.GetValue(s.StopAfter),
            Plot = result.GetValue(s.NoPlot) ? null : result.GetValue(s.Plot) ?? Options.DefaultPlot,
            Distributed = result.GetValue(s.Distributed),
        };
        if (result.GetValue(s.NoPlot) && result.GetValue(s.Plot) is { } plot)
            throw new MnistException($"--plot {plot} and --no-plot contradict each other; give one", 2);
        if (o.Distributed && o.Device != DeviceKind.Cpu)
            throw new MnistException($"--distributed trains on the CPU; leave out --device {Text(o.Device)}", 2);
        if (o.StopAfter is not null && o.Save is null)
            throw new MnistException("--stop-after without --save would throw the trained epochs away; add --save FILE", 2);
        return o;
    }

    /// <summary>The first parse error in the sample's words: an unknown option, a missing value, or the option's own message.</summary>
    private static string Describe(ParseResult result)
    {
        if (result.UnmatchedTokens.Count > 0)
        {
            string token = result.UnmatchedTokens[0];
            return token.StartsWith('-') ? $"unknown option '{token}' (--help lists the options)" : $"unexpected argument '{token}' (--help lists the options)";
        }
        var error = result.Errors[0];
        var option = error.SymbolResult switch
        {
            OptionResult o => o,
            ArgumentResult { Parent: OptionResult o } => o,
            _ => null,
        };
        if (option is { Tokens.Count: 0 } && option.Option.Arity.MinimumNumberOfValues > 0)
            return $"{option.Option.Name} needs a value";
        return error.Message;
    }

    private static Option<int?> PositiveInt(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = r => Checked(r, int.TryParse(Text(r), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0, v,
            $"{name} must be a positive integer; got '{Text(r)}'"),
    };

    private static Option<string?> File(string name, string description) => new(name) { Description = description, HelpName = "FILE" };

    private static string? ParseOptimizer(ArgumentResult r)
    {
        string name = Text(r).ToLowerInvariant();
        if (OptimizerChoice.IsKnown(name)) return name;
        r.AddError($"--optimizer must be one of {string.Join(", ", OptimizerChoice.Names)}; got '{Text(r)}'");
        return null;
    }

    private static DeviceKind ParseDevice(ArgumentResult r)
    {
        DeviceKind? kind = Text(r).ToLowerInvariant() switch
        {
            "cpu" => DeviceKind.Cpu,
            "cuda" => DeviceKind.Cuda,
            "opencl" => DeviceKind.OpenCL,
            "cpu-accelerator" => DeviceKind.CpuAccelerator,
            _ => null,
        };
        return Checked(r, kind.HasValue, kind.GetValueOrDefault(), $"--device must be cpu, cuda, opencl or cpu-accelerator; got '{Text(r)}'") ?? DeviceKind.Cpu;
    }

    private static string Text(DeviceKind kind) => kind switch
    {
        DeviceKind.Cuda => "cuda",
        DeviceKind.OpenCL => "opencl",
        DeviceKind.CpuAccelerator => "cpu-accelerator",
        _ => "cpu",
    };

    private static string Text(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[0].Value : "";

    /// <summary><paramref name="value"/> when <paramref name="ok"/>, else null with <paramref name="error"/> recorded on <paramref name="r"/>.</summary>
    private static T? Checked<T>(ArgumentResult r, bool ok, T value, string error) where T : struct
    {
        if (ok) return value;
        r.AddError(error);
        return null;
    }
}
