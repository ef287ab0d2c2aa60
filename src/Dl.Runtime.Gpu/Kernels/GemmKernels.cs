using ILGPU;
using ILGPU.Runtime;
using Dl.Operators;

namespace Dl.Gpu.Kernels;

/// <summary>
/// The sizes and flags of one GEMM: C[M,N] = op(A)[M,K]·op(B)[K,N], row-major with leading
/// dimensions, then the epilogue v += Bias[j]; v = act(v); v *= step(Mask[i·LdMask + j]); act is the
/// kernels' operator type argument (any unary operator struct), not a field here.
/// Plain ints (no bool: ILGPU kernel parameters must be blittable) so one struct carries them all.
/// </summary>
public struct GemmArgs
{
    public int M, N, K, Lda, Ldb, Ldc;
    /// <summary>1: A is stored [K,M] and read transposed (by indexing, never copied).</summary>
    public int TransA;
    /// <summary>1: B is stored [N,K] and read transposed.</summary>
    public int TransB;
    public int HasBias, HasMask, LdMask;
}

/// <summary>Eight floats held in registers: a row of a thread's 8x8 block of C, or a slice of a B tile.</summary>
internal readonly struct Row8
{
    public readonly float C0, C1, C2, C3, C4, C5, C6, C7;

    public Row8(float c0, float c1, float c2, float c3, float c4, float c5, float c6, float c7)
    {
        C0 = c0; C1 = c1; C2 = c2; C3 = c3; C4 = c4; C5 = c5; C6 = c6; C7 = c7;
    }

    /// <summary>acc + a·b, element by element.</summary>
    public static Row8 Fma(Row8 acc, float a, Row8 b) => new(
        acc.C0 + a * b.C0, acc.C1 + a * b.C1, acc.C2 + a * b.C2, acc.C3 + a * b.C3,
        acc.C4 + a * b.C4, acc.C5 + a * b.C5, acc.C6 + a * b.C6, acc.C7 + a * b.C7);
}

/// <summary>
/// Tiled shared-memory GEMM kernels. Transposed operands are read in place: the tile loaders pick
/// the index order (and the thread order, so reads stay coalesced) from the trans flags.
/// </summary>
internal static class GemmKernels
{
    /// <summary>Tile edge of <see cref="Tile16"/>; its groups are 16x16 = 256 threads.</summary>
    public const int T = 16;
    /// <summary>Block edge of <see cref="Block128"/> (128x128 of C per group of 256 threads, 8x8 each).</summary>
    public const int B = 128;
    public const int BK = 8;

    /// <summary>One value of op(A): row i, column k.</summary>
    private static float LoadA(ArrayView<float> a, GemmArgs p, int i, int k) =>
        i < p.M && k < p.K ? (p.TransA != 0 ? a[k * p.Lda + i] : a[i * p.Lda + k]) : 0f;

    /// <summary>One value of op(B): row k, column j.</summary>
    private static float LoadB(ArrayView<float> b, GemmArgs p, int k, int j) =>
        k < p.K && j < p.N ? (p.TransB != 0 ? b[j * p.Ldb + k] : b[k * p.Ldb + j]) : 0f;

    /// <summary>The fused epilogue for C[i,j] = v; writes nothing outside C.</summary>
    /// The activation is the float overload of the CPU's operator struct: the same formula on both backends.
    private static void Store<TAct>(ArrayView<float> c, ArrayView<float> bias, ArrayView<float> mask, GemmArgs p, TAct act, int i, int j, float v)
        where TAct : struct, IUnaryOperator
    {
        if (i >= p.M || j >= p.N) return;
        if (p.HasBias != 0) v += bias[j];
        v = act.Invoke(v);
        if (p.HasMask != 0 && !(mask[i * p.LdMask + j] > 0f)) v = 0f;
        c[i * p.Ldc + j] = v;
    }

