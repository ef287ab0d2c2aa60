using System.Diagnostics;
using System.Threading;
using Dl.Cpu;
using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllThreadsCollection
{
    /// <summary>Alone, after the parallel collections: another test's allocations would count here.</summary>
    public const string Name = "Allocations on every thread";
}

/// <summary>
/// A warm training step allocates nothing on any thread: the calling thread's count
/// (<see cref="RuntimeBehaviourTests"/>) misses the workers, so this counts every thread's bytes with
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/>, at two and at four threads (oversubscribed here), for
/// the MLP, LeNet-5 (convolutions, pooling), a batch-norm and dropout net and an LSTM.
/// </summary>
[Collection(AllThreadsCollection.Name)]
public class AllThreadAllocationTests
{
    private static (float[] X, int[] Y) Batch(int batch, int inputs)
    {
        var x = new float[batch * inputs];
        var y = new int[batch];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 255) / 255f;
        for (int i = 0; i < y.Length; i++) y[i] = i % 10;
        return (x, y);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Mlp_steps_allocate_nothing_on_any_thread(int threads)
    {
        var model = new MnistMlp(seed: 1) { LearningRate = 0.01f };
        var (x, y) = Batch(64, 784);
        AssertNothingAllocated(threads, () => model.TrainStep(x, y));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void LeNet_steps_allocate_nothing_on_any_thread(int threads)
    {
        var model = new LeNet.LeNet5(seed: 1) { LearningRate = 0.01f };
        var (x, y) = Batch(64, 784);
        AssertNothingAllocated(threads, () => model.TrainStep(x, y));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Batch_norm_and_dropout_steps_allocate_nothing_on_any_thread(int threads)
    {
        var model = new ResBnNet(seed: 1) { LearningRate = 0.01f };
        var (x, y) = Batch(64, 196);
        AssertNothingAllocated(threads, () => model.TrainStep(x, y));
    }

    /// <summary>
    /// The LSTM(28, 128) of the benchmarks at batch 64: its two loops run split over the batch's rows
    /// (Dl.RowSplit, a delegate per loop made on the first call), the rest as the other models.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Lstm_steps_allocate_nothing_on_any_thread(int threads)
    {
        var model = new SequentialMnist.Lstm1(seed: 1) { LearningRate = 0.01f };
        var (x, y) = Batch(64, 784);
        long splits = RowSplit.Splits;
        AssertNothingAllocated(threads, () => model.TrainStep(x, y));
        Assert.True(RowSplit.Splits > splits, "the LSTM's loops were not split over the batch's rows");
    }

    /// <summary>
    /// Warms up (buffers, scratch on every worker, the JIT's background tier-ups), then checks two
    /// counts over 40 windows of 5 steps. The calling thread and the workers
    /// (<see cref="WorkerPool.WorkerAllocatedBytes"/>) allocate nothing in any of them. And every
    /// thread together (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, which needs no help from the
    /// pool) allocates nothing in at least one window: the test host's own threads allocate a few
    /// hundred bytes now and then (measured: 168 bytes in most windows of 40 LeNet steps, none of them
    /// on the caller or a worker), which a window may catch, but a step that allocates makes every
    /// window count it. The workers must have run parts meanwhile, or nothing was tested.
    /// </summary>
    private static void AssertNothingAllocated(int threads, Action step)
    {
        const int Windows = 40, Steps = 5;
        int was = WorkerPool.Threads;
        WorkerPool.Threads = threads;
        try
        {
            var clock = Stopwatch.StartNew();
            do step(); while (clock.ElapsedMilliseconds < 500);
            long handed = WorkerPool.WorkerParts, stolen = WorkerPool.StolenParts;
            long callerBefore = GC.GetAllocatedBytesForCurrentThread(), workersBefore = WorkerPool.WorkerAllocatedBytes;
            long fewest = long.MaxValue;
            for (int window = 0; window < Windows; window++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < Steps; i++) step();
                fewest = Math.Min(fewest, GC.GetTotalAllocatedBytes(precise: true) - before);
            }
            long caller = GC.GetAllocatedBytesForCurrentThread() - callerBefore;
            Thread.Sleep(20);   // each worker notes its count after its last job
            long workers = WorkerPool.WorkerAllocatedBytes - workersBefore;
            long ranByWorkers = (WorkerPool.WorkerParts - handed) - (WorkerPool.StolenParts - stolen);
            Assert.True(ranByWorkers > 0, "no worker ran a part of these steps, so their allocations were not measured");
            Assert.True(caller == 0 && workers == 0, $"{Windows * Steps} steps allocated {caller} bytes on the calling thread and {workers} on the workers");
            Assert.True(fewest == 0, $"every window of {Steps} steps allocated: at least {fewest} bytes on all threads together");
        }
        finally { WorkerPool.Threads = was; }
    }
}
