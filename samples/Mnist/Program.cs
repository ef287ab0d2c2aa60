using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Dl;
using Dl.Data;
using Mnist;

// Trains the README's MLP on the MNIST digits in data/mnist and reports test accuracy.
// Options: --epochs N (5) --batch N (32) --lr X (0.2, peak of a cosine decay) --seed N (1) --data DIR
//          --device cpu|cuda|opencl|cpu-accelerator (cpu: the generated SIMD code; the others run MnistMlp.Gpu)
var options = Options.Parse(args);
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var total = Stopwatch.StartNew();

string dir = options.DataDir ?? DataFiles.FindMnist();
var train = DataFiles.Load(dir, "train");
var test = DataFiles.Load(dir, "t10k");
Console.WriteLine($"data: {train.Count} training and {test.Count} test digits from {dir}");
// Centre and scale pixels with the training set's mean and spread: SGD converges faster on inputs near N(0,1).
var (mean, std) = DataFiles.Standardize(train.Pixels, test.Pixels);
Console.WriteLine($"pixels standardised with mean {mean:F4}, std {std:F4}");

var model = new MnistMlp(options.Seed) { LearningRate = options.LearningRate };
// On a GPU the parameters live on the device; the host model gets them back for each test pass.
using var device = options.Device == Dl.Gpu.DeviceKind.Cpu ? null : Dl.Gpu.GpuDevice.Create(options.Device);
using var gpu = device is null ? null : new MnistMlp.Gpu(model, device);
Console.WriteLine($"device: {(device is null ? "cpu (generated SIMD code)" : device.ToString())}");
var batches = new MiniBatches(train.Pixels, 784, train.Labels, options.Batch, options.Seed);
var x = new float[options.Batch * 784];
var y = new int[options.Batch];

for (int epoch = 1; epoch <= options.Epochs; epoch++)
{
    var clock = Stopwatch.StartNew();
    batches.Shuffle();
    double lossSum = 0;
    int correct = 0, seen = 0;
    for (int b = 0; b < batches.BatchCount; b++)
    {
        int rows = batches.Gather(b, x, y);
        var xs = x.AsSpan(0, rows * 784);
        var ys = y.AsSpan(0, rows);
        // Cosine decay from the chosen rate to zero over the run: big steps early, fine ones at the end.
        double progress = ((epoch - 1) * batches.BatchCount + b) / (double)(options.Epochs * batches.BatchCount);
        model.LearningRate = (float)(options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress)));
        if (gpu is null)
        {
            correct += Metrics.CountCorrect(model.Predict(xs), ys, 10);   // before the step: an honest train accuracy
            lossSum += model.TrainStep(xs, ys) * rows;
        }
        else
        {
            gpu.LearningRate = model.LearningRate;
            correct += Metrics.CountCorrect(gpu.Predict(xs), ys, 10);
            gpu.TrainStep(xs, ys);
            lossSum += gpu.ReadLoss() * rows;
        }
        seen += rows;
    }
    gpu?.CopyParametersToHost();
    double testAccuracy = Metrics.Accuracy(model, test.Pixels, test.Labels, 784, 10);
    Console.WriteLine($"epoch {epoch}/{options.Epochs}  loss {lossSum / seen:F4}  train acc {100.0 * correct / seen:F2}%  test acc {100 * testAccuracy:F2}%  {clock.Elapsed.TotalSeconds:F2} s");
}

double accuracy = Metrics.Accuracy(model, test.Pixels, test.Labels, 784, 10);
// The test split's classes are uneven (63 fives, 327 ones): show each class too.
var perClass = new int[10];
var perClassCorrect = new int[10];
var logits = model.Predict(test.Pixels);
for (int i = 0; i < test.Count; i++)
{
    perClass[test.Labels[i]]++;
    if (Metrics.CountCorrect(logits.Slice(i * 10, 10), test.Labels.AsSpan(i, 1), 10) == 1) perClassCorrect[test.Labels[i]]++;
}
Console.WriteLine("per class: " + string.Join("  ", Enumerable.Range(0, 10).Select(c => $"{c}: {100.0 * perClassCorrect[c] / Math.Max(1, perClass[c]):F1}%")));
Console.WriteLine($"mnist_test_accuracy {100 * accuracy:F2} %");
Console.WriteLine($"mnist_wall_time {total.Elapsed.TotalSeconds:F2} s");
