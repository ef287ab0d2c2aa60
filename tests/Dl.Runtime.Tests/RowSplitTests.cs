using System;
using System.Linq;
using System.Threading;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>
/// Dl.RowSplit's runtime side: a part packs each weight once (GemmPackedB) and still multiplies by the
/// weight it is given, bit for bit what the product computes outside a part; every row is run exactly
/// once, whatever the thread count; a part's products are never cut.
/// </summary>
[Collection(WorkerCollection.Name)]
public class RowSplitRuntimeTests
{
    private static float[] Values(int count, int seed) => Enumerable.Range(0, count).Select(i => MathF.Sin(i * 0.7f + seed)).ToArray();

    private static float[] Product(float[] a, float[] b, int m, int n, int k)
    {
        var c = new float[m * n];
        Gemm.Multiply(m, n, k, a, k, false, b, k, true, c, n);   // B stored [n, k]: packed
        return c;
    }

    [Fact]
    public void Kept_packings_multiply_by_the_weight_each_product_names()
    {
        const int m = 24, n = 96, k = 40;
        var a = Values(m * k, 1);
        var weights = Enumerable.Range(0, 6).Select(s => Values(n * k, 10 + s)).ToArray();   // more than the four kept
        var expected = weights.Select(w => Product(a, w, m, n, k)).ToArray();

        bool was = GemmPackedB.Begin();
        try
        {
            // Three weights are kept (found again in later rounds), six evict one another.
            foreach (int count in new[] { 3, 6 })
                for (int round = 0; round < 3; round++)
                    for (int i = 0; i < count; i++)
                        Assert.Equal(expected[i], Product(a, weights[i], m, n, k));
            Assert.Equal(expected[0], Product(a, weights[0], m, n, k));   // kept as the part ends
        }
        finally { GemmPackedB.End(was); }

        // A new part forgets what the last one packed: the weights may have changed in between (a training step).
        var changed = weights[0].Select(v => v * 0.5f).ToArray();
        changed.CopyTo(weights[0], 0);
        was = GemmPackedB.Begin();
        try
        {
            Assert.Equal(Product(a, weights[0], m, n, k), Product(a, changed, m, n, k));
        }
        finally { GemmPackedB.End(was); }
        Assert.False(GemmPackedB.Active);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_row_runs_once(int threads)
    {
        using var _ = new PoolThreads(threads);
        long minWas = RowSplit.MinPartWork;
        RowSplit.MinPartWork = 1;
        try
        {
            foreach (int rows in new[] { 1, 7, 16, 17, 64, 301 })
            {
                var seen = new int[rows];
                bool split = threads > 1 && rows >= 2 * RowSplit.MinRows;
                int wrongN = 0, cutProducts = 0, shortParts = 0;
                long before = RowSplit.Splits;
                // Nothing throws in the body: it runs on the pool's workers too.
                RowSplit.Run((n, from, to) =>
                {
                    if (n != rows) Interlocked.Increment(ref wrongN);
                    if (Gemm.WholeProducts != split) Interlocked.Increment(ref cutProducts);
                    if (to - from < Math.Min(rows, RowSplit.MinRows)) Interlocked.Increment(ref shortParts);
                    for (int i = from; i < to; i++) Interlocked.Increment(ref seen[i]);
                }, rows, 1);
                Assert.Equal((0, 0, 0), (wrongN, cutProducts, shortParts));
                Assert.False(Gemm.WholeProducts);
                Assert.All(seen, s => Assert.Equal(1, s));
                Assert.Equal(threads > 1 && rows >= 2 * RowSplit.MinRows, RowSplit.Splits > before);
            }
        }
        finally { RowSplit.MinPartWork = minWas; }
    }
}
