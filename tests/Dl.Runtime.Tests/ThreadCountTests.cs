using System;
using System.Numerics.Tensors;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>
/// The kernels at 1, 2, 3, 4 and 8 threads (more threads than this machine's cores is fine here):
/// bit for bit the one-thread result wherever each output is one sum in one order whoever computes
/// it (products cut by rows or columns, convolutions and their input gradients cut by images,
/// pooling cut by planes, the optimizer updates), and within float rounding where the number of
/// parts orders a sum (a product cut along k, a convolution's weight gradient summed over the batch),
/// which must still be the same bits call after call at one count.
/// </summary>
[Collection(WorkerCollection.Name)]
public class ThreadCountTests
{
    public static TheoryData<int> Counts => new(2, 3, 4, 8);

    private static float[] Random(int n, int seed)
    {
        var r = new Dl.SeededRandom(seed);
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float)(r.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>The result of <paramref name="run"/> at one thread and at <paramref name="threads"/>, twice at the latter.</summary>
    private static (float[] One, float[] Many, float[] Again) AtCounts(int threads, Func<float[]> run)
    {
        float[] one, many, again;
        using (new PoolThreads(1)) one = run();
        using (new PoolThreads(threads)) { many = run(); again = run(); }
        return (one, many, again);
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{what}: element {i} is {actual[i]}, {expected[i]} at one thread");
    }

    /// <summary>|expected - actual| ≤ 2·u·√k·(Σ_p |a[i,p]·b[p,j]| + |bias[j]|) per element of a k-step product (tanh or any 1-Lipschitz epilogue after it).</summary>
    private static void AssertWithinSumRounding(float[] expected, float[] actual, float[] a, float[] b, float[] bias, int m, int n, int k, string what)
    {
        double u = Math.Pow(2, -24);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double terms = Math.Abs(bias[j]);
                for (int p = 0; p < k; p++) terms += Math.Abs((double)a[i * k + p] * b[p * n + j]);
                double bound = 2 * u * Math.Sqrt(k) * terms;
                Assert.True(Math.Abs(expected[i * n + j] - actual[i * n + j]) <= bound, $"{what}: element {i * n + j} is {actual[i * n + j]}, {expected[i * n + j]} at one thread (bound {bound:g3})");
            }
    }

