using System.Linq;
using Dl.Data;
using Dl.Distributed.Native;

namespace Dl.Distributed.Tests;

/// <summary>The parts that need no MPI: how batches and gradient buckets are cut, and a missing library's message.</summary>
public sealed class ShardingTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TheRanksSlices_PutTogether_AreTheSingleProcessBatches(int ranks)
    {
        // 203 rows of 2 features, batches of 64: three full batches and a short one of 11, over two epochs.
        int rows = 203;
        var features = Enumerable.Range(0, rows * 2).Select(i => (float)i).ToArray();
        var labels = Enumerable.Range(0, rows).ToArray();
        var single = new MiniBatches(features, 2, labels, 64, seed: 7);
        var shards = Enumerable.Range(0, ranks).Select(r => new ShardedBatches(new MiniBatches(features, 2, labels, 64, seed: 7), r, ranks)).ToArray();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            single.Shuffle();
            foreach (var s in shards) s.Shuffle();
            for (int b = 0; b < single.BatchCount; b++)
            {
                var x = new float[128];
                var y = new int[64];
                int n = single.Gather(b, x, y);
                var joinedX = new System.Collections.Generic.List<float>();
                var joinedY = new System.Collections.Generic.List<int>();
                foreach (var s in shards)
                {
                    var sx = new float[s.MaxRows * 2];
                    var sy = new int[s.MaxRows];
                    var shard = s.Gather(b, sx, sy);
                    Assert.Equal(n, shard.GlobalRows);
                    Assert.InRange(shard.Rows, n / ranks, n / ranks + 1);
                    joinedX.AddRange(sx.Take(shard.Rows * 2));
                    joinedY.AddRange(sy.Take(shard.Rows));
                }
                Assert.Equal(x.Take(n * 2), joinedX);
                Assert.Equal(y.Take(n), joinedY);
            }
        }
    }

    [Fact]
    public void BucketsCoverTheBufferOnce_LastLayersFirst()
    {
        var ranges = DataParallel.ReverseBuckets(101, 4);
        Assert.Equal(101, ranges[0].Start + ranges[0].Count);
        Assert.Equal(0, ranges[^1].Start);
        for (int i = 1; i < ranges.Length; i++) Assert.Equal(ranges[i - 1].Start, ranges[i].Start + ranges[i].Count);
        Assert.Equal(101, ranges.Sum(r => r.Count));
    }

    [Fact]
    public void AMissingLibrary_IsAnMpiExceptionNamingWhatWasTriedAndWhatToInstall()
    {
        var e = Assert.Throws<MpiException>(() => MpiLibrary.Load(new[] { "libno-such-mpi.so.1" }));
        Assert.Contains("libno-such-mpi.so.1", e.Message);
        Assert.Contains("install MPICH", e.Message);
        Assert.Contains(MpiLibrary.OverrideVariable, e.Message);
    }
}
