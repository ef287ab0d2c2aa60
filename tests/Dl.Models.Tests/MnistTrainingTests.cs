using Dl.Data;
using Dl.Models.Tests.Models;
using Dl.Tests;

namespace Dl.Models.Tests;

/// <summary>Real learning: the README's MLP on the 8,000 MNIST training digits, judged on the 2,000 test digits.</summary>
public class MnistTrainingTests
{
    [Fact]
    public void Mlp_ReachesAtLeast95PercentOnTestDigits_In5Epochs()
    {
        string dir = RepositoryRoot.Combine("data", "mnist");
        var train = Idx.ReadImages(Path.Combine(dir, "train-images-idx3-ubyte.gz"));
        var trainLabels = Idx.ReadLabels(Path.Combine(dir, "train-labels-idx1-ubyte.gz"));
        var test = Idx.ReadImages(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"));
        var testLabels = Idx.ReadLabels(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"));

        // The sample's recipe: standardised pixels, SGD with a cosine-decayed rate from 0.2, batch 32.
        double mean = train.Pixels.Average(), std = Math.Sqrt(train.Pixels.Average(v => (v - mean) * (v - mean)));
        foreach (var data in new[] { train.Pixels, test.Pixels })
            for (int i = 0; i < data.Length; i++) data[i] = (float)((data[i] - mean) / std);
        var model = new MnistMlp(seed: 1);
        var batches = new MiniBatches(train.Pixels, 784, trainLabels, 32, seed: 1);
        var x = new float[32 * 784];
        var y = new int[32];
        for (int epoch = 0; epoch < 5; epoch++)
        {
            batches.Shuffle();
            for (int b = 0; b < batches.BatchCount; b++)
            {
                int rows = batches.Gather(b, x, y);
                double progress = (epoch * batches.BatchCount + b) / (5.0 * batches.BatchCount);
                model.LearningRate = (float)(0.2 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
                model.TrainStep(x.AsSpan(0, rows * 784), y.AsSpan(0, rows));
            }
        }
        double accuracy = Metrics.Accuracy(model, test.Pixels, testLabels, 784, 10);
        Assert.True(accuracy >= 0.95, $"test accuracy {accuracy:P2} after 5 epochs, expected at least 95%");
    }
}
