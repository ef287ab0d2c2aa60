using BenchmarkDotNet.Attributes;

namespace Dl.Benchmarks;

/// <summary>
/// LeNet-5: the peer's SGD train step at batch 64 (`torchsharp_lenet_train_step_b64`) and batch-1 inference.
/// The train step cycles over all 125 consecutive batches of the 8,000 training digits, as the peer does.
/// </summary>
[MemoryDiagnoser]
public class LeNetBench
{
    /// <summary>The peer's batch size for the LeNet step.</summary>
    public const int TrainBatch = 64;

    private LeNet.LeNet5 _model = null!;
    private MnistBatches _train = null!;
    private MnistBatches _infer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = new LeNet.LeNet5(seed: 1) { LearningRate = 0.1f };
        _train = new MnistBatches(TrainBatch, int.MaxValue);
        _infer = new MnistBatches(1);
    }

    [Benchmark]
    public float TrainStepB64()
    {
        var (x, y) = _train.Next();
        return _model.TrainStep(x, y);
    }

    [Benchmark]
    public float PredictB1()
    {
        var (x, _) = _infer.Next();
        return _model.Predict(x)[0];
    }
}
