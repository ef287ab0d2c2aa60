using Dl.Checkpoints;
using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

/// <summary>Batch norm's running averages (the model's State) are saved and loaded with the parameters, as in a PyTorch state dict.</summary>
public sealed class StateCheckpointTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dl-state-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The same parameters without the state: what files written before checkpoints carried the state hold.</summary>
    private sealed class ParametersOnly(ICompiledModel inner) : ICompiledModel
    {
        public Span<float> Parameters => inner.Parameters;
        public ReadOnlySpan<float> Gradients => inner.Gradients;
        public IReadOnlyList<ParameterInfo> ParameterLayout => inner.ParameterLayout;
        public float LearningRate { get => inner.LearningRate; set => inner.LearningRate = value; }
        public void InitializeParameters(int seed) => inner.InitializeParameters(seed);
    }

    private static TorchConvBn Trained()
    {
        var model = new TorchConvBn(seed: 4) { LearningRate = 0.05f };
        var x = Enumerable.Range(0, 6 * 4).Select(i => (i % 5) / 5f).ToArray();
        var t = Enumerable.Range(0, 6 * 2).Select(i => (i % 3) / 3f).ToArray();
        for (int i = 0; i < 5; i++) model.TrainStep(x, t);   // moves the running averages away from 0 and 1
        return model;
    }

    [Fact]
    public void Save_and_Load_carry_the_running_averages_so_Predict_is_the_same()
    {
        string path = Path.Combine(_folder, "bn.safetensors");
        var source = Trained();
        Assert.NotEqual(new TorchConvBn().State.ToArray(), source.State.ToArray());   // trained: not the initial zeros and ones
        Checkpoint.Save(path, source);
        Assert.Contains("norm.running_mean", Checkpoint.ReadTensors(path).Keys);

        var model = new TorchConvBn(seed: 9);
        var report = Checkpoint.Load(path, model, new LoadOptions());
        Assert.Contains("norm.running_var", report.Loaded);
        Assert.Empty(report.Missing);
        Assert.Equal(source.State.ToArray(), model.State.ToArray());
        var image = new float[] { 0.2f, -1, 0.7f, 3 };
        Assert.Equal(source.Predict(image).ToArray(), model.Predict(image).ToArray());
    }

    [Fact]
    public void A_file_without_the_state_still_loads_strictly_and_the_state_is_kept_and_reported_missing()
    {
        string path = Path.Combine(_folder, "old.safetensors");
        var source = Trained();
        Checkpoint.Save(path, new ParametersOnly(source));
        var model = new TorchConvBn(seed: 9);
        var state = model.State.ToArray();

        var report = Checkpoint.Load(path, model, new LoadOptions());

        Assert.Equal(source.Parameters.ToArray(), model.Parameters.ToArray());
        Assert.Equal(state, model.State.ToArray());
        Assert.Equal(new[] { "norm.running_mean", "norm.running_var" }, report.Missing.OrderBy(n => n, StringComparer.Ordinal));
        Checkpoint.Load(path, model);   // the plain overload too
    }
}
