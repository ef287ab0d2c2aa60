using System;
using System.Globalization;

namespace Mnist;

/// <summary>Command-line options with defaults that reach the accuracy target in 5 epochs.</summary>
internal sealed record Options(int Epochs, int Batch, float LearningRate, int Seed, string? DataDir)
{
    /// <summary>Where to train: the CPU backend, or the model's Gpu class on CUDA, OpenCL or ILGPU's CPU accelerator.</summary>
    public Dl.Gpu.DeviceKind Device { get; init; } = Dl.Gpu.DeviceKind.Cpu;

    public static Options Parse(string[] args)
    {
        var o = new Options(5, 32, 0.2f, 1, null);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--epochs" => o with { Epochs = PositiveInt(Value(), "--epochs") },
                "--batch" => o with { Batch = PositiveInt(Value(), "--batch") },
                "--lr" => o with { LearningRate = float.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seed" => o with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--data" => o with { DataDir = Value() },
                "--device" => o with { Device = ParseDevice(Value()) },
                _ => throw new ArgumentException($"unknown option {args[i]}; options: --epochs N --batch N --lr X --seed N --data DIR --device cpu|cuda|opencl|cpu-accelerator"),
            };
        }
        return o;
    }

    private static Dl.Gpu.DeviceKind ParseDevice(string s) => s.ToLowerInvariant() switch
    {
        "cpu" => Dl.Gpu.DeviceKind.Cpu,
        "cuda" => Dl.Gpu.DeviceKind.Cuda,
        "opencl" => Dl.Gpu.DeviceKind.OpenCL,
        "cpu-accelerator" => Dl.Gpu.DeviceKind.CpuAccelerator,
        _ => throw new ArgumentException($"--device must be cpu, cuda, opencl or cpu-accelerator, got '{s}'"),
    };

    private static int PositiveInt(string s, string name) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive integer, got '{s}'");
}
