using System;
using System.Linq;
using Dl.Cpu;

namespace Dl.Runtime.Tests;

/// <summary>Reductions, broadcasts, transposes and the SGD step against plain loops.</summary>
public class ReduceTests
{
    private static float[] Random(int n, int seed) => RowsTests.Random(n, seed);

    [Theory]
    [InlineData(1, 64, 128)]   // bias gradient: column sums
    [InlineData(64, 10, 1)]    // row sums
    [InlineData(3, 5, 7)]      // a middle axis, narrower than a vector
    [InlineData(2, 33, 100)]   // 64 + 16 + 4 columns, odd row count
    [InlineData(4, 1, 17)]
    [InlineData(2, 0, 5)]      // nothing to sum
    public void Sum_MatchesReference_AndBroadcastIsItsTranspose(int outer, int reduce, int inner)
    {
        var x = Random(outer * reduce * inner, 3);
        var y = new float[outer * inner];
        Reduce.Sum(x, outer, reduce, inner, y, scale: 0.5f);
        var acc = Random(outer * inner, 9);
        var accBefore = (float[])acc.Clone();
        Reduce.Sum(x, outer, reduce, inner, acc, scale: 2f, accumulate: true);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double s = 0;
                for (int r = 0; r < reduce; r++) s += x[(o * reduce + r) * inner + i];
                Assert.Equal(0.5 * s, y[o * inner + i], 1e-4);
                Assert.Equal(accBefore[o * inner + i] + 2 * s, acc[o * inner + i], 1e-4);
            }
        var back = new float[x.Length];
        Reduce.Broadcast(y, outer, reduce, inner, back, scale: 3f);
        for (int o = 0; o < outer; o++)
            for (int r = 0; r < reduce; r++)
                for (int i = 0; i < inner; i++)
                    Assert.Equal(3f * y[o * inner + i], back[(o * reduce + r) * inner + i]);
    }

    [Fact]
    public void Sum_LeavesValuesPastTheViewAlone()
    {
        var x = Random(2 * 3 * 20, 4);
        var y = Enumerable.Repeat(7f, 2 * 20 + 5).ToArray();
        Reduce.Sum(x, 2, 3, 20, y);
        Assert.All(y.Skip(40), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void ShortSpans_AreRejectedNamingExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => Reduce.Sum(new float[20], 2, 3, 4, new float[8]));
        Assert.Contains("24", e.Message);
        Assert.Contains("20", e.Message);
        var d = Assert.Throws<ArgumentException>(() => Reduce.Broadcast(new float[8], 2, 3, 4, new float[23]));
        Assert.Contains("dst", d.Message);
        Assert.Throws<ArgumentException>(() => Reduce.Transpose(new float[6], 2, 3, new float[5]));
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(70, 45)]    // ragged tiles both ways
    [InlineData(64, 784)]
    [InlineData(1, 9)]
    public void Transpose_SwapsAxes(int rows, int cols)
    {
        var x = Random(rows * cols, 4);
        var t = new float[rows * cols];
        Reduce.Transpose(x, rows, cols, t);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                Assert.Equal(x[i * cols + j], t[j * rows + i]);
    }

    [Fact]
    public void SgdStep_SubtractsScaledGradient()
    {
        var p = new[] { 1f, 2f, 3f };
        Optim.SgdStep(p, new[] { 1f, -1f, 0.5f }, 0.1f);
        Assert.Equal(new[] { 0.9f, 2.1f, 2.95f }, p);
        Assert.Throws<ArgumentException>(() => Optim.SgdStep(p, new float[2], 0.1f));
    }

    [Fact]
    public void WarmCalls_AllocateNothing()
    {
        var x = Random(64 * 128, 5);
        var y = new float[64 * 128];
        var p = new float[128];
        void All()
        {
            Reduce.Sum(x, 1, 64, 128, p);
            Reduce.Sum(x, 64, 128, 1, p, 0.5f, accumulate: true);
            Reduce.Broadcast(p, 1, 64, 128, y);
            Reduce.Transpose(x, 64, 128, y);
            Optim.SgdStep(p, x, 0.01f);
        }
        Assert.Equal(0, Allocations.AfterWarmUp(All));
    }
}
