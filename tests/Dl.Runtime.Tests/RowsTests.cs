using System;
using System.Linq;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>Row-wise softmax family, cross-entropy and arg-max against double-precision references.</summary>
public class RowsTests
{
    internal static float[] Random(int n, int seed, double scale = 3)
    {
        var r = new Dl.SeededRandom(seed);
        return Enumerable.Range(0, n).Select(_ => (float)((r.NextDouble() * 2 - 1) * scale)).ToArray();
    }

    private static double[] SoftmaxRow(float[] x, int r, int cols)
    {
        var row = x.Skip(r * cols).Take(cols).Select(v => (double)v).ToArray();
        double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
        return row.Select(v => Math.Exp(v - max) / sum).ToArray();
    }

    [Theory]
    [InlineData(7, 10)]
    [InlineData(3, 300)]   // longer than one stack chunk
    [InlineData(1, 1)]
    public void SoftmaxCrossEntropy_LossAndGradient_MatchReference(int rows, int cols)
    {
        var z = Random(rows * cols, 1);
        var labels = Enumerable.Range(0, rows).Select(i => (i * 3) % cols).ToArray();
        var d = new float[rows * cols];
        float loss = Rows.SoftmaxCrossEntropy(z, labels, rows, cols, d, 0.25f);
        float lossOnly = Rows.SoftmaxCrossEntropy(z, labels, rows, cols, default, 0.25f);
        double expected = 0;
        for (int r = 0; r < rows; r++)
        {
            var p = SoftmaxRow(z, r, cols);
            expected += -Math.Log(p[labels[r]]);
            for (int c = 0; c < cols; c++)
                Assert.Equal((p[c] - (c == labels[r] ? 1 : 0)) * 0.25, d[r * cols + c], 1e-6);
        }
        Assert.Equal(expected / rows, loss, 1e-5);
        Assert.Equal(loss, lossOnly, 1e-6);
    }

    [Fact]
    public void SoftmaxCrossEntropy_GradientMayOverwriteLogits()
    {
        var z = Random(4 * 6, 2);
        var labels = new[] { 0, 5, 2, 3 };
        var separate = new float[z.Length];
        float expected = Rows.SoftmaxCrossEntropy(z, labels, 4, 6, separate, 1f);
        var inPlace = (float[])z.Clone();
        Assert.Equal(expected, Rows.SoftmaxCrossEntropy(inPlace, labels, 4, 6, inPlace, 1f));
        Assert.Equal(separate, inPlace);
    }

