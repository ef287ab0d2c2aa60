using Dl;

namespace Dl.Benchmarks.Distributed;

/// <summary>Makes a fresh model of one kind (the benchmark builds one per configuration).</summary>
internal interface IModelFactory
{
    IClassifier Create();
}

internal sealed class MnistMlpFactory : IModelFactory
{
    public IClassifier Create() => new Mnist.MnistMlp(seed: 1);
}

internal sealed class LeNetFactory : IModelFactory
{
    public IClassifier Create() => new LeNet.LeNet5(seed: 1);
}
