// Usage: Dl.Distributed.Worker single|distributed --data DIR --steps N --batch B --seed S --out FILE
//            [--fail-rank R --fail-step K --fail-how exit|hang]
// single: one process, batches of B, no MPI at all. distributed: under mpirun, global batches of B split over the
// ranks (Dl.Distributed). Both write the final parameters (rank 0 alone) as raw little-endian floats to FILE.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using Dl.Data;
using Dl.Distributed;
using Dl.Distributed.Worker;
using Dl.Training;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var mode = args.Length > 0 ? args[0] : "";
var o = new Dictionary<string, string>();
for (int i = 1; i + 1 < args.Length; i += 2) o[args[i]] = args[i + 1];
string Arg(string name, string fallback) => o.TryGetValue(name, out var v) ? v : fallback;
int steps = int.Parse(Arg("--steps", "300")), batch = int.Parse(Arg("--batch", "64")), seed = int.Parse(Arg("--seed", "1"));
string output = Arg("--out", "params.bin");
int failRank = int.Parse(Arg("--fail-rank", "-1")), failStep = int.Parse(Arg("--fail-step", "-1"));
string failHow = Arg("--fail-how", "exit");

var images = Idx.ReadImages(Path.Combine(Arg("--data", "data/mnist"), "train-images-idx3-ubyte.gz"));
var labels = Idx.ReadLabels(Path.Combine(Arg("--data", "data/mnist"), "train-labels-idx1-ubyte.gz"));
var model = new WorkerMlp(seed);
var optimizer = new Sgd(0.1f);
var batches = new MiniBatches(images.Pixels, 784, labels, batch, seed);

if (mode == "single")
{
    var x = new float[batch * 784];
    var y = new int[batch];
    if (o.TryGetValue("--initial", out var initial)) Write(initial, model.Parameters);
    int step = 0;
    while (step < steps)
    {
        batches.Shuffle();
        for (int b = 0; b < batches.BatchCount && step < steps; b++, step++)
        {
            int rows = batches.Gather(b, x, y);
            model.ComputeGradients(x.AsSpan(0, rows * 784), y.AsSpan(0, rows));
            optimizer.Step(model);
        }
    }
    Write(output, model.Parameters);
    Console.WriteLine($"single: {steps} steps of {batch}, loss {model.Evaluate(images.Pixels.AsSpan(0, 1000 * 784), labels.AsSpan(0, 1000)):F4}");
    return 0;
}

if (mode != "distributed") { Console.Error.WriteLine("worker: the mode must be single or distributed"); return 2; }
using var session = MpiSession.Start();
try
{
    var shards = new ShardedBatches(batches, session.Rank, session.WorldSize);
    var parallel = new DataParallel(session, model, optimizer, int.Parse(Arg("--buckets", "1")));
    // A different initialization on the other ranks: the broadcast must make them all start from rank 0's.
    if (!session.IsRoot) model.InitializeParameters(seed + session.Rank);
    parallel.BroadcastParameters();
    var x = new float[shards.MaxRows * 784];
    var y = new int[shards.MaxRows];
    int step = 0;
    while (step < steps)
    {
        shards.Shuffle();
        for (int b = 0; b < shards.BatchCount && step < steps; b++, step++)
        {
            if (session.Rank == failRank && step == failStep)
            {
                Console.Error.WriteLine($"worker: rank {session.Rank} {(failHow == "hang" ? "hangs" : "dies")} at step {step} (as the test asked)");
                if (failHow == "hang") Thread.Sleep(Timeout.Infinite);
                Environment.Exit(3);
            }
            var shard = shards.Gather(b, x, y);
            parallel.Step(x.AsSpan(0, shard.Rows * 784), y.AsSpan(0, shard.Rows), shard.GlobalRows);
        }
    }
    // Every rank must hold rank 0's parameters bit for bit: compare against a broadcast copy, count mismatches everywhere.
    var root = model.Parameters.ToArray();
    session.Broadcast(root);
    float differing = 0;
    for (int i = 0; i < root.Length; i++)
        if (BitConverter.SingleToInt32Bits(root[i]) != BitConverter.SingleToInt32Bits(model.Parameters[i])) differing++;
    var total = new float[1];
    session.AllreduceSum(new[] { differing }, total);
    if (session.IsRoot)
    {
        Write(output, model.Parameters);
        Console.WriteLine($"distributed: {session.WorldSize} ranks ({session.Family}, {session.Library}), {steps} steps of {batch}, " +
                          $"parameters differing from rank 0's: {total[0]}");
    }
    return total[0] == 0 ? 0 : 4;
}
catch (MpiException e)
{
    // One line; leaving the using block then aborts every rank (the session knows a collective failed).
    Console.Error.WriteLine("worker: " + e.Message);
    return 1;
}

static void Write(string path, ReadOnlySpan<float> values)
{
    var bytes = new byte[values.Length * 4];
    for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), values[i]);
    File.WriteAllBytes(path, bytes);
}
