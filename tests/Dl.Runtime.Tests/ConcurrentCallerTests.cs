using System;
using System.Threading;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>
/// Two threads calling the kernels at once, each on its own operands, get bit for bit what each gets
/// alone. Only one of them can hold the worker pool at a time; the other runs its whole call itself,
/// and neither may touch scratch the other is using (the workers' partial products of a k-split, the
/// workers' parts of a weight gradient) or compute a different sum because the pool was taken.
/// </summary>
[Collection(WorkerCollection.Name)]
public class ConcurrentCallerTests
{
    private static float[] Random(int n, int seed)
    {
        var r = new Dl.SeededRandom(seed);
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float)(r.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>A product that cuts k (the batch-64 forward pass of a 784-128 dense layer) and an item of work for it.</summary>
    private sealed class Product
    {
        private readonly int _m, _n, _k;
        private readonly float[] _a, _b, _c;
        public readonly float[] Alone;

        public Product(int m, int n, int k, int seed)
        {
            (_m, _n, _k) = (m, n, k);
            _a = Random(m * k, seed);
            _b = Random(k * n, seed + 1);
            _c = new float[m * n];
            Run();
            Alone = (float[])_c.Clone();
        }

        public float[] Run()
        {
            Gemm.Multiply(_m, _n, _k, _a, _k, false, _b, _n, false, _c, _n);
            return _c;
        }
    }

    [Fact]
    public void Two_threads_splitting_products_along_k_get_what_each_gets_alone()
    {
        // Different sizes, so the second caller's partial product is larger than the first's.
        var first = new Product(64, 128, 784, seed: 1);
        var second = new Product(96, 256, 1024, seed: 5);
        Assert.Equal(GemmSplit.Axis.Depth, AxisOf(64, 128, 784));
        Assert.Equal(GemmSplit.Axis.Depth, AxisOf(96, 256, 1024));
        var (mismatches, worst) = Concurrently(2_000, first.Run, first.Alone, second.Run, second.Alone);
        Assert.True(mismatches == 0, $"{mismatches} of 4000 concurrent products differed from the product computed alone (largest difference {worst})");
    }

    /// <summary>
    /// A caller that finds the pool taken runs a product cut by rows or columns whole, on its own:
    /// that is only the same result if every element is the same sum either way, which this checks
    /// bit for bit (with one thread, nothing is cut).
    /// </summary>
    [Theory]
    [InlineData(784, 128, 64, true, "Rows")]      // an MLP's weight gradient, A read transposed
    [InlineData(301, 250, 300, false, "Rows")]    // ragged panels
    [InlineData(64, 1024, 64, false, "Columns")]
    [InlineData(70, 1000, 70, false, "Columns")]
    public void A_product_cut_by_rows_or_columns_is_the_sum_the_caller_computes_uncut(int m, int n, int k, bool transA, string axis)
    {
        Assert.Equal(axis, AxisOf(m, n, k).ToString());
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        var bias = Random(n, 3);
        float[] Multiply(bool split)
        {
            var c = Random(m * n, 4);
            using (new PoolThreads(split ? Math.Max(2, WorkerPool.Threads) : 1))
                Gemm.Multiply(m, n, k, a, transA ? m : k, transA, b, n, false, c, n,
                    new GemmEpilogue { Accumulate = true, Bias = bias }, new Dl.Operators.Relu());
            return c;
        }
        var whole = Multiply(split: false);
        var halves = Multiply(split: true);
        for (int i = 0; i < whole.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(whole[i]) == BitConverter.SingleToInt32Bits(halves[i]), $"element {i}: {halves[i]} cut, {whole[i]} whole");
    }

    /// <summary>A weight gradient summed over a batch split in two halves (LeNet's second convolution, batch 64).</summary>
    private sealed class WeightGradient
    {
        private readonly ConvShape _shape;
        private readonly int _batch;
        private readonly float[] _x, _dy, _dw;
        public readonly float[] Alone;

        public WeightGradient(ConvShape shape, int batch, int seed)
        {
            (_shape, _batch) = (shape, batch);
            _x = Random(batch * shape.InputSize, seed);
            _dy = Random(batch * shape.OutputSize, seed + 1);
            _dw = new float[shape.WeightSize];
            Run();
            Alone = (float[])_dw.Clone();
        }

        public float[] Run()
        {
            Conv.BackwardWeights(_shape, _batch, _x, _dy, _dw);
            return _dw;
        }
    }

    [Fact]
    public void Two_threads_computing_convolution_weight_gradients_get_what_each_gets_alone()
    {
        var lenet2 = new WeightGradient(new ConvShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 10, 10), 64, seed: 3);
        var strided = new WeightGradient(new ConvShape(8, 17, 17, 12, 3, 3, 2, 1, 1, 1, 1, 9, 9), 48, seed: 9);   // im2col + GEMM
        var (mismatches, worst) = Concurrently(1_500, lenet2.Run, lenet2.Alone, strided.Run, strided.Alone);
        Assert.True(mismatches == 0, $"{mismatches} of 3000 concurrent weight gradients differed from the gradient computed alone (largest difference {worst})");
    }

    private static GemmSplit.Axis AxisOf(int m, int n, int k) => GemmSplit.ChooseAxis(new GemmJob { M = m, N = n, K = k });

    /// <summary>Runs each call <paramref name="calls"/> times on its own thread, both at once, counting results that differ from <c>alone</c> bit for bit.</summary>
    internal static (int Mismatches, double Worst) Concurrently(int calls, Func<float[]> first, float[] firstAlone, Func<float[]> second, float[] secondAlone)
    {
        int mismatches = 0;
        double worst = 0;
        var start = new Barrier(2);
        void Loop(Func<float[]> call, float[] alone)
        {
            start.SignalAndWait();
            for (int i = 0; i < calls; i++)
            {
                var result = call();
                bool differs = false;
                double difference = 0;
                for (int j = 0; j < result.Length; j++)
                    if (BitConverter.SingleToInt32Bits(result[j]) != BitConverter.SingleToInt32Bits(alone[j]))
                    {
                        differs = true;
                        difference = Math.Max(difference, float.IsFinite(result[j]) ? Math.Abs((double)result[j] - alone[j]) : double.PositiveInfinity);
                    }
                if (!differs) continue;
                Interlocked.Increment(ref mismatches);
                lock (start) worst = Math.Max(worst, difference);
            }
        }
        var other = new Thread(() => Loop(second, secondAlone));
        other.Start();
        Loop(first, firstAlone);
        other.Join();
        return (mismatches, worst);
    }
}
