using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dl.Checkpoints;
using Mnist;

namespace Dl.Samples.Tests;

/// <summary>
/// What Inference does with the checkpoint it is given: every metadata value it reads is checked (one line naming the
/// file and the key), weights that do not fit or are not finite are refused, and a checkpoint of another kind is
/// refused by what it is.
/// </summary>
public class InferenceCheckpointTests
{
    private static SampleRun Classify(TempFolder dir, string weights) =>
        SampleRun.Of("inference", "--weights", weights, "--repeat", "0", "--data", TestDigits.WriteGood(dir.File("data")));

    private static string Save(TempFolder dir, Dictionary<string, string> metadata, ICompiledModel? model = null)
    {
        string path = dir.File("weights.safetensors");
        Checkpoint.Save(path, model ?? new MnistMlp(seed: 1), metadata: metadata);
        return path;
    }

    [Theory]
    [InlineData("0.13", "0", "input.std is '0' in its metadata; it must be a positive finite number")]
    [InlineData("0.13", "-0.31", "input.std is '-0.31' in its metadata; it must be a positive finite number")]
    [InlineData("0.13", "NaN", "input.std is 'NaN' in its metadata; it must be a positive finite number")]
    [InlineData("0.13", "Infinity", "input.std is 'Infinity' in its metadata; it must be a positive finite number")]
    [InlineData("0.13", "1e-400", "input.std is '1e-400' in its metadata; it must be a positive finite number")]
    [InlineData("0.13", "wide", "input.std is 'wide' in its metadata; it must be a positive finite number")]
    [InlineData("NaN", "0.31", "input.mean is 'NaN' in its metadata; it must be a finite number")]
    [InlineData("-Infinity", "0.31", "input.mean is '-Infinity' in its metadata; it must be a finite number")]
    [InlineData("0.13", null, "its metadata lacks input.std")]
    [InlineData(null, "0.31", "its metadata lacks input.mean")]
    public void Bad_input_scaling_in_the_metadata_is_refused(string? mean, string? std, string message)
    {
        using var dir = new TempFolder();
        var metadata = new Dictionary<string, string>();
        if (mean != null) metadata["input.mean"] = mean;
        if (std != null) metadata["input.std"] = std;
        string path = Save(dir, metadata);

        Classify(dir, path).FailedWith(1, $"{path}: {message}");
    }

    [Theory]
    [InlineData("mnist.model", "MnistMlp 784-64-10", "holds a 'MnistMlp 784-64-10' (mnist.model); this sample classifies with a 'MnistMlp 784-128-10'")]
    [InlineData("mnist.seed", "1.5", "mnist.seed is '1.5' in its metadata; it must be an integer")]
    [InlineData("mnist.seed", null, "its metadata lacks mnist.seed")]
    [InlineData("mnist.validation", "1", "mnist.validation is '1' in its metadata; it must be a fraction in [0, 1)")]
    [InlineData("mnist.validation", "NaN", "mnist.validation is 'NaN' in its metadata; it must be a fraction in [0, 1)")]
    [InlineData("mnist.validation", "-0.1", "mnist.validation is '-0.1' in its metadata; it must be a fraction in [0, 1)")]
    public void Bad_settings_in_a_samples_Mnist_checkpoint_are_refused(string key, string? value, string message)
    {
        using var dir = new TempFolder();
        var metadata = new Dictionary<string, string> { ["mnist.model"] = "MnistMlp 784-128-10", ["mnist.seed"] = "1", ["mnist.validation"] = "0.1" };
        if (value is null) metadata.Remove(key);
        else metadata[key] = value;
        string path = Save(dir, metadata);

        Classify(dir, path).FailedWith(1, path, message);
    }

    [Fact]
    public void A_checkpoint_without_any_scaling_is_refused_saying_why()
    {
        using var dir = new TempFolder();
        string path = Save(dir, new Dictionary<string, string>());

        Classify(dir, path).FailedWith(1, $"{path}: its metadata has neither input.mean/input.std (written by --train) nor mnist.model (samples/Mnist)");
    }

    [Fact]
    public void A_samples_Mnist_checkpoint_needs_its_training_digits()
    {
        using var dir = new TempFolder();
        string path = Save(dir, new Dictionary<string, string> { ["mnist.model"] = "MnistMlp 784-128-10", ["mnist.seed"] = "1", ["mnist.validation"] = "0.1" });
        string data = TestDigits.WriteGood(dir.File("data"));
        File.Delete(TestDigits.ImagesPath(data, "train"));

        var run = SampleRun.Of("inference", "--weights", path, "--repeat", "0", "--data", data);

        run.FailedWith(1, $"{path} is a samples/Mnist checkpoint, whose input scaling is recomputed from the training digits", TestDigits.ImagesPath(data, "train"));
    }

    [Fact]
    public void Weights_of_another_shape_are_refused_naming_the_tensor()
    {
        using var dir = new TempFolder();
        string path = Save(dir, new Dictionary<string, string> { ["input.mean"] = "0.13", ["input.std"] = "0.31" }, new OtherMlp(hidden: 64));

        Classify(dir, path).FailedWith(1, path, "hidden.");
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_refused_with_its_name()
    {
        using var dir = new TempFolder();
        string path = dir.File("notes.safetensors");
        File.WriteAllText(path, "not a checkpoint");

        Classify(dir, path).FailedWith(1, path + ": ");
    }

    // The first weight set to NaN in the file's bytes: the checkpoint loader, or the sample after it, must refuse it.
    [Fact]
    public void Weights_that_are_not_finite_are_refused()
    {
        using var dir = new TempFolder();
        string path = Save(dir, new Dictionary<string, string> { ["input.mean"] = "0.13", ["input.std"] = "0.31" });
        byte[] bytes = File.ReadAllBytes(path);
        int data = 8 + (int)BitConverter.ToUInt64(bytes, 0);
        BitConverter.TryWriteBytes(bytes.AsSpan(data), float.NaN);
        File.WriteAllBytes(path, bytes);

        Classify(dir, path).FailedWith(1, path);
    }

    /// <summary>An MLP laid out like MnistMlp with its own hidden width, standing in for "another model".</summary>
    private sealed class OtherMlp : ICompiledModel
    {
        private readonly float[] _parameters;

        public OtherMlp(int hidden)
        {
            var layout = new List<ParameterInfo>();
            int offset = 0;
            foreach (var (name, shape) in new[] { ("hidden.weight", new[] { 784, hidden }), ("hidden.bias", new[] { hidden }),
                                                  ("output.weight", new[] { hidden, 10 }), ("output.bias", new[] { 10 }) })
            {
                var info = new ParameterInfo(name, offset, shape, Init.Glorot);
                layout.Add(info);
                offset += info.Length;
            }
            ParameterLayout = layout;
            _parameters = Enumerable.Repeat(0.5f, offset).ToArray();
        }

        public Span<float> Parameters => _parameters;
        public ReadOnlySpan<float> Gradients => _parameters;
        public IReadOnlyList<ParameterInfo> ParameterLayout { get; }
        public float LearningRate { get; set; }
        public void InitializeParameters(int seed) => Array.Fill(_parameters, 0.5f);
    }
}
