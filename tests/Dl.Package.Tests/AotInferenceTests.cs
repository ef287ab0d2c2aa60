using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Dl.Package.Tests;

/// <summary>
/// samples/Inference as a deployment: trained under the JIT with the generated TrainStep, published with NativeAOT
/// with every trim and AOT warning an error, and the binary run on the MNIST test digits; it must classify them as the
/// JIT build does. The figures of both (size, cold start, latency) are printed as `name value unit` lines.
/// </summary>
[Collection(DotnetProcessesCollection.Name)]
public sealed partial class AotInferenceTests(PackageFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] RequiredFigures =
    {
        "mnist_inference_accuracy", "cold_start_to_first_prediction", "first_pass_latency_mean", "latency_per_image_mean", "latency_per_image_p50",
    };

    [Fact]
    public void Inference_sample_publishes_with_NativeAOT_without_warnings_and_classifies_like_the_JIT()
    {
        try { Run(); }
        finally { output.WriteLine("progress:\n" + fixture.LogText); }
    }

    private void Run()
    {
        string root = Dotnet.RepoRoot;
        string project = Path.Combine(root, "samples", "Inference", "Inference.csproj");
        string data = Path.Combine(root, "data", "mnist");
        string work = Path.Combine(fixture.Root, "inference");
        Directory.CreateDirectory(work);
        string weights = Path.Combine(work, "mnist-mlp.safetensors");
        var limit = TimeSpan.FromMinutes(5);

        // 1. The JIT build, which trains the weights (2 epochs of the generated TrainStep) and is the baseline.
        Dotnet.Run(root, $"build \"{project}\" -c Release --disable-build-servers", limit, fixture.Log).ShouldSucceed();
        string jitApp = Path.Combine(root, "samples", "Inference", "bin", "Release", "net10.0", "Inference");
        var train = Dotnet.Start(jitApp, $"--train --epochs 2 --weights \"{weights}\" --data \"{data}\"", work, TimeSpan.FromMinutes(2), fixture.Log).ShouldSucceed();
        output.WriteLine(train.Output);
        Assert.True(File.Exists(weights), "training wrote no " + weights);
        var jit = Classify(jitApp, weights, data, work);

        // 2. NativeAOT, as the README says, with IL trim/AOT warnings and all other warnings as errors.
        string publishDir = Path.Combine(work, "aot");
        var publish = Dotnet.Run(root,
            $"publish \"{project}\" -c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=true -warnaserror -o \"{publishDir}\" --disable-build-servers",
            TimeSpan.FromMinutes(9), fixture.Log);
        output.WriteLine(publish.Tail(15));
        publish.ShouldSucceed();
        var warnings = publish.Lines.Where(l => Regex.IsMatch(l, @"\bwarning\b|\bIL[23]\d{3}\b")).ToList();
        Assert.True(warnings.Count == 0, "the AOT publish warned:\n" + string.Join("\n", warnings));
        string binary = Path.Combine(publishDir, "Inference");
        Assert.True(File.Exists(binary), "no native binary at " + binary);
        Assert.False(File.Exists(Path.Combine(publishDir, "Inference.dll")), "the publish is not native: Inference.dll is there");
        double sizeMb = new FileInfo(binary).Length / (1024.0 * 1024.0);

        // 3. The binary: same accuracy as the JIT build, high enough to mean the weights were loaded.
        var aot = Classify(binary, weights, data, work);
        Assert.Equal("NativeAOT", aot.Runtime);
        Assert.Equal("JIT", jit.Runtime);
        double accuracy = aot.Figures["mnist_inference_accuracy"];
        Assert.True(accuracy > 90, $"AOT accuracy {accuracy} % is not above 90 %");
        Assert.True(Math.Abs(accuracy - jit.Figures["mnist_inference_accuracy"]) <= 0.1,
            $"AOT accuracy {accuracy} % differs from the JIT's {jit.Figures["mnist_inference_accuracy"]} %");

        // 4. The binary fails as the JIT build does: one line on stderr, the right exit code, no stack trace.
        AotFailures.Check(binary, weights, data, work, fixture.Log, output);

        output.WriteLine($"aot_binary_size {sizeMb:F2} MB");
        output.WriteLine($"{"figure",-34} {"JIT",12} {"NativeAOT",12}");
        foreach (var (name, value) in aot.Figures)
            output.WriteLine($"{name,-34} {jit.Figures.GetValueOrDefault(name, double.NaN),12:F2} {value,12:F2} {aot.Units[name]}");
    }

    private sealed record RunFigures(string Runtime, Dictionary<string, double> Figures, Dictionary<string, string> Units);

    /// <summary>Runs the classifier with the launcher's clock in DL_LAUNCH_UNIX_US and reads its `name value unit` lines.</summary>
    private RunFigures Classify(string app, string weights, string data, string work)
    {
        var environment = new Dictionary<string, string>();
        var result = Dotnet.Start(app, $"--weights \"{weights}\" --data \"{data}\"", work, TimeSpan.FromMinutes(2), fixture.Log, environment,
            // Stamped last, just before the process starts, so cold start counts from the launch.
            info => info.Environment["DL_LAUNCH_UNIX_US"] = ((DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10).ToString(CultureInfo.InvariantCulture));
        output.WriteLine(result.Output);
        result.ShouldSucceed();

        var figures = new Dictionary<string, double>();
        var units = new Dictionary<string, string>();
        string runtime = "";
        foreach (var line in result.Lines)
        {
            if (line.StartsWith("runtime: ", StringComparison.Ordinal)) runtime = line["runtime: ".Length..].Split(',')[0];
            var m = FigureLine().Match(line);
            if (!m.Success) continue;
            figures[m.Groups[1].Value] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            units[m.Groups[1].Value] = m.Groups[3].Value;
        }
        foreach (var name in RequiredFigures)
            Assert.True(figures.ContainsKey(name), $"{app} printed no '{name} value unit' line:\n{result.Output}");
        return new RunFigures(runtime, figures, units);
    }

    [GeneratedRegex(@"^([a-z][a-z0-9_]*) (-?\d+(?:\.\d+)?) (\S+)$")]
    private static partial Regex FigureLine();
}
