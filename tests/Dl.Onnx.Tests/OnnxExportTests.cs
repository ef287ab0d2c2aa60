using Dl.Models.Tests.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Dl.Onnx.Tests.Models;

namespace Dl.Onnx.Tests;

/// <summary>
/// Each model's generated ExportOnnx, run by ONNX Runtime on seeded inputs of two batch sizes (the batch
/// dimension is symbolic), agrees with the model's own Predict within 1e-4.
/// </summary>
public class OnnxExportTests
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    public void The_MNIST_MLP_runs_in_ONNX_Runtime_as_Predict_does(int batch)
    {
        var model = new MnistMlp(seed: 3);
        var x = OrtCheck.Inputs(batch * 784, batch);
        var diff = OrtCheck.MaxAbsDiff(model.ExportOnnx, x, new[] { batch, 784 }, model.Predict(x), new[] { batch, 10 });
        Assert.InRange(diff, 0, Tolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    public void LeNet5_runs_in_ONNX_Runtime_as_Predict_does(int batch)
    {
        var model = new LeNet.LeNet5(seed: 5);
        var x = OrtCheck.Inputs(batch * 784, 100 + batch);
        var diff = OrtCheck.MaxAbsDiff(model.ExportOnnx, x, new[] { batch, 1, 28, 28 }, model.Predict(x), new[] { batch, 10 });
        Assert.InRange(diff, 0, Tolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void A_residual_batch_norm_CNN_exports_its_running_statistics(int batch)
    {
        var model = new ResBnNet(seed: 2) { LearningRate = 0.05f };
        // A few training steps move the running means and variances (and the weights) off their initial 0 and 1,
        // so the export is checked with statistics that matter; Predict uses them, not the batch's.
        var labels = Enumerable.Range(0, 16).Select(i => i % 10).ToArray();
        for (int step = 0; step < 3; step++) model.TrainStep(OrtCheck.Inputs(16 * 196, 50 + step), labels);
        Assert.Contains(model.State.ToArray(), v => v != 0 && v != 1);
        var x = OrtCheck.Inputs(batch * 196, 200 + batch);
        var diff = OrtCheck.MaxAbsDiff(model.ExportOnnx, x, new[] { batch, 1, 14, 14 }, model.Predict(x), new[] { batch, 10 });
        Assert.InRange(diff, 0, Tolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Every_activation_and_pooling_op_runs_in_ONNX_Runtime_as_Predict_does(int batch)
    {
        var model = new ActivationZoo(seed: 7);
        var x = OrtCheck.Inputs(batch * 2 * 8 * 8, 300 + batch);
        var diff = OrtCheck.MaxAbsDiff(model.ExportOnnx, x, new[] { batch, 2, 8, 8 }, model.Predict(x), new[] { batch, 6 });
        Assert.InRange(diff, 0, Tolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Layout_ops_and_means_over_axes_export(int batch)
    {
        var model = new OpZoo(seed: 11);
        var x = OrtCheck.Inputs(batch * 5, 400 + batch);
        var diff = OrtCheck.MaxAbsDiff(model.ExportOnnx, x, new[] { batch, 5 }, model.Predict(x), new[] { batch, 4 });
        Assert.InRange(diff, 0, Tolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void An_LSTM_exports_as_a_Scan_and_runs_as_Predict_does(int batch)
    {
        var model = new LstmModel(seed: 4);
        var x = OrtCheck.Inputs(batch * 28 * 28, 500 + batch);
        var diff = OrtCheck.MaxAbsDiff(model.ExportOnnx, x, new[] { batch, 28, 28 }, model.Predict(x), new[] { batch, 10 });
        Assert.InRange(diff, 0, Tolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Stacked_bidirectional_LSTMs_and_a_GRU_export(int batch)
    {
        // Reverse loops, per-step outputs stacked (a reverse Scan prepends), two layers, a GRU on top.
        var model = new SequenceNet(seed: 6);
        var x = OrtCheck.Inputs(batch * 9 * 6, 600 + batch);
        var diff = OrtCheck.MaxAbsDiff(model.ExportOnnx, x, new[] { batch, 9, 6 }, model.Predict(x), new[] { batch, 3 });
        Assert.InRange(diff, 0, Tolerance);
    }

    [Theory]
    [InlineData(2)]
    public void A_whole_output_sequence_exports(int batch)
    {
        var model = new WholeSequence(seed: 8);
        var x = OrtCheck.Inputs(batch * 6 * 3, 700 + batch);
        var diff = OrtCheck.MaxAbsDiff(model.ExportOnnx, x, new[] { batch, 6, 3 }, model.Predict(x), new[] { batch, 6, 5 });
        Assert.InRange(diff, 0, Tolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Strided_and_transposed_convolutions_export(int batch)
    {
        var model = new ConvAutoencoder(seed: 9);
        var x = OrtCheck.Inputs(batch * 784, 800 + batch);
        var diff = OrtCheck.MaxAbsDiff(model.ExportOnnx, x, new[] { batch, 1, 28, 28 }, model.Predict(x), new[] { batch, 1, 28, 28 });
        Assert.InRange(diff, 0, Tolerance);
    }

    [Fact]
    public void Masked_sequences_take_their_lengths_as_an_int32_input()
    {
        var model = new MaskedSequence(seed: 10);
        const int batch = 5;
        var x = OrtCheck.Inputs(batch * 4 * 3, 900);
        var lengths = new[] { 0, 1, 4, 2, 3 };
        var expected = model.Predict(x, lengths).ToArray();
        var actual = OrtCheck.Run(OrtCheck.Export(model.ExportOnnx),
            NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, new[] { batch, 4, 3 })),
            NamedOnnxValue.CreateFromTensor("lengths", new DenseTensor<int>(lengths, new[] { batch })));
        Assert.Equal(expected.Length, actual.Length);
        Assert.InRange(actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max(), 0, Tolerance);
        Assert.Equal(0f, actual[0]);   // length 0: every step masked
        Assert.Equal(0f, actual[1]);
    }

    [Fact]
    public void Token_embeddings_gather_rows_from_an_int32_input()
    {
        var model = new Dl.Gpu.Tests.Models.TokenEmbedding(seed: 12);
        const int batch = 4;
        var tokens = Enumerable.Range(0, batch * 5).Select(i => (i * 5 + 3) % 7).ToArray();
        var expected = model.Predict(tokens).ToArray();
        var actual = OrtCheck.Run(OrtCheck.Export(model.ExportOnnx),
            NamedOnnxValue.CreateFromTensor("tokens", new DenseTensor<int>(tokens, new[] { batch, 5 })));
        Assert.Equal(expected.Length, actual.Length);
        Assert.InRange(actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max(), 0, Tolerance);
    }

    [Fact]
    public void Export_refuses_a_model_another_thread_is_inside()
    {
        var model = new MnistMlp(seed: 1);
        // The generated guard's field, set as a call running on another thread sets it.
        var owner = typeof(MnistMlp).GetField("__dl_owner", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var other = new System.Threading.Thread(() => owner.SetValue(model, Environment.CurrentManagedThreadId));
        other.Start();
        other.Join();
        using var stream = new MemoryStream();
        var e = Assert.Throws<InvalidOperationException>(() => model.ExportOnnx(stream));
        Assert.Contains("MnistMlp", e.Message);
        owner.SetValue(model, 0);
        model.ExportOnnx(stream);
        Assert.True(stream.Length > 100_000);
    }

    [Fact]
    public void The_core_runtime_does_not_depend_on_protobuf()
    {
        // Dl.Onnx is a package of its own so that Dl.Runtime (NativeAOT-clean, what every model needs) stays free of it.
        var references = typeof(Dl.Tensor).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("Google.Protobuf", references);
        Assert.DoesNotContain("Dl.Onnx", references);
        Assert.Contains("Google.Protobuf", typeof(OnnxGraphBuilder).Assembly.GetReferencedAssemblies().Select(a => a.Name));
    }

    [Fact]
    public void The_weights_are_read_when_exporting_not_when_building()
    {
        var model = new MnistMlp(seed: 3);
        var x = OrtCheck.Inputs(2 * 784, 9);
        using var before = new MemoryStream();
        model.ExportOnnx(before);
        model.InitializeParameters(4);
        var expected = model.Predict(x).ToArray();
        var (after, _) = OrtCheck.Run(ExportBytes(model.ExportOnnx), x, new[] { 2, 784 });
        var (stale, _) = OrtCheck.Run(before.ToArray(), x, new[] { 2, 784 });
        Assert.InRange(after.Zip(expected, (a, b) => Math.Abs(a - b)).Max(), 0, Tolerance);
        Assert.True(stale.Zip(expected, (a, b) => Math.Abs(a - b)).Max() > 1e-3, "the first export should hold the old weights");
    }

    [Fact]
    public void ExportOnnx_to_a_path_writes_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dl-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            var model = new MnistMlp(seed: 1);
            model.ExportOnnx(path);
            Assert.Equal(ExportBytes(model.ExportOnnx), File.ReadAllBytes(path));
        }
        finally { File.Delete(path); }
    }

    private static byte[] ExportBytes(Action<Stream> export)
    {
        using var s = new MemoryStream();
        export(s);
        return s.ToArray();
    }
}
