using Dl.Checkpoints;
using Dl.Models.Tests.Models;
using static Dl.Models.Tests.TorchSafetensors;

namespace Dl.Models.Tests;

/// <summary>
/// PyTorch state dicts, written as safetensors.torch.save_file writes them, imported with an explicit map: the model then
/// computes what the PyTorch model computes (values worked out by hand below).
/// </summary>
public sealed class PyTorchImportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dl-torch-import-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2)); torch stores Linear weights [out,in], row o = output o.
    // W1 is not symmetric, so a weight loaded untransposed computes something else.
    private static readonly float[] W1 = { 1, 2, 3, /**/ -1, 0, 1, /**/ 2, -3, 1 };
    private static readonly float[] B1 = { 0.5f, -1, 0.25f };
    private static readonly float[] W2 = { 1, -1, 2, /**/ 0.5f, 0, -2 };
    private static readonly float[] B2 = { 0.1f, -0.2f };

    private string SaveTorchMlp(IReadOnlyDictionary<string, string>? metadata = null, params TorchTensor[] extra)
    {
        string path = Path.Combine(_folder, "mlp.safetensors");
        Save(path, metadata, new[]
        {
            F32("0.weight", new[] { 3, 3 }, W1), F32("0.bias", new[] { 3 }, B1),
            F32("2.weight", new[] { 2, 3 }, W2), F32("2.bias", new[] { 2 }, B2),
        }.Concat(extra).ToArray());
        return path;
    }

    private static PyTorchMap MlpMap => new PyTorchMap().Linear("0", "first").Linear("2", "second");

    [Fact]
    public void A_PyTorch_Sequential_of_Linear_layers_imports_and_predicts_what_torch_computes()
    {
        string path = SaveTorchMlp(new Dictionary<string, string> { ["format"] = "pt" });
        var model = new TorchMlp(seed: 1);

        var report = Checkpoint.ImportPyTorch(path, model, MlpMap);

        Assert.Equal(new[] { "first.weight", "first.bias", "second.weight", "second.bias" }, report.Loaded);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        var x = new float[] { 1, 2, 3, /**/ -1, 0.5f, 2 };
        var y = model.Predict(x).ToArray();

        // Row 1, x = (1, 2, 3): h = relu(W1 x + b1)
        float h0 = 1 * 1 + 2 * 2 + 3 * 3 + 0.5f;          // 14.5
        float h1 = -1 * 1 + 0 * 2 + 1 * 3 - 1;            // 1
        float h2 = MathF.Max(0, 2 * 1 - 3 * 2 + 1 * 3 + 0.25f);   // -0.75 -> 0
        float[] row1 = { 1 * h0 - 1 * h1 + 2 * h2 + 0.1f, 0.5f * h0 + 0 * h1 - 2 * h2 - 0.2f };   // (13.6, 7.05)
        // Row 2, x = (-1, 0.5, 2)
        float g0 = 1 * -1 + 2 * 0.5f + 3 * 2 + 0.5f;      // 6.5
        float g1 = -1 * -1 + 0 * 0.5f + 1 * 2 - 1;        // 2
        float g2 = MathF.Max(0, 2 * -1 - 3 * 0.5f + 1 * 2 + 0.25f);   // -1.25 -> 0
        float[] row2 = { 1 * g0 - 1 * g1 + 2 * g2 + 0.1f, 0.5f * g0 + 0 * g1 - 2 * g2 - 0.2f };   // (4.6, 3.05)
        var expected = row1.Concat(row2).ToArray();
        Assert.Equal(new[] { 13.6f, 7.05f, 4.6f, 3.05f }, expected, (a, b) => MathF.Abs(a - b) < 1e-5f);   // the arithmetic above
        Assert.Equal(expected, y, (a, b) => MathF.Abs(a - b) < 1e-5f);

        // Stored in our layout: first.weight [in,out] is W1 transposed.
        var weight = model.Parameters.Slice(model.ParameterLayout.Single(p => p.Name == "first.weight").Offset, 9).ToArray();
        Assert.Equal(new float[] { 1, -1, 2, /**/ 2, 0, -3, /**/ 3, 1, 1 }, weight);
    }

    [Fact]
    public void Loading_the_PyTorch_file_as_our_own_is_refused_and_the_message_points_to_the_import()
    {
        string path = SaveTorchMlp();
        var model = new TorchMlp(seed: 1);
        var before = model.Parameters.ToArray();
        var map = new Dictionary<string, string?> { ["0.weight"] = "first.weight", ["0.bias"] = "first.bias", ["2.weight"] = "second.weight", ["2.bias"] = "second.bias" };
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, new LoadOptions { Rename = LoadOptions.RenameWith(map) }));
        // 2.weight is [2,3] where second.weight is [3,2]: the message says it looks like a Linear weight.
        Assert.Contains("2.weight (loaded as second.weight): shape [2,3] in the file, [3,2] in the model; the transpose", e.Message);
        Assert.Contains("ImportPyTorch", e.Message);
        // The square 0.weight alone would load without a shape error: refused for its layout.
        e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, model, new LoadOptions
        {
            Strict = false,
            Rename = name => name.StartsWith("0.", StringComparison.Ordinal) ? map[name] : null,
        }));
        Assert.StartsWith("0.weight: a square [3,3] matrix", e.Message);
        Assert.Contains("ImportPyTorch", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void An_import_refuses_a_wrong_shape_or_a_missing_tensor_and_changes_nothing()
    {
        var model = new TorchMlp(seed: 1);
        var before = model.Parameters.ToArray();
        string path = Path.Combine(_folder, "wrong.safetensors");
        // A weight saved [in,out] (as if transposed already): [3,2] where Linear(3, 2) stores [2,3].
        Save(path, null, F32("0.weight", new[] { 3, 3 }, W1), F32("0.bias", new[] { 3 }, B1),
            F32("2.weight", new[] { 3, 2 }, W2), F32("2.bias", new[] { 2 }, B2));
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.ImportPyTorch(path, model, MlpMap));
        Assert.Contains("2.weight: shape [3,2] in the file", e.Message);
        Assert.Contains("[out,in] = [2,3]", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());

        Save(path, null, F32("0.weight", new[] { 3, 3 }, W1), F32("0.bias", new[] { 3 }, B1), F32("2.weight", new[] { 2, 3 }, W2));
        e = Assert.Throws<CheckpointException>(() => Checkpoint.ImportPyTorch(path, model, MlpMap));
        Assert.Contains("2.bias: not in the file", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void An_import_of_part_of_a_model_reports_what_it_left_and_leaves_it()
    {
        string path = SaveTorchMlp(null, F32("extra", new[] { 1 }, 42));
        var model = new TorchMlp(seed: 1);
        var second = model.ParameterLayout.Where(p => p.Name.StartsWith("second.")).Select(p => model.Parameters.Slice(p.Offset, p.Length).ToArray()).ToList();

        var report = Checkpoint.ImportPyTorch(path, model, new PyTorchMap().Linear("0", "first"));

        Assert.Equal(new[] { "second.weight", "second.bias" }, report.Missing);
        Assert.Equal(new[] { "2.bias", "2.weight", "extra" }, report.Unexpected.OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(second, model.ParameterLayout.Where(p => p.Name.StartsWith("second.")).Select(p => model.Parameters.Slice(p.Offset, p.Length).ToArray()).ToList());
    }

    [Fact]
    public void Conv2d_and_BatchNorm2d_with_running_statistics_import_and_predict_what_torch_computes()
    {
        // nn.Sequential(nn.Conv2d(1, 2, 2), nn.BatchNorm2d(2), nn.Flatten()) in eval mode; num_batches_tracked is I64.
        string path = Path.Combine(_folder, "conv.safetensors");
        Save(path, new Dictionary<string, string> { ["format"] = "pt" },
            F32("0.weight", new[] { 2, 1, 2, 2 }, 1, 0, -1, 2, /**/ 0.5f, -1, 2, 0), F32("0.bias", new[] { 2 }, 0.5f, -1),
            F32("1.weight", new[] { 2 }, 2, 0.5f), F32("1.bias", new[] { 2 }, 0.1f, -0.3f),
            F32("1.running_mean", new[] { 2 }, 1.5f, 0.5f), F32("1.running_var", new[] { 2 }, 4, 0.25f), I64("1.num_batches_tracked", 7));
        var model = new TorchConvBn(seed: 1);

        var report = Checkpoint.ImportPyTorch(path, model, new PyTorchMap().Conv2d("0", "conv").BatchNorm2d("1", "norm"));

        Assert.Equal(new[] { "conv.weight", "conv.bias", "norm.gamma", "norm.beta", "norm.running_mean", "norm.running_var" }, report.Loaded);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        var image = new float[] { 1, 2, 3, 4 };
        var y = model.Predict(image).ToArray();
        // Channel 0: conv = 1·1 + 0·2 − 1·3 + 2·4 + 0.5 = 6.5; BN = (6.5 − 1.5) / sqrt(4 + 1e-5) · 2 + 0.1
        float c0 = 1 * 1 + 0 * 2 - 1 * 3 + 2 * 4 + 0.5f;
        float y0 = (c0 - 1.5f) / MathF.Sqrt(4 + 1e-5f) * 2 + 0.1f;
        // Channel 1: conv = 0.5·1 − 1·2 + 2·3 + 0·4 − 1 = 3.5; BN = (3.5 − 0.5) / sqrt(0.25 + 1e-5) · 0.5 − 0.3
        float c1 = 0.5f * 1 - 1 * 2 + 2 * 3 + 0 * 4 - 1;
        float y1 = (c1 - 0.5f) / MathF.Sqrt(0.25f + 1e-5f) * 0.5f - 0.3f;
        Assert.Equal(new[] { y0, y1 }, y, (a, b) => MathF.Abs(a - b) < 1e-4f);
        float[] State(string name) { var p = model.StateLayout.Single(s => s.Name == name); return model.State.Slice(p.Offset, p.Length).ToArray(); }
        Assert.Equal(new[] { 1.5f, 0.5f }, State("norm.running_mean"));
        Assert.Equal(new[] { 4f, 0.25f }, State("norm.running_var"));
    }
}
