using System;
using System.Linq;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>The GEMM against a naive double-precision triple loop: shapes, transposes, strides, every epilogue.</summary>
[Collection(WorkerCollection.Name)]
public class GemmTests
{
    private static float[] Random(int n, int seed)
    {
        var r = new Dl.SeededRandom(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
    }

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 7, 13, 5 }, { 65, 129, 33 }, { 64, 128, 784 }, { 784, 128, 64 }, { 64, 10, 128 },
        { 1, 128, 784 }, { 3, 10, 7 }, { 6, 32, 256 }, { 12, 64, 257 }, { 200, 96, 300 }, { 5, 200, 3 },
        { 1, 512, 128 }, { 2, 7, 37 }, { 4, 33, 16 },   // a few rows: B transposed read as rows (an RNN step at batch 1), k and n tails
        // A few rows, B plain: every count of whole vectors left after the blocks of eight (LeNet's 120 and 84
        // columns), with k odd, even and 1 for the split of k below four vectors.
        { 1, 120, 400 }, { 1, 84, 120 }, { 2, 48, 9 }, { 1, 16, 1 }, { 1, 40, 6 }, { 3, 250, 31 }, { 5, 112, 2 },
        // Passes of twelve vectors without AVX-512 (the MLP's 784 -> 128 above: 12 + 4 at 256 bits, 12 + 12 + 8 at 128):
        // exactly twelve (96 at 256 bits), twelve and one (104), two of twelve and one vector (200), over odd k.
        { 1, 96, 5 }, { 2, 104, 17 }, { 1, 200, 33 },
        // Many rows: B packed although its rows could be read in place; A transposed with lda a multiple of 64 packed.
        { 512, 128, 300 }, { 320, 64, 40 }, { 256, 96, 17 },
        // k in several equal blocks (at most GemmDriver.KC steps each): three of 567, two of 401 on a narrow product.
        { 40, 70, 1700 }, { 13, 16, 801 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesNaive_AllTransposes_AllEpilogues(int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
        foreach (int mode in new[] { 0, 1, 2, 3, 4 })
            Check(m, n, k, ta, tb, mode, pad: mode == 4 ? 3 : 0);
    }

    /// <summary>
    /// The few-row product with B stored [n, k] (<see cref="GemmDot"/>): 16 outputs per reduction tree, a
    /// ragged end of n as an overlapping group, n under 16 one output at a time, and k's tail past the
    /// last 16 lanes; every epilogue but accumulate (which takes the packed path), padded strides too.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void FewRows_TransposedB_GroupAndTailBoundaries_MatchNaive(int m)
    {
        foreach (int n in new[] { 1, 3, 15, 16, 17, 31, 32, 33, 513 })
        foreach (int k in new[] { 1, 15, 16, 17, 128, 130 })
        foreach (int mode in new[] { 0, 1, 2, 4 })
            Check(m, n, k, false, true, mode, pad: mode == 4 ? 3 : 0);
    }

    /// <summary>
    /// The same product with B starting at each of the 16 float offsets in a cache line: rows whose stride
    /// is a multiple of 16 floats skip a head of 0..15 steps to load B aligned, and add it back with k's tail.
    /// </summary>
    [Theory]
    [InlineData(128, 128)]
    [InlineData(40, 48)]
    [InlineData(20, 32)]
    [InlineData(37, 37)]
    public void FewRows_TransposedB_AnyAlignment_MatchesNaive(int k, int ldb)
    {
        const int m = 2, n = 33;
        var a = Random(m * k, 7);
        var storage = Random(n * ldb + 16, 8);
        var c = new float[m * n];
        for (int offset = 0; offset < 16; offset++)
        {
            var b = storage.AsSpan(offset, n * ldb);
            Gemm.Multiply(m, n, k, a, k, false, b, ldb, true, c, n, default, new Dl.Operators.Tanh());
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[j * ldb + p];
                    double expected = Math.Tanh(s);
                    Assert.True(Math.Abs(expected - c[i * n + j]) <= 1e-5 * Math.Sqrt(k) + 1e-5,
                        $"k={k} ldb={ldb} offset={offset}: C[{i},{j}] = {c[i * n + j]}, expected {expected}");
                }
        }
    }

    [Fact]
    public void LargeProduct_SameResultOnOneAndTwoThreads()
    {
        const int m = 300, n = 256, k = 300;    // above the split threshold, cut by rows: the same sums in the same order
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        var one = new float[m * n];
        var two = new float[m * n];
        using (new PoolThreads(1)) Gemm.Multiply(m, n, k, a, k, false, b, n, false, one, n);
        using (new PoolThreads(2)) Gemm.Multiply(m, n, k, a, k, false, b, n, false, two, n);
        Assert.Equal(one, two);
        Check(m, n, k, false, false, 1, 0);
    }

