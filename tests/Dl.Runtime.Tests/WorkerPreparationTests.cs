using System;
using System.Linq;
using System.Threading;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>
/// A worker creates its per-thread objects when it starts (<see cref="WorkerPool.PrepareThread"/>), so its
/// first product, kept packing or convolution allocates nothing however late it comes. A worker benched
/// through a test's warm-up once allocated its 32-byte GEMM scratch object in the middle of a measured
/// LSTM loop (AllThreadAllocationTests, 4 threads, 128-bit widths).
/// </summary>
public class WorkerPreparationTests
{
    private static readonly ConvShape Direct = ConvKernelTests.Shape(1, 28, 28, 6, 5, 1, 0, 1, 1);    // LeNet-5's conv1: arranged weights
    private static readonly ConvShape Strided = ConvKernelTests.Shape(2, 9, 9, 4, 3, 2, 1, 1, 1);    // im2col: column scratch

    /// <summary>Products that pack A and B, a kept packing, and both kinds of convolution, forward and backward.</summary>
    private sealed class Work
    {
        private readonly float[] _a = Filled(200 * 300), _b = Filled(300 * 150), _c = new float[200 * 150];
        private readonly (ConvShape S, float[] X, float[] W, float[] Y, float[] Dx, float[] Dw)[] _convs =
            new[] { Direct, Strided }.Select(s => (s, Filled(2 * s.Channels * s.Height * s.Width), Filled((int)s.WeightSize),
                new float[2 * s.OutChannels * s.OutHeight * s.OutWidth], new float[2 * s.Channels * s.Height * s.Width], new float[s.WeightSize])).ToArray();

        private static float[] Filled(int n)
        {
            var v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (i % 13) * 0.1f - 0.6f;
            return v;
        }

        public void Run()
        {
            Gemm.WholeProducts = true;   // everything on this thread, whoever holds the pool
            Gemm.Multiply(200, 150, 300, _a, 200, true, _b, 150, false, _c, 150);
            bool was = GemmPackedB.Begin();
            Gemm.Multiply(200, 150, 300, _a, 300, false, _b, 300, true, _c, 150);
            GemmPackedB.End(was);
            foreach (var (s, x, w, y, dx, dw) in _convs)
            {
                Conv.Forward(s, 2, x, w, default, y);
                Conv.BackwardData(s, 2, y, w, dx);
                Conv.BackwardWeights(s, 2, x, y, dw);
            }
            Gemm.WholeProducts = false;
        }
    }

    private static long FirstRunAllocation(bool prepare)
    {
        var work = new Work();
        work.Run();   // JIT and type initialisation here, on the test's thread
        long allocated = -1;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (prepare) WorkerPool.PrepareThread();
                long before = GC.GetAllocatedBytesForCurrentThread();
                work.Run();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            catch (Exception e) { error = e; }
        });
        thread.Start();
        thread.Join();
        if (error is not null) throw new InvalidOperationException("the work failed on its thread", error);
        return allocated;
    }

    [Fact]
    public void A_prepared_thread_runs_its_first_products_and_convolutions_without_allocating() =>
        Assert.Equal(0, FirstRunAllocation(prepare: true));

    [Fact]
    public void An_unprepared_thread_allocates_on_first_use_so_the_test_above_can_fail() =>
        Assert.True(FirstRunAllocation(prepare: false) > 0);
}
