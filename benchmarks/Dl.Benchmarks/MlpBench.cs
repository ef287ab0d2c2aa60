using BenchmarkDotNet.Attributes;

namespace Dl.Benchmarks;

/// <summary>MLP 784-128-10: a full SGD train step (forward, loss, backward, update) and inference.</summary>
[MemoryDiagnoser]
public class MlpBench
{
    private Mnist.MnistMlp _model = null!;
    private MnistBatches _train = null!;
    private MnistBatches _infer = null!;

    [Params(64, 256)]
    public int TrainBatch { get; set; }

    [Params(1, 1024)]
    public int InferBatch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = new Mnist.MnistMlp(seed: 1) { LearningRate = 0.1f };
        _train = new MnistBatches(TrainBatch);
        _infer = new MnistBatches(InferBatch);
    }

    [Benchmark]
    public float TrainStep()
    {
        var (x, y) = _train.Next();
        return _model.TrainStep(x, y);
    }

    [Benchmark]
    public float Predict()
    {
        var (x, _) = _infer.Next();
        return _model.Predict(x)[0];
    }
}
