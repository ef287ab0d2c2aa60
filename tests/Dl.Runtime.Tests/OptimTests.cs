using System;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

[Collection(WorkerCollection.Name)]
public class OptimTests
{
    [Fact]
    public void SgdStep_SubtractsTheScaledGradient()
    {
        var (parameters, gradients, expected) = Problem(1000, 0.1f);
        Optim.SgdStep(parameters, gradients, 0.1f);
        AssertClose(expected, parameters);
    }

    /// <summary>
    /// A weight gradient whose rows were cut between the pool's threads (worker i wrote part i): the
    /// update hands each worker exactly its part, and every value is updated once, at every thread count.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    public void SgdStep_AfterASplitWeightGradient_UpdatesEveryValueOnce(int threads)
    {
        using var pool = new PoolThreads(threads);
        const int rows = 784, cols = 128, batch = 64, extra = 1290;   // a dense layer's weights, then more parameters
        var random = new Random(7);
        var x = new float[batch * rows];
        var dy = new float[batch * cols];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble() - 0.5f;
        for (int i = 0; i < dy.Length; i++) dy[i] = (float)random.NextDouble() - 0.5f;
        var gradients = new float[rows * cols + extra];
        for (int i = rows * cols; i < gradients.Length; i++) gradients[i] = (float)random.NextDouble();
        Gemm.Multiply(rows, cols, batch, x, rows, true, dy, cols, false, gradients, cols);   // dW = Xᵀ·dY

        unsafe
        {
            fixed (float* g = gradients)
            {
                var cut = GemmSplit.LastRowCut;
                Assert.True(cut.C == g, "the product was not cut by rows, so the split update is not exercised");
                Assert.Equal((rows, cols), (cut.Rows, cut.RowLength));
                // 6.4M multiply-adds: at most three parts of at least 2M each.
                Assert.Equal(Math.Min(threads, 3), cut.Parts);
            }
        }
        var parameters = new float[gradients.Length];
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)random.NextDouble();
        var expected = new float[parameters.Length];
        for (int i = 0; i < parameters.Length; i++) expected[i] = parameters[i] - 0.05f * gradients[i];
        Optim.SgdStep(parameters, gradients, 0.05f);
        AssertClose(expected, parameters);
    }

    [Fact]
    public void SgdStep_RejectsTooFewGradients()
    {
        var e = Assert.Throws<ArgumentException>(() => Optim.SgdStep(new float[10], new float[9], 0.1f));
        Assert.Contains("10 parameters need 10 gradients, got 9", e.Message);
    }

    private static (float[] Parameters, float[] Gradients, float[] Expected) Problem(int length, float lr)
    {
        var random = new Random(length);
        var parameters = new float[length];
        var gradients = new float[length + 5];   // longer than the parameters: only the first values are used
        for (int i = 0; i < length; i++) parameters[i] = (float)random.NextDouble();
        for (int i = 0; i < gradients.Length; i++) gradients[i] = (float)random.NextDouble() - 0.5f;
        var expected = new float[length];
        for (int i = 0; i < length; i++) expected[i] = parameters[i] - lr * gradients[i];
        return (parameters, gradients, expected);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f, $"parameter {i}: {actual[i]}, expected {expected[i]}");
    }
}
