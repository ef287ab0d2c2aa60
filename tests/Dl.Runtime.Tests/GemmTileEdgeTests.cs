namespace Dl.Runtime.Tests;

/// <summary>
/// The micro-kernel's edges at whatever width this run has (.ci/run repeats it at 256 and 128 bits and
/// with SSE only): every row count of a 6-row tile and a second tile, column counts around each vector
/// width (4, 8, 16) and the 32-column panel, the narrow (n ≤ 16) tile, k = 1 and k across the 256-step
/// block, against the double reference of <see cref="GemmTests"/>. Accumulating into C keeps even one or
/// two rows on the tiled path (the few-row paths overwrite C); the plain mode covers them too.
/// </summary>
[Collection(WorkerCollection.Name)]
public class GemmTileEdgeTests
{
    private static readonly int[] Columns = { 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20, 24, 25, 31, 32, 33, 40, 48, 49, 64, 65 };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(258)]
    public void EveryTileEdge_MatchesNaive(int k)
    {
        for (int m = 1; m <= 13; m++)
            foreach (int n in Columns)
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                    {
                        GemmTests.Check(m, n, k, ta, tb, 3, pad: 0);   // accumulate + tanh: the tile kernel for every m
                        GemmTests.Check(m, n, k, ta, tb, 0, pad: 1);   // plain, padded strides: few-row paths below 6 rows
                    }
    }

    /// <summary>Columns above the 160 from which A is packed, with ragged panels: packed A and packed B at every width.</summary>
    [Theory]
    [InlineData(13, 161, 9)]
    [InlineData(6, 200, 300)]
    [InlineData(97, 175, 33)]
    public void PackedOperands_RaggedEdges_MatchNaive(int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (int mode in new[] { 0, 1, 3 })
                    GemmTests.Check(m, n, k, ta, tb, mode, pad: 0);
    }
}
