// Run under mpirun (benchmarks/distributed.sh): data-parallel steps of the MNIST MLP and LeNet-5 at a global batch of
// 64, the allreduce's share of a step, one allreduce of the whole gradient buffer against bucketed non-blocking ones,
// and the allreduce's cost at several sizes (latency and cost per byte). Rank 0 prints `name value unit` lines,
// each name carrying the rank count (`_r2`) and, where given, the transport the script chose (DL_BENCH_TAG).
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Dl;
using Dl.Data;
using Dl.Distributed;
using Dl.Training;
using Dl.Benchmarks.Distributed;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int GlobalBatch = 64;
using var session = MpiSession.Start();
string tag = $"_r{session.WorldSize}" + (Environment.GetEnvironmentVariable("DL_BENCH_TAG") is { Length: > 0 } t ? "_" + t : "");
void Print(string name, double value, string unit)
{
    if (session.IsRoot) Console.WriteLine($"{name}{tag} {value:G4} {unit}");
}

var data = FindData();
var images = Idx.ReadImages(Path.Combine(data, "train-images-idx3-ubyte.gz"));
var labels = Idx.ReadLabels(Path.Combine(data, "train-labels-idx1-ubyte.gz"));
bool allreduceOnly = args.Length > 0 && args[0] == "allreduce";

if (!allreduceOnly)
{
    Train("mlp", new MnistMlpFactory(), steps: 300);
    Train("lenet", new LeNetFactory(), steps: 40);
}
Allreduces();
return 0;

void Train(string name, IModelFactory factory, int steps)
{
    foreach (int buckets in new[] { 1, 4 })
    {
        var model = factory.Create();
        var parallel = new DataParallel(session, model, new Sgd(0.05f), buckets);
        parallel.BroadcastParameters();
        var shards = new ShardedBatches(new MiniBatches(images.Pixels, 784, labels, GlobalBatch, seed: 1), session.Rank, session.WorldSize);
        var x = new float[shards.MaxRows * 784];
        var y = new int[shards.MaxRows];
        int b = 0;
        void Run(int n)
        {
            for (int i = 0; i < n; i++, b = (b + 1) % shards.BatchCount)
            {
                var shard = shards.Gather(b, x, y);
                parallel.Step(x.AsSpan(0, shard.Rows * 784), y.AsSpan(0, shard.Rows), shard.GlobalRows);
            }
        }
        Run(steps / 4); // warm-up: tiering, caches
        session.Barrier();
        var before = (parallel.StepTime, parallel.AllreduceTime);
        var clock = Stopwatch.StartNew();
        Run(steps);
        double seconds = clock.Elapsed.TotalSeconds;
        double stepMs = (parallel.StepTime - before.StepTime).TotalMilliseconds / steps;
        double reduceMs = (parallel.AllreduceTime - before.AllreduceTime).TotalMilliseconds / steps;
        string suffix = buckets == 1 ? "" : $"_buckets{buckets}";
        Print($"{name}_steps_per_second{suffix}", steps / seconds, "steps/s");
        Print($"{name}_allreduce_per_step{suffix}", reduceMs * 1000, "us");
        if (buckets == 1) Print($"{name}_allreduce_share{suffix}", 100 * reduceMs / stepMs, "%");
        if (buckets == 1) Print($"{name}_gradient_floats", model.Parameters.Length, "floats");
    }
}

void Allreduces()
{
    // The allreduce alone, ranks in step (a barrier first), each call timed: the median, and the fastest call, which
    // is the cost when both ranks happened to be on a core (on a loaded machine the mean mostly measures the scheduler).
    foreach (int floats in new[] { 16, 10_000, 100_000, 1_000_000 })
    {
        var send = new float[floats];
        var receive = new float[floats];
        int reps = floats >= 1_000_000 ? 50 : 200;
        var times = new double[reps];
        for (int i = 0; i < 10; i++) session.AllreduceSum(send, receive);
        session.Barrier();
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            session.AllreduceSum(send, receive);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        Print($"allreduce_{floats}_floats", times[reps / 2], "us");
        Print($"allreduce_{floats}_floats_fastest", times[0], "us");
        if (floats != 100_000) continue;
        // The same sum through MPI's blocking MPI_Allreduce: what polling against a deadline costs, if anything.
        session.Barrier();
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            session.AllreduceSumUnguarded(send, receive);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        Print($"allreduce_{floats}_floats_mpi_blocking", times[reps / 2], "us");
        Print($"allreduce_{floats}_floats_mpi_blocking_fastest", times[0], "us");
    }
}

static string FindData()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
    {
        var dir = Path.Combine(d.FullName, "data", "mnist");
        if (File.Exists(Path.Combine(dir, "train-images-idx3-ubyte.gz"))) return dir;
    }
    throw new DirectoryNotFoundException("data/mnist not found above " + AppContext.BaseDirectory);
}
