using BenchmarkDotNet.Attributes;

namespace Dl.Benchmarks;

/// <summary>
/// The SequentialMnist LSTM (28 rows of 28 pixels through LSTM(28, 128), then Dense(128, 10)): the peer's SGD
/// train step at batch 64 (`torchsharp_lstm_train_step_b64`), and inference at batch 1 and 64.
/// </summary>
[MemoryDiagnoser]
public class LstmBench
{
    /// <summary>The peer's batch size for the LSTM step.</summary>
    public const int TrainBatch = 64;

    private SequentialMnist.Lstm1 _model = null!;
    private MnistBatches _train = null!;
    private MnistBatches _one = null!;
    private MnistBatches _many = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = new SequentialMnist.Lstm1(seed: 1) { LearningRate = 0.1f };
        _train = new MnistBatches(TrainBatch, int.MaxValue);
        _one = new MnistBatches(1);
        _many = new MnistBatches(TrainBatch);
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
        var (x, _) = _one.Next();
        return _model.Predict(x)[0];
    }

    [Benchmark]
    public float PredictB64()
    {
        var (x, _) = _many.Next();
        return _model.Predict(x)[0];
    }
}