    /// <summary>
    /// Small products (the layers of a small model at a small batch): a 16x16 tile of C per group,
    /// one output per thread, K in steps of 16 through shared memory. Grid: (ceil(N/16), ceil(M/16)).
    /// </summary>
    public static void Tile16<TAct>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, ArrayView<float> mask, GemmArgs p, TAct act)
        where TAct : struct, IUnaryOperator
    {
        var sa = SharedMemory.Allocate<float>(T * (T + 1)); // [k][i], padded against bank conflicts
        var sb = SharedMemory.Allocate<float>(T * (T + 1)); // [k][j]
        int tx = Group.IdxX, ty = Group.IdxY;
        int row0 = Grid.IdxY * T, col0 = Grid.IdxX * T;
        float acc = 0f;
        for (int k0 = 0; k0 < p.K; k0 += T)
        {
            // Consecutive threads (tx) walk the operand's contiguous axis.
            if (p.TransA != 0) sa[ty * (T + 1) + tx] = LoadA(a, p, row0 + tx, k0 + ty);
            else sa[tx * (T + 1) + ty] = LoadA(a, p, row0 + ty, k0 + tx);
            if (p.TransB != 0) sb[tx * (T + 1) + ty] = LoadB(b, p, k0 + tx, col0 + ty);
            else sb[ty * (T + 1) + tx] = LoadB(b, p, k0 + ty, col0 + tx);
            Group.Barrier();
            for (int kk = 0; kk < T; kk++)
                acc += sa[kk * (T + 1) + ty] * sb[kk * (T + 1) + tx];
            Group.Barrier();
        }
        Store(c, bias, mask, p, act, row0 + ty, col0 + tx, acc);
    }

    /// <summary>
    /// Large products: a 128x128 block of C per group of 256 threads, each thread an 8x8 register
    /// block (rows ty + 16r, columns tx + 16c: conflict-free shared reads, coalesced writes), K in
    /// steps of 8 through shared memory. Grid: ceil(N/128) x ceil(M/128) groups of 16x16.
    /// </summary>
    public static void Block128<TAct>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, ArrayView<float> mask, GemmArgs p, TAct act)
        where TAct : struct, IUnaryOperator
    {
        var sa = SharedMemory.Allocate<float>(BK * B); // [k][i]
        var sb = SharedMemory.Allocate<float>(BK * B); // [k][j]
        int tx = Group.IdxX, ty = Group.IdxY, t = ty * 16 + tx;
        int row0 = Grid.IdxY * B, col0 = Grid.IdxX * B;
        Row8 c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int k0 = 0; k0 < p.K; k0 += BK)
        {
            // 1024 values per tile, 4 per thread, the operand's contiguous axis fastest.
            for (int e = 0; e < 4; e++)
            {
                int idx = t + e * 256;
                if (p.TransA != 0) { int i = idx % B, k = idx / B; sa[k * B + i] = LoadA(a, p, row0 + i, k0 + k); }
                else { int k = idx % BK, i = idx / BK; sa[k * B + i] = LoadA(a, p, row0 + i, k0 + k); }
                if (p.TransB != 0) { int k = idx % BK, j = idx / BK; sb[k * B + j] = LoadB(b, p, k0 + k, col0 + j); }
                else { int j = idx % B, k = idx / B; sb[k * B + j] = LoadB(b, p, k0 + k, col0 + j); }
            }
            Group.Barrier();
            for (int k = 0; k < BK; k++)
            {
                int s = k * B;
                var bv = new Row8(sb[s + tx], sb[s + tx + 16], sb[s + tx + 32], sb[s + tx + 48], sb[s + tx + 64], sb[s + tx + 80], sb[s + tx + 96], sb[s + tx + 112]);
                c0 = Row8.Fma(c0, sa[s + ty], bv);
                c1 = Row8.Fma(c1, sa[s + ty + 16], bv);
                c2 = Row8.Fma(c2, sa[s + ty + 32], bv);
                c3 = Row8.Fma(c3, sa[s + ty + 48], bv);
                c4 = Row8.Fma(c4, sa[s + ty + 64], bv);
                c5 = Row8.Fma(c5, sa[s + ty + 80], bv);
                c6 = Row8.Fma(c6, sa[s + ty + 96], bv);
                c7 = Row8.Fma(c7, sa[s + ty + 112], bv);
            }
            Group.Barrier();
        }
        StoreRow(c, bias, mask, p, act, row0 + ty, col0 + tx, c0);
        StoreRow(c, bias, mask, p, act, row0 + ty + 16, col0 + tx, c1);
        StoreRow(c, bias, mask, p, act, row0 + ty + 32, col0 + tx, c2);
        StoreRow(c, bias, mask, p, act, row0 + ty + 48, col0 + tx, c3);
        StoreRow(c, bias, mask, p, act, row0 + ty + 64, col0 + tx, c4);
        StoreRow(c, bias, mask, p, act, row0 + ty + 80, col0 + tx, c5);
        StoreRow(c, bias, mask, p, act, row0 + ty + 96, col0 + tx, c6);
        StoreRow(c, bias, mask, p, act, row0 + ty + 112, col0 + tx, c7);
    }

    private static void StoreRow<TAct>(ArrayView<float> c, ArrayView<float> bias, ArrayView<float> mask, GemmArgs p, TAct act, int i, int j, Row8 v)
        where TAct : struct, IUnaryOperator
    {
        Store(c, bias, mask, p, act, i, j, v.C0);
        Store(c, bias, mask, p, act, i, j + 16, v.C1);
        Store(c, bias, mask, p, act, i, j + 32, v.C2);
        Store(c, bias, mask, p, act, i, j + 48, v.C3);
        Store(c, bias, mask, p, act, i, j + 64, v.C4);
        Store(c, bias, mask, p, act, i, j + 80, v.C5);
        Store(c, bias, mask, p, act, i, j + 96, v.C6);
        Store(c, bias, mask, p, act, i, j + 112, v.C7);
    }
}
