using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dl.Checkpoints;
using Dl.Data;
using Xunit.Abstractions;

namespace Dl.Package.Tests;

/// <summary>
/// The NativeAOT build of samples/Inference given bad input: a missing checkpoint, a bad option, a checkpoint whose
/// input std is 0, a labels file with a label outside 0-9; and --help. Under AOT nothing may fall back to reflection
/// or print a stack trace: each failure is one line and its exit code, as in the JIT build (tests/Dl.Samples.Tests).
/// </summary>
internal static class AotFailures
{
    public static void Check(string binary, string weights, string data, string work, Action<string> log, ITestOutputHelper output)
    {
        var limit = TimeSpan.FromMinutes(1);

        var help = Dotnet.Start(binary, "--help", work, limit, log).ShouldSucceed();
        Assert.Contains("--weights <PATH>", help.Output, StringComparison.Ordinal);

        string missing = Path.Combine(work, "missing.safetensors");
        Expect(Dotnet.Start(binary, $"--weights \"{missing}\"", work, limit, log), 1, $"--weights {missing}: no such file");
        Expect(Dotnet.Start(binary, "--repeat -1", work, limit, log), 2, "--repeat must be an integer from 0 to 1000; got '-1'");

        string flat = Path.Combine(work, "std-zero.safetensors");
        var tensors = Checkpoint.ReadTensors(weights);
        Checkpoint.Save(flat, new Copy(tensors), metadata: new Dictionary<string, string> { ["input.mean"] = "0.13", ["input.std"] = "0" });
        Expect(Dotnet.Start(binary, $"--weights \"{flat}\" --data \"{data}\"", work, limit, log), 1, $"{flat}: input.std is '0'");

        string bad = Path.Combine(work, "bad-labels");
        Directory.CreateDirectory(bad);
        foreach (var file in Directory.GetFiles(data, "*.gz")) File.Copy(file, Path.Combine(bad, Path.GetFileName(file)), overwrite: true);
        string labels = Path.Combine(bad, "t10k-labels-idx1-ubyte.gz");
        var values = Idx.ReadLabels(labels);
        values[7] = 11;
        Idx.WriteLabels(labels, values, gzip: true);
        Expect(Dotnet.Start(binary, $"--weights \"{weights}\" --data \"{bad}\"", work, limit, log), 1, $"{labels}: label 7 is 11, outside the classes 0..9");
        output.WriteLine("the NativeAOT binary failed as expected on all four bad inputs");
    }

    private static void Expect(ProcessResult run, int exitCode, string message)
    {
        Assert.True(run.Lines.Length == 1, $"'{run.Command}': expected one line, got:\n{run.Output}");
        string line = run.Lines[0];
        Assert.True(run.ExitCode == exitCode, $"'{run.Command}' exited {run.ExitCode}, expected {exitCode}: {line}");
        Assert.StartsWith("inference: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
    }

    /// <summary>A model that is just the tensors of a checkpoint, to save them again with other metadata.</summary>
    private sealed class Copy : ICompiledModel
    {
        private readonly float[] _parameters;

        public Copy(IReadOnlyDictionary<string, TensorData> tensors)
        {
            var layout = new List<ParameterInfo>();
            var values = new List<float>();
            foreach (var (name, tensor) in tensors.Where(t => !t.Key.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal)))
            {
                layout.Add(new ParameterInfo(name, values.Count, tensor.Shape, Init.Zeros));
                values.AddRange(tensor.Values);
            }
            ParameterLayout = layout;
            _parameters = values.ToArray();
        }

        public Span<float> Parameters => _parameters;
        public ReadOnlySpan<float> Gradients => _parameters;
        public IReadOnlyList<ParameterInfo> ParameterLayout { get; }
        public float LearningRate { get; set; }
        public void InitializeParameters(int seed) { }
    }
}