    [Fact]
    public void SoftmaxCrossEntropy_StaysFiniteForHugeLogits()
    {
        var z = new float[] { 1000f, -1000f, 0f, 50f, 50f, -50f };
        var d = new float[6];
        float loss = Rows.SoftmaxCrossEntropy(z, new[] { 1, 2 }, 2, 3, d, 1f);
        Assert.True(float.IsFinite(loss));
        Assert.Equal((2000 + 100 + Math.Log(2)) / 2, loss, 2);   // rows: 1000-(-1000); 50+log 2-(-50)
        Assert.All(d, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(new[] { 1f, -1f, 0f, 0.5f, 0.5f, -1f }, d);
    }

    [Fact]
    public void SoftmaxCrossEntropy_LabelOutOfRange_NamesRowAndValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Rows.SoftmaxCrossEntropy(new float[6], new[] { 0, 5 }, 2, 3, default, 1f));
        Assert.Contains("5", e.Message);
        Assert.Contains("row 1", e.Message);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => Rows.SoftmaxCrossEntropy(new float[6], new[] { -1, 0 }, 2, 3, default, 1f));
        Assert.Contains("-1", negative.Message);
        Assert.Contains("row 0", negative.Message);
    }

    [Fact]
    public void ShortSpans_AreRejectedNamingExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => Rows.Softmax(new float[11], 3, 4, new float[12]));
        Assert.Contains("12", e.Message);
        Assert.Contains("11", e.Message);
        var labels = Assert.Throws<ArgumentException>(() => Rows.SoftmaxCrossEntropy(new float[12], new int[2], 3, 4, default, 1f));
        Assert.Contains("labels", labels.Message);
        Assert.Throws<ArgumentException>(() => Rows.ArgMax(new float[12], 3, 4, new int[2]));
    }

    [Theory]
    [InlineData(4, 9)]
    [InlineData(2, 513)]
    public void SoftmaxAndLogSoftmax_MatchReference(int rows, int cols)
    {
        var x = Random(rows * cols, 3, scale: 30);
        var p = new float[x.Length];
        var lp = new float[x.Length];
        Rows.Softmax(x, rows, cols, p);
        Rows.LogSoftmax(x, rows, cols, lp);
        for (int r = 0; r < rows; r++)
        {
            var reference = SoftmaxRow(x, r, cols);
            for (int c = 0; c < cols; c++)
            {
                Assert.Equal(reference[c], p[r * cols + c], 1e-6);
                Assert.Equal(Math.Log(reference[c]), lp[r * cols + c], 1e-3);
            }
        }
    }

    [Fact]
    public void SoftmaxBackward_MatchesJacobianProduct()
    {
        const int rows = 3, cols = 300;
        var x = Random(rows * cols, 4);
        var dy = Random(rows * cols, 5);
        var y = new float[x.Length];
        Rows.Softmax(x, rows, cols, y);
        var dx = new float[x.Length];
        Rows.SoftmaxBackward(y, dy, rows, cols, dx);
        var inPlace = (float[])dy.Clone();
        Rows.SoftmaxBackward(y, inPlace, rows, cols, inPlace);
        for (int r = 0; r < rows; r++)
        {
            var p = SoftmaxRow(x, r, cols);
            // dx_j = Σ_i dy_i ∂p_i/∂x_j = Σ_i dy_i p_i (δ_ij - p_j) = p_j (dy_j - Σ_i dy_i p_i)
            double dot = Enumerable.Range(0, cols).Sum(i => dy[r * cols + i] * p[i]);
            for (int j = 0; j < cols; j++)
                Assert.Equal(p[j] * (dy[r * cols + j] - dot), dx[r * cols + j], 1e-6);
        }
        Assert.Equal(dx, inPlace);
    }

    [Fact]
    public void LogSoftmaxBackward_MatchesJacobianProduct()
    {
        const int rows = 3, cols = 300;
        var x = Random(rows * cols, 6);
        var dy = Random(rows * cols, 7);
        var y = new float[x.Length];
        Rows.LogSoftmax(x, rows, cols, y);
        var dx = new float[x.Length];
        Rows.LogSoftmaxBackward(y, dy, rows, cols, dx);
        var inPlace = (float[])dy.Clone();
        Rows.LogSoftmaxBackward(y, inPlace, rows, cols, inPlace);
        for (int r = 0; r < rows; r++)
        {
            var p = SoftmaxRow(x, r, cols);
            // ∂ log p_i / ∂x_j = δ_ij - p_j, so dx_j = dy_j - p_j Σ_i dy_i
            double sum = Enumerable.Range(0, cols).Sum(i => (double)dy[r * cols + i]);
            for (int j = 0; j < cols; j++)
                Assert.Equal(dy[r * cols + j] - p[j] * sum, dx[r * cols + j], 1e-5);
        }
        Assert.Equal(dx, inPlace);
    }

    [Fact]
    public void ArgMax_FirstLargestPerRow()
    {
        var x = new float[] { 1, 3, 3, 0, /**/ -5, -4, -6, -4, /**/ 9, 0, 0, 0 };
        var idx = new int[3];
        Rows.ArgMax(x, 3, 4, idx);
        Assert.Equal(new[] { 1, 1, 0 }, idx);
    }

    [Fact]
    public void WarmCalls_AllocateNothing()
    {
        var x = Random(64 * 10, 8);
        var labels = Enumerable.Range(0, 64).Select(i => i % 10).ToArray();
        var y = new float[x.Length];
        var d = new float[x.Length];
        var idx = new int[64];
        void All()
        {
            Rows.SoftmaxCrossEntropy(x, labels, 64, 10, d, 1f / 64);
            Rows.Softmax(x, 64, 10, y);
            Rows.SoftmaxBackward(y, x, 64, 10, d);
            Rows.LogSoftmax(x, 64, 10, y);
            Rows.LogSoftmaxBackward(y, x, 64, 10, d);
            Rows.ArgMax(x, 64, 10, idx);
        }
        Assert.Equal(0, Allocations.AfterWarmUp(All));
    }
}
