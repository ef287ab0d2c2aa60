using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Adversarial;
using Dl;
using Dl.Data;
using Mnist;

// Fast-gradient-sign adversarial examples (Goodfellow et al., 2015) against LeNet-5 on MNIST:
// train the model, then move every test digit by ε in the direction that increases its loss,
// x' = clip(x + ε·sign(∂loss/∂x), 0, 1), and report how test accuracy falls with ε.
// Options: --epochs N (3) --seed N (1) --data DIR
int epochs = 3, seed = 1;
string? dataDir = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--data": dataDir = Value(); break;
        default: throw new ArgumentException($"unknown option {args[i]}; options: --epochs N --seed N --data DIR");
    }
}
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var total = Stopwatch.StartNew();

string dir = dataDir ?? DataFiles.FindMnist();
var train = DataFiles.Load(dir, "train");
var test = DataFiles.Load(dir, "t10k");
var (mean, std) = DataFiles.Standardize(train.Pixels, test.Pixels);
// ε is in raw pixel units (intensities in [0, 1]); the model sees standardised pixels, so both the
// step and the clipping range are mapped through (p - mean) / std.
float lo = (0 - mean) / std, hi = (1 - mean) / std;

var model = new RobustLeNet(seed);
const int batch = 32;
var batches = new MiniBatches(train.Pixels, 784, train.Labels, batch, seed);
var x = new float[batch * 784];
var y = new int[batch];
for (int epoch = 0; epoch < epochs; epoch++)
{
    batches.Shuffle();
    for (int b = 0; b < batches.BatchCount; b++)
    {
        int rows = batches.Gather(b, x, y);
        double progress = (epoch * batches.BatchCount + b) / (double)(epochs * batches.BatchCount);
        model.LearningRate = (float)(0.05 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
        model.TrainStep(x.AsSpan(0, rows * 784), y.AsSpan(0, rows));
    }
}
Console.WriteLine($"trained LeNet-5 for {epochs} epochs in {total.Elapsed.TotalSeconds:F1} s");

// The gradient of the loss with respect to every test pixel, in chunks (the sign is per pixel, so
// the batch mean's 1/N scale does not matter).
const int chunk = 500;
var gradient = new float[test.Count * 784];
for (int start = 0; start < test.Count; start += chunk)
{
    int rows = Math.Min(chunk, test.Count - start);
    model.InputGradient(test.Pixels.AsSpan(start * 784, rows * 784), test.Labels.AsSpan(start, rows), gradient.AsSpan(start * 784, rows * 784));
}

var adversarial = new float[test.Pixels.Length];
foreach (var epsilon in new[] { 0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3 })
{
    float step = (float)(epsilon / std);
    for (int i = 0; i < adversarial.Length; i++)
        adversarial[i] = Math.Clamp(test.Pixels[i] + step * MathF.Sign(gradient[i]), lo, hi);
    double accuracy = Metrics.Accuracy(model, adversarial, test.Labels, 784, 10);
    Console.WriteLine($"fgsm_test_accuracy_eps_{epsilon:F2} {100 * accuracy:F2} %");
}
Console.WriteLine($"fgsm_wall_time {total.Elapsed.TotalSeconds:F2} s");
