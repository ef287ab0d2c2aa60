using Dl.Data;
using Dl.Models.Tests.Models;
using Dl.Tests;

namespace Dl.Models.Tests;

/// <summary>
/// Real learning with the convolutional toolbox on the MNIST digits in data/mnist (8,000 train /
/// 2,000 test): LeNet-5's accuracy, a residual CNN with batch norm and dropout, a convolutional
/// autoencoder. Kept short enough for CI; the LeNet sample trains longer to its 98%.
/// </summary>
public class ConvTrainingTests
{
    private sealed record Digits(float[] Train, int[] TrainLabels, float[] Test, int[] TestLabels);

    private static readonly Lazy<Digits> s_digits = new(Load);

    /// <summary>Pixels standardised with the training set's mean and spread.</summary>
    private static Digits Load()
    {
        string dir = RepositoryRoot.Combine("data", "mnist");
        var train = Idx.ReadImages(Path.Combine(dir, "train-images-idx3-ubyte.gz"));
        var test = Idx.ReadImages(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"));
        double mean = train.Pixels.Average(), std = Math.Sqrt(train.Pixels.Average(v => (v - mean) * (v - mean)));
        float[] Standard(float[] p) => p.Select(v => (float)((v - mean) / std)).ToArray();
        return new Digits(Standard(train.Pixels), Idx.ReadLabels(Path.Combine(dir, "train-labels-idx1-ubyte.gz")),
            Standard(test.Pixels), Idx.ReadLabels(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz")));
    }

    /// <summary>SGD over shuffled mini-batches with a cosine-decayed rate; returns the mean loss of each epoch.</summary>
    private static List<double> Train(IClassifier model, float[] x, int[] y, int featureSize, int epochs, int batch, float rate, int samples = int.MaxValue)
    {
        samples = Math.Min(samples, y.Length);
        var batches = new MiniBatches(x.AsSpan(0, samples * featureSize).ToArray(), featureSize, y.AsSpan(0, samples).ToArray(), batch, seed: 1);
        var xb = new float[batch * featureSize];
        var yb = new int[batch];
        var losses = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            batches.Shuffle();
            double sum = 0;
            for (int b = 0; b < batches.BatchCount; b++)
            {
                int rows = batches.Gather(b, xb, yb);
                double progress = (epoch * batches.BatchCount + b) / (double)(epochs * batches.BatchCount);
                model.LearningRate = (float)(rate * 0.5 * (1 + Math.Cos(Math.PI * progress)));
                sum += model.TrainStep(xb.AsSpan(0, rows * featureSize), yb.AsSpan(0, rows));
            }
            losses.Add(sum / batches.BatchCount);
        }
        return losses;
    }

    [Fact]
    public void LeNet_ReachesAtLeast97PercentOnTestDigits_In4Epochs()
    {
        var d = s_digits.Value;
        var model = new global::LeNet.LeNet5(seed: 1);
        Train(model, d.Train, d.TrainLabels, 784, epochs: 4, batch: 32, rate: 0.05f);
        double accuracy = Metrics.Accuracy(model, d.Test, d.TestLabels, 784, 10);
        Assert.True(accuracy >= 0.97, $"LeNet-5 test accuracy {accuracy:P2} after 4 epochs, expected at least 97%");
    }

    /// <summary>28x28 digits averaged 2x2 down to 14x14 (the residual network's input).</summary>
    private static float[] Downsample(float[] images)
    {
        int count = images.Length / 784;
        var small = new float[count * 196];
        for (int n = 0; n < count; n++)
            for (int i = 0; i < 14; i++)
                for (int j = 0; j < 14; j++)
                {
                    int at = n * 784 + 2 * i * 28 + 2 * j;
                    small[n * 196 + i * 14 + j] = (images[at] + images[at + 1] + images[at + 28] + images[at + 29]) / 4;
                }
        return small;
    }

    [Fact]
    public void ResidualBatchNormCnn_Learns_AndPredictsWithTheRunningAverages()
    {
        var d = s_digits.Value;
        var train = Downsample(d.Train);
        var test = Downsample(d.Test);
        var model = new ResBnNet(seed: 1);
        var losses = Train(model, train, d.TrainLabels, 196, epochs: 2, batch: 32, rate: 0.1f, samples: 4000);
        Assert.True(losses[1] < losses[0] * 0.7, $"the training loss should fall: {string.Join(", ", losses.Select(l => l.ToString("F3")))}");
        Assert.True(losses[1] < 0.8, $"second-epoch loss {losses[1]:F3}");
        // Predict runs in inference mode: this accuracy is only high if the running averages track the batches.
        double accuracy = Metrics.Accuracy(model, test, d.TestLabels, 196, 10);
        Assert.True(accuracy >= 0.85, $"test accuracy {accuracy:P2} (chance is 10%)");
        var runningVar = model.StateLayout.Single(s => s.Name == "stemNorm.running_var");
        Assert.Contains(model.State.Slice(runningVar.Offset, runningVar.Length).ToArray(), v => Math.Abs(v - 1) > 0.05);
    }

    [Fact]
    public void ConvAutoencoder_HalvesItsReconstructionLoss()
    {
        var d = s_digits.Value;
        // Reconstruct raw intensities in [0, 1]: undo the standardisation from the data's own range.
        float lo = d.Train.Min(), hi = d.Train.Max();
        var pixels = d.Train.AsSpan(0, 3000 * 784).ToArray().Select(v => (v - lo) / (hi - lo)).ToArray();
        var held = d.Test.AsSpan(0, 200 * 784).ToArray().Select(v => (v - lo) / (hi - lo)).ToArray();
        var model = new ConvAutoencoder(seed: 1);
        float before = model.Evaluate(held, held);
        var batch = new float[32 * 784];
        var order = Enumerable.Range(0, 3000).ToArray();
        new Random(1).Shuffle(order);
        for (int epoch = 0; epoch < 2; epoch++)
            for (int b = 0; b + 32 <= order.Length; b += 32)
            {
                for (int i = 0; i < 32; i++) pixels.AsSpan(order[b + i] * 784, 784).CopyTo(batch.AsSpan(i * 784));
                model.LearningRate = 0.5f;
                model.TrainStep(batch, batch);
            }
        float after = model.Evaluate(held, held);
        Assert.True(after <= before / 2, $"held-out reconstruction loss {before:F4} -> {after:F4}, expected at least halved");
    }
}