    /// <summary>
    /// Products big enough to be cut in two halves (one per core), one shape per cut: a dense layer's
    /// forward pass at batch 64 cuts k (the helper's partial product is added before the epilogue),
    /// its weight gradient cuts C's rows, and a short, wide product cuts C's columns.
    /// </summary>
    [Theory]
    [InlineData(64, 128, 784, GemmSplit.Axis.Depth)]
    [InlineData(784, 128, 64, GemmSplit.Axis.Rows)]
    [InlineData(64, 1024, 64, GemmSplit.Axis.Columns)]
    internal void SplitProducts_MatchNaive_AllTransposes_AllEpilogues(int m, int n, int k, GemmSplit.Axis axis)
    {
        Assert.True((long)m * n * k >= Gemm.SplitThreshold);
        Assert.Equal(axis, GemmSplit.ChooseAxis(new GemmJob { M = m, N = n, K = k }));
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
        foreach (int mode in new[] { 0, 1, 2, 3, 4 })
            Check(m, n, k, ta, tb, mode, pad: mode == 4 ? 3 : 0);
    }

    [Fact]
    public void WarmCalls_AllocateNothing()
    {
        var a = Random(300 * 300, 3);
        var b = Random(300 * 256, 4);
        var c = new float[300 * 256];
        var bias = Random(256, 5);
        Assert.Equal(0, Allocations.AfterWarmUp(() =>
        {
            Gemm.Multiply(300, 256, 300, a, 300, false, b, 256, false, c, 256, new GemmEpilogue { Bias = bias }, new Dl.Operators.Relu());
            Gemm.Multiply(64, 10, 128, a, 128, true, b, 128, true, c, 10);
            Gemm.Multiply(1, 128, 300, a, 300, false, b, 128, false, c, 128);
        }));
    }

    [Fact]
    public void TooShortOperand_IsRejectedNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(4, 4, 4, new float[15], 4, false, new float[16], 4, false, new float[16], 4));
        Assert.Contains("a:", e.Message);
        Assert.Contains("16", e.Message);
    }

    /// <summary>mode: 0 plain, 1 bias+ReLU, 2 ReLU mask, 3 accumulate+tanh, 4 sigmoid with padded leading dimensions.</summary>
    internal static void Check(int m, int n, int k, bool ta, bool tb, int mode, int pad)
    {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        var a = Random((ta ? k : m) * lda, 10 + m);
        var b = Random((tb ? n : k) * ldb, 20 + n);
        var c = Random(m * ldc, 30 + k);
        var before = (float[])c.Clone();
        var bias = Random(n, 40);
        var mask = Random(m * n, 50);
        var epilogue = mode switch
        {
            1 => new GemmEpilogue { Bias = bias },
            2 => new GemmEpilogue { ReluMask = mask, LdMask = n },
            3 => new GemmEpilogue { Accumulate = true },
            _ => default,
        };
        // The activation is the operator struct the product is specialised for.
        if (mode == 1) Gemm.Multiply(m, n, k, a, lda, ta, b, ldb, tb, c, ldc, epilogue, new Dl.Operators.Relu());
        else if (mode == 3) Gemm.Multiply(m, n, k, a, lda, ta, b, ldb, tb, c, ldc, epilogue, new Dl.Operators.Tanh());
        else if (mode == 4) Gemm.Multiply(m, n, k, a, lda, ta, b, ldb, tb, c, ldc, epilogue, new Dl.Operators.Sigmoid());
        else Gemm.Multiply(m, n, k, a, lda, ta, b, ldb, tb, c, ldc, epilogue);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                s = mode switch
                {
                    1 => Math.Max(s + bias[j], 0),
                    2 => mask[i * n + j] > 0 ? s : 0,
                    3 => Math.Tanh(s + before[i * ldc + j]),
                    4 => 1 / (1 + Math.Exp(-s)),
                    _ => s,
                };
                double tolerance = 1e-5 * Math.Sqrt(k) + 1e-5;
                Assert.True(Math.Abs(s - c[i * ldc + j]) <= tolerance,
                    $"{m}x{n}x{k} transA={ta} transB={tb} mode={mode}: C[{i},{j}] = {c[i * ldc + j]}, expected {s}");
                if (pad > 0 && j == n - 1)
                    for (int q = n; q < ldc; q++) Assert.Equal(before[i * ldc + q], c[i * ldc + q]); // padding untouched
            }
    }

    /// <summary>A parameterised operator in the store (any unary op fuses): narrow, small-row, packed and split products.</summary>
    [Theory]
    [InlineData(1, 10, 64)]
    [InlineData(3, 128, 40)]
    [InlineData(37, 70, 50)]
    [InlineData(200, 256, 200)]
    public void AnyOperator_InTheStore_MatchesReference(int m, int n, int k)
    {
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        var bias = Random(n, 3);
        var c = new float[m * n];
        var elu = new Dl.Operators.Elu(0.7f);
        Gemm.Multiply(m, n, k, a, k, false, b, n, false, c, n, new GemmEpilogue { Bias = bias }, elu);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = bias[j];
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[p * n + j];
                double expected = s > 0 ? s : 0.7 * (Math.Exp(s) - 1);
                Assert.True(Math.Abs(c[i * n + j] - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"{m}x{n}x{k} at ({i},{j}): {c[i * n + j]} vs {expected}");
            }
    }
}
