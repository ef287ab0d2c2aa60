using System;
using System.Diagnostics;
using System.Globalization;
using Dl;
using Dl.Data;
using LeNet;
using Mnist;

// Trains LeNet-5 on the MNIST digits in data/mnist (8,000 train / 2,000 test) and reports test accuracy.
// Options: --epochs N (12) --batch N (32) --lr X (0.05, peak of a cosine decay) --seed N (1) --data DIR
var options = Options.Parse(args);
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var total = Stopwatch.StartNew();

string dir = options.DataDir ?? DataFiles.FindMnist();
var train = DataFiles.Load(dir, "train");
var test = DataFiles.Load(dir, "t10k");
Console.WriteLine($"data: {train.Count} training and {test.Count} test digits from {dir}");
var (mean, std) = DataFiles.Standardize(train.Pixels, test.Pixels);
Console.WriteLine($"pixels standardised with mean {mean:F4}, std {std:F4}");

var model = new LeNet5(options.Seed) { LearningRate = options.LearningRate };
var batches = new MiniBatches(train.Pixels, 784, train.Labels, options.Batch, options.Seed);
var x = new float[options.Batch * 784];
var y = new int[options.Batch];
var trainClock = new Stopwatch();

for (int epoch = 1; epoch <= options.Epochs; epoch++)
{
    var clock = Stopwatch.StartNew();
    batches.Shuffle();
    double lossSum = 0;
    int seen = 0;
    trainClock.Start();
    for (int b = 0; b < batches.BatchCount; b++)
    {
        int rows = batches.Gather(b, x, y);
        // Cosine decay from the chosen rate to zero over the run.
        double progress = ((epoch - 1) * batches.BatchCount + b) / (double)(options.Epochs * batches.BatchCount);
        model.LearningRate = (float)(options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress)));
        lossSum += model.TrainStep(x.AsSpan(0, rows * 784), y.AsSpan(0, rows)) * rows;
        seen += rows;
    }
    trainClock.Stop();
    double testAccuracy = Metrics.Accuracy(model, test.Pixels, test.Labels, 784, 10);
    Console.WriteLine($"epoch {epoch}/{options.Epochs}  loss {lossSum / seen:F4}  test acc {100 * testAccuracy:F2}%  {clock.Elapsed.TotalSeconds:F2} s");
}

double accuracy = Metrics.Accuracy(model, test.Pixels, test.Labels, 784, 10);
Console.WriteLine($"lenet_test_accuracy {100 * accuracy:F2} %");
Console.WriteLine($"lenet_epochs {options.Epochs} epochs");
Console.WriteLine($"lenet_train_time {trainClock.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"lenet_train_step_b{options.Batch} {trainClock.Elapsed.TotalMilliseconds / (options.Epochs * batches.BatchCount):F3} ms");
Console.WriteLine($"lenet_wall_time {total.Elapsed.TotalSeconds:F2} s");
