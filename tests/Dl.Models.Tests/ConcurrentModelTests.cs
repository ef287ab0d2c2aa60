using System.Threading;
using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

/// <summary>
/// Different models on different threads at once give bit for bit what each gives alone: the CPU
/// kernels share one helper thread, and whichever caller does not get it must neither touch the
/// scratch of the one that does nor compute a different sum. Batch 64 is the size at which the
/// MLP's products and LeNet's convolutions are split with the helper.
/// </summary>
public class ConcurrentModelTests
{
    private const int Batch = 64;

    /// <summary>A few batches for one model and what it predicts for each when nothing else runs.</summary>
    private sealed class PredictWork
    {
        private readonly Func<float[], float[]> _predict;
        private readonly float[][] _batches;
        private readonly float[][] _alone;

        public PredictWork(Func<float[], float[]> predict, int inputSize, int seed)
        {
            _predict = predict;
            _batches = Enumerable.Range(0, 4).Select(i => TestInputs.Floats(Batch * inputSize, seed * 10 + i)).ToArray();
            _alone = _batches.Select(predict).ToArray();
        }

        /// <summary>Calls Predict <paramref name="calls"/> times over the batches; returns how many results differed from the lone ones, how many by more than rounding (1e-3), and the largest difference.</summary>
        public (int Mismatches, int Large, double Worst) Run(int calls)
        {
            int mismatches = 0, large = 0;
            double worst = 0;
            for (int i = 0; i < calls; i++)
            {
                var result = _predict(_batches[i % _batches.Length]);
                double difference = Difference(result, _alone[i % _batches.Length]);
                if (difference == 0) continue;
                mismatches++;
                if (difference > 1e-3) large++;
                worst = Math.Max(worst, difference);
            }
            return (mismatches, large, worst);
        }
    }

    [Fact]
    public void Two_mlps_predicting_on_two_threads_give_what_each_gives_alone()
    {
        var a = new MnistMlp(seed: 1);
        var b = new MnistMlp(seed: 2);
        AssertSameAsAlone(new PredictWork(x => a.Predict(x).ToArray(), 784, seed: 1), new PredictWork(x => b.Predict(x).ToArray(), 784, seed: 2), 4_000);
    }

    [Fact]
    public void An_mlp_and_lenet_predicting_on_two_threads_give_what_each_gives_alone()
    {
        var mlp = new MnistMlp(seed: 3);
        var lenet = new LeNet.LeNet5(seed: 4);
        AssertSameAsAlone(new PredictWork(x => mlp.Predict(x).ToArray(), 784, seed: 3), new PredictWork(x => lenet.Predict(x).ToArray(), 784, seed: 4), 600);
    }

    private static void AssertSameAsAlone(PredictWork first, PredictWork second, int calls)
    {
        var (r1, r2) = Concurrently(() => first.Run(calls), () => second.Run(calls));
        Assert.True(r1.Mismatches + r2.Mismatches == 0,
            $"of {calls} concurrent Predict calls each, {r1.Mismatches} and {r2.Mismatches} differed from the model's output alone, " +
            $"{r1.Large} and {r2.Large} by more than 1e-3 (largest differences {r1.Worst} and {r2.Worst})");
    }

    [Fact]
    public void Two_mlps_training_on_two_threads_end_with_the_parameters_of_serial_runs() =>
        AssertTrainsAsAlone(() => new MnistMlp(seed: 5) { LearningRate = 0.05f }, 784, 10, steps: 300);

    [Fact]
    public void Two_lenets_training_on_two_threads_end_with_the_parameters_of_serial_runs() =>
        AssertTrainsAsAlone(() => new LeNet.LeNet5(seed: 6) { LearningRate = 0.05f }, 784, 10, steps: 40);

    /// <summary>
    /// Two models of one class, from one seed, train on different data: once one after the other, once
    /// on two threads at once. Each must end with the same parameters, and see the same losses, bit for bit.
    /// </summary>
    private static void AssertTrainsAsAlone(Func<ICompiledModel> create, int inputSize, int classes, int steps)
    {
        var data = new[] { Batches(inputSize, classes, seed: 11), Batches(inputSize, classes, seed: 12) };
        float[] Train(ICompiledModel model, (float[] X, int[] Y)[] batches, float[] losses)
        {
            var classifier = (IClassifier)model;
            for (int i = 0; i < steps; i++)
            {
                var (x, y) = batches[i % batches.Length];
                losses[i] = classifier.TrainStep(x, y);
            }
            return model.Parameters.ToArray();
        }
        var serialLosses = new[] { new float[steps], new float[steps] };
        var serial = new[] { Train(create(), data[0], serialLosses[0]), Train(create(), data[1], serialLosses[1]) };

        var models = new[] { create(), create() };
        var losses = new[] { new float[steps], new float[steps] };
        var parameters = new float[2][];
        Concurrently(() => parameters[0] = Train(models[0], data[0], losses[0]), () => parameters[1] = Train(models[1], data[1], losses[1]));
        for (int m = 0; m < 2; m++)
        {
            int firstLoss = Enumerable.Range(0, steps).FirstOrDefault(i => Difference(losses[m], serialLosses[m], i) != 0, -1);
            double difference = Difference(parameters[m], serial[m]);
            Assert.True(firstLoss < 0 && difference == 0,
                $"model {m} on two threads: first loss that differs from the serial run's at step {firstLoss}, parameters differ by up to {difference}");
        }
    }

    private static (float[] X, int[] Y)[] Batches(int inputSize, int classes, int seed) =>
        Enumerable.Range(0, 4).Select(i => (TestInputs.Floats(Batch * inputSize, seed * 10 + i), TestInputs.Labels(Batch, classes, seed * 10 + i))).ToArray();

    /// <summary>Runs both on their own threads, started together.</summary>
    private static (T, T) Concurrently<T>(Func<T> first, Func<T> second)
    {
        var start = new Barrier(2);
        T secondResult = default!;
        Exception? secondFailure = null;
        var other = new Thread(() =>
        {
            start.SignalAndWait();
            try { secondResult = second(); }
            catch (Exception e) { secondFailure = e; }
        });
        other.Start();
        start.SignalAndWait();
        var firstResult = first();
        other.Join();
        if (secondFailure is not null) throw new Exception("the second thread failed", secondFailure);
        return (firstResult, secondResult);
    }

    /// <summary>0 when bit for bit equal, else the largest difference (infinite where one side is not finite).</summary>
    private static double Difference(float[] actual, float[] expected)
    {
        double worst = 0;
        for (int i = 0; i < actual.Length; i++) worst = Math.Max(worst, Difference(actual, expected, i));
        return worst;
    }

    private static double Difference(float[] actual, float[] expected, int i)
    {
        if (BitConverter.SingleToInt32Bits(actual[i]) == BitConverter.SingleToInt32Bits(expected[i])) return 0;
        return float.IsFinite(actual[i]) && float.IsFinite(expected[i]) ? Math.Max(Math.Abs((double)actual[i] - expected[i]), double.Epsilon) : double.PositiveInfinity;
    }
}
