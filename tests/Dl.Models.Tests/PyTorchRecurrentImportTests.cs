using Dl.Checkpoints;
using Dl.Models.Tests.Models;
using static Dl.Models.Tests.TorchSafetensors;

namespace Dl.Models.Tests;

/// <summary>
/// State dicts of torch.nn.LSTM and torch.nn.GRU, written as safetensors.torch.save_file writes them, imported with
/// PyTorchMap.Lstm / Gru: the model then computes what PyTorch's equations give, worked out below in double precision.
/// </summary>
public sealed class PyTorchRecurrentImportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dl-torch-rnn-import-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // nn.LSTM(2, 2): weight_ih_l0 [4H=8, I=2], rows i0 i1 f0 f1 g0 g1 o0 o1. Every gate's rows differ and no matrix is
    // symmetric, so a gate order or a transposition other than PyTorch's computes something else.
    private static readonly float[] LstmWih = { 0.5f, -0.3f, /**/ 0.2f, 0.8f, /**/ -0.6f, 0.1f, /**/ 0.4f, 0.9f, /**/ 1.2f, -0.7f, /**/ -0.2f, 0.3f, /**/ 0.7f, 0.05f, /**/ -0.4f, -0.9f };
    private static readonly float[] LstmWhh = { 0.3f, 0.6f, /**/ -0.5f, 0.2f, /**/ 0.1f, -0.8f, /**/ 0.9f, 0.4f, /**/ -0.3f, 1.1f, /**/ 0.6f, -0.2f, /**/ 0.25f, -0.75f, /**/ 0.5f, 0.35f };
    private static readonly float[] LstmBih = { 0.1f, -0.2f, 0.3f, 0.15f, -0.1f, 0.05f, 0.2f, -0.3f };
    private static readonly float[] LstmBhh = { -0.05f, 0.1f, 0.2f, -0.1f, 0.3f, -0.2f, -0.15f, 0.25f };

    // nn.GRU(2, 2): weight_ih_l0 [3H=6, I=2], rows r0 r1 z0 z1 n0 n1.
    private static readonly float[] GruWih = { 0.4f, -0.6f, /**/ 0.9f, 0.2f, /**/ -0.3f, 0.7f, /**/ 0.5f, -0.1f, /**/ 1.1f, 0.3f, /**/ -0.8f, 0.6f };
    private static readonly float[] GruWhh = { -0.2f, 0.5f, /**/ 0.3f, 0.7f, /**/ 0.6f, -0.4f, /**/ -0.1f, 0.8f, /**/ 0.45f, -0.9f, /**/ 0.2f, 0.35f };
    private static readonly float[] GruBih = { 0.1f, 0.2f, -0.3f, 0.05f, 0.15f, -0.25f };
    private static readonly float[] GruBhh = { -0.1f, 0.3f, 0.2f, -0.15f, 0.4f, 0.1f };

    // One sequence of 2 steps, batch first [N=1, T=2, I=2].
    private static readonly float[] Steps = { 1.0f, -0.5f, /**/ 0.3f, 2.0f };

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>Row <paramref name="row"/> of a torch [rows, cols] matrix times a vector.</summary>
    private static double Dot(float[] matrix, int row, int cols, double[] v)
    {
        double sum = 0;
        for (int j = 0; j < cols; j++) sum += matrix[row * cols + j] * v[j];
        return sum;
    }

    private string SaveLstm(string prefix, bool dropBiasHh = false)
    {
        string path = Path.Combine(_folder, "lstm.safetensors");
        var tensors = new List<TorchTensor>
        {
            F32(prefix + "weight_ih_l0", new[] { 8, 2 }, LstmWih), F32(prefix + "weight_hh_l0", new[] { 8, 2 }, LstmWhh),
            F32(prefix + "bias_ih_l0", new[] { 8 }, LstmBih),
        };
        if (!dropBiasHh) tensors.Add(F32(prefix + "bias_hh_l0", new[] { 8 }, LstmBhh));
        Save(path, new Dictionary<string, string> { ["format"] = "pt" }, tensors.ToArray());
        return path;
    }

    [Fact]
    public void A_PyTorch_LSTM_imports_and_predicts_what_torchs_equations_give()
    {
        string path = SaveLstm("rnn.");
        var model = new TorchLstm(seed: 1);

        var report = Checkpoint.ImportPyTorch(path, model, new PyTorchMap().Lstm("rnn", "lstm"));

        Assert.Equal(new[] { "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0" }, report.Loaded);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        var y = model.Predict(Steps).ToArray();

        // PyTorch's LSTM from h = c = 0, H = 2; gate g's unit u uses row g·H + u.
        var expected = new List<double>();
        double[] h = { 0, 0 }, c = { 0, 0 };
        for (int t = 0; t < 2; t++)
        {
            double[] x = { Steps[t * 2], Steps[t * 2 + 1] };
            double Pre(int gate, int u) => Dot(LstmWih, gate * 2 + u, 2, x) + LstmBih[gate * 2 + u] + Dot(LstmWhh, gate * 2 + u, 2, h) + LstmBhh[gate * 2 + u];
            var hNext = new double[2];
            var cNext = new double[2];
            for (int u = 0; u < 2; u++)
            {
                double i = Sigmoid(Pre(0, u)), f = Sigmoid(Pre(1, u)), g = Math.Tanh(Pre(2, u)), o = Sigmoid(Pre(3, u));
                cNext[u] = f * c[u] + i * g;
                hNext[u] = o * Math.Tanh(cNext[u]);
            }
            h = hNext; c = cNext;
            expected.AddRange(h);
        }
        Assert.Equal(expected.Select(v => (float)v).ToArray(), y, (a, b) => MathF.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void A_PyTorch_GRU_imports_and_predicts_what_torchs_equations_give()
    {
        // A state dict of the module alone (torch.save_file(gru.state_dict())): no prefix.
        string path = Path.Combine(_folder, "gru.safetensors");
        Save(path, null, F32("weight_ih_l0", new[] { 6, 2 }, GruWih), F32("weight_hh_l0", new[] { 6, 2 }, GruWhh),
            F32("bias_ih_l0", new[] { 6 }, GruBih), F32("bias_hh_l0", new[] { 6 }, GruBhh));
        var model = new TorchGru(seed: 1);

        var report = Checkpoint.ImportPyTorch(path, model, new PyTorchMap().Gru("", "gru"));

        Assert.Equal(4, report.Loaded.Count);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        var y = model.Predict(Steps).ToArray();

        // PyTorch's GRU from h = 0: r, z, n gates; the reset gate multiplies W_hn h + b_hn (b_hn inside).
        var expected = new List<double>();
        double[] h = { 0, 0 };
        for (int t = 0; t < 2; t++)
        {
            double[] x = { Steps[t * 2], Steps[t * 2 + 1] };
            double In(int gate, int u) => Dot(GruWih, gate * 2 + u, 2, x) + GruBih[gate * 2 + u];
            double Hid(int gate, int u) => Dot(GruWhh, gate * 2 + u, 2, h) + GruBhh[gate * 2 + u];
            var hNext = new double[2];
            for (int u = 0; u < 2; u++)
            {
                double r = Sigmoid(In(0, u) + Hid(0, u)), z = Sigmoid(In(1, u) + Hid(1, u));
                double n = Math.Tanh(In(2, u) + r * Hid(2, u));
                hNext[u] = (1 - z) * n + z * h[u];
            }
            h = hNext;
            expected.AddRange(h);
        }
        Assert.Equal(expected.Select(v => (float)v).ToArray(), y, (a, b) => MathF.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void A_PyTorch_RNN_imports_and_predicts_what_torchs_equations_give()
    {
        // nn.RNN(2, 2) (tanh), saved inside a model as "0.": weight_ih_l0 [H=2, I=2], weight_hh_l0 [2, 2], biases [2].
        float[] wih = { 0.7f, -0.4f, /**/ 0.2f, 0.9f }, whh = { -0.3f, 0.5f, /**/ 0.8f, 0.1f }, bih = { 0.1f, -0.2f }, bhh = { 0.05f, 0.3f };
        string path = Path.Combine(_folder, "rnn.safetensors");
        Save(path, null, F32("0.weight_ih_l0", new[] { 2, 2 }, wih), F32("0.weight_hh_l0", new[] { 2, 2 }, whh),
            F32("0.bias_ih_l0", new[] { 2 }, bih), F32("0.bias_hh_l0", new[] { 2 }, bhh));
        var model = new TorchRnn(seed: 1);

        var report = Checkpoint.ImportPyTorch(path, model, new PyTorchMap().Rnn("0", "rnn"));

        Assert.Equal(4, report.Loaded.Count);
        Assert.Empty(report.Missing);
        var y = model.Predict(Steps).ToArray();

        // h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) from h = 0.
        var expected = new List<double>();
        double[] h = { 0, 0 };
        for (int t = 0; t < 2; t++)
        {
            double[] x = { Steps[t * 2], Steps[t * 2 + 1] };
            h = new[] { 0, 1 }.Select(u => Math.Tanh(Dot(wih, u, 2, x) + bih[u] + Dot(whh, u, 2, h) + bhh[u])).ToArray();
            expected.AddRange(h);
        }
        Assert.Equal(expected.Select(v => (float)v).ToArray(), y, (a, b) => MathF.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void A_bidirectional_two_layer_LSTM_map_covers_all_16_tensors_of_the_state_dict()
    {
        // nn.LSTM(2, 3, num_layers=2, bidirectional=True): layer 1 reads both directions, I_1 = 2·3.
        var names = new List<string>();
        var tensors = new List<TorchTensor>();
        int fill = 0;
        for (int k = 0; k < 2; k++)
            foreach (string suffix in new[] { "", "_reverse" })
            {
                int inputs = k == 0 ? 2 : 6;
                foreach (var (name, shape) in new[] { ("weight_ih", new[] { 12, inputs }), ("weight_hh", new[] { 12, 3 }), ("bias_ih", new[] { 12 }), ("bias_hh", new[] { 12 }) })
                {
                    string full = $"{name}_l{k}{suffix}";
                    names.Add(full);
                    float value = ++fill;   // each tensor its own value, to see it land in its own parameter
                    tensors.Add(F32("encoder.lstm." + full, shape, Enumerable.Repeat(value, shape.Aggregate(1, (a, b) => a * b)).ToArray()));
                }
            }
        Assert.Equal(16, names.Distinct().Count());
        string path = Path.Combine(_folder, "bilstm.safetensors");
        Save(path, null, tensors.ToArray());
        var model = new TorchBiLstm(seed: 1);

        var report = Checkpoint.ImportPyTorch(path, model, new PyTorchMap().Lstm("encoder.lstm", "lstm", layers: 2, bidirectional: true));

        Assert.Equal(names.Select(n => "lstm." + n), report.Loaded);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        for (int i = 0; i < names.Count; i++)
        {
            var p = model.ParameterLayout.Single(q => q.Name == "lstm." + names[i]);
            Assert.All(model.Parameters.Slice(p.Offset, p.Length).ToArray(), v => Assert.Equal(i + 1, v));
        }
    }

    [Fact]
    public void An_LSTM_file_missing_a_tensor_is_refused_naming_it_and_changes_nothing()
    {
        string path = SaveLstm("rnn.", dropBiasHh: true);
        var model = new TorchLstm(seed: 1);
        var before = model.Parameters.ToArray();

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.ImportPyTorch(path, model, new PyTorchMap().Lstm("rnn", "lstm")));

        Assert.Contains("rnn.bias_hh_l0: not in the file", e.Message);
        Assert.Contains("lstm.bias_hh_l0", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void A_GRU_state_dict_mapped_into_an_LSTM_is_refused_for_its_shape()
    {
        string path = Path.Combine(_folder, "gru-as-lstm.safetensors");
        Save(path, null, F32("rnn.weight_ih_l0", new[] { 6, 2 }, GruWih), F32("rnn.weight_hh_l0", new[] { 6, 2 }, GruWhh),
            F32("rnn.bias_ih_l0", new[] { 6 }, GruBih), F32("rnn.bias_hh_l0", new[] { 6 }, GruBhh));
        var model = new TorchLstm(seed: 1);

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.ImportPyTorch(path, model, new PyTorchMap().Lstm("rnn", "lstm")));

        Assert.Contains("rnn.weight_ih_l0: shape [6,2] in the file, [8,2] for lstm.weight_ih_l0", e.Message);
    }

    [Fact]
    public void A_map_without_biases_leaves_the_files_biases_unexpected()
    {
        string path = SaveLstm("rnn.");
        var model = new TorchLstm(seed: 1);

        var report = Checkpoint.ImportPyTorch(path, model, new PyTorchMap().Lstm("rnn", "lstm", bias: false));

        Assert.Equal(new[] { "lstm.weight_ih_l0", "lstm.weight_hh_l0" }, report.Loaded);
        Assert.Equal(new[] { "lstm.bias_ih_l0", "lstm.bias_hh_l0" }, report.Missing);
        Assert.Equal(new[] { "rnn.bias_hh_l0", "rnn.bias_ih_l0" }, report.Unexpected.OrderBy(n => n, StringComparer.Ordinal));
    }
}
