using System;
using Dl;
using Dl.Distributed;

namespace Mnist;

// --distributed: every rank runs this trainer with the same settings; each takes its slice of every global batch
// (ShardedBatches), one allreduce averages the gradients (DataParallel), and every rank applies the same step. The
// loss and correct counts come back summed over the ranks, so the epoch lines are the global batch's, as in one process.
internal sealed partial class Trainer
{
    private readonly DataParallel? _parallel;
    private readonly ShardedBatches? _shards;
    private bool _broadcast;

    /// <summary>One data-parallel update from global batch <paramref name="b"/>: the global batch's loss, rows and correct predictions.</summary>
    private (float Loss, int Rows, long Correct) ParallelStep(int b)
    {
        // Once, after a possible Restore: every rank continues from rank 0's parameters.
        if (!_broadcast)
        {
            _parallel!.BroadcastParameters();
            _broadcast = true;
        }
        var shard = _shards!.Gather(b, _x, _y);
        var xs = _x.AsSpan(0, shard.Rows * Features);
        var ys = _y.AsSpan(0, shard.Rows);
        long correct = shard.Rows > 0 ? Metrics.CountCorrect(Model.Predict(xs), ys, Classes) : 0;
        var step = _parallel!.Step(xs, ys, shard.GlobalRows, correct);
        return (step.Loss, shard.GlobalRows, step.Correct);
    }
}
