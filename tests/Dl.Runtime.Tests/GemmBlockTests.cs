using System;
using System.Runtime.Intrinsics;
using System.Threading;
using Dl.Cpu;
using Dl.Operators;

namespace Dl.Runtime.Tests;

/// <summary>
/// A split product's parts run as row blocks any thread may take: a worker stalled in the middle of its
/// part keeps the block it is in, and the caller takes the rest of its part, with the bits of the whole
/// product on one thread.
/// </summary>
[Collection(WorkerCollection.Name)]
public class GemmBlockTests
{
    private static float[] Random(int n, int seed)
    {
        var r = new Dl.SeededRandom(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(r.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>
    /// The identity, except that the first store on a worker thread after <see cref="Arm"/> sleeps 30 ms
    /// (a worker descheduled in its first block). Every width calls the same check.
    /// </summary>
    private struct StallOnce : IUnaryOperator
    {
        private static int s_armed;
        public static void Arm() => Volatile.Write(ref s_armed, 1);
        public static bool Fired => Volatile.Read(ref s_armed) == 0;

        private static void MaybeStall()
        {
            if (Volatile.Read(ref s_armed) == 0 || Thread.CurrentThread.Name?.StartsWith("Dl.Cpu worker", StringComparison.Ordinal) != true) return;
            if (Interlocked.Exchange(ref s_armed, 0) == 1) Thread.Sleep(30);
        }

        public float Invoke(float x) { MaybeStall(); return x; }
        public Vector128<float> Invoke(Vector128<float> x) { MaybeStall(); return x; }
        public Vector256<float> Invoke(Vector256<float> x) { MaybeStall(); return x; }
        public Vector512<float> Invoke(Vector512<float> x) { MaybeStall(); return x; }
    }

    [Theory]
    [InlineData(600, 256, 200)]    // cut by rows (B, the smaller operand, crosses)
    [InlineData(400, 1024, 100)]   // cut by columns (A crosses), four row blocks per part
    [InlineData(1200, 64, 1700)]   // rows, k in three blocks: each row block runs them in order
    public void A_stalled_worker_keeps_one_block_and_the_bits_stay_the_same(int m, int n, int k)
    {
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        using var pool = new PoolThreads(2);
        var expected = new float[m * n];
        Gemm.Multiply(m, n, k, a, k, false, b, n, false, expected, n);
        long stolen = WorkerPool.HelpedBlocks;
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var split = new float[m * n];
            StallOnce.Arm();
            Gemm.Multiply(m, n, k, a, k, false, b, n, false, split, n, default, default(StallOnce));
            Assert.Equal(expected, split);
            // The worker stalled in its first block (rather than the caller having taken its whole part):
            // the caller ran at least one of its later blocks.
            if (StallOnce.Fired && WorkerPool.HelpedBlocks > stolen) return;
        }
        Assert.Fail($"no block of a stalled worker's part was taken in 20 products (blocks helped: {WorkerPool.HelpedBlocks - stolen})");
    }

    /// <summary>A product cut along k at two threads is the sum of its two halves' products, in part order.</summary>
    [Fact]
    public void A_product_cut_along_k_is_the_sum_of_its_halves()
    {
        const int m = 96, n = 96, k = 4000;
        var a = Random(m * k, 5);
        var b = Random(k * n, 6);
        var split = new float[m * n];
        using (new PoolThreads(2)) Gemm.Multiply(m, n, k, a, k, false, b, n, false, split, n);
        var first = new float[m * n];
        var second = new float[m * n];
        using (new PoolThreads(1))
        {
            Gemm.Multiply(m, n, k / 2, a, k, false, b, n, false, first, n);
            Gemm.Multiply(m, n, k - k / 2, a.AsSpan(k / 2), k, false, b.AsSpan(k / 2 * n), n, false, second, n);
        }
        for (int i = 0; i < first.Length; i++) first[i] += second[i];
        Assert.Equal(first, split);
    }

    [Theory]
    [InlineData(1, 600, 256, 200)]
    [InlineData(2, 600, 256, 200)]
    [InlineData(3, 64, 1024, 400)]
    [InlineData(4, 37, 700, 900)]   // ragged rows and columns
    [InlineData(8, 1000, 96, 128)]
    [InlineData(2, 1024, 1024, 1024)]
    public void Products_in_blocks_give_the_bits_of_one_thread(int threads, int m, int n, int k)
    {
        var a = Random(m * k, 3);
        var b = Random(k * n, 4);
        var alone = new float[m * n];
        using (new PoolThreads(1)) Gemm.Multiply(m, n, k, a, k, false, b, n, false, alone, n);
        var split = new float[m * n];
        using (new PoolThreads(threads)) Gemm.Multiply(m, n, k, a, k, false, b, n, false, split, n);
        Assert.Equal(alone, split);
    }
}