    private static void AssertClose(float[] expected, float[] actual, double relative, string what)
    {
        double scale = TensorPrimitives.MaxMagnitude(expected);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"{what}: element {i} is {actual[i]}, {expected[i]} at one thread");
    }

    [Theory]
    [InlineData(784, 128, 64, true, "Rows", 3)]      // an MLP's weight gradient, A read transposed
    [InlineData(301, 250, 300, false, "Rows", 8)]    // ragged parts
    [InlineData(64, 1024, 64, false, "Columns", 2)]
    [InlineData(70, 1600, 70, false, "Columns", 3)]  // ragged panels
    [InlineData(384, 128, 64, true, "Rows", 2)]      // 3.1M: under 4M, cut in two all the same
    [InlineData(64, 400, 120, false, "Columns", 2)]  // LeNet-5's fc1 input gradient (3.1M)
    [InlineData(144, 48, 448, true, "Depth", 2)]     // a stacked GRU's weight gradient (3.1M): a k cut waits for 4M, it is cut by rows, the same bits
    [InlineData(64, 120, 400, false, "Depth", 2)]    // LeNet-5's fc1 forward (3.1M): cut by columns
    public void Products_cut_by_rows_or_columns_are_the_same_bits_at_every_count(int m, int n, int k, bool transA, string axis, int mostParts)
    {
        Assert.Equal(axis, GemmSplit.ChooseAxis(new GemmJob { M = m, N = n, K = k }).ToString());
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        var bias = Random(n, 3);
        var start = Random(m * n, 4);
        foreach (int threads in new[] { 2, 3, 4, 8 })
        {
            long splits = 0;
            var (one, many, again) = AtCounts(threads, () =>
            {
                var c = (float[])start.Clone();
                long before = WorkerPool.Splits;
                Gemm.Multiply(m, n, k, a, transA ? m : k, transA, b, n, false, c, n, new GemmEpilogue { Accumulate = true, Bias = bias }, new Dl.Operators.Relu());
                splits = WorkerPool.Splits - before;
                return c;
            });
            // The last run (at `threads`) was cut when the product has parts to give, else ran whole.
            Assert.True((mostParts > 1) == (splits > 0), $"{m}x{n}x{k} at {threads} threads: {splits} splits");
            AssertBits(one, many, $"{m}x{n}x{k} at {threads} threads");
            AssertBits(one, again, $"{m}x{n}x{k} at {threads} threads, again");
            if (axis == "Rows" && n == 128)
                Assert.Equal(Math.Min(threads, mostParts), GemmSplit.LastRowCut.Parts);
        }
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void A_product_cut_along_k_is_within_rounding_and_the_same_bits_each_call(int threads)
    {
        const int m = 64, n = 128, k = 784;   // the batch-64 forward pass of a 784-128 dense layer
        Assert.Equal(GemmSplit.Axis.Depth, GemmSplit.ChooseAxis(new GemmJob { M = m, N = n, K = k }));
        var a = Random(m * k, 5);
        var b = Random(k * n, 6);
        var bias = Random(n, 7);
        var (one, many, again) = AtCounts(threads, () =>
        {
            var c = new float[m * n];
            Gemm.Multiply(m, n, k, a, k, false, b, n, false, c, n, new GemmEpilogue { Bias = bias }, new Dl.Operators.Tanh());
            return c;
        });
        // Two float sums of the same 784 terms in different orders differ by rounding that grows with the
        // terms' magnitudes, not the result's: bound each element by 2·u·√k·Σ|terms| (u = 2^-24; Σ|terms|
        // ≈ 196 here, so about 6.5e-4, while dropping or doubling a single term moves an element by ~0.3).
        // A bar of 1e-5 of the largest output held only for one order of blocks: k in one block of 784 on one
        // thread against two of 392 differs by 1.1e-5 (tanh' ≈ 1 at that element).
        AssertWithinSumRounding(one, many, a, b, bias, m, n, k, $"k cut at {threads} threads");
        AssertBits(many, again, $"k cut at {threads} threads, second call");
        using (new PoolThreads(threads))
            foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                GemmTests.Check(m, n, k, ta, tb, mode: 3, pad: 0);   // against the double-precision sum
    }

    private static ConvShape LeNet2 => new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 10, 10);
    private static ConvShape Strided => new(8, 17, 17, 12, 3, 3, 2, 1, 1, 1, 1, 9, 9);   // im2col + GEMM

    [Theory]
    [MemberData(nameof(Counts))]
    public void Convolutions_and_their_input_gradients_are_the_same_bits_at_every_count(int threads)
    {
        foreach (var (s, batch) in new[] { (LeNet2, 64), (Strided, 37) })
        {
            var x = Random(batch * s.InputSize, 1);
            var w = Random(s.WeightSize, 2);
            var bias = Random(s.OutChannels, 3);
            var dy = Random(batch * s.OutputSize, 4);
            var forward = AtCounts(threads, () =>
            {
                var y = new float[batch * s.OutputSize];
                Conv.Forward(s, batch, x, w, bias, y, new Dl.Operators.Relu());
                return y;
            });
            AssertBits(forward.One, forward.Many, $"forward at {threads} threads");
            AssertBits(forward.One, forward.Again, $"forward at {threads} threads, again");
            var data = AtCounts(threads, () =>
            {
                var dx = new float[batch * s.InputSize];
                Conv.BackwardData(s, batch, dy, w, dx);
                return dx;
            });
            AssertBits(data.One, data.Many, $"input gradient at {threads} threads");
            AssertBits(data.One, data.Again, $"input gradient at {threads} threads, again");
        }
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void A_convolution_weight_gradient_is_within_rounding_and_the_same_bits_each_call(int threads)
    {
        foreach (var (s, batch) in new[] { (LeNet2, 64), (Strided, 37) })
        {
            var x = Random(batch * s.InputSize, 8);
            var dy = Random(batch * s.OutputSize, 9);
            var (one, many, again) = AtCounts(threads, () =>
            {
                var dw = new float[s.WeightSize];
                Conv.BackwardWeights(s, batch, x, dy, dw);
                return dw;
            });
            // A sum over the batch in min(threads, batch) parts, added in part order.
            AssertClose(one, many, 1e-5, $"weight gradient at {threads} threads");
            AssertBits(many, again, $"weight gradient at {threads} threads, second call");
            var naive = new double[s.WeightSize];
            for (int n = 0; n < batch; n++) NaiveWeightGradient(s, x, dy, n, naive);
            for (int i = 0; i < naive.Length; i++)
                Assert.True(Math.Abs(naive[i] - many[i]) <= 1e-4 * Math.Max(1, Math.Abs(naive[i])), $"weight gradient {i} at {threads} threads: {many[i]}, naive {naive[i]}");
        }
    }

    /// <summary>Adds image n's weight gradient, in doubles, for the dense (one-group, dilation-1) shapes above.</summary>
    private static void NaiveWeightGradient(ConvShape s, float[] x, float[] dy, int n, double[] dw)
    {
        for (int o = 0; o < s.OutChannels; o++)
            for (int c = 0; c < s.Channels; c++)
                for (int ky = 0; ky < s.KernelH; ky++)
                    for (int kx = 0; kx < s.KernelW; kx++)
                    {
                        double sum = 0;
                        for (int oy = 0; oy < s.OutHeight; oy++)
                            for (int ox = 0; ox < s.OutWidth; ox++)
                            {
                                int iy = oy * s.Stride - s.PadTop + ky, ix = ox * s.Stride - s.PadLeft + kx;
                                if (iy < 0 || iy >= s.Height || ix < 0 || ix >= s.Width) continue;
                                sum += (double)x[((long)n * s.Channels + c) * s.Height * s.Width + iy * s.Width + ix]
                                    * dy[((long)n * s.OutChannels + o) * s.OutHeight * s.OutWidth + oy * s.OutWidth + ox];
                            }
                        dw[((o * s.Channels + c) * s.KernelH + ky) * s.KernelW + kx] += sum;
                    }
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void Pooling_is_the_same_bits_at_every_count(int threads)
    {
        const int planes = 64 * 6, h = 28, w = 28, o = 14;   // LeNet's first pooling at batch 64
        var x = Random(planes * h * w, 10);
        var dy = Random(planes * o * o, 11);
        var forward = AtCounts(threads, () =>
        {
            var y = new float[planes * o * o];
            Pooling.MaxForward(x, y, planes, h, w, 2, 2, 0, o, o);
            return y;
        });
        AssertBits(forward.One, forward.Many, $"max pooling at {threads} threads");
        var backward = AtCounts(threads, () =>
        {
            var dx = new float[planes * h * w];
            Pooling.MaxBackward(x, dy, dx, planes, h, w, 2, 2, 0, o, o);
            return dx;
        });
        AssertBits(backward.One, backward.Many, $"max pooling's gradient at {threads} threads");
        AssertBits(backward.One, backward.Again, $"max pooling's gradient at {threads} threads, again");
    }

    /// <summary>
    /// Three Adam steps and three SGD steps on a dense layer's weights, each after its weight gradient
    /// was cut by rows (so each worker updates the rows it wrote), then more parameters: elementwise
    /// rules over the same gradient bits give the same parameters at every count.
    /// </summary>
    [Theory]
    [MemberData(nameof(Counts))]
    public void Optimizer_updates_split_by_owner_are_the_same_bits_at_every_count(int threads)
    {
        const int rows = 784, cols = 128, batch = 64, extra = 1290;
        var x = Random(batch * rows, 12);
        var dy = Random(batch * cols, 13);
        var start = Random(rows * cols + extra, 14);
        float[] Train()
        {
            var parameters = (float[])start.Clone();
            var gradients = new float[parameters.Length];
            var adam = new Dl.Training.Adam(1e-3f) { MaxGradientNorm = 5f };
            for (int step = 0; step < 3; step++)
            {
                for (int i = rows * cols; i < gradients.Length; i++) gradients[i] = start[i] * (step + 1);
                Gemm.Multiply(rows, cols, batch, x, rows, true, dy, cols, false, gradients, cols);
                adam.Step(parameters, gradients);
                Gemm.Multiply(rows, cols, batch, x, rows, true, dy, cols, false, gradients, cols);
                Optim.SgdStep(parameters, gradients, 0.01f);
            }
            return parameters;
        }
        var (one, many, again) = AtCounts(threads, Train);
        AssertBits(one, many, $"Adam + SGD at {threads} threads");
        AssertBits(one, again, $"Adam + SGD at {threads} threads, again");
    }
}
