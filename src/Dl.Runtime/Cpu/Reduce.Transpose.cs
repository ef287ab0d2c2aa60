using System;

namespace Dl.Cpu;

public static partial class Reduce
{
    /// <summary>Tile edge: a 32 x 32 tile of the source and of the destination (4 KB each) stay in L1 together.</summary>
    private const int TransposeTile = 32;

    /// <summary>
    /// dst[j, i] = x[i, j] for x of [rows, cols] and dst of [cols, rows], both row-major and
    /// contiguous. Done tile by tile so both the strided reads and the strided writes hit lines
    /// that are already in cache; x and dst must not overlap.
    /// </summary>
    public static unsafe void Transpose(ReadOnlySpan<float> x, int rows, int cols, Span<float> dst)
    {
        Require.NonNegative(rows, nameof(rows));
        Require.NonNegative(cols, nameof(cols));
        Require.Matrix(x.Length, rows, cols, nameof(x));
        Require.Matrix(dst.Length, cols, rows, nameof(dst));
        fixed (float* px = x, pd = dst)
        {
            for (int i0 = 0; i0 < rows; i0 += TransposeTile)
            {
                int i1 = Math.Min(rows, i0 + TransposeTile);
                for (int j0 = 0; j0 < cols; j0 += TransposeTile)
                {
                    int j1 = Math.Min(cols, j0 + TransposeTile);
                    for (int j = j0; j < j1; j++)
                    {
                        // One destination row segment, written contiguously; the source column is read from cached lines.
                        float* d = pd + (long)j * rows;
                        float* s = px + j;
                        for (int i = i0; i < i1; i++) d[i] = s[(long)i * cols];
                    }
                }
            }
        }
    }
}
